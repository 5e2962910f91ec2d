"""The adapter between the readers and PostgreSQL: rows become CSV text that COPY ... FROM STDIN
reads in chunks, so memory stays flat whatever the size of the month."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

CHUNK_CHARS = 1 << 20


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
        """Raise the exception kept while producing rows, if any (call it after COPY)."""
        if self.error is not None:
            raise self.error
