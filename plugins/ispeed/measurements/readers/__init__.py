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
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path

from ispeed.config import ConfigError, load_yaml
from ispeed.measurements.contract import MEASUREMENT_COLUMNS, Column, canonical_header, header_index, wrong_unit

SNIFF_BYTES = 64 * 1024
CHUNK_CHARS = 1 << 20
#: The separators the contract accepts, in order of preference when a header fits several.
DELIMITERS = (",", ";", "\t", "|")
csv.field_size_limit(64 * 1024 * 1024)

_BOM = b"\xef\xbb\xbf"
_SEP_LINE = re.compile(r"^\s*sep=(.)\s*$", re.IGNORECASE)
_SURROGATES = re.compile("[\ud800-\udfff]")
#: Characters tried, when no accepted separator makes sense of a header, to tell the sender
#: what the file is separated by.
_OTHER_SEPARATORS = (" ", ":", "~", "^", "#", "!", "/", "\\", "+", "*", "=", "&", "$", "%", "@", "`", "'", ".", "-")


class FileRejected(Exception):
    """A whole file cannot be loaded. ``str()`` is the message for the data engineer."""

    def __init__(self, path: Path, problem: str, line: int | None = None):
        self.path = path
        self.problem = problem
        self.line = line
        where = f"{path.name}" + (f", line {line}" if line else "")
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Limits:
    """What a single export may hold before it is refused (``limits:`` in pipeline.yaml)."""

    max_rows_per_file: int = 10_000_000
    max_columns: int = 200
    #: bytes of one line, line break included; also of one record whose quoted cells span lines
    max_line_bytes: int = 1 << 20


def read_limits() -> Limits:
    """The ``limits:`` block of include/config/pipeline.yaml, each key optional."""
    raw = load_yaml("pipeline").get("limits") or {}
    if not isinstance(raw, dict):
        raise ConfigError("include/config/pipeline.yaml: limits must be a mapping")
    known = {f.name for f in fields(Limits)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(
            f"include/config/pipeline.yaml: unknown setting(s) limits.{', limits.'.join(unknown)}; "
            f"known: {', '.join(sorted(known))}"
        )
    for name, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(
                f"include/config/pipeline.yaml: limits.{name} must be a whole number above 0, not {value!r}"
            )
    return Limits(**raw)


@dataclass
class FileFormat:
    kind: str  # csv / jsonl
    encoding: str = "utf-8"
    delimiter: str = ","
    #: physical lines before the header that are not blank (an Excel "sep=;" line)
    skip_lines: int = 0
    #: line of the header (set when it is read)
    header_line: int = 1
    #: "\n" (LF or CR LF), or "\r" for a file whose lines end with CR only (classic Mac)
    line_end: str = "\n"
    limits: Limits = field(default_factory=Limits)


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


def _sep_name(sep: str) -> str:
    return {"\t": "tab", " ": "space"}.get(sep, repr(sep))


# --- recognising the file ---------------------------------------------------------------------


def sniff(path: Path, limits: Limits | None = None, columns: tuple[Column, ...] = MEASUREMENT_COLUMNS) -> FileFormat:
    """Recognise the file's format from its first bytes, or reject it saying what it looks like."""
    limits = limits or read_limits()
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        raise FileRejected(path, f"the file cannot be read ({exc.strerror or exc})") from exc
    body = head[len(_BOM) :] if head.startswith(_BOM) else head
    if not body.strip():
        if size == 0:
            raise FileRejected(path, "the file is empty (0 bytes); ask the sender for the export again")
        if size <= len(head):
            raise FileRejected(
                path, "the file is empty: it holds only blank lines; ask the sender for the export again"
            )
        raise FileRejected(
            path, f"the file is empty for its first {SNIFF_BYTES // 1024} KiB (blank lines only): not an export"
        )
    _reject_non_text(path, head)
    text = _decode_head(path, head)
    line_end = "\r" if "\n" not in text and "\r" in text else "\n"  # CR only: old Mac line ends
    if line_end not in text and size > len(head):
        raise FileRejected(
            path,
            f"line 1 has no line break in its first {SNIFF_BYTES // 1024} KiB (the file is {size} bytes): "
            "a header is one short line, so this is not a CSV or JSON Lines export",
            line=1,
        )
    lines = text.split(line_end)
    first_no = next((i for i, line in enumerate(lines) if line.strip()), 0)
    first = lines[first_no].strip()
    if first.startswith("{"):
        return FileFormat("jsonl", line_end=line_end, limits=limits)
    if first.startswith("["):
        raise FileRejected(
            path,
            "the file is a JSON array (one JSON document), not JSON Lines; write one JSON object "
            "per line, or export as CSV",
            line=first_no + 1,
        )
    skip = 0
    sep = _SEP_LINE.match(first)
    if sep:
        skip = first_no + 1
        first_no = next((i for i in range(skip, len(lines)) if lines[i].strip()), skip)
        if sep.group(1) not in DELIMITERS:
            raise FileRejected(
                path,
                f"line {skip} says the separator is {_sep_name(sep.group(1))}; the contract accepts "
                f"{', '.join(_sep_name(d) for d in DELIMITERS)}",
                line=skip,
            )
        return FileFormat(
            "csv", delimiter=sep.group(1), skip_lines=skip, header_line=first_no + 1, line_end=line_end, limits=limits
        )
    header_line = lines[first_no].rstrip("\r")
    delimiter = _choose_delimiter(path, header_line, first_no + 1, columns)
    return FileFormat("csv", delimiter=delimiter, header_line=first_no + 1, line_end=line_end, limits=limits)


def _reject_non_text(path: Path, head: bytes) -> None:
    """Files that are something else than text: archives, office files, PDFs, other encodings."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        if b"[Content_Types].xml" in head or b"xl/" in head:
            what = "an Excel workbook (.xlsx, a ZIP file)"
        elif b"word/" in head:
            what = "a Word document (.docx, a ZIP file)"
        else:
            what = "a ZIP archive"
        raise FileRejected(path, f"this is {what}, not a CSV or JSON Lines export; unzip it or export as CSV UTF-8")
    magic = (
        (b"\x1f\x8b", "a gzip-compressed file; decompress it (gunzip) and deliver the CSV"),
        (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive; extract the CSV from it"),
        (b"Rar!\x1a\x07", "a RAR archive; extract the CSV from it"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            "an Excel 97-2003 workbook (.xls) or another Office file; export it as CSV UTF-8",
        ),
        (b"%PDF-", "a PDF document, not data; deliver the export as CSV"),
        (b"\xff\xfe\x00\x00", "encoded in UTF-32 (little-endian); save it as UTF-8 (CSV UTF-8) and deliver it again"),
        (b"\x00\x00\xfe\xff", "encoded in UTF-32 (big-endian); save it as UTF-8 (CSV UTF-8) and deliver it again"),
        (
            b"\xff\xfe",
            "encoded in UTF-16 (little-endian, with a byte-order mark: Excel's 'Unicode Text'); "
            "save it as UTF-8 (CSV UTF-8) and deliver it again",
        ),
        (
            b"\xfe\xff",
            "encoded in UTF-16 (big-endian, with a byte-order mark); save it as UTF-8 (CSV UTF-8) and deliver it again",
        ),
    )
    for prefix, what in magic:
        if head.startswith(prefix):
            raise FileRejected(path, f"the file is {what}")
    if head[:4].startswith(b"BZh") and head[4:10] == b"1AY&SY":
        raise FileRejected(path, "the file is a bzip2-compressed file; decompress it and deliver the CSV")
    lowered = head.lstrip(_BOM + b" \t\r\n").lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<title", b"<meta", b"<!--")):
        raise FileRejected(
            path, "the file is an HTML page (an error page saved as the export?), not data; download the export again"
        )
    if lowered.startswith(b"<"):
        raise FileRejected(
            path, "the file is an XML or HTML document, not a CSV or JSON Lines export; download the export again"
        )
    if b"\x00" in head:
        order = _utf16_without_bom(head)
        if order:
            raise FileRejected(
                path,
                f"the file is encoded in UTF-16 ({order}, without a byte-order mark); "
                "save it as UTF-8 (CSV UTF-8) and deliver it again",
            )
        line = head[: head.index(b"\x00")].count(b"\n") + 1
        raise FileRejected(
            path,
            "the file holds NUL bytes (binary data, or a file padded with zeros by a failed "
            "copy); it is not a CSV or JSON Lines export",
            line=line,
        )


def _utf16_without_bom(head: bytes) -> str | None:
    """'little-endian' / 'big-endian' when the bytes look like UTF-16 text (every other byte
    zero, as Latin letters, digits and punctuation are), else None."""
    sample = head[:4096]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_zero, odd_zero = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_zero > 0.3 and even_zero < 0.05:
        return "little-endian"
    if even_zero > 0.3 and odd_zero < 0.05:
        return "big-endian"
    return None


_VIETNAMESE = re.compile("[ăâđêôơưĂÂĐÊÔƠƯ\u1ea0-\u1ef9\u0300\u0301\u0303\u0309\u0323]")


def guess_encoding(data: bytes) -> str:
    """A phrase naming the legacy encoding that bytes which are not UTF-8 look like."""
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError:
        text = None
    if text is not None and _VIETNAMESE.search(unicodedata.normalize("NFC", text)):
        return "it looks like Windows-1258 (CP1258), the Vietnamese Windows code page"
    try:
        data.decode("cp1252")
        return "it looks like Windows-1252 / Latin-1 or another 8-bit code page"
    except UnicodeDecodeError:
        return "its encoding is not one this pipeline recognises"


def _not_utf8(raw: bytes, exc: UnicodeDecodeError, line: int) -> str:
    """The problem of a line that is not UTF-8: where, which bytes, what it looks like."""
    column = len(raw[: exc.start].decode("utf-8", "replace")) + 1
    bad = raw[exc.start : exc.end].hex(" ").upper()
    return (
        f"the file is not UTF-8: byte {bad} at character {column} of line {line} is not UTF-8; "
        f"{guess_encoding(raw)}; save it as UTF-8 (CSV UTF-8) and deliver it again"
    )


def _decode_head(path: Path, head: bytes) -> str:
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        return decoder.decode(head, final=False)  # a character cut at the end of the head is not an error here
    except UnicodeDecodeError as exc:
        start = head.rfind(b"\n", 0, exc.start) + 1
        end = head.find(b"\n", exc.start)
        raw = head[start : end if end >= 0 else len(head)]
        line = head[: exc.start].count(b"\n") + 1
        local = UnicodeDecodeError(exc.encoding, raw, exc.start - start, exc.end - start, exc.reason)
        raise FileRejected(path, _not_utf8(raw, local, line), line=line) from exc


def _split(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return line.split(delimiter)


def _choose_delimiter(path: Path, line: str, line_no: int, columns: tuple[Column, ...]) -> str:
    """The accepted separator under which the header names the most contract columns (then the
    most frequent one). When none names any, the file is refused: the message says what was
    tried and, when another character makes sense of the header, suggests it."""
    index = header_index(columns)

    def named(cells: list[str]) -> list[str]:
        return sorted({c for c in (canonical_header(x, index) for x in cells) if c})

    scores = [(len(named(_split(line, d))), line.count(d), -i, d) for i, d in enumerate(DELIMITERS)]
    found, count, _, best = max(scores)
    if found:
        return best
    tried = best if count else None
    cells = _split(line, tried) if tried else [line]
    if len(cells) == 1:  # every line wrapped in quotes, as a spreadsheet writes a CSV pasted into one column
        inner = [(len(named(_split(cells[0], d))), d) for d in DELIMITERS]
        n, d = max(inner)
        if n and cells[0] != line:
            raise FileRejected(
                path,
                f"the header is one quoted cell ({_shorten(cells[0])!r}): every line seems wrapped in "
                f"quotes, so the {_sep_name(d)} separators inside are not read; export the CSV again "
                "without quoting whole lines",
                line=line_no,
            )
    read_as = (
        f"split at {_sep_name(tried)} (the separator tried, the most frequent of "
        f"{', '.join(_sep_name(d) for d in DELIMITERS)})"
        if tried
        else f"it has none of the accepted separators ({', '.join(_sep_name(d) for d in DELIMITERS)}), so it was read as one column, and"
    )
    problem = f"{read_as} the header names no column of the contract"
    others = [(len(named(line.split(c))), c) for c in _OTHER_SEPARATORS if c in line and c != tried]
    if others:
        n, c = max(others)
        if n >= 2:
            raise FileRejected(
                path,
                f"{problem}; split at {_sep_name(c)} it names {n} ({', '.join(named(line.split(c)))}): "
                f"the file seems separated by {_sep_name(c)}, which the contract does not accept; "
                "export it again with ',' or ';' as the separator (see docs/input-contract.md)",
                line=line_no,
            )
    shown = ", ".join(repr(_shorten(c)) for c in cells[:8]) + (", ..." if len(cells) > 8 else "")
    raise FileRejected(
        path,
        f"{problem} (it has {shown}); is this an i-Speed export? See docs/input-contract.md for the accepted names",
        line=line_no,
    )


def _shorten(text: str, size: int = 60) -> str:
    return text if len(text) <= size else text[: size - 3] + "..."


def map_header(
    path: Path, names: list[str], columns: tuple[Column, ...] = MEASUREMENT_COLUMNS, line: int = 1
) -> HeaderMap:
    """Match the file's header to the contract. Rejects the file when a required column is missing,
    a column appears twice, or a speed or time is given in a unit the contract does not take."""
    index = header_index(columns)
    hmap = HeaderMap(source=names)
    for pos, name in enumerate(names):
        canonical = canonical_header(name, index)
        if canonical is None:
            unit = wrong_unit(name, index)
            if unit:
                want = "Mbps" if unit[0].endswith("_mbps") else "milliseconds"
                raise FileRejected(
                    path,
                    f"column {name!r} gives {unit[0]} in {unit[1]}, but the contract wants {want}; "
                    f"export the values in {want} (and name the column accordingly)",
                    line=line,
                )
            hmap.ignored.append(name)
        elif canonical in hmap.positions:
            raise FileRejected(
                path,
                f"columns {names[hmap.positions[canonical]]!r} and {name!r} both mean {canonical}; keep one",
                line=line,
            )
        else:
            hmap.positions[canonical] = pos
    missing = [c.name for c in columns if c.required and c.name not in hmap.positions]
    if missing:
        found = ", ".join(repr(_shorten(n)) for n in names[:20]) + (", ..." if len(names) > 20 else "") or "nothing"
        if not hmap.positions:
            raise FileRejected(
                path,
                f"no column of the header is a column of the contract (it has {found}): is this an "
                "i-Speed export? See docs/input-contract.md for the accepted names",
                line=line,
            )
        raise FileRejected(
            path,
            f"required column(s) missing: {', '.join(missing)}. The header has {found}. "
            "See docs/input-contract.md for the accepted names",
            line=line,
        )
    return hmap


# --- reading lines and records ----------------------------------------------------------------


class _Lines:
    """The physical lines of a file, each decoded from UTF-8 on its own, with the bookkeeping the
    record reader needs: the line number, where the current record started, and its size.

    A line longer than ``max_bytes`` is refused before it is read whole; so is a record (quoted
    cells spanning lines) longer than that, which is what an unclosed quote produces.
    """

    def __init__(self, fh, path: Path, max_bytes: int):
        self.fh = fh
        self.path = path
        self.max_bytes = max_bytes
        self.line_no = 0
        self.eof = False
        self.record_start = 1
        self.record_bytes = 0
        self.record_lines: list[str] = []
        self.cut_character = False

    def start_record(self) -> None:
        self.record_start = self.line_no + 1
        self.record_bytes = 0
        self.record_lines = []
        self.cut_character = False

    def __iter__(self):
        return self

    def __next__(self) -> str:
        raw = self.fh.readline(self.max_bytes + 1)
        if not raw:
            self.eof = True
            raise StopIteration
        self.line_no += 1
        if len(raw) > self.max_bytes:
            raise FileRejected(
                self.path,
                f"line {self.line_no} is longer than {self.max_bytes} bytes (max_line_bytes in "
                "include/config/pipeline.yaml) and was not read: no export has lines that long "
                "(a missing line break, or not an export?)",
                line=self.line_no,
            )
        self.record_bytes += len(raw)
        if self.record_bytes > self.max_bytes:
            raise FileRejected(
                self.path,
                f"the record that starts on line {self.record_start} runs past {self.max_bytes} "
                f"bytes by line {self.line_no} (max_line_bytes): a quote opened on line "
                f"{self.record_start} is probably never closed; fix the quote",
                line=self.record_start,
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.reason == "unexpected end of data" and exc.end == len(raw) and not self.fh.peek(1):
                text = raw.decode("utf-8", "replace")  # the file ends within a character: cut short
                self.cut_character = True
            else:
                raise FileRejected(self.path, _not_utf8(raw, exc, self.line_no), line=self.line_no) from exc
        if self.line_no == 1 and text.startswith("\ufeff"):
            text = text[1:]
        self.record_lines.append(text)
        return text


class _CRLines:
    """A binary file whose readline() ends lines at CR: for files with classic Mac line ends."""

    def __init__(self, fh):
        self.fh = fh
        self.buffer = b""

    def readline(self, limit: int) -> bytes:
        while True:
            end = self.buffer.find(b"\r", 0, limit)
            if end >= 0 or len(self.buffer) >= limit:
                size = end + 1 if end >= 0 else limit
                line, self.buffer = self.buffer[:size], self.buffer[size:]
                return line
            block = self.fh.read(1 << 16)
            if not block:
                line, self.buffer = self.buffer, b""
                return line
            self.buffer += block

    def peek(self, size: int) -> bytes:
        return self.buffer[:size] or self.fh.peek(size)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.fh.close()


def _open(path: Path, fmt: FileFormat | None = None):
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise FileRejected(path, f"the file cannot be read ({exc.strerror or exc})") from exc
    return _CRLines(fh) if fmt is not None and fmt.line_end == "\r" else fh


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
    with _open(path, fmt) as fh:
        src = _Lines(fh, path, fmt.limits.max_line_bytes)
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


class CopySource(io.RawIOBase):
    """A file-like object that COPY ... FROM STDIN reads: CSV text produced by an iterator of rows.

    An exception raised while producing rows is kept and re-raised by ``check()`` after COPY,
    because an exception inside psycopg2's read callback would be reported as a COPY error.
    Lines end with CR LF so that the writer quotes every cell holding a CR or an LF: PostgreSQL
    refuses a bare carriage return in an unquoted CSV value.
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
            writer = csv.writer(out, lineterminator="\r\n")
            try:
                for row in self._rows:
                    writer.writerow(row)
                    self.rows += 1
                    if out.tell() >= CHUNK_CHARS:
                        break
            except Exception as exc:
                self.error = exc
                self._rows = iter(())
            chunk = out.getvalue()
            if not chunk:
                return b""
            self._buffer = chunk.encode("utf-8", "replace")
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


def _separator_hint(cells: list[str], delimiter: str, width: int) -> str:
    """For a row read as one field: the separator that would give it the header's width."""
    if len(cells) != 1 or width < 2:
        return ""
    for d in (*DELIMITERS, " "):
        if d != delimiter and cells[0].count(d) == width - 1:
            return f" (the line has {width - 1} {_sep_name(d)}: is it separated by {_sep_name(d)} instead of {_sep_name(delimiter)}?)"
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
            raise FileRejected(
                path,
                f"the file has more than {max_rows} rows (max_rows_per_file in "
                "include/config/pipeline.yaml); split it into smaller files",
                line=line_no,
            )
        if error is None:
            if len(record) != width:
                error = f"expected {width} fields, found {len(record)}" + _separator_hint(record, fmt.delimiter, width)
            elif record[0].strip() == header[0] and [c.strip() for c in record] == header:
                error = "the header repeats here (two exports joined into one file?)"
        if len(record) != width:
            record = (record + [""] * width)[:width]
        yield [line_no, *[(_clean(record[i]) if i is not None else None) for i in idx], error]
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


# --- JSON Lines -------------------------------------------------------------------------------


def _json_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    value = str(value)
    if not value.isascii():
        value = _SURROGATES.sub("\ufffd", value)  # "\ud800" in JSON: not a character, not storable
    return _clean(value)


def _json_object(line: str) -> tuple[dict | None, str | None]:
    """The JSON object of a line, or the problem with it."""
    try:
        obj = json.loads(line)
    except RecursionError:
        return None, "invalid JSON: nested too deeply"
    except ValueError as exc:
        return None, f"invalid JSON: {exc}: {_shorten(line.strip(), 80)!r}"[:300]
    if not isinstance(obj, dict):
        return None, f"invalid JSON: not a JSON object: {_shorten(line.strip(), 80)!r}"[:300]
    return obj, None


def jsonl_keys(path: Path, fmt: FileFormat, sample_lines: int = 1000) -> list[str]:
    """The union of keys of the first lines, in first-seen order: the JSON Lines 'header'."""
    keys: dict[str, None] = {}
    with _open(path, fmt) as fh:
        src = _Lines(fh, path, fmt.limits.max_line_bytes)
        for _n in range(sample_lines):
            src.start_record()
            line = next(src, None)
            if line is None:
                break
            obj, _ = _json_object(line)
            if obj:
                keys.update(dict.fromkeys(_SURROGATES.sub("\ufffd", str(k)) for k in obj))
            if len(keys) > fmt.limits.max_columns:
                raise FileRejected(
                    path,
                    f"the JSON objects have more than {fmt.limits.max_columns} different keys "
                    "(max_columns in include/config/pipeline.yaml)",
                    line=src.line_no,
                )
    if not keys:
        raise FileRejected(
            path,
            "no line of the file is a JSON object with keys: JSON Lines needs one whole object per "
            "line (is the JSON pretty-printed over several lines?)",
            line=1,
        )
    return list(keys)


def jsonl_rows(path: Path, fmt: FileFormat, hmap: HeaderMap, canonical: list[str]) -> Iterator[list]:
    names = {hmap.source[i]: c for c, i in hmap.positions.items()}
    max_rows = fmt.limits.max_rows_per_file
    rows = 0
    with _open(path, fmt) as fh:
        src = _Lines(fh, path, fmt.limits.max_line_bytes)
        while True:
            src.start_record()
            line = next(src, None)
            if line is None:
                break
            if not line.strip():
                continue
            rows += 1
            if rows > max_rows:
                raise FileRejected(
                    path,
                    f"the file has more than {max_rows} rows (max_rows_per_file in "
                    "include/config/pipeline.yaml); split it into smaller files",
                    line=src.line_no,
                )
            obj, error = _json_object(line)
            if obj is None:
                yield [src.line_no, *([None] * len(canonical)), error]
                continue
            values = {names[k]: _json_text(v) for k, v in obj.items() if k in names}
            if src.cut_character:
                error = "the file ends in the middle of a character (the file is cut short?)"
            yield [src.line_no, *[values.get(c) for c in canonical], error]


# --- the whole -------------------------------------------------------------------------------


def _guarded(path: Path, rows: Iterator[list]) -> Iterator[list]:
    """Whatever goes wrong while reading becomes a FileRejected naming the file, never a bare
    traceback in the middle of a COPY."""
    try:
        yield from rows
    except FileRejected:
        raise
    except (OSError, csv.Error, UnicodeError, ValueError, RecursionError) as exc:
        raise FileRejected(path, f"the file cannot be read: {type(exc).__name__}: {exc}") from exc


def open_export(
    path: Path, canonical: list[str], columns: tuple[Column, ...] = MEASUREMENT_COLUMNS
) -> tuple[FileFormat, HeaderMap, Iterator[list]]:
    """Recognise an export, map its header, and return the rows for COPY (lazily)."""
    fmt = sniff(path, columns=columns)
    if fmt.kind == "jsonl":
        hmap = map_header(path, jsonl_keys(path, fmt), columns)
        return fmt, hmap, _guarded(path, jsonl_rows(path, fmt, hmap, canonical))
    names = read_csv_header(path, fmt)
    hmap = map_header(path, names, columns, line=fmt.header_line)
    return fmt, hmap, _guarded(path, csv_rows(path, fmt, hmap, canonical))
