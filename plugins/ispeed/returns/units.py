"""The units a return names, by month: the province's districts until 2025-06-30, its communes,
wards and special zones from 2025-07-01 (geography.areas_in), and what the messages need to say
about a unit that does not exist in the month.

The warehouse resolves a unit's spelling on the month's dates (dim_alias, frame.py). When it does
not resolve, the message says why in the words of the month (rules.py): a unit of another period
("Quận Lê Chân" in a return for 2025-09: abolished on 2025-07-01, write the xã/phường), or no
unit of the province at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ispeed import geography
from ispeed.text import norm_key

#: the first day of the two-tier local government (Nghị quyết 202/2025/QH15, 1669/NQ-UBTVQH15)
REFORM_DAY = date(2025, 7, 1)


def unit_label(area: geography.Area) -> str:
    """ "Phường Hải Dương", "Quận Lê Chân": the unit's name with its level, as templates list it."""
    return area.full_name


def month_units(month: date) -> list[tuple[str, str]]:
    """(code, name with its level) of the province's units valid in the month, in code order."""
    return [(a.code, unit_label(a)) for a in geography.areas_in(month.replace(day=1))]


def _spellings(area: geography.Area) -> set[str]:
    out = {area.code, area.code.lstrip("0"), area.name_vi}
    for prefix in geography.LEVEL_PREFIXES[area.level]:
        out.add(f"{prefix} {area.name_vi}")
    return {s for s in out if s}


@dataclass(frozen=True)
class UnitWords:
    """The month's units as the operator-return messages name them."""

    units: str  # "quận, huyện" / "xã, phường, đặc khu"
    unit: str  # "quận/huyện" / "xã/phường/đặc khu"
    heading: str  # the district column's heading in the month's template
    province_full: str  # "thành phố Hải Phòng"
    communes: bool  # the month's units are communes (from 2025-07-01)
    other_periods: dict[str, geography.Area] = field(default_factory=dict)  # key -> a unit of another period


def unit_words(month: date) -> UnitWords:
    """How the month's units are named, and every spelling (norm_key) of the province's units of
    other periods that is not a unit of the month, for the message of a unit that does not exist."""
    month = month.replace(day=1)
    communes = geography.communes_in(month)
    valid = geography.areas_in(month)
    taken = {norm_key(s) for a in valid for s in _spellings(a)}
    others: dict[str, geography.Area] = {}
    for area in geography.areas():
        if area.valid_in(month):
            continue
        for spelling in _spellings(area):
            key = norm_key(spelling)
            if key and key not in taken:
                others.setdefault(key, area)
    return UnitWords(
        units="xã, phường, đặc khu" if communes else "quận, huyện",
        unit="xã/phường/đặc khu" if communes else "quận/huyện",
        heading="Xã/phường/đặc khu" if communes else "Quận/huyện",
        province_full=geography.province(month).full_name,
        communes=communes,
        other_periods=others,
    )


def vn_day(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"
