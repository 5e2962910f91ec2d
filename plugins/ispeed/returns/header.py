"""Where a return's table starts: the header row (the first of a sheet's first rows that has every
required heading) and the fields given once above the table ("Nhà mạng: Viettel")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ispeed.returns.contract import ReturnKind
from ispeed.returns.grid import HEADER_SCAN_ROWS, Grid, ReturnFileRejected, column_letter
from ispeed.returns.values import cell_text, is_blank


@dataclass
class Header:
    """A grid's header row: where each column is, and the fields given above the table."""

    grid: Grid
    row: int  # 1-based
    positions: dict[str, int]  # canonical -> 0-based column
    fields: dict[str, tuple[Any, str]]  # canonical -> (value, cell ref) given above the table
    duplicates: list[tuple[str, int, int]]  # canonical, first column, second column
    missing: list[str]  # required columns (or groups) not found


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


def _header_at(grid: Grid, r: int, kind: ReturnKind) -> Header:
    positions: dict[str, int] = {}
    duplicates = []
    for c, v in enumerate(grid.rows[r - 1]):
        text = cell_str(v)
        canonical = kind.match_heading(text) if text else None
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
    return Header(grid, r, positions, fields, duplicates, missing)


def find_header(name: str, grids: list[Grid], kind: ReturnKind) -> Header:
    """The first row, among the first HEADER_SCAN_ROWS of the first grid that has one, with every
    required heading. Raises ReturnFileRejected naming what the nearest row lacks, if any."""
    best: Header | None = None
    for grid in grids:
        for r in range(1, min(len(grid.rows), HEADER_SCAN_ROWS) + 1):
            header = _header_at(grid, r, kind)
            if not header.missing:
                return header
            if len(header.positions) >= 2 and (best is None or len(header.positions) > len(best.positions)):
                best = header
    expected = ", ".join(c.heading_vi for c in kind.columns if c.required or any(c.name in g for g in kind.one_of))
    template = kind.template_name
    if best is not None:
        where = f"trang '{best.grid.name}', dòng {best.row}" if best.grid.name else f"dòng {best.row}"
        raise ReturnFileRejected(
            name,
            f"{where} là dòng tiêu đề cột nhưng thiếu cột bắt buộc: {'; '.join(best.missing)}. "
            f"Hãy dùng biểu mẫu {template} (các cột cần có: {expected}).",
        )
    raise ReturnFileRejected(
        name,
        f"không tìm thấy dòng tiêu đề cột của báo cáo {kind.subject_vi} trong {HEADER_SCAN_ROWS} dòng đầu "
        f"của tệp. Hãy dùng biểu mẫu {template} (các cột cần có: {expected}).",
    )
