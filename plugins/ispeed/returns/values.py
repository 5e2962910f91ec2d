"""Reading one cell of a hand-filled return: numbers, months and days as people type them.

Numbers. Every number of a return is a whole number (people, measurements, sites, đồng), so a
group separator can only mean thousands: "1.234", "1,234" and "1 234" all read 1234 (the
Vietnamese habit is the dot, Excel in English the comma; both are accepted). A decimal part is
accepted only when it is zero ("120,0", "120.00"). "12,5" is not a whole number and is refused,
never rounded. A trailing unit ("120 người", "1.250.000.000 đồng") is ignored. A number stored as
a real number by Excel (120.0) is a whole number when it has no fraction.

Months. "10/2024", "10-2024", "10.2024", "2024-10", "Tháng 10/2024", "T10/2024",
"tháng 10 năm 2024", an Excel date in the month, or a day written out ("01/10/2024") all read
2024-10.

Days. "31/12/2024", "31-12-2024", "31.12.2024", "2024-12-31", an Excel date; a month alone
("12/2024") reads as the month's last day ("by the end of December").
"""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time

from ispeed.text import norm_key

#: Why a cell could not be read as the number its column needs.
EMPTY, NOT_A_NUMBER, FRACTION, A_DATE, FORMULA = "empty", "not_a_number", "fraction", "a_date", "formula"

_SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")
_UNIT = re.compile(r"\s*(người|nguoi|lần|lan|lượt|luot|trạm|tram|vị trí|đồng|dong|vnđ|vnd|đ|d)\.?\s*$", re.IGNORECASE)
_PLAIN = re.compile(r"^[+-]?\d+$")
_GROUPED = re.compile(r"^(?P<int>[+-]?\d{1,3}(?:(?P<sep>[.,' ])\d{3})(?:(?P=sep)\d{3})*)(?P<dec>[.,]0{1,2})?$")
_ZERO_DECIMALS = re.compile(r"^(?P<int>[+-]?\d+)[.,]0{1,2}$")
_DECIMAL = re.compile(r"^[+-]?\d*[.,]\d+$")
_GROUPED_DECIMAL = re.compile(r"^[+-]?\d{1,3}(?:(?P<sep>[.,' ])\d{3})+(?!(?P=sep))[.,]\d+$")


@dataclass(frozen=True)
class Number:
    value: int | None
    problem: str | None = None  # EMPTY / NOT_A_NUMBER / FRACTION / A_DATE / FORMULA


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value) -> str | None:
    """The cell as text, for messages and for the quarantined row: 120.0 -> '120',
    a date -> '2024-10-01', a string stripped. None for an empty cell."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    text = unicodedata.normalize("NFC", str(value)).strip()
    return text or None


def parse_whole_number(value) -> Number:
    """A non-negative whole number as typed (negative numbers are read, so that the rule that
    refuses them names the value). See the module docstring for the accepted forms."""
    if is_blank(value):
        return Number(None, EMPTY)
    if isinstance(value, bool):
        return Number(None, NOT_A_NUMBER)
    if isinstance(value, int):
        return Number(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return Number(None, NOT_A_NUMBER)
        return Number(int(value)) if value.is_integer() else Number(None, FRACTION)
    if isinstance(value, (date, datetime, time)):
        # Excel turned what was typed ("1/2", "3-4") into a date
        return Number(None, A_DATE)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if text.startswith("="):
        return Number(None, FORMULA)
    text = _UNIT.sub("", _SPACES.sub(" ", text)).strip()
    if _PLAIN.match(text):
        return Number(int(text))
    grouped = _GROUPED.match(text)
    if grouped:
        return Number(int(re.sub(r"[.,' ]", "", grouped.group("int"))))
    zero = _ZERO_DECIMALS.match(text)
    if zero:
        return Number(int(zero.group("int")))
    if _DECIMAL.match(text) or _GROUPED_DECIMAL.match(text):
        return Number(None, FRACTION)
    return Number(None, NOT_A_NUMBER)


_MONTH_PATTERNS = [
    re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})$"),
    re.compile(r"^(?P<m>\d{1,2})\s*[-/.]\s*(?P<y>\d{4})$"),
    re.compile(r"^(?P<m>\d{1,2})\s+(?P<y>\d{4})$"),
]
_DAY_PATTERNS = [
    re.compile(r"^(?P<d>\d{1,2})\s*[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<y>\d{4})$"),
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[ T].*)?$"),
]


def _ascii_lower(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    return _SPACES.sub(" ", text.lower()).strip()


def _month_words_removed(text: str) -> str:
    """'Tháng 10 năm 2024' -> '10 2024', 'T10/2024' -> '10/2024'."""
    text = _ascii_lower(text)
    text = re.sub(r"^(thang|t\.?|ky|month)\s*", "", text)
    text = re.sub(r"\s*nam\s*", " ", text)
    return text.strip()


def _day(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def parse_month(value) -> str | None:
    """The month a cell names, as 'YYYY-MM', or None when it names none."""
    if is_blank(value) or isinstance(value, bool):
        return None
    if isinstance(value, (datetime, date)):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, float) and math.isfinite(value):
        value = f"{value:.4f}"  # 10.2024 typed in a number cell
    text = _month_words_removed(str(value))
    for pattern in _MONTH_PATTERNS:
        m = pattern.match(text)
        if m and 1 <= int(m.group("m")) <= 12 and 2000 <= int(m.group("y")) <= 2100:
            return f"{int(m.group('y')):04d}-{int(m.group('m')):02d}"
    day = parse_day(text)
    return f"{day.year:04d}-{day.month:02d}" if day else None


def parse_day(value) -> date | None:
    """The calendar day a cell names, or None. A month alone is its last day."""
    if is_blank(value) or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    written = _ascii_lower(str(value))
    # "ngày 31 tháng 12 năm 2024" -> "31/12/2024"
    text = re.sub(r"\s*nam\s*", "/", re.sub(r"\s*thang\s*", "/", re.sub(r"^ngay\s*", "", written)))
    for pattern in _DAY_PATTERNS:
        m = pattern.match(text)
        if m:
            return _day(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    month = None
    for pattern in _MONTH_PATTERNS:
        m = pattern.match(_month_words_removed(written))
        if m and 1 <= int(m.group("m")) <= 12:
            month = (int(m.group("y")), int(m.group("m")))
            break
    if month:
        return date(month[0], month[1], calendar.monthrange(*month)[1])
    return None


def vn_number(n: int | float) -> str:
    """1234567 -> '1.234.567', the way a Vietnamese official writes it."""
    return f"{int(n):,}".replace(",", ".")


def vn_month(label: str) -> str:
    """'2024-10' -> '10/2024'."""
    return f"{label[5:7]}/{label[:4]}"


def key(value) -> str:
    """The matching key of a cell that names something (agency, operator, district)."""
    text = cell_text(value)
    return norm_key(text) if text else ""
