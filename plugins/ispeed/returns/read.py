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

A file that cannot be read at all raises ReturnFileRejected, whose message (in Vietnamese, for the
official who sent it) names the file, the problem and what to do. Nothing here raises anything
else for a bad file.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ispeed.returns.contract import ReturnKind
from ispeed.returns.values import cell_text, is_blank, parse_whole_number
from ispeed.text import norm_key

HEADER_SCAN_ROWS = 30
MAX_DATA_ROWS = 2000
MAX_BLANK_RUN = 500  # so that a sheet formatted down to row 1 048 576 is not read to the end
MAX_FILE_BYTES = 20 << 20  # a return is a few kilobytes; anything this large is not one

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
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
    "ghichu",
    "luuy",
    "tmubnd",
    "ktgiamdoc",
    "ktchutich",
)
_FOOTER_DATE = re.compile(r"ngay\d*thang\d*nam\d*")
_COLUMN_NUMBER = re.compile(r"^\(\s*\d{1,2}\s*\)$")


class ReturnFileRejected(Exception):
    """A whole file cannot be read as a return. ``str()`` is the message for the official."""

    def __init__(self, file_name: str, problem: str):
        self.file_name = file_name
        self.problem = problem
        super().__init__(f"Tệp {file_name}: {problem}")


@dataclass
class ReadRow:
    """One row of a return, as read."""

    row: int  # the spreadsheet's row number (a CSV's record number, as Excel shows it)
    values: dict[str, Any]  # canonical column -> the cell's value as read (None when empty)
    cells: dict[str, str]  # canonical column -> the cell's reference ("E7"), for messages
    raw: dict[str, str | None]  # heading as written -> the cell as text, kept with quarantined rows


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


def column_letter(index: int) -> str:
    """0 -> 'A', 26 -> 'AA'."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# ---------------------------------------------------------------------------------------------
# the file as a grid of cells


@dataclass
class _Grid:
    name: str | None  # sheet name (None for CSV)
    rows: list[list[Any]]  # rows[0] is row 1
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> formula without saved value


def read_return(path: Path, kind: ReturnKind) -> ReturnSheet:
    """Read one return file (see the module docstring). Raises ReturnFileRejected."""
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ReturnFileRejected(name, f"không đọc được tệp ({exc.strerror}).") from exc
    if size == 0:
        raise ReturnFileRejected(name, "tệp rỗng (0 byte); hãy gửi lại tệp báo cáo.")
    if size > MAX_FILE_BYTES:
        raise ReturnFileRejected(
            name,
            f"tệp nặng {size // (1 << 20)} MB, quá lớn đối với một báo cáo "
            f"(tối đa {MAX_FILE_BYTES >> 20} MB); hãy gửi đúng biểu mẫu báo cáo.",
        )
    with path.open("rb") as fh:
        head = fh.read(4096)
    if head.startswith(b"PK\x03\x04"):
        grids, fmt, encoding = _xlsx_grids(path), "xlsx", None
    elif head.startswith(_OLE_MAGIC):
        raise ReturnFileRejected(name, _ole_problem(path))
    elif head.startswith(b"%PDF"):
        raise ReturnFileRejected(name, "đây là tệp PDF, không phải bảng tính; hãy gửi tệp Excel (.xlsx) theo biểu mẫu.")
    else:
        grid, encoding = _csv_grid(path, head)
        grids, fmt = [grid], "csv"
    return _find_return(name, fmt, grids, kind, encoding)


def _ole_problem(path: Path) -> str:
    """An OLE2 compound file is either an Excel 97-2003 workbook or an encrypted (password
    protected) .xlsx, which Office stores in the same container with an EncryptionInfo stream."""
    data = path.read_bytes()
    if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
        return (
            "tệp được đặt mật khẩu nên không mở được; hãy gỡ mật khẩu (Excel: File > Info > Protect Workbook > "
            "Encrypt with Password, xóa mật khẩu), lưu lại rồi gửi."
        )
    return (
        "tệp ở định dạng Excel 97-2003 (.xls); hãy mở bằng Excel, chọn Save As (Lưu thành) kiểu "
        "Excel Workbook (.xlsx) rồi gửi lại."
    )


def _xlsx_grids(path: Path) -> list[_Grid]:
    name = path.name
    try:
        with zipfile.ZipFile(path) as zf:
            members = set(zf.namelist())
            if "mimetype" in members and b"opendocument.spreadsheet" in zf.read("mimetype"):
                raise ReturnFileRejected(
                    name, "đây là bảng tính OpenDocument (.ods); hãy lưu thành Excel Workbook (.xlsx) rồi gửi lại."
                )
            if "word/document.xml" in members:
                raise ReturnFileRejected(
                    name, "đây là văn bản Word (.docx), không phải bảng tính; hãy điền biểu mẫu Excel (.xlsx)."
                )
            if "xl/workbook.xml" not in members:
                raise ReturnFileRejected(
                    name, "tệp nén này không phải bảng tính Excel (.xlsx); hãy gửi tệp .xlsx theo biểu mẫu."
                )
    except zipfile.BadZipFile as exc:
        raise ReturnFileRejected(
            name, "tệp Excel bị hỏng (không giải nén được); hãy lưu lại bằng Excel rồi gửi."
        ) from exc

    import openpyxl  # here: the package is imported by the DAG file's tasks, which need not pay for it

    try:
        values_book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file; all mean the same here
        raise ReturnFileRejected(
            name, f"tệp Excel bị hỏng, không mở được ({type(exc).__name__}); hãy mở bằng Excel, lưu lại rồi gửi."
        ) from exc
    grids = []
    try:
        for ws in values_book.worksheets:
            if ws.sheet_state != "visible" and len(values_book.worksheets) > 1:
                continue  # hidden sheets hold lists for drop-downs, not the return
            ws.reset_dimensions()  # some programs write a wrong <dimension>; read what is there
            grids.append(_Grid(ws.title, _sheet_rows(ws)))
    except Exception as exc:
        raise ReturnFileRejected(
            name, f"tệp Excel bị hỏng, không đọc được ({type(exc).__name__}); hãy mở bằng Excel, lưu lại rồi gửi."
        ) from exc
    finally:
        values_book.close()
    if any(_has_empty_cells(g) for g in grids):
        _mark_unsaved_formulas(path, grids)
    return grids


def _sheet_rows(ws) -> list[list[Any]]:
    rows: list[list[Any]] = []
    blank_run = 0
    for values in ws.iter_rows(values_only=True):
        if all(is_blank(v) for v in values):
            blank_run += 1
            if blank_run > MAX_BLANK_RUN:
                break
        else:
            blank_run = 0
        rows.append(list(values))
        if len(rows) > HEADER_SCAN_ROWS + MAX_DATA_ROWS + MAX_BLANK_RUN:
            break
    while rows and all(is_blank(v) for v in rows[-1]):
        rows.pop()
    return rows


def _has_empty_cells(grid: _Grid) -> bool:
    return any(v is None for row in grid.rows for v in row)


def _mark_unsaved_formulas(path: Path, grids: list[_Grid]) -> None:
    """A formula whose value was never saved reads as an empty cell with data_only=True. Read the
    formulas too, so that such a cell is reported as a formula, not as an empty cell."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception:  # the values were readable; the formulas are only for better messages
        return
    try:
        by_name = {g.name: g for g in grids}
        for ws in book.worksheets:
            grid = by_name.get(ws.title)
            if grid is None:
                continue
            ws.reset_dimensions()
            for r, values in enumerate(ws.iter_rows(max_row=len(grid.rows), values_only=True), start=1):
                for c, v in enumerate(values):
                    if (
                        isinstance(v, str)
                        and v.startswith("=")
                        and c < len(grid.rows[r - 1])
                        and grid.rows[r - 1][c] is None
                    ):
                        grid.formulas[(r, c)] = v
    finally:
        book.close()


def _csv_grid(path: Path, head: bytes) -> tuple[_Grid, str]:
    name = path.name
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<?xml", b"<table", b"<head")):
        raise ReturnFileRejected(
            name, "đây là một trang web (HTML/XML) chứ không phải bảng tính; hãy gửi tệp Excel (.xlsx) theo biểu mẫu."
        )
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, encoding = data.decode("utf-16"), "utf-16"  # Excel's "Unicode Text" (tab separated)
    else:
        if b"\x00" in data[:4096]:
            raise ReturnFileRejected(
                name,
                "tệp không phải bảng tính hay văn bản CSV (có dữ liệu nhị phân); "
                "hãy gửi tệp Excel (.xlsx) theo biểu mẫu.",
            )
        try:
            text, encoding = data.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError:
            # Excel on a Vietnamese Windows saves "CSV" in Windows-1258, tones as combining marks
            text, encoding = data.decode("cp1258", errors="replace"), "cp1258"
    text = unicodedata.normalize("NFC", text)
    lines = [ln for ln in text.splitlines()[:HEADER_SCAN_ROWS] if ln.strip()]
    counts = {d: max((ln.count(d) for ln in lines), default=0) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d])
    if counts[delimiter] == 0:
        raise ReturnFileRejected(
            name,
            "tệp không phải bảng tính Excel (.xlsx) và cũng không phải CSV (không có dấu phẩy, "
            "chấm phẩy hay tab phân cách cột); hãy gửi tệp Excel theo biểu mẫu.",
        )
    try:
        rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise ReturnFileRejected(name, f"tệp CSV không đọc được ({exc}); hãy lưu lại bằng Excel rồi gửi.") from exc
    while rows and all(is_blank(v) for v in rows[-1]):
        rows.pop()
    if len(rows) > HEADER_SCAN_ROWS + MAX_DATA_ROWS + MAX_BLANK_RUN:
        raise ReturnFileRejected(
            name, f"tệp có {len(rows)} dòng, quá nhiều đối với một báo cáo; hãy gửi đúng biểu mẫu."
        )
    return _Grid(None, rows), encoding


# ---------------------------------------------------------------------------------------------
# header and rows


@dataclass
class _Header:
    grid: _Grid
    row: int  # 1-based
    positions: dict[str, int]  # canonical -> 0-based column
    fields: dict[str, tuple[Any, str]]  # canonical -> (value, cell ref) given above the table
    duplicates: list[tuple[str, int, int]]  # canonical, first column, second column
    missing: list[str]  # required columns (or groups) not found


def _text(v: Any) -> str:
    return cell_text(v) or ""


def _fields_above(grid: _Grid, header_row: int, kind: ReturnKind) -> dict[str, tuple[Any, str]]:
    """Fields given once above the table: a label cell ("Nhà mạng:", "Tháng báo cáo") followed by
    its value in the same cell after a colon, or in one of the next two cells of the row."""
    found: dict[str, tuple[Any, str]] = {}
    wanted = {c.name for c in kind.columns if c.above_table}
    for r in range(header_row - 1):
        row = grid.rows[r]
        for c, v in enumerate(row):
            text = _text(v)
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


def _header_at(grid: _Grid, r: int, kind: ReturnKind) -> _Header:
    positions: dict[str, int] = {}
    duplicates = []
    for c, v in enumerate(grid.rows[r - 1]):
        text = _text(v)
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
    return _Header(grid, r, positions, fields, duplicates, missing)


def _find_header(name: str, grids: list[_Grid], kind: ReturnKind) -> _Header:
    best: _Header | None = None
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


def _find_return(name: str, fmt: str, grids: list[_Grid], kind: ReturnKind, encoding: str | None) -> ReturnSheet:
    if not any(g.rows for g in grids):
        raise ReturnFileRejected(name, "tệp không có nội dung; hãy điền biểu mẫu rồi gửi lại.")
    header = _find_header(name, grids, kind)
    grid = header.grid
    if header.duplicates:
        canonical, first, second = header.duplicates[0]
        raise ReturnFileRejected(
            name,
            f"dòng {header.row}: hai cột {column_letter(first)} và {column_letter(second)} cùng là "
            f"'{kind.column(canonical).heading_vi}'; hãy giữ một cột rồi gửi lại.",
        )
    headings = grid.rows[header.row - 1]
    sheet = ReturnSheet(
        file_name=name,
        format=fmt,
        sheet=grid.name,
        header_row=header.row,
        columns={k: f"{column_letter(c)}: {_text(headings[c])}" for k, c in header.positions.items()},
        fields={k: ref for k, (_, ref) in header.fields.items()},
        ignored=[_text(v) for c, v in enumerate(headings) if _text(v) and c not in header.positions.values()],
        encoding=encoding if encoding and encoding != "utf-8" else None,
    )
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
        texts = {k: _text(v) for k, v in cells.items()}
        whole_row = [_text(v) for v in row]
        if not any(whole_row):
            continue
        if r == header.row + 1 and _is_column_numbers(whole_row):
            skip("column numbers", r)
            continue
        if sum(1 for t in whole_row if t and kind.match_heading(t)) >= 3:
            skip("repeated header", r)
            continue
        numbers_present = any(parse_whole_number(cells[k]).value is not None for k in numbers)
        if _is_footer(whole_row, numbers_present):
            skip("signature block (end of table)", r)
            break
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
        raw = {_text(headings[c]) or column_letter(c): texts[k] or None for k, c in header.positions.items()}
        for k, (value, ref) in header.fields.items():
            values[k], refs[k] = value, ref
            raw[kind.column(k).heading_vi] = _text(value) or None
        sheet.rows.append(ReadRow(r, values, refs, raw))
    if not sheet.rows:
        raise ReturnFileRejected(
            name,
            f"không có dòng số liệu nào dưới dòng tiêu đề cột (dòng {header.row}"
            + (f", trang '{grid.name}'" if grid.name else "")
            + "); hãy điền số liệu rồi gửi lại.",
        )
    return sheet
