"""What an export's bytes are encoded in: UTF-8 is the contract; a line that is not UTF-8 is
refused with its place and the legacy encoding it looks like (Windows-1258, the Vietnamese code
page, most often); UTF-16 without a byte-order mark is recognised by its zero bytes."""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

from ispeed.measurements.readers.limits import FileRejected


def utf16_without_bom(head: bytes) -> str | None:
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


def not_utf8(raw: bytes, exc: UnicodeDecodeError, line: int) -> str:
    """The problem of a line that is not UTF-8: where, which bytes, what it looks like."""
    column = len(raw[: exc.start].decode("utf-8", "replace")) + 1
    bad = raw[exc.start : exc.end].hex(" ").upper()
    return (
        f"the file is not UTF-8: byte {bad} at character {column} of line {line} is not UTF-8; "
        f"{guess_encoding(raw)}; save it as UTF-8 (CSV UTF-8) and deliver it again"
    )


def decode_head(path: Path, head: bytes) -> str:
    """The first bytes as text (a byte-order mark dropped), or FileRejected naming the first line
    that is not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        return decoder.decode(head, final=False)  # a character cut at the end of the head is not an error here
    except UnicodeDecodeError as exc:
        start = head.rfind(b"\n", 0, exc.start) + 1
        end = head.find(b"\n", exc.start)
        raw = head[start : end if end >= 0 else len(head)]
        line = head[: exc.start].count(b"\n") + 1
        local = UnicodeDecodeError(exc.encoding, raw, exc.start - start, exc.end - start, exc.reason)
        raise FileRejected(path, not_utf8(raw, local, line), line=line) from exc
