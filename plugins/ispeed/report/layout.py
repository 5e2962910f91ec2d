"""What the body holds and what goes to the PDF's Phụ lục, decided from the data alone, so that the
summary on page 1, the sections and the Phụ lục agree on where a list is.

The body stays short (for Hải Phòng's 114 xã, phường, đặc khu and 136 senders: at most 6 pages up to
the heading PHỤ LỤC): a long table is summed up in the body and printed in full in a Phụ lục. The
.xlsx/.csv annex (annex.py) holds every row in any case.

    annexes(data)          the Phụ lục of the month, in print order: "units", "agencies", "below"
    annex_no(data, key)    its number (1, 2, ...), or None when the month has none of that kind
    annex_name(data, key)  "Phụ lục 2", or None: for a sentence that points to a list

Phụ lục (when present, numbered in this order):
    units     the unit x operator table of section IV: more than units.MANY_UNITS units
    agencies  every sender's return of section I: MANY_SENDERS senders or more
    below     the units below the threshold and every remedy (section II.2, IV): more such rows than
              MAX_BODY_REMEDIES, more units below than MAX_BODY_RANKED (a month of many units), or
              more persistent ones than MAX_BODY_PERSISTENT
    vnnic     section III's table of VNNIC's figures per operator, in a compact month (method 2.0)
    other_networks  section III's table of the other network types (5G, Wi-Fi), in a compact month
    trend     section V's table of the monthly figures (the body keeps the chart), in a compact month
    quality   section VI's tables, in a compact month (compact(): many units)
    method    section VII's full paragraph, in a compact month (the body has its summary)
"""

from __future__ import annotations

from dataclasses import dataclass

from ispeed.report.data import DOES_NOT_MEET, DistrictResult, Remedy, ReportData
from ispeed.report.units import many_units

#: From this many senders (114 UBND xã, phường, đặc khu and the departments) the body holds the
#: totals per group, the Phụ lục every sender.
MANY_SENDERS = 130
#: The most senders named in a sentence of the body; more are counted, and named in the list.
MAX_NAMED = 10
#: Up to this many rows of units below the threshold and remedies (below_rows) the body prints them
#: all (section II.2); more: counts per operator and the persistent units in the body, every row in
#: the Phụ lục.
MAX_BODY_REMEDIES = 20
#: The most units below the threshold the body ranks in a month of many units (section IV).
MAX_BODY_RANKED = 3
#: The most units below the threshold for PERSISTENT_MONTHS months or more the body lists with their
#: remedy (section II.2).
MAX_BODY_PERSISTENT = 6
#: Below the threshold this many consecutive months or more: a persistent unit.
PERSISTENT_MONTHS = 3
#: Without an accepted return this many consecutive months or more: a sender the assessment names.
MISSING_MONTHS = 2

ANNEX_ORDER = ("units", "agencies", "below", "vnnic", "other_networks", "trend", "quality", "method")


def unit_codes(data: ReportData) -> list[str]:
    """The units with a row in section IV (not the tests without a unit), in the data's order."""
    return list(dict.fromkeys(x.area_code for x in data.districts if not x.unassigned))


def below(data: ReportData) -> list:
    """The operator-unit rows below the threshold in the month."""
    return [x for x in data.districts if not x.unassigned and x.verdict == DOES_NOT_MEET]


def persistent(data: ReportData) -> list:
    """The rows below the threshold for PERSISTENT_MONTHS consecutive months or more: most months
    first, then the lowest figure."""
    rows = [x for x in below(data) if (x.months_below or 1) >= PERSISTENT_MONTHS]
    return sorted(rows, key=lambda x: (-(x.months_below or 1), _figure(x), x.operator_code, x.area_code))


def _figure(x) -> float:
    return x.figure_mbps if x is not None and x.figure_mbps is not None else 0.0


@dataclass(frozen=True)
class BelowRow:
    """An operator in a unit below the threshold in the month, or with a remedy planned (or both)."""

    operator_code: str
    operator_name: str
    area_code: str
    area_name: str
    result: DistrictResult | None  # the month's row of section IV, if any
    remedy: Remedy | None

    @property
    def below(self) -> bool:
        return self.result is not None and self.result.verdict == DOES_NOT_MEET


def operator_order(data: ReportData) -> dict[str, int]:
    """Operator code -> its place: the compliance table's order, then any other in the data's order."""
    order: dict[str, int] = {}
    for code in [c.operator_code for c in data.compliance] + [x.operator_code for x in data.districts]:
        order.setdefault(code, len(order))
    for r in data.remedies:
        order.setdefault(r.operator_code, len(order))
    return order


def below_rows(data: ReportData) -> list[BelowRow]:
    """Every operator-unit below the threshold (with its remedy, if any) and every remedy of a unit
    not below it this month: per operator, those below from the lowest figure, then the others."""
    remedies = {(r.operator_code, r.area_code): r for r in data.remedies}
    results = {(x.operator_code, x.area_code): x for x in data.districts if not x.unassigned}
    rows = [
        BelowRow(
            x.operator_code, x.operator_name, x.area_code, x.area_name, x, remedies.get((x.operator_code, x.area_code))
        )
        for x in below(data)
    ]
    shown = {(r.operator_code, r.area_code) for r in rows}
    rows += [
        BelowRow(r.operator_code, r.operator_name, r.area_code, r.area_name, results.get(key), r)
        for key, r in remedies.items()
        if key not in shown
    ]
    order = operator_order(data)
    return sorted(
        rows,
        key=lambda r: (
            order.get(r.operator_code, len(order)),
            not r.below,
            _figure(r.result) if r.below else 0.0,
            r.area_code,
        ),
    )


def many_senders(data: ReportData) -> bool:
    return len(data.agencies) >= MANY_SENDERS


def units_in_annex(data: ReportData) -> bool:
    return bool(data.districts) and many_units(len(unit_codes(data)))


def remedies_in_annex(data: ReportData) -> bool:
    """Whether the remedies and the units below the threshold are listed in full in a Phụ lục."""
    return (
        len(below_rows(data)) > MAX_BODY_REMEDIES
        or (units_in_annex(data) and len(below(data)) > MAX_BODY_RANKED)
        or len(persistent(data)) > MAX_BODY_PERSISTENT
    )


def compact(data: ReportData) -> bool:
    """A month of many units (114 xã, phường, đặc khu): its body holds but a sentence of the
    reference material too (VNNIC's figures per operator, the other network types, the trend's
    table, section VI's tables, section VII's full paragraph): they go to the Phụ lục, which such a
    month has anyway."""
    return units_in_annex(data)


def annexes(data: ReportData) -> list[str]:
    q = data.data_quality
    present = {
        "units": units_in_annex(data),
        "agencies": bool(data.agencies) and many_senders(data),
        "below": remedies_in_annex(data),
        "vnnic": compact(data) and bool(data.compliance) and not data.method.method_version.startswith("1."),
        "other_networks": compact(data) and bool(data.other_networks),
        "trend": compact(data) and bool(data.trend),
        "quality": compact(data)
        and bool(
            q.datasets or q.quarantine or q.files_rejected or q.collapsed.conflicting_rows or data.returns_rejected
        ),
        "method": compact(data),
    }
    return [k for k in ANNEX_ORDER if present[k]]


def annex_no(data: ReportData, key: str) -> int | None:
    found = annexes(data)
    return found.index(key) + 1 if key in found else None


def annex_name(data: ReportData, key: str) -> str | None:
    """ "Phụ lục 2", or None."""
    n = annex_no(data, key)
    return None if n is None else f"Phụ lục {n}"
