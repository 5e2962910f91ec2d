"""Recognising an export from its first bytes: JSON Lines or CSV, its separator, its line ends,
an Excel "sep=" line; or refusing it saying what it looks like (an archive, an office file, a PDF,
an HTML page, another encoding, a header of no contract column)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from ispeed.measurements.contract import MEASUREMENT_COLUMNS, Column, canonical_header, header_index
from ispeed.measurements.readers.encodings import decode_head, mojibake_of_legacy, utf16_without_bom
from ispeed.measurements.readers.limits import FileRejected, Limits, read_limits, unreadable

SNIFF_BYTES = 64 * 1024
#: The separators the contract accepts, in order of preference when a header fits several.
DELIMITERS = (",", ";", "\t", "|")

_BOM = b"\xef\xbb\xbf"
_SEP_LINE = re.compile(r"^\s*sep=(.)\s*$", re.IGNORECASE)
#: Characters tried, when no accepted separator makes sense of a header, to tell the sender
#: what the file is separated by.
_OTHER_SEPARATORS = (" ", ":", "~", "^", "#", "!", "/", "\\", "+", "*", "=", "&", "$", "%", "@", "`", "'", ".", "-")


@dataclass
class FileFormat:
    """What ``sniff`` recognised; the readers take it from there."""

    kind: str  # csv / jsonl / xlsx
    encoding: str = "utf-8"
    delimiter: str = ","
    #: physical lines before the header that are not blank (an Excel "sep=;" line)
    skip_lines: int = 0
    #: line of the header (set when it is read)
    header_line: int = 1
    #: "\n" (LF or CR LF), or "\r" for a file whose lines end with CR only (classic Mac)
    line_end: str = "\n"
    limits: Limits = field(default_factory=Limits)
    #: the sheet read (a workbook, kind "xlsx")
    sheet: str | None = None


def sep_name(sep: str) -> str:
    """A separator as a message names it: tab, space, or quoted."""
    return {"\t": "tab", " ": "space"}.get(sep, repr(sep))


def sniff(path: Path, limits: Limits | None = None, columns: tuple[Column, ...] = MEASUREMENT_COLUMNS) -> FileFormat:
    """Recognise the file's format from its first bytes, or reject it saying what it looks like."""
    limits = limits or read_limits()
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        raise unreadable(path, exc) from exc
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
    text = decode_head(path, head)
    mojibake_of_legacy(path, text)
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
                f"line {skip} says the separator is {sep_name(sep.group(1))}; the contract accepts "
                f"{', '.join(sep_name(d) for d in DELIMITERS)}",
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
        order = utf16_without_bom(head)
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
                f"the header is one quoted cell ({shorten(cells[0])!r}): every line seems wrapped in "
                f"quotes, so the {sep_name(d)} separators inside are not read; export the CSV again "
                "without quoting whole lines",
                line=line_no,
            )
    read_as = (
        f"split at {sep_name(tried)} (the separator tried, the most frequent of "
        f"{', '.join(sep_name(d) for d in DELIMITERS)})"
        if tried
        else f"it has none of the accepted separators ({', '.join(sep_name(d) for d in DELIMITERS)}), so it was read as one column, and"
    )
    problem = f"{read_as} the header names no column of the contract"
    others = [(len(named(line.split(c))), c) for c in _OTHER_SEPARATORS if c in line and c != tried]
    if others:
        n, c = max(others)
        if n >= 2:
            raise FileRejected(
                path,
                f"{problem}; split at {sep_name(c)} it names {n} ({', '.join(named(line.split(c)))}): "
                f"the file seems separated by {sep_name(c)}, which the contract does not accept; "
                "export it again with ',' or ';' as the separator (see docs/input-contract.md)",
                line=line_no,
            )
    shown = ", ".join(repr(shorten(c)) for c in cells[:8]) + (", ..." if len(cells) > 8 else "")
    raise FileRejected(
        path,
        f"{problem} (it has {shown}); is this an i-Speed export? See docs/input-contract.md for the accepted names",
        line=line_no,
    )


def shorten(text: str, size: int = 60) -> str:
    """``text`` cut to ``size`` characters with "..." when longer: a cell quoted in a message."""
    return text if len(text) <= size else text[: size - 3] + "..."
