"""The CSV reader: records (quoted cells may span lines) with the line each starts on, the
header's cells, and the rows for COPY, a malformed record carrying its problem rather than
stopping the file."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from ispeed.measurements.readers.formats import DELIMITERS, FileFormat, sep_name
from ispeed.measurements.readers.headers import HeaderMap
from ispeed.measurements.readers.limits import FileRejected, too_many_rows
from ispeed.measurements.readers.lines import Lines, clean, open_file

# A record's size is bounded by max_line_bytes (Lines); the csv module's own limit of 128 KiB a
# cell must not refuse it first.
csv.field_size_limit(64 * 1024 * 1024)


def _lenient_cells(text: str, delimiter: str) -> list[str]:
    """The cells of a record that the strict reader refused, as well as they can be made out."""
    try:
        return next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
    except csv.Error:
        return text.rstrip("\r\n").split(delimiter)


def _records(path: Path, fmt: FileFormat) -> Iterator[tuple[int, list[str], str | None]]:
    """(line where the record starts, cells, problem) for every record that is not blank, the
    header included. A record the CSV reader refuses comes with its problem, not as an exception;
    a quote left open at the end of the file refuses the file when it swallowed several lines."""
    with open_file(path, fmt) as fh:
        src = Lines(fh, path, fmt.limits.max_line_bytes)
        for _ in range(fmt.skip_lines):
            next(src, None)
        reader = csv.reader(src, delimiter=fmt.delimiter, strict=True)
        while True:
            src.start_record()
            error = None
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if src.eof:
                    if src.line_no > src.record_start:
                        raise FileRejected(
                            path,
                            f"a quoted cell opened on line {src.record_start} is never closed: lines "
                            f"{src.record_start} to {src.line_no} (the end of the file) would be one "
                            "cell; fix the quote and deliver the file again",
                            line=src.record_start,
                        ) from exc
                    error = "the line ends inside a quoted cell (the file is cut short?)"
                else:
                    error = f"the line is not valid CSV ({exc})"
                record = _lenient_cells("".join(src.record_lines), fmt.delimiter)
            if src.cut_character and error is None:
                error = "the file ends in the middle of a character (the file is cut short?)"
            if error is None and all(not c.strip() for c in record):
                continue  # a blank line, or one of separators only: not a row
            yield src.record_start, record, error


def _separator_hint(cells: list[str], delimiter: str, width: int) -> str:
    """For a row read as one field: the separator that would give it the header's width."""
    if len(cells) != 1 or width < 2:
        return ""
    for d in (*DELIMITERS, " "):
        if d != delimiter and cells[0].count(d) == width - 1:
            return f" (the line has {width - 1} {sep_name(d)}: is it separated by {sep_name(d)} instead of {sep_name(delimiter)}?)"
    return ""


def csv_rows(path: Path, fmt: FileFormat, hmap: HeaderMap, canonical: list[str]) -> Iterator[list]:
    """Rows for COPY: [line_no, <canonical columns...>, parse_error]. line_no is the file's line
    where the record starts; a record with the wrong number of fields, a broken quote, or a repeat
    of the header keeps what it has and carries a parse_error, so the rule 'row_well_formed'
    quarantines it. Refuses the file when it has no row, or more than max_rows_per_file."""
    width = len(hmap.source)
    idx = [hmap.positions.get(c) for c in canonical]
    header = [h.strip() for h in hmap.source]
    max_rows = fmt.limits.max_rows_per_file
    records = _records(path, fmt)
    header_line = next(records, (fmt.header_line,))[0]  # the header, read and mapped already
    rows = 0
    for line_no, record, error in records:
        rows += 1
        if rows > max_rows:
            raise too_many_rows(path, max_rows, line_no)
        if error is None:
            if len(record) != width:
                error = f"expected {width} fields, found {len(record)}" + _separator_hint(record, fmt.delimiter, width)
            elif record[0].strip() == header[0] and [c.strip() for c in record] == header:
                error = "the header repeats here (two exports joined into one file?)"
        if len(record) != width:
            record = (record + [""] * width)[:width]
        yield [line_no, *[(clean(record[i]) if i is not None else None) for i in idx], error]
    if rows == 0:
        raise FileRejected(
            path, f"the file has a header (line {header_line}) but no data row; ask the sender for the export again"
        )


def read_csv_header(path: Path, fmt: FileFormat) -> list[str]:
    """The header's cells (the first record that is not blank), trimmed."""
    records = _records(path, fmt)
    try:
        first = next(records, None)
    finally:
        records.close()
    if first is None:
        raise FileRejected(path, "the file is empty", line=1)
    line, header, error = first
    fmt.header_line = line
    if error:
        raise FileRejected(path, f"the header cannot be read: {error}", line=line)
    if len(header) > fmt.limits.max_columns:
        raise FileRejected(
            path,
            f"the header has {len(header)} columns, more than the limit of {fmt.limits.max_columns} "
            "(max_columns in include/config/pipeline.yaml)",
            line=line,
        )
    return [h.strip().lstrip("\ufeff") for h in header]
