"""Reading a return as an official filled it: an .xlsx (the template, or a sheet of their own) or a
CSV with the same columns.

What the reader copes with, because people fill spreadsheets by hand:
- title rows (merged or not) above the header: the header is the first row, among the first
  30 of a sheet, that has every required heading; the sheet is the first that has such a row;
- Vietnamese or English headings, with or without a unit or a column number in brackets;
- a row of column numbers "(1) (2) ..." under the header, a repeated header, a "Tổng cộng" row,
  blank rows, template rows that were left untouched, and the signature block below the table
  ("Người lập biểu", "Thủ trưởng đơn vị", "Hải Phòng, ngày ... tháng ... năm ..."), which ends it;
- fields given once above the table instead of as a column ("Nhà mạng: Viettel",
  "Tháng báo cáo: | 10/2024");
- formulas: the values Excel saved with them are read (a formula without a saved value, as in a
  file written by a program, is reported as such);
- CSV in UTF-8, UTF-16 (Excel's "Unicode text") or Windows-1258, separated by commas, semicolons
  or tabs, with title lines above the header too.

The file's cells are read in grid.py, the header is found in header.py, and the rows below it
are read here. A file that cannot be read at all raises ReturnFileRejected, whose message (in
Vietnamese, for the official who sent it) names the file, the problem and what to do. Nothing here
raises anything else for a bad file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ispeed.returns.contract import ReturnKind
from ispeed.returns.grid import HEADER_SCAN_ROWS, MAX_DATA_ROWS, Grid, ReturnFileRejected, column_letter, read_grids
from ispeed.returns.header import cell_str, find_header
from ispeed.returns.values import parse_whole_number
from ispeed.text import norm_key

_TOTAL_KEYS = {"tong", "tongcong", "cong", "tongso", "total", "grandtotal", "toanthanhpho", "toanthanh", "toanbo"}
_FOOTER_PREFIXES = (
    "nguoilap",
    "thutruong",
    "kyten",
    "kyghiro",
    "kyvaghiro",
    "giamdoc",
    "phogiamdoc",
    "chutich",
    "phochutich",
    "xacnhan",
    "noinhan",
    "tmubnd",
    "ktgiamdoc",
    "ktchutich",
)
#: a note between or below the rows ("Ghi chú: ...", "Lưu ý: ..."): skipped, and the table goes on
_NOTE_PREFIXES = ("ghichu", "luuy", "chuthich", "note")
_FOOTER_DATE = re.compile(r"ngay\d*thang\d*nam\d*")
_COLUMN_NUMBER = re.compile(r"^\(\s*\d{1,2}\s*\)$")


@dataclass
class ReadRow:
    """One row of a return, as read."""

    row: int  # the spreadsheet's row number (a CSV's record number, as Excel shows it)
    values: dict[str, Any]  # canonical column -> the cell's value as read (None when empty)
    cells: dict[str, str]  # canonical column -> the cell's reference ("E7"), for messages
    raw: dict[str, str | None]  # heading as written -> the cell as text, kept with quarantined rows
    extra_cells: int = 0  # a CSV record's cells beyond the header's (an unquoted "1,250" shifts them)
    hidden: bool = False  # the row is hidden in the workbook


@dataclass
class ReturnSheet:
    """What was read from one file."""

    file_name: str
    format: str  # xlsx / csv
    sheet: str | None
    header_row: int
    columns: dict[str, str]  # canonical -> "E: heading as written"
    fields: dict[str, str]  # canonical -> cell of a field given above the table ("C3")
    ignored: list[str]  # headings that are not columns of the return
    skipped: dict[str, list[int]] = field(default_factory=dict)  # why -> row numbers
    rows: list[ReadRow] = field(default_factory=list)
    encoding: str | None = None
    width: int = 0  # the header row's cells
    sheets: int = 1  # the workbook's visible sheets

    def header_json(self) -> dict:
        """For meta_file.header_map."""
        out: dict[str, Any] = {
            "sheet": self.sheet,
            "header_row": self.header_row,
            "columns": self.columns,
            "fields_above_table": self.fields,
            "ignored": self.ignored,
        }
        if self.skipped:
            out["skipped_rows"] = self.skipped
        if self.encoding:
            out["encoding"] = self.encoding
        return out


def read_return(path: Path, kind: ReturnKind) -> ReturnSheet:
    """Read one return file (see the module docstring). Raises ReturnFileRejected."""
    grids, fmt, encoding = read_grids(path)
    try:
        return _find_return(path.name, fmt, grids, kind, encoding)
    except ReturnFileRejected as exc:
        # the texts of the first rows, so that the sender of a rejected file can be found in them
        exc.texts = [t for g in grids for row in g.rows[:HEADER_SCAN_ROWS] for v in row if (t := cell_str(v))]
        raise


def _is_column_numbers(values: list[str]) -> bool:
    """The row '(1) (2) (3) ...' or '1 2 3 ...' that Vietnamese forms put under the headings."""
    filled = [v for v in values if v]
    if len(filled) < 2:
        return False
    if all(_COLUMN_NUMBER.match(v) for v in filled):
        return True
    return all(v.isdigit() for v in filled) and [int(v) for v in filled] == list(range(1, len(filled) + 1))


def _is_footer(texts: list[str], numbers_present: bool) -> bool:
    if numbers_present:
        return False
    for text in texts:
        key = norm_key(text)
        if key.startswith(_FOOTER_PREFIXES) or _FOOTER_DATE.search(key):
            return True
    return False


def _is_note(texts: list[str], numbers_present: bool) -> bool:
    first = next((t for t in texts if t), "")
    return not numbers_present and norm_key(first).startswith(_NOTE_PREFIXES)


def _find_return(name: str, fmt: str, grids: list[Grid], kind: ReturnKind, encoding: str | None) -> ReturnSheet:
    if not any(g.rows for g in grids):
        raise ReturnFileRejected(name, "tệp không có nội dung; hãy điền biểu mẫu rồi gửi lại.")
    header = find_header(name, grids, kind)
    grid = header.grid
    if header.duplicates:
        canonical, first, second = header.duplicates[0]
        raise ReturnFileRejected(
            name,
            f"dòng {header.row}: hai cột {column_letter(first)} và {column_letter(second)} cùng là "
            f"'{kind.column(canonical).heading_vi}'; hãy giữ một cột rồi gửi lại.",
        )
    headings = header.texts
    sheet = ReturnSheet(
        file_name=name,
        format=fmt,
        sheet=grid.name,
        header_row=header.row,
        columns={k: f"{column_letter(c)}: {cell_str(headings[c])}" for k, c in header.positions.items()},
        fields={k: ref for k, (_, ref) in header.fields.items()},
        ignored=[cell_str(v) for c, v in enumerate(headings) if cell_str(v) and c not in header.positions.values()],
        encoding=encoding if encoding and encoding != "utf-8" else None,
        width=len(headings),
        sheets=len(grids),
    )
    ended: int | None = None  # the signature block's row: the real end of the table
    below_end: list[int] = []  # rows with numbers below it, which the table cannot leave unread
    prefilled = {c.name for c in kind.columns if c.prefilled}
    numbers = [c.name for c in kind.columns if c.is_number and c.name in header.positions]
    identity = [c for c in (kind.subject_column, "agency_name", "operator", "district") if c in header.positions]

    def skip(reason: str, r: int) -> None:
        sheet.skipped.setdefault(reason, []).append(r)

    for r in range(header.row + 1, len(grid.rows) + 1):
        row = grid.rows[r - 1]
        cells = {k: (row[c] if c < len(row) else None) for k, c in header.positions.items()}
        for k, c in header.positions.items():
            formula = grid.formulas.get((r, c))
            if formula is not None:
                cells[k] = formula  # a formula without a saved value: reported as such
        texts = {k: cell_str(v) for k, v in cells.items()}
        whole_row = [cell_str(v) for v in row]
        if not any(whole_row):
            continue
        if r == header.row + 1 and _is_column_numbers(whole_row):
            skip("column numbers", r)
            continue
        if sum(1 for t in whole_row if t and kind.match_heading(t)) >= 3:
            skip("repeated header", r)
            continue
        numbers_present = any(parse_whole_number(cells[k]).value is not None for k in numbers)
        if ended is not None:
            skip("below the signature block", r)
            if numbers_present:
                below_end.append(r)
            continue
        if _is_footer(whole_row, numbers_present):
            skip("signature block (end of table)", r)
            ended = r
            continue
        if _is_note(whole_row, numbers_present):
            skip("note row", r)
            continue
        if any(norm_key(texts[k]) in _TOTAL_KEYS for k in identity if texts[k]):
            skip("total row", r)
            continue
        if not any(t for k, t in texts.items() if k not in prefilled):
            skip("nothing to report (template row left as it was)", r)
            continue
        if len(sheet.rows) >= MAX_DATA_ROWS:
            raise ReturnFileRejected(
                name, f"tệp có hơn {MAX_DATA_ROWS} dòng số liệu, quá nhiều đối với một báo cáo; hãy gửi đúng biểu mẫu."
            )
        values = dict(cells)
        refs = {k: f"{column_letter(c)}{r}" for k, c in header.positions.items()}
        raw = {cell_str(headings[c]) or column_letter(c): texts[k] or None for k, c in header.positions.items()}
        for k, (value, ref) in header.fields.items():
            values[k], refs[k] = value, ref
            raw[kind.column(k).heading_vi] = cell_str(value) or None
        extra = len(row) - len(headings) if fmt == "csv" else 0
        sheet.rows.append(ReadRow(r, values, refs, raw, max(extra, 0), r in grid.hidden_rows))
    if below_end:
        rows = ", ".join(str(r) for r in below_end)
        where = f"trang '{grid.name}', " if grid.name and len(grids) > 1 else ""
        raise ReturnFileRejected(
            name,
            f"{where}dòng {rows} có số liệu nhưng nằm dưới phần ký tên (dòng {ended}), nơi bảng đã kết thúc; "
            "hãy chuyển các dòng này lên trên phần ký tên, trong bảng, rồi gửi lại.",
        )
    if not sheet.rows:
        raise ReturnFileRejected(
            name,
            f"không có dòng số liệu nào dưới dòng tiêu đề cột (dòng {header.row}"
            + (f", trang '{grid.name}'" if grid.name else "")
            + "); hãy điền số liệu rồi gửi lại.",
        )
    return sheet


__all__ = ["ReadRow", "ReturnFileRejected", "ReturnSheet", "column_letter", "read_return"]
