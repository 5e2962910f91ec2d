"""The month's geography as the report words it (from ispeed.geography): what its units are called,
a unit's name valid in the month, when a breakdown is too long for the body, and the month the
province's territory changed (the 2025 reform).

    unit_words(month)        {"units": "xã, phường, đặc khu", "Units": "Xã, phường, đặc khu", ...}
    unit_name(month, code, name)   "Phường Hải Dương" (communes) / "Lê Chân" (districts, as before)
    many_units(n)            more than MANY_UNITS units: counts and a ranking in the body, the table in the annex
    territory_change(months) the first month of the reform inside ``months``, and the sentence under the trend
"""

from __future__ import annotations

from datetime import date

from ispeed import geography

#: Up to this many units, section IV prints the unit x operator table in the body (15 districts);
#: above it (114 communes), per operator counts and the units below the threshold, the table in the annex.
MANY_UNITS = 20
#: The first month of the two-tier local government and of the merged provinces (Nghị quyết 202/2025/QH15).
REFORM_MONTH = date(2025, 7, 1)


def unit_words(month: date) -> dict[str, str]:
    """geography.unit_words(month), with capitalised forms for headings and table headers."""
    words = dict(geography.unit_words(month))
    for key in ("units", "unit", "unassigned"):
        words[key.capitalize()] = words[key][0].upper() + words[key][1:]
    words["UNITS"] = words["units"].upper()
    return words


def unit_name(month: date, code: str, name: str | None) -> str:
    """The unit's name valid in the month: in a month of communes its full name ("Phường Hải
    Dương": the bare names repeat across levels), in a month of districts the bare name as the
    warehouse holds it ("Lê Chân"); ``name`` (or the code) when the code is not a unit of the month."""
    if code == geography.UNASSIGNED:
        return unit_words(month)["Unassigned"]
    by_code = {a.code: a for a in geography.areas_in(month)}
    area = by_code.get(code) or by_code.get(code.lstrip("0"))
    if area is None:
        return name or code
    return area.full_name if area.level in geography.COMMUNE_LEVELS else (name or area.name_vi)


def many_units(n: int) -> bool:
    return n > MANY_UNITS


def province_kind(on: date) -> str:
    """ "thành phố" or "tỉnh", for "trên địa bàn thành phố"."""
    return geography.names(on)["province_kind"]


def territory_change(months: list[date]) -> tuple[date, str] | None:
    """(the reform month, the sentence under the trend) when REFORM_MONTH is one of ``months`` and
    not the first (a change inside the trend); None otherwise."""
    if REFORM_MONTH not in months[1:]:
        return None
    p = geography.province(REFORM_MONTH)
    merged = [m.full_name + " (cũ)" for m in geography.merged_provinces(p.code)]
    when = f"Từ tháng {REFORM_MONTH.month}/{REFORM_MONTH.year}"
    if merged:
        places = ", ".join(merged[:-1]) + " và " + merged[-1] if len(merged) > 1 else merged[0]
        return REFORM_MONTH, f"{when} số liệu của {p.full_name} bao gồm địa bàn {places}."
    return REFORM_MONTH, (
        f"{when} số liệu của {p.full_name} được tổng hợp theo xã, phường, đặc khu "
        f"(chính quyền địa phương hai cấp), thay cho các đơn vị hành chính cấp huyện trước đây."
    )
