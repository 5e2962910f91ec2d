"""The .xlsx reader: what an official downloads from VNNIC's data portal ("Portal khai thác số
liệu"). The workbook is streamed (openpyxl's read-only mode: one row at a time, memory flat
whatever its size); the header is looked for in the first HEADER_SEARCH_ROWS rows of each sheet,
below title rows, and the line it was on is noted; every message names the sheet and the row.

Cells become the text a CSV would hold: numbers in their shortest form (an integer without
'.0'), dates and times as ISO 8601 without an offset (Excel keeps no zone: Viet Nam time, as the
contract says), booleans as true / false.
"""

from __future__ import annotations

import math
import threading
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

from ispeed.measurements.contract import MEASUREMENT_COLUMNS, Column, canonical_header, header_index
from ispeed.measurements.readers.formats import FileFormat, shorten
from ispeed.measurements.readers.headers import HeaderMap
from ispeed.measurements.readers.limits import FileRejected, Limits, read_limits, too_many_rows
from ispeed.measurements.readers.lines import clean

#: Rows of a sheet in which the header is looked for (title rows may come above it).
HEADER_SEARCH_ROWS = 20
#: Suffixes read as workbooks.
XLSX_SUFFIXES = (".xlsx", ".xlsm")


def _cell_text(value) -> str | None:
    """A cell's value as the text a CSV export would carry."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ") if value.tzinfo is None else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return clean(str(value))


_OPEN_LOCK = threading.Lock()


def _open(path: Path):
    """The workbook in openpyxl's read-only mode, its sheets not parsed at opening: openpyxl looks for
    a sheet's size by parsing it up to its data's end when it has no <dimension> (as generated
    workbooks often do), which holds the whole sheet in memory; here only the part before the data is
    read for it (the reader needs no size)."""
    import openpyxl
    import openpyxl.reader.excel as excel

    try:
        with _OPEN_LOCK:
            original = excel.ReadOnlyWorksheet
            excel.ReadOnlyWorksheet = _SizeFromHead
            try:
                return openpyxl.load_workbook(path, read_only=True, data_only=True)
            finally:
                excel.ReadOnlyWorksheet = original
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise FileRejected(
            path,
            f"the file is named .xlsx but is not a workbook that can be read ({type(exc).__name__}: "
            f"{shorten(str(exc), 120)}); download the export again, or save it again from Excel as .xlsx",
        ) from exc


def _size_class():
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    class SizeFromHead(ReadOnlyWorksheet):
        def _get_size(self):
            from openpyxl.worksheet.dimensions import SheetDimension
            from openpyxl.xml.constants import SHEET_MAIN_NS
            from openpyxl.xml.functions import iterparse

            with self._get_source() as src:
                for event, element in iterparse(src, events=("start", "end")):
                    if element.tag == f"{{{SHEET_MAIN_NS}}}sheetData":
                        return  # no <dimension> before the data: the size stays unknown
                    if event == "end" and element.tag == f"{{{SHEET_MAIN_NS}}}dimension":
                        bounds = SheetDimension.from_tree(element).boundaries
                        self._min_column, self._min_row, self._max_column, self._max_row = bounds
                        return

    return SizeFromHead


class _LazySize:
    """The subclass of openpyxl's ReadOnlyWorksheet, built when first used (openpyxl is imported late)."""

    cls = None

    def __call__(self, *args, **kwargs):
        if _LazySize.cls is None:
            _LazySize.cls = _size_class()
        return _LazySize.cls(*args, **kwargs)


_SizeFromHead = _LazySize()


def xlsx_format(limits: Limits | None = None) -> FileFormat:
    return FileFormat("xlsx", encoding="xlsx", limits=limits or read_limits())


def read_xlsx_header(path: Path, fmt: FileFormat, columns: tuple[Column, ...] = MEASUREMENT_COLUMNS) -> list[str]:
    """The header's cells: the first row, within the first HEADER_SEARCH_ROWS rows of the first sheet
    that has one, that names the most contract columns (at least two). Sets fmt.sheet and
    fmt.header_line; refuses the workbook when no sheet has such a row."""
    index = header_index(columns)
    wb = _open(path)
    try:
        seen = []
        for ws in wb.worksheets:
            seen.append(ws.title)
            best: tuple[int, int, list[str]] | None = None
            for row_no, values in _sheet_rows(ws):
                if row_no > HEADER_SEARCH_ROWS:
                    break
                names = [(_cell_text(v) or "").strip() for v in values]
                while names and not names[-1]:
                    names.pop()
                named = len({c for c in (canonical_header(n, index) for n in names if n) if c})
                if named >= 2 and (best is None or named > best[0]):
                    best = (named, row_no, names)
            if best is not None:
                _, fmt.header_line, names = best
                fmt.sheet = ws.title
                if len(names) > fmt.limits.max_columns:
                    raise FileRejected(
                        path,
                        f"sheet {ws.title!r}, row {fmt.header_line}: the header has {len(names)} columns, more "
                        f"than the limit of {fmt.limits.max_columns} (max_columns in include/config/pipeline.yaml)",
                        line=fmt.header_line,
                    )
                return names
    finally:
        wb.close()
    raise FileRejected(
        path,
        f"no sheet has a header of the contract's columns in its first {HEADER_SEARCH_ROWS} rows (sheets: "
        f"{', '.join(repr(s) for s in seen) or 'none'}); is this an i-Speed export? See docs/input-contract.md",
    )


def header_notes(fmt: FileFormat) -> list[str]:
    """What a person reading meta_file should know of where the header was found."""
    notes = [f"sheet {fmt.sheet!r}, header on row {fmt.header_line}"]
    if fmt.header_line > 1:
        notes.append(f"rows 1 to {fmt.header_line - 1} of sheet {fmt.sheet!r} are above the header (titles): not read")
    return notes


def xlsx_rows(path: Path, fmt: FileFormat, hmap: HeaderMap, canonical: list[str]) -> Iterator[list]:
    """Rows for COPY: [row number, <canonical columns...>, parse_error], streamed from the header's
    sheet. Empty rows are not rows; a row with a value beyond the header's columns, or a repeat of
    the header, carries a parse_error naming the sheet and the row."""
    width = len(hmap.source)
    idx = [hmap.positions.get(c) for c in canonical]
    header = [h.strip() for h in hmap.source]
    max_rows = fmt.limits.max_rows_per_file
    wb = _open(path)
    try:
        rows = 0
        for row_no, values in _sheet_rows(wb[fmt.sheet]):
            if row_no <= fmt.header_line:
                continue
            cells = [_cell_text(v) for v in values]
            if not any(c is not None and c.strip() for c in cells):
                continue
            rows += 1
            if rows > max_rows:
                raise too_many_rows(path, max_rows, row_no)
            error = None
            extra = [i for i, c in enumerate(cells[width:], width) if c is not None and c.strip()]
            if extra:
                error = (
                    f"sheet {fmt.sheet!r}, row {row_no}: a value in column {_column_letter(extra[0])}, beyond the "
                    f"header's {width} columns ({shorten(cells[extra[0]], 40)!r})"
                )
            cells = (cells + [None] * width)[:width]
            if error is None and [(c or "").strip() for c in cells] == header:
                error = f"sheet {fmt.sheet!r}, row {row_no}: the header repeats here (two exports joined?)"
            yield [row_no, *[(cells[i] if i is not None else None) for i in idx], error]
    finally:
        wb.close()
    if rows == 0:
        raise FileRejected(
            path,
            f"sheet {fmt.sheet!r} has a header (row {fmt.header_line}) but no data row; ask the sender for the "
            "export again",
            line=fmt.header_line,
        )


def _column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (openpyxl's get_column_letter counts from 1)."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _sheet_rows(ws) -> Iterator[tuple[int, list]]:
    """(row number, values) of a read-only sheet, streamed with memory flat: openpyxl's own loop
    clears each row's XML element but keeps it in the sheet's tree (80 bytes a row, and the row's
    attributes when it has any: 800 MB for ten million rows), so the rows are parsed here with
    openpyxl's cell parser and each is dropped from the tree once read."""
    from openpyxl.worksheet._reader import WorkSheetParser
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    row_tag, data_tag = f"{{{SHEET_MAIN_NS}}}row", f"{{{SHEET_MAIN_NS}}}sheetData"
    wb = ws.parent
    with ws._get_source() as src:
        parser = WorkSheetParser(
            src,
            ws._shared_strings,
            data_only=True,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )
        data, row_no = None, 0
        for event, element in iterparse(src, events=("start", "end")):
            if event == "start":
                if element.tag == data_tag:
                    data = element
                continue
            if element.tag != row_tag:
                continue
            number = element.get("r")
            row_no = int(float(number)) if number else row_no + 1
            parser.row_counter, parser.col_counter = row_no, 0
            values = {cell["column"]: cell["value"] for cell in map(parser.parse_cell, element)}
            element.clear()
            if data is not None:
                data.remove(element)
            yield row_no, [values.get(i) for i in range(1, max(values, default=0) + 1)]
