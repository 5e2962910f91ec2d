"""Matching names however people type them."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def norm_key(value: str) -> str:
    """Diacritics dropped, case folded, all but [a-z0-9] removed: "Tổng công ty Viettel" ->
    "tongcongtyviettel". Same as the SQL function ``ispeed.norm_key`` (tests keep them equal)."""
    value = value.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM.sub("", stripped.lower())


_NON_WORD = re.compile(r"[\W_]+")


def exact_key(value: str) -> str:
    """Case folded and all but letters and digits removed, diacritics kept: "Xã Cẩm Giàng" ->
    "=xãcẩmgiàng". For the few names that differ from another only in their diacritics (Xã Cẩm
    Giang and Xã Cẩm Giàng of Hải Phòng), which norm_key cannot tell apart. Same as the SQL
    function ``ispeed.exact_key`` (V008; tests keep them equal)."""
    return "=" + _NON_WORD.sub("", unicodedata.normalize("NFC", value)).lower()
