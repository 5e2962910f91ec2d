"""What the month's figures say, computed from a ReportData alone: the facts behind the summary on
page 1 (headline.py, sections/summary.py), the assessment at the end of the body
(sections/assessment.py) and report_summary()["headline"].

    operator_streaks(data)   the operators below the threshold, and for how many consecutive months
    changes(data)            each operator's verdict and figure against the month before (the trend)
    units_below(data)        per operator, how many units are below the threshold / lack data
    senders_missing(data)    senders without an accepted return for MISSING_MONTHS months or more
    methods_differ(data)     where the report's verdict and VNNIC's differ (operators, units)

Nothing here reads the warehouse or formats text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ispeed.figures import rounded
from ispeed.months import previous_month
from ispeed.report.data import DOES_NOT_MEET, INSUFFICIENT_DATA, MEETS, SUBMITTED, ReportData, TrendPoint
from ispeed.report.layout import MISSING_MONTHS


@dataclass(frozen=True)
class OperatorStreak:
    """An operator below the threshold in the month: ``months`` consecutive months ending at it,
    since ``since``; ``at_least`` when the run fills every month of the trend (it may be longer)."""

    operator_code: str
    operator_name: str
    months: int
    since: date
    at_least: bool


@dataclass(frozen=True)
class Change:
    """An operator's verdict and figure in the month and the month before (None: no figure then)."""

    operator_code: str
    operator_name: str
    verdict: str | None
    figure: Decimal | None  # as printed beside the threshold (figures.rounded)
    verdict_before: str | None
    figure_before: Decimal | None

    @property
    def changed(self) -> bool:
        """The verdict is not that of the month before (both known: Đạt, Không đạt, Chưa đủ số liệu)."""
        return self.verdict is not None and self.verdict_before is not None and self.verdict != self.verdict_before

    @property
    def difference(self) -> Decimal | None:
        if self.figure is None or self.figure_before is None:
            return None
        return self.figure - self.figure_before


@dataclass(frozen=True)
class UnitCount:
    operator_code: str
    operator_name: str
    below: int
    insufficient: int


@dataclass(frozen=True)
class MissingSender:
    kind: str  # agency / operator
    name: str
    months: int
    group: str | None


def trend_verdict(data: ReportData, p: TrendPoint) -> str | None:
    """A trend month's verdict: as stored, else judged from its figure (None without a figure)."""
    if p.verdict is not None:
        return p.verdict
    if not p.sufficient_data:
        return INSUFFICIENT_DATA
    if p.figure_mbps is None:
        return None
    return MEETS if p.figure_mbps >= data.method.threshold_mbps else DOES_NOT_MEET


def operator_streaks(data: ReportData) -> list[OperatorStreak]:
    """The operators whose verdict in the month is does_not_meet, in the compliance table's order,
    with the run of does_not_meet months ending at the month (the trend's verdicts before it)."""
    months = data.trend_months()
    out = []
    for c in data.compliance:
        if c.verdict != DOES_NOT_MEET:
            continue
        points = {p.month: p for p in data.trend if p.operator_code == c.operator_code}
        n, since = 1, data.month
        for m in reversed(months[:-1]):
            p = points.get(m)
            if p is None or trend_verdict(data, p) != DOES_NOT_MEET:
                break
            n, since = n + 1, m
        out.append(OperatorStreak(c.operator_code, c.operator_name, n, since, n >= len(months) > 1))
    return out


def has_previous_month(data: ReportData) -> bool:
    """Whether the trend holds any figure of the month before."""
    before = previous_month(data.month)
    return any(p.month == before and p.figure_mbps is not None for p in data.trend)


def changes(data: ReportData) -> list[Change]:
    """Every operator of the compliance table against its trend point of the month before."""
    before = previous_month(data.month)
    thr = data.method.threshold_mbps
    points = {p.operator_code: p for p in data.trend if p.month == before}
    out = []
    for c in data.compliance:
        p = points.get(c.operator_code)
        figure_before = None if p is None else p.figure_mbps
        out.append(
            Change(
                c.operator_code,
                c.operator_name,
                c.verdict,
                rounded(c.figure_mbps, thr, 2),
                None if p is None or figure_before is None else trend_verdict(data, p),
                rounded(figure_before, thr, 2),
            )
        )
    return out


def units_below(data: ReportData) -> list[UnitCount]:
    """Per operator of the compliance table (then any other of section IV): how many units are
    below the threshold and how many lack data (a unit without a row lacks data too)."""
    units = {x.area_code for x in data.districts if not x.unassigned}
    names: dict[str, str] = {c.operator_code: c.operator_name for c in data.compliance}
    for x in data.districts:
        names.setdefault(x.operator_code, x.operator_name)
    out = []
    for code, name in names.items():
        mine = [x for x in data.districts if x.operator_code == code and not x.unassigned]
        below = sum(1 for x in mine if x.verdict == DOES_NOT_MEET)
        lacking = sum(1 for x in mine if x.verdict == INSUFFICIENT_DATA) + max(0, len(units) - len(mine))
        out.append(UnitCount(code, name, below, lacking))
    return out


def senders_missing(data: ReportData, months: int = MISSING_MONTHS) -> list[MissingSender]:
    """Senders (agencies, then operators) without an accepted return for ``months`` consecutive
    months or more, the longest first (the data's order among equals)."""
    found = [
        MissingSender("agency", a.agency_name, a.months_missing or 1, a.group)
        for a in data.agencies
        if a.state != SUBMITTED and (a.months_missing or 1) >= months
    ]
    found += [
        MissingSender("operator", o.operator_name, o.months_missing or 1, None)
        for o in data.investments
        if o.state != SUBMITTED and (o.months_missing or 1) >= months
    ]
    return sorted(found, key=lambda s: -s.months)  # stable: the data's order among equals


def methods_differ(data: ReportData) -> tuple[list, list]:
    """(operators, units) whose two verdicts are both decided and differ: the report's (the
    statistic of the month, mean by default) and VNNIC's (median of the representative samples)."""
    decided = (MEETS, DOES_NOT_MEET)
    operators = [c for c in data.compliance if c.vnnic_verdict_differs]
    units = [
        x
        for x in data.districts
        if not x.unassigned and x.verdict in decided and x.vnnic_verdict in decided and x.verdict != x.vnnic_verdict
    ]
    return operators, units
