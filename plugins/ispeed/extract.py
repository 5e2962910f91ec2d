"""Reading export files: recognise the format, map the header, and stream rows as CSV for COPY.

Nothing here holds a file in memory: rows are read one by one and handed to PostgreSQL's COPY in
chunks, so memory stays flat whatever the size of the month. A file that cannot be read at all
raises FileRejected with a message for a person: the file, the problem, what to do.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .contract import MEASUREMENT_COLUMNS, Column, canonical_header, header_index

SNIFF_BYTES = 64 * 1024
CHUNK_CHARS = 1 << 20
csv.field_size_limit(64 * 1024 * 1024)


class FileRejected(Exception):
    """A whole file cannot be loaded. ``str()`` is the message for the data engineer."""

    def __init__(self, path: Path, problem: str, line: int | None = None):
        self.path = path
        self.problem = problem
        self.line = line
        where = f"{path.name}" + (f", line {line}" if line else "")
        super().__init__(f"{where}: {problem}")


@dataclass
class FileFormat:
    kind: str  # csv / jsonl
    encoding: str = "utf-8-sig"
    delimiter: str = ","


@dataclass
class HeaderMap:
    """Where each canonical column is in the file."""

    source: list[str]
    positions: dict[str, int] = field(default_factory=dict)  # canonical -> index in the row
    ignored: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"columns": {c: self.source[i] for c, i in self.positions.items()}, "ignored": self.ignored}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sniff(path: Path) -> FileFormat:
    """Recognise the file's format from its first bytes, or reject it saying what it looks like."""
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if not head.strip():
        raise FileRejected(path, "the file is empty; ask the sender for the export again")
    if head.startswith(b"PK\x03\x04"):
        raise FileRejected(path, "this is a ZIP archive (or an .xlsx), not a CSV or JSON Lines export; unzip it or export as CSV")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRejected(path, "the file is encoded in UTF-16; save it as UTF-8 (CSV UTF-8) and deliver it again")
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")):
        raise FileRejected(path, "the file is an HTML or XML page (an error page saved as the export?), not data; download the export again")
    if b"\x00" in head:
        raise FileRejected(path, "the file holds binary data (NUL bytes); it is not a CSV or JSON Lines export")
    text = _decode_head(path, head)
    first = text.lstrip("\ufeff \t\r\n")
    if first.startswith("{"):
        return FileFormat("jsonl")
    header_line = first.splitlines()[0] if first else ""
    counts = {d: header_line.count(d) for d in (",", ";", "\t", "|")}
    delimiter = max(counts, key=lambda d: counts[d])
    if counts[delimiter] == 0:
        raise FileRejected(path, "the first line has no comma, semicolon or tab: it is not a CSV header", line=1)
    return FileFormat("csv", delimiter=delimiter)


def _decode_head(path: Path, head: bytes) -> str:
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        return decoder.decode(head, final=False)
    except UnicodeDecodeError as exc:
        line = head[: exc.start].count(b"\n") + 1
        try:
            head.decode("cp1258")
            guess = "it looks like Windows-1258 (CP1258) or another legacy code page"
        except UnicodeDecodeError:
            guess = "its encoding is not UTF-8"
        raise FileRejected(path, f"the file is not UTF-8: {guess}; save it as UTF-8 (CSV UTF-8) and deliver it again", line=line) from exc


def map_header(path: Path, names: list[str], columns: tuple[Column, ...] = MEASUREMENT_COLUMNS) -> HeaderMap:
    """Match the file's header to the contract. Rejects the file when a required column is missing
    or a column appears twice."""
    index = header_index(columns)
    hmap = HeaderMap(source=names)
    for pos, name in enumerate(names):
        canonical = canonical_header(name, index)
        if canonical is None:
            hmap.ignored.append(name)
        elif canonical in hmap.positions:
            raise FileRejected(path, f"columns {names[hmap.positions[canonical]]!r} and {name!r} both mean {canonical}; keep one", line=1)
        else:
            hmap.positions[canonical] = pos
    missing = [c.name for c in columns if c.required and c.name not in hmap.positions]
    if missing:
        found = ", ".join(repr(n) for n in names) or "nothing"
        raise FileRejected(
            path,
            f"required column(s) missing: {', '.join(missing)}. The header has {found}. "
            "See docs/input-contract.md for the accepted names",
            line=1,
        )
    return hmap


class CopySource(io.RawIOBase):
    """A file-like object that COPY ... FROM STDIN reads: CSV text produced by an iterator of rows.

    An exception raised while producing rows is kept and re-raised by ``check()`` after COPY,
    because an exception inside psycopg2's read callback would be reported as a COPY error.
    """

    def __init__(self, rows: Iterator[list]):
        self._rows = rows
        self._buffer = b""
        self.error: BaseException | None = None
        self.rows = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while not self._buffer:
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            try:
                for row in self._rows:
                    writer.writerow(row)
                    self.rows += 1
                    if out.tell() >= CHUNK_CHARS:
                        break
            except Exception as exc:  # noqa: BLE001 - re-raised by check()
                self.error = exc
                self._rows = iter(())
            chunk = out.getvalue()
            if not chunk:
                return b""
            self._buffer = chunk.encode("utf-8")
        data, self._buffer = self._buffer, b""
        return data

    def check(self) -> None:
        if self.error is not None:
            raise self.error


def _clean(value: str) -> str | None:
    """Cells are passed as read, but a cell of only spaces is empty, and a NUL cannot go to
    PostgreSQL text: it is replaced so that the rule that fails names the value."""
    if value is None:
        return None
    if "\x00" in value:
        value = value.replace("\x00", "\ufffd")
    return value if value.strip() else None


def csv_rows(path: Path, fmt: FileFormat, hmap: HeaderMap, canonical: list[str]) -> Iterator[list]:
    """Rows for COPY: [line_no, <canonical columns...>, parse_error]. line_no is the file's line
    where the record starts; a record with the wrong number of fields keeps what it has and
    carries a parse_error, so the rule 'row_well_formed' quarantines it."""
    width = len(hmap.source)
    idx = [hmap.positions.get(c) for c in canonical]
    with path.open(encoding=fmt.encoding, newline="", errors="strict") as fh:
        reader = csv.reader(fh, delimiter=fmt.delimiter)
        start = 1
        try:
            next(reader)
            start = reader.line_num + 1
            for record in reader:
                line_no, start = start, reader.line_num + 1
                if not record or (len(record) == 1 and not record[0].strip()):
                    continue  # blank line: not a row
                error = None
                if len(record) != width:
                    error = f"expected {width} fields, found {len(record)}"
                    record = (record + [""] * width)[:width]
                yield [line_no, *[(_clean(record[i]) if i is not None else None) for i in idx], error]
        except UnicodeDecodeError as exc:
            raise FileRejected(path, "the file is not UTF-8 past this point (mixed encodings?); save it as UTF-8 and deliver it again", line=start) from exc
        except csv.Error as exc:
            raise FileRejected(path, f"the CSV cannot be read: {exc}", line=start) from exc


def read_csv_header(path: Path, fmt: FileFormat) -> list[str]:
    with path.open(encoding=fmt.encoding, newline="") as fh:
        try:
            header = next(csv.reader(fh, delimiter=fmt.delimiter))
        except StopIteration:
            raise FileRejected(path, "the file is empty", line=1) from None
        except csv.Error as exc:
            raise FileRejected(path, f"the header cannot be read: {exc}", line=1) from exc
    return [h.strip().lstrip("\ufeff") for h in header]


def _json_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return _clean(str(value))


def jsonl_keys(path: Path, fmt: FileFormat, sample_lines: int = 1000) -> list[str]:
    """The union of keys of the first lines, in first-seen order: the JSON Lines 'header'."""
    keys: dict[str, None] = {}
    with path.open(encoding=fmt.encoding) as fh:
        for n, line in enumerate(fh):
            if n >= sample_lines:
                break
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict):
                keys.update(dict.fromkeys(obj))
    if not keys:
        raise FileRejected(path, "no line of the file is a JSON object; JSON Lines needs one object per line", line=1)
    return list(keys)


def jsonl_rows(path: Path, fmt: FileFormat, hmap: HeaderMap, canonical: list[str]) -> Iterator[list]:
    names = {hmap.source[i]: c for c, i in hmap.positions.items()}
    with path.open(encoding=fmt.encoding, errors="strict") as fh:
        line_no = 0
        try:
            for line_no, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                    if not isinstance(obj, dict):
                        raise ValueError("not a JSON object")
                except ValueError as exc:
                    yield [line_no, *([None] * len(canonical)), f"invalid JSON: {exc}"[:200]]
                    continue
                values = {names[k]: _json_text(v) for k, v in obj.items() if k in names}
                yield [line_no, *[values.get(c) for c in canonical], None]
        except UnicodeDecodeError as exc:
            raise FileRejected(path, "the file is not UTF-8 past this point; save it as UTF-8 and deliver it again", line=line_no + 1) from exc


def open_export(path: Path, canonical: list[str]) -> tuple[FileFormat, HeaderMap, Iterator[list]]:
    """Recognise an export, map its header, and return the rows for COPY (lazily)."""
    fmt = sniff(path)
    if fmt.kind == "jsonl":
        hmap = map_header(path, jsonl_keys(path, fmt))
        return fmt, hmap, jsonl_rows(path, fmt, hmap, canonical)
    hmap = map_header(path, read_csv_header(path, fmt))
    return fmt, hmap, csv_rows(path, fmt, hmap, canonical)
