"""Reading an export's physical lines: each at most ``max_line_bytes``, decoded as UTF-8 on its
own so that an encoding error names its line; classic Mac line ends (CR only) too; and a cell's
text as it goes to PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from ispeed.measurements.readers.encodings import not_utf8
from ispeed.measurements.readers.formats import FileFormat
from ispeed.measurements.readers.limits import FileRejected, unreadable


class Lines:
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
                raise FileRejected(self.path, not_utf8(raw, exc, self.line_no), line=self.line_no) from exc
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


def open_file(path: Path, fmt: FileFormat | None = None):
    """The file opened for ``Lines``: binary, its lines ending at CR when ``fmt`` says so."""
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise unreadable(path, exc) from exc
    return _CRLines(fh) if fmt is not None and fmt.line_end == "\r" else fh


def clean(value: str) -> str | None:
    """Cells are passed as read, but a cell of only spaces is empty, and a NUL cannot go to
    PostgreSQL text: it is replaced so that the rule that fails names the value."""
    if value is None:
        return None
    if "\x00" in value:
        value = value.replace("\x00", "\ufffd")
    return value if value.strip() else None
