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


#: VNI Windows writes a Vietnamese letter as its base letter and a byte for the marks ("Hải Phòng"
#: is "Haûi Phoøng", "Phường" "Phöôøng", "Việt" "Vieät"): read in any Western code page, a vowel
#: followed by one of these, which no Vietnamese spelling has after a vowel.
_VNI = re.compile("[aeiouyAEIOUY][øûïäåëØÛÏÄÅË]|[uU][öÖ][ôÔ]")
#: TCVN3 (ABC, the .VnTime fonts) writes each Vietnamese letter as one byte, most of them symbols in a
#: Western code page ("Hải Phòng" is "H¶i Phßng", "Hà Nội" "Hµ Néi"): a letter next to one of these.
_TCVN3 = re.compile("[A-Za-z][¨©ª«¬®µ¶·¸¹º»¼½¾]|[¨©ª«¬®µ¶·¸¹º»¼½¾][A-Za-z]")

_VNI_FIX = (
    "it looks like VNI (VNI Windows), an old Vietnamese font encoding ({sample}; 'Hải Phòng' reads "
    "'Haûi Phoøng' in it): convert it to Unicode with Unikey's converter (Unikey > Công cụ... [CS+F6]: "
    "source VNI Windows, destination Unicode), or in Excel save it as CSV UTF-8 after converting"
)
_TCVN3_FIX = (
    "it looks like TCVN3 (ABC, the .VnTime fonts), an old Vietnamese encoding ({sample}; 'Hải Phòng' "
    "reads 'H¶i Phßng' in it): convert it to Unicode with Unikey's converter (Unikey > Công cụ... [CS+F6]: "
    "source TCVN3 (ABC), destination Unicode), then save it as CSV UTF-8"
)


def legacy_vietnamese(text: str) -> str | None:
    """'VNI' or 'TCVN3' when text (bytes read as Latin-1, or UTF-8 that was re-saved from such bytes)
    looks like Vietnamese in that old font encoding, else None."""
    vni, tcvn3 = len(_VNI.findall(text)), len(_TCVN3.findall(text))
    if vni and vni >= tcvn3:
        return "VNI"
    if tcvn3:
        return "TCVN3"
    return None


def _sample(text: str, pattern: re.Pattern) -> str:
    """The first word that shows the encoding, quoted."""
    found = pattern.search(text)
    start = max(text.rfind(" ", 0, found.start()), text.rfind(",", 0, found.start()), text.rfind(";", 0, found.start()))
    end = min((i for i in (text.find(c, found.end()) for c in " ,;\r\n") if i >= 0), default=len(text))
    return f"here: {text[start + 1 : end].strip()[:30]!r}"


def legacy_vietnamese_phrase(text: str) -> str | None:
    """The phrase that names the old Vietnamese encoding text looks like, and how to convert it."""
    kind = legacy_vietnamese(text)
    if kind == "VNI":
        return _VNI_FIX.format(sample=_sample(text, _VNI))
    if kind == "TCVN3":
        return _TCVN3_FIX.format(sample=_sample(text, _TCVN3))
    return None


def mojibake_of_legacy(path: Path, text: str) -> None:
    """Refuse a UTF-8 file whose text is VNI or TCVN3 glyphs re-saved as UTF-8 ("Haûi Phoøng"): its
    names would match nothing. Two signs at least, so that one foreign name does not refuse it."""
    kind = legacy_vietnamese(text)
    pattern = _VNI if kind == "VNI" else _TCVN3
    if kind is None or len(pattern.findall(text)) < 2:
        return
    found = pattern.search(text)
    line = text.count("\n", 0, found.start()) + 1
    name, shown, source = (
        ("VNI (VNI Windows)", "Haûi Phoøng", "VNI Windows")
        if kind == "VNI"
        else ("TCVN3 (ABC, the .VnTime fonts)", "H¶i Phßng", "TCVN3 (ABC)")
    )
    raise FileRejected(
        path,
        f"the file is UTF-8, but its Vietnamese is {name} glyphs re-saved as UTF-8 ({_sample(text, pattern)}; "
        f"'Hải Phòng' reads '{shown}' so), and its names match nothing: convert the text with Unikey's "
        f"converter (Unikey > Công cụ... [CS+F6]: source {source}, destination Unicode) and save it as "
        "CSV UTF-8, or ask the sender for the export in Unicode",
        line=line,
    )


def guess_encoding(data: bytes) -> str:
    """A phrase naming the legacy encoding that bytes which are not UTF-8 look like."""
    legacy = legacy_vietnamese_phrase(data.decode("latin-1"))
    if legacy:
        return legacy
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
