"""Where a return's table starts: the header row (the first of a sheet's first rows that has every
required heading) and the fields given once above the table ("Nhà mạng: Viettel")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ispeed.returns.contract import ReturnKind
from ispeed.returns.grid import HEADER_SCAN_ROWS, Grid, ReturnFileRejected, column_letter
from ispeed.returns.values import cell_text, is_blank
from ispeed.text import norm_key


@dataclass
class Header:
    """A grid's header row: where each column is, and the fields given above the table."""

    grid: Grid
    row: int  # 1-based
    positions: dict[str, int]  # canonical -> 0-based column
    fields: dict[str, tuple[Any, str]]  # canonical -> (value, cell ref) given above the table
    duplicates: list[tuple[str, int, int]]  # canonical, first column, second column
    missing: list[str]  # required columns (or groups) not found
    texts: list[str]  # each column's heading as read ("Số CBCCVC Đã cài đặt" for a two-row heading)
    first_row: int  # the heading's first row: row - 1 for a heading on two rows

    @property
    def rows_named(self) -> str:
        """'dòng 6', or 'dòng 6-7' for a heading on two rows."""
        return f"dòng {self.row}" if self.first_row == self.row else f"dòng {self.first_row}-{self.row}"


def cell_str(v: Any) -> str:
    """The cell as text, '' when empty."""
    return cell_text(v) or ""


def _fields_above(grid: Grid, header_row: int, kind: ReturnKind) -> dict[str, tuple[Any, str]]:
    """Fields given once above the table: a label cell ("Nhà mạng:", "Tháng báo cáo") followed by
    its value in the same cell after a colon, or in one of the next two cells of the row."""
    found: dict[str, tuple[Any, str]] = {}
    wanted = {c.name for c in kind.columns if c.above_table}
    for r in range(header_row - 1):
        row = grid.rows[r]
        for c, v in enumerate(row):
            text = cell_str(v)
            if not text:
                continue
            label, _, after = text.partition(":")
            canonical = kind.match_heading(label)
            if canonical not in wanted or canonical in found:
                continue
            if after.strip():
                found[canonical] = (after.strip(), f"{column_letter(c)}{r + 1}")
                continue
            # the value is in one of the next two cells (the label may span two merged cells);
            # when both are empty the field is there but not filled: the first one is named
            nxt = next((i for i in (c + 1, c + 2) if i < len(row) and not is_blank(row[i])), c + 1)
            found[canonical] = (row[nxt] if nxt < len(row) else None, f"{column_letter(nxt)}{r + 1}")
    return found


def _two_rows(top: list[Any], bottom: list[Any]) -> list[list[str]]:
    """The spellings of each column of a heading on two rows: a group heading merged over several
    columns above their own headings ("Số CBCCVC" over "Tổng số", "Đã cài đặt", ...), and headings
    merged down over both rows, which only the top row holds. Tried in order: both rows, the
    bottom alone (either row first), the top alone."""
    out, group = [], ""
    for c in range(max(len(top), len(bottom))):
        above = cell_str(top[c]) if c < len(top) else ""
        below = cell_str(bottom[c]) if c < len(bottom) else ""
        if above:
            group = above
        elif not below:
            group = ""  # a gap ends a merged group heading
        # "Số CBCCVC" over "Tổng số" reads "Tổng số CBCCVC"
        bare = group[3:] if norm_key(group[:3]) == "so" else group
        out.append([f"{group} {below}", f"{below} {group}", f"{below} {bare}", below] if below else [above])
    return out


def _header_at(grid: Grid, r: int, kind: ReturnKind, two_rows: bool = False) -> Header:
    positions: dict[str, int] = {}
    duplicates = []
    if two_rows:
        spellings = _two_rows(grid.rows[r - 2], grid.rows[r - 1])
    else:
        spellings = [[cell_str(v)] for v in grid.rows[r - 1]]
    texts = []
    for c, candidates in enumerate(spellings):
        canonical = next((m for t in candidates if t and (m := kind.match_heading(t))), None)
        texts.append(next((t for t in candidates if t and kind.match_heading(t)), candidates[-1] or ""))
        if canonical is None:
            continue
        if canonical in positions:
            duplicates.append((canonical, positions[canonical], c))
        else:
            positions[canonical] = c
    fields = {k: v for k, v in _fields_above(grid, r, kind).items() if k not in positions} if positions else {}
    missing = [c.heading_vi for c in kind.columns if c.required and c.name not in positions and c.name not in fields]
    for group in kind.one_of:
        if not any(g in positions for g in group):
            missing.append(" hoặc ".join(kind.column(g).heading_vi for g in group))
    return Header(grid, r, positions, fields, duplicates, missing, texts, r - 1 if two_rows else r)


def find_header(name: str, grids: list[Grid], kind: ReturnKind) -> Header:
    """The first row, among the first HEADER_SCAN_ROWS of the first grid that has one, with every
    required heading. Raises ReturnFileRejected naming what the nearest row lacks, if any."""
    best: Header | None = None
    for grid in grids:
        for r in range(1, min(len(grid.rows), HEADER_SCAN_ROWS) + 1):
            for header in [_header_at(grid, r, kind)] + ([_header_at(grid, r, kind, True)] if r > 1 else []):
                if not header.missing:
                    return header
                if len(header.positions) >= 2 and (best is None or len(header.positions) > len(best.positions)):
                    best = header
    expected = ", ".join(c.heading_vi for c in kind.columns if c.required or any(c.name in g for g in kind.one_of))
    template = kind.template_name
    if best is not None:
        where = f"trang '{best.grid.name}', {best.rows_named}" if best.grid.name else best.rows_named
        two = " (tiêu đề hai dòng)" if best.first_row != best.row else ""
        raise ReturnFileRejected(
            name,
            f"{where} là dòng tiêu đề cột{two} nhưng thiếu cột bắt buộc: {'; '.join(best.missing)}. "
            f"Hãy dùng biểu mẫu {template} (các cột cần có: {expected}).",
        )
    raise ReturnFileRejected(
        name,
        f"không tìm thấy dòng tiêu đề cột của báo cáo {kind.subject_vi} trong {HEADER_SCAN_ROWS} dòng đầu "
        f"của tệp. Hãy dùng biểu mẫu {template} (các cột cần có: {expected}).",
    )
