"""Numbers, dates and words as a Vietnamese official document writes them.

Vietnamese groups thousands with a dot and writes decimals with a comma: 1.234.567 and 45,6.
Rounding is half-up (as people round), not Python's half-to-even. None prints as "-".
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from ispeed.figures import rounded
from ispeed.report.data import DOES_NOT_MEET, INSUFFICIENT_DATA, MEETS, MISSING, REJECTED, SUBMITTED

NONE = "-"

VERDICT_VI = {MEETS: "Đạt", DOES_NOT_MEET: "Không đạt", INSUFFICIENT_DATA: "Chưa đủ số liệu", None: "Không đánh giá"}
STATE_VI = {SUBMITTED: "Đã báo cáo", MISSING: "Chưa báo cáo", REJECTED: "Bị trả lại"}
STATISTIC_VI = {"mean": "trung bình", "median": "trung vị", "device_day_mean": "trung bình theo thiết bị-ngày"}
NETWORK_VI = {"WIFI": "Wi-Fi", "FIXED": "Cố định"}
DATASET_VI = {
    "measurements": "Kết quả đo i-Speed",
    "agency_returns": "Báo cáo của cơ quan, đơn vị",
    "operator_returns": "Báo cáo của doanh nghiệp viễn thông",
}


def _group(digits: str) -> str:
    out = []
    while len(digits) > 3:
        out.insert(0, digits[-3:])
        digits = digits[:-3]
    out.insert(0, digits)
    return ".".join(out)


def number(value, decimals: int = 0) -> str:
    """1234567 -> '1.234.567'; 45.25 with 1 decimal -> '45,3'; None -> '-'."""
    if value is None:
        return NONE
    q = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if q < 0 else ""
    text = f"{abs(q):f}"
    whole, _, frac = text.partition(".")
    return sign + _group(whole) + ("," + frac if frac else "")


def mbps(value, threshold=None) -> str:
    """A speed, 2 decimals: 45.678 -> '45,68'. Beside a threshold the figure stays on its side of it
    (rounded): 39.9951 beside 40 -> '39,99', never '40,00'."""
    return number(rounded(value, threshold, 2), 2)


def percent(fraction, decimals: int = 1) -> str:
    """0.634 -> '63,4%'."""
    return NONE if fraction is None else number(Decimal(str(fraction)) * 100, decimals) + "%"


def million_vnd(vnd) -> str:
    """18500000000 -> '18.500' (triệu đồng)."""
    return NONE if vnd is None else number(Decimal(vnd) / Decimal(1_000_000), 0)


def month_vi(month: date) -> str:
    """date(2024, 10, 1) -> '10/2024'."""
    return f"{month.month:02d}/{month.year}"


def date_short(day: date | None) -> str:
    """date(2024, 12, 31) -> '31/12/2024'."""
    return NONE if day is None else f"{day.day:02d}/{day.month:02d}/{day.year}"


def date_line(place: str, day: date) -> str:
    """'Hải Phòng, ngày 15 tháng 11 năm 2024'. Nghị định 30/2020: a day below 10 and the months
    1 and 2 are written with a leading zero (ngày 05 tháng 02)."""
    d = f"{day.day:02d}" if day.day < 10 else str(day.day)
    m = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {d} tháng {m} năm {day.year}"


def network(code: str) -> str:
    return NETWORK_VI.get(code.upper(), code)
