"""A return file as grids of cells: what kind of file it is, and its sheets (an .xlsx) or its
lines (a CSV, whose encoding and separator are found), as lists of rows. A file that is not a
spreadsheet, or cannot be opened, raises ReturnFileRejected with what to do (in Vietnamese)."""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ispeed.returns.values import is_blank

HEADER_SCAN_ROWS = 30
MAX_DATA_ROWS = 2000
MAX_BLANK_RUN = 500  # so that a sheet formatted down to row 1 048 576 is not read to the end
MAX_FILE_BYTES = 20 << 20  # a return is a few kilobytes; anything this large is not one

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class ReturnFileRejected(Exception):
    """A whole file cannot be read as a return. ``str()`` is the message for the official."""

    def __init__(self, file_name: str, problem: str):
        self.file_name = file_name
        self.problem = problem
        self.texts: list[str] = []  # the cells' texts, when the file could be opened (to find its sender)
        super().__init__(f"Tệp {file_name}: {problem}")


def column_letter(index: int) -> str:
    """0 -> 'A', 26 -> 'AA' (openpyxl's get_column_letter counts from 1)."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


@dataclass
class Grid:
    name: str | None  # sheet name (None for CSV)
    rows: list[list[Any]]  # rows[0] is row 1
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> formula without saved value
    hidden_rows: set[int] = field(default_factory=set)  # rows hidden in the workbook (1-based)


def read_grids(path: Path) -> tuple[list[Grid], str, str | None]:
    """The file's grids (its visible sheets, or the CSV's one), its format (xlsx / csv) and the
    CSV's encoding. Raises ReturnFileRejected."""
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
    return grids, fmt, encoding


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


def _xlsx_grids(path: Path) -> list[Grid]:
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
            grids.append(Grid(ws.title, _sheet_rows(ws), hidden_rows=_hidden_rows(ws)))
    except Exception as exc:
        raise ReturnFileRejected(
            name, f"tệp Excel bị hỏng, không đọc được ({type(exc).__name__}); hãy mở bằng Excel, lưu lại rồi gửi."
        ) from exc
    finally:
        values_book.close()
    if any(_has_empty_cells(g) for g in grids):
        _mark_unsaved_formulas(path, grids)
    return grids


def percent_as_typed(value: float) -> str:
    """A cell formatted as a percentage, as the clerk typed and sees it: 0.85 -> '85 %'."""
    pct = round(value * 100, 10)
    return (str(int(pct)) if pct.is_integer() else repr(pct).replace(".", ",")) + " %"


def _cell_value(cell) -> Any:
    value = cell.value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in (cell.number_format or ""):
        return percent_as_typed(value)  # a count is never a percentage: the message shows what was typed
    return value


def _hidden_rows(ws) -> set[int]:
    """The rows hidden in a sheet (<row r="8" hidden="1">), read streaming from its XML: read-only
    worksheets do not carry row dimensions."""
    from xml.etree.ElementTree import iterparse

    hidden: set[int] = set()
    with ws._get_source() as src:
        for _, element in iterparse(src, events=("end",)):
            if element.tag.endswith("}row"):
                if element.get("hidden") in ("1", "true"):
                    hidden.add(int(element.get("r", 0)))
                element.clear()
    return hidden


def _sheet_rows(ws) -> list[list[Any]]:
    rows: list[list[Any]] = []
    blank_run = 0
    for cells in ws.iter_rows():
        values = [_cell_value(c) for c in cells]
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


def _has_empty_cells(grid: Grid) -> bool:
    return any(v is None for row in grid.rows for v in row)


def _mark_unsaved_formulas(path: Path, grids: list[Grid]) -> None:
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


def _csv_grid(path: Path, head: bytes) -> tuple[Grid, str]:
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
    return Grid(None, rows), encoding
