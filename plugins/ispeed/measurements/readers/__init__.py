"""Reading export files: recognise the format, map the header, and stream rows as CSV for COPY.

Nothing here holds a file in memory: the file is read line by line (each line at most
``limits.max_line_bytes``, decoded as UTF-8 on its own so that an encoding error names its line),
and rows are handed to PostgreSQL's COPY in chunks, so memory stays flat whatever the size of the
month. A file that cannot be read at all raises FileRejected with a message for a person: the
file, the line when there is one, the problem and what to do. A row that can be read but is not
well formed (wrong number of fields, a broken quote, invalid JSON) is passed on with a
``parse_error``, so that the rule ``row_well_formed`` quarantines it and the rest of the file loads.

Limits (``limits:`` in include/config/pipeline.yaml, defaults in ``Limits``): rows per file,
columns of the header, bytes per line (and per record, when a quoted cell spans lines). The file
size limit (``max_file_bytes``) is checked by the caller before the file is opened.

The rooms, each importing only those above it:

    limits.py       FileRejected, Limits and read_limits
    encodings.py    UTF-8 or not, and what else the bytes look like
    formats.py      sniff: JSON Lines or CSV, separator, line ends (FileFormat)
    headers.py      map_header: the header against the contract (HeaderMap)
    lines.py        physical lines, bounded and decoded one by one; a cell's clean text
    csv_rows.py     CSV records, the header's cells, rows for COPY
    jsonl_rows.py   JSON Lines keys and rows for COPY
    xlsx_rows.py    .xlsx workbooks, streamed: the header below title rows, sheet and row in messages
    copy_source.py  CopySource: rows as CSV text that COPY ... FROM STDIN reads
    __init__.py     open_export, and the names callers import from ispeed.measurements.readers
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from ispeed.measurements.contract import MEASUREMENT_COLUMNS, Column
from ispeed.measurements.readers.copy_source import CHUNK_CHARS, CopySource
from ispeed.measurements.readers.csv_rows import csv_rows, read_csv_header
from ispeed.measurements.readers.encodings import guess_encoding
from ispeed.measurements.readers.formats import DELIMITERS, SNIFF_BYTES, FileFormat, sniff
from ispeed.measurements.readers.headers import HeaderMap, map_header
from ispeed.measurements.readers.jsonl_rows import jsonl_keys, jsonl_rows
from ispeed.measurements.readers.limits import FileRejected, Limits, read_limits
from ispeed.measurements.readers.xlsx_rows import XLSX_SUFFIXES, header_notes, read_xlsx_header, xlsx_format, xlsx_rows

__all__ = [
    "CHUNK_CHARS",
    "DELIMITERS",
    "SNIFF_BYTES",
    "CopySource",
    "FileFormat",
    "FileRejected",
    "HeaderMap",
    "Limits",
    "csv_rows",
    "guess_encoding",
    "jsonl_keys",
    "jsonl_rows",
    "map_header",
    "open_export",
    "read_csv_header",
    "read_limits",
    "sniff",
]


def _guarded(path: Path, rows: Iterator[list], extra: tuple[type[Exception], ...] = ()) -> Iterator[list]:
    """Whatever goes wrong while reading becomes a FileRejected naming the file, never a bare
    traceback in the middle of a COPY."""
    try:
        yield from rows
    except FileRejected:
        raise
    except (OSError, csv.Error, UnicodeError, ValueError, RecursionError, *extra) as exc:
        raise FileRejected(path, f"the file cannot be read: {type(exc).__name__}: {exc}") from exc


def open_export(
    path: Path, canonical: list[str], columns: tuple[Column, ...] = MEASUREMENT_COLUMNS
) -> tuple[FileFormat, HeaderMap, Iterator[list]]:
    """Recognise an export, map its header, and return the rows for COPY (lazily)."""
    if path.suffix.lower() in XLSX_SUFFIXES:
        return _open_xlsx(path, canonical, columns)
    fmt = sniff(path, columns=columns)
    if fmt.kind == "jsonl":
        hmap = map_header(path, jsonl_keys(path, fmt), columns)
        return fmt, hmap, _guarded(path, jsonl_rows(path, fmt, hmap, canonical))
    names = read_csv_header(path, fmt)
    hmap = map_header(path, names, columns, line=fmt.header_line)
    if fmt.header_line > 1:
        hmap.notes.append(f"header on line {fmt.header_line}")
    return fmt, hmap, _guarded(path, csv_rows(path, fmt, hmap, canonical))


def _open_xlsx(
    path: Path, canonical: list[str], columns: tuple[Column, ...]
) -> tuple[FileFormat, HeaderMap, Iterator[list]]:
    """A workbook: its header found below title rows, every message naming the sheet and the row."""
    import zipfile

    fmt = xlsx_format()
    names = read_xlsx_header(path, fmt, columns)
    try:
        hmap = map_header(path, names, columns, line=fmt.header_line)
    except FileRejected as exc:
        raise FileRejected(path, f"sheet {fmt.sheet!r}, row {fmt.header_line}: {exc.problem}") from exc
    hmap.notes.extend(header_notes(fmt))
    rows = xlsx_rows(path, fmt, hmap, canonical)
    return fmt, hmap, _guarded(path, rows, extra=(zipfile.BadZipFile, KeyError, TypeError))
