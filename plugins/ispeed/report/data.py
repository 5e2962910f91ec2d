"""What the monthly report prints, as typed data: one ReportData per reporting month.

The model only: collect.py fills it from the warehouse, and the renderer (render.py) reads nothing
but a ReportData and the configuration, so the PDF can be built from the warehouse, from a test's
hand-written data, or from tests/fixtures/report_data.py's sample month while working on the
layout. Field names follow the warehouse's tables where they exist (meta_*, and the compliance
marts of V003: figure, ci_low, share_at_or_above_threshold, ...).

Conventions:
- speeds in Mbps, shares as fractions 0..1, money in đồng (VND), dates as ``datetime.date``;
- ``None`` where a figure does not exist (no tests, no return) -- printed as "-";
- rows are printed in the order given (sort them by the operators' display_order, the agencies'
  order, ... in SQL);
- numbers may come as ``decimal.Decimal`` (PostgreSQL numeric): they are converted to float.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ispeed.geography import UNASSIGNED
from ispeed.months import month_label, previous_month

# Verdicts (as in ispeed.mart_compliance_*.verdict).
MEETS = "meets"
DOES_NOT_MEET = "does_not_meet"
INSUFFICIENT_DATA = "insufficient_data"
VERDICTS = (MEETS, DOES_NOT_MEET, INSUFFICIENT_DATA)

#: Why a row has not enough data (insufficient_reason of the marts, method 2.0): the first floor that
#: fails. Words for the reader in include/templates/report/texts.yaml (insufficient_reasons).
INSUFFICIENT_REASONS = ("no_tests", "tests", "devices", "effective_devices")

# State of a monthly return (an agency's tally, an operator's investment figures).
SUBMITTED = "submitted"
MISSING = "missing"
REJECTED = "rejected"
RETURN_STATES = (SUBMITTED, MISSING, REJECTED)

#: Headings for AgencyReturn.group from ispeed.dim_agency.kind (V002), in the order of the list.
AGENCY_GROUPS = {
    "department": "Sở, ban, ngành thành phố",
    "other": "Cơ quan, đơn vị khác",
    "district_committee": "Ủy ban nhân dân các quận, huyện",
    "commune_committee": "Ủy ban nhân dân các xã, phường, đặc khu",
    "media": "Cơ quan báo chí, truyền thông",
}

#: The counts of an agency's return (AgencyReturn's fields), in the order the report and the annex
#: print them.
AGENCY_COUNTS = ("staff_total", "installed", "measured", "measurements", "citizens_helped", "team_members_active")


class ReportDataError(ValueError):
    """The data cannot make a report; the message says which row and why."""


class _Row:
    """Converts PostgreSQL's Decimal (numeric, and sum() of bigint) to the field's float or int."""

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, Decimal):
                kind = str(f.type)
                if "float" in kind:
                    object.__setattr__(self, f.name, float(value))
                elif "int" in kind:
                    object.__setattr__(self, f.name, int(value))


# ---------------------------------------------------------------- (1) agencies
@dataclass
class AgencyReturn(_Row):
    """One agency's monthly tally of i-Speed use (Sở, ngành, UBND quận/huyện, báo, đài, cổng TTĐT).

    Every agency expected to report has a row; ``state`` says whether its return came in. The
    counts are None for a missing or rejected return."""

    agency_code: str
    agency_name: str
    state: str  # submitted / missing / rejected
    staff_total: int | None = None  # cán bộ, công chức, viên chức
    installed: int | None = None  # of whom installed i-Speed
    measured: int | None = None  # of whom measured at least once in the month
    measurements: int | None = None  # measurements made in the month
    citizens_helped: int | None = None  # citizens shown how to install and use it
    team_members_active: int | None = None  # tổ công nghệ số cộng đồng members taking part
    note: str | None = None  # the agency's own remark (free text from the file)
    reason: str | None = None  # why a return was rejected
    group: str | None = None  # e.g. "Sở, ban, ngành"; consecutive rows of a group are printed under its heading
    # consecutive months, ending at the reporting month, without an accepted return (missing or
    # rejected) among the months whose returns were loaded; None when the return was accepted or the
    # history is unknown
    months_missing: int | None = None


# ---------------------------------------------------------------- (2) operators' investment
@dataclass
class OperatorInvestment(_Row):
    """An operator's monthly return on its network in the city."""

    operator_code: str
    operator_name: str
    state: str  # submitted / missing / rejected
    sites_in_service_4g: int | None = None  # 4G sites on air at the end of the month
    sites_in_service_5g: int | None = None  # 5G sites on air at the end of the month
    sites_commissioned: int | None = None  # new sites put in service in the month (4G and 5G)
    sites_upgraded_4g: int | None = None  # sites upgraded for 4G in the month (capacity, carriers)
    sites_upgraded_5g: int | None = None  # sites upgraded for 5G in the month
    investment_vnd: int | None = None  # invested in the month, đồng
    note: str | None = None
    reason: str | None = None  # why a return was rejected
    months_missing: int | None = None  # as AgencyReturn.months_missing


@dataclass
class Remedy(_Row):
    """A remedy an operator plans for a district where its speed is below the threshold."""

    operator_code: str
    operator_name: str
    area_code: str
    area_name: str
    remedy: str
    due_date: date | None = None


# ---------------------------------------------------------------- (3) compliance by operator
@dataclass
class OperatorCompliance(_Row):
    """One operator and network type for the whole city (ispeed.mart_compliance_operator).

    ``figure_mbps`` is the statistic the verdict compares with the threshold (Method.statistic:
    the mean by default). Rows of the compliance population (4G) carry a verdict; rows of other
    network types (5G, Wi-Fi) go in ReportData.other_networks with ``verdict`` None."""

    operator_code: str
    operator_name: str
    network_type: str  # '4G', '5G', 'WIFI', or a label such as '4G+5G'
    tests: int
    devices: int
    mean_mbps: float | None
    ci_low_mbps: float | None  # confidence interval of the mean (Method.confidence)
    ci_high_mbps: float | None
    median_mbps: float | None
    device_day_mean_mbps: float | None  # each (device, day) counted once
    share_at_or_above: float | None  # fraction of tests >= threshold, 0..1
    figure_mbps: float | None  # the statistic in force
    verdict: str | None  # meets / does_not_meet / insufficient_data; None: not assessed
    ci_straddles: bool = False  # ci_low < threshold <= ci_high: the verdict is not clear-cut
    # method 2.0 (None on rows of method 1.0, printed "-")
    effective_devices: float | None = None  # Kish's effective number of devices
    insufficient_reason: str | None = None  # INSUFFICIENT_REASONS; None when the data suffice
    samples: int | None = None  # VNNIC's representative samples (device, unit, local day)
    vnnic_median_mbps: float | None = None  # VNNIC's figure: the median of the samples
    vnnic_verdict: str | None = None  # the verdict VNNIC's method would give
    vnnic_verdict_differs: bool = False  # both verdicts decided and different


# ---------------------------------------------------------------- (4) operator x district
@dataclass
class DistrictResult(_Row):
    """One operator in one unit of the month (district before 2025-07, xã/phường/đặc khu after),
    compliance population (ispeed.mart_compliance_operator_area). The row whose area_code is
    geography.UNASSIGNED holds the tests counted for the province without a valid unit: its verdict
    is None (never assessed), the report prints it as "chưa xác định xã/phường" with its count."""

    operator_code: str
    operator_name: str
    area_code: str
    area_name: str
    tests: int
    devices: int
    mean_mbps: float | None
    figure_mbps: float | None
    verdict: str | None  # meets / does_not_meet / insufficient_data; None for the unassigned row
    # method 2.0 (None on rows of method 1.0, printed "-")
    insufficient_reason: str | None = None  # INSUFFICIENT_REASONS; None when the data suffice
    samples: int | None = None  # VNNIC's representative samples in the unit
    vnnic_median_mbps: float | None = None  # VNNIC's figure: the median of the samples
    vnnic_verdict: str | None = None
    effective_devices: float | None = None
    # consecutive months, ending at the reporting month, in which the operator's verdict in the unit was
    # does_not_meet (ispeed.mart_compliance_operator_area's history); None when not below this month
    months_below: int | None = None

    @property
    def unassigned(self) -> bool:
        return self.area_code == UNASSIGNED


# ---------------------------------------------------------------- (5) trend
@dataclass
class TrendPoint(_Row):
    """One operator in one month of the 12 ending at the reporting month (ispeed.mart_compliance_trend).
    Months without a point are drawn as gaps."""

    operator_code: str
    operator_name: str
    month: date  # first day of the trend month
    figure_mbps: float | None
    tests: int
    sufficient_data: bool = True
    verdict: str | None = None  # as stored for the trend month; None: judged from the figure (findings.py)


# ---------------------------------------------------------------- (6) data quality
@dataclass
class DatasetQuality(_Row):
    """Files and rows of one dataset in the month (ispeed.meta_file, ispeed.meta_load)."""

    dataset: str  # measurements / agency_returns / operator_returns
    files_loaded: int
    files_rejected: int
    files_duplicate: int
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    rows_duplicate: int
    loads_failed: int = 0


@dataclass
class QuarantineCount(_Row):
    dataset: str
    rule: str
    message: str
    rows: int


@dataclass
class RejectedFile(_Row):
    dataset: str
    file_name: str
    reason: str


@dataclass
class Collapsed(_Row):
    """Measurement ids of the month that collapsed into one (ispeed.fact_measurement_collapsed):
    rows not loaded because their id was kept from another row; among them the conflicts (other
    values), and the ids whose conflict a reload has not settled (the first values stay)."""

    rows: int = 0
    ids: int = 0
    conflicting_rows: int = 0
    conflicting_ids: int = 0
    unsettled_ids: int = 0


@dataclass
class DataQuality(_Row):
    datasets: list[DatasetQuality] = field(default_factory=list)
    quarantine: list[QuarantineCount] = field(default_factory=list)
    files_rejected: list[RejectedFile] = field(default_factory=list)
    collapsed: Collapsed = field(default_factory=Collapsed)

    def dataset(self, name: str) -> DatasetQuality | None:
        return next((d for d in self.datasets if d.dataset == name), None)


# ---------------------------------------------------------------- (7) method
@dataclass
class Method(_Row):
    """The settings in force (include/config/compliance.yaml, stored on the mart rows)."""

    threshold_mbps: float = 40.0
    network_type: str = "4G"
    statistic: str = "mean"  # mean / median / device_day_mean
    confidence: float = 0.95
    min_tests: int = 300
    min_devices: int = 30
    area_min_tests: int = 300
    area_min_devices: int = 30
    trend_months: int = 12
    min_effective_devices: int = 30  # no verdict below this effective number of devices (Kish)
    area_min_effective_devices: int = 30
    vnnic_min_samples: int = 300  # VNNIC's floor of representative samples
    method_version: str = "2.0"  # of the month's mart rows (1.0 rows lack the device-clustered figures)


# ---------------------------------------------------------------- the report
@dataclass
class ReportData(_Row):
    """Everything one month's report prints. Issuer, recipient and signatory are not here: they
    are configuration (include/config/report.yaml)."""

    month: date  # first day of the reporting month
    report_date: date  # the date printed ("Hải Phòng, ngày 15 tháng 11 năm 2024")
    document_number: str | None = None  # "125" -> "Số: 125/BC-STTTT"; None leaves the number blank for the clerk
    agencies: list[AgencyReturn] = field(default_factory=list)
    investments: list[OperatorInvestment] = field(default_factory=list)
    remedies: list[Remedy] = field(default_factory=list)
    compliance: list[OperatorCompliance] = field(default_factory=list)  # the verdict rows (4G)
    other_networks: list[OperatorCompliance] = field(default_factory=list)  # 5G, Wi-Fi, ...: shown apart
    districts: list[DistrictResult] = field(default_factory=list)
    trend: list[TrendPoint] = field(default_factory=list)
    data_quality: DataQuality = field(default_factory=DataQuality)
    method: Method = field(default_factory=Method)

    # ------------------------------------------------------------ derived
    @property
    def month_label(self) -> str:
        return month_label(self.month)

    @property
    def returns_rejected(self) -> list[tuple[str, str, str]]:
        """(kind, who, reason) of every rejected return: 'agency' or 'operator'."""
        out = [("agency", a.agency_name, a.reason or a.note or "") for a in self.agencies if a.state == REJECTED]
        out += [
            ("operator", o.operator_name, o.reason or o.note or "") for o in self.investments if o.state == REJECTED
        ]
        return out

    def agency_totals(self) -> dict[str, int]:
        """Sums over the submitted returns, and how many agencies are in each state."""
        submitted = [a for a in self.agencies if a.state == SUBMITTED]
        totals = {k: sum(getattr(a, k) or 0 for a in submitted) for k in AGENCY_COUNTS}
        totals["agencies"] = len(self.agencies)
        for state in RETURN_STATES:
            totals[f"agencies_{state}"] = sum(1 for a in self.agencies if a.state == state)
        return totals

    def trend_months(self) -> list[date]:
        """The months of the trend chart: ``method.trend_months`` months ending at the reporting month."""
        months = [self.month]
        while len(months) < self.method.trend_months:
            months.insert(0, previous_month(months[0]))
        return months

    def validate(self) -> None:
        """Raise ReportDataError when a value is outside what the report knows how to print."""
        if self.month.day != 1:
            raise ReportDataError(f"month must be the first day of the month, not {self.month}")
        for a in self.agencies:
            if a.state not in RETURN_STATES:
                raise ReportDataError(f"agency {a.agency_code}: state {a.state!r} is not one of {RETURN_STATES}")
        for o in self.investments:
            if o.state not in RETURN_STATES:
                raise ReportDataError(
                    f"operator return {o.operator_code}: state {o.state!r} is not one of {RETURN_STATES}"
                )
        for x in (*self.compliance, *self.other_networks, *self.districts):
            if x.vnnic_verdict not in (None, *VERDICTS) or x.insufficient_reason not in (None, *INSUFFICIENT_REASONS):
                raise ReportDataError(
                    f"{x.operator_code}/{getattr(x, 'area_code', getattr(x, 'network_type', ''))}: vnnic_verdict "
                    f"{x.vnnic_verdict!r} or insufficient_reason {x.insufficient_reason!r} unknown"
                )
        for c in self.compliance:
            if c.verdict not in VERDICTS:
                raise ReportDataError(
                    f"compliance {c.operator_code}/{c.network_type}: verdict {c.verdict!r} is not one of {VERDICTS}"
                )
        for p in self.trend:
            if p.verdict not in (None, *VERDICTS):
                raise ReportDataError(
                    f"trend {p.operator_code}/{p.month}: verdict {p.verdict!r} is not one of {VERDICTS}"
                )
        for c in self.other_networks:
            if c.verdict not in (None, *VERDICTS):
                raise ReportDataError(f"other network {c.operator_code}/{c.network_type}: verdict {c.verdict!r}")
        for d in self.districts:
            if d.unassigned:
                if d.verdict is not None:
                    raise ReportDataError(
                        f"district {d.operator_code}/{d.area_code}: the unassigned row has no verdict"
                    )
            elif d.verdict not in VERDICTS:
                raise ReportDataError(
                    f"district {d.operator_code}/{d.area_code}: verdict {d.verdict!r} is not one of {VERDICTS}"
                )

    def as_json(self) -> dict:
        """Plain JSON-able data (dates as ISO strings)."""
        return json.loads(json.dumps(dataclasses.asdict(self), default=_json_default))

    def fingerprint(self) -> str:
        """sha256 of the data, canonical JSON: equal data, equal fingerprint."""
        text = json.dumps(
            dataclasses.asdict(self), default=_json_default, sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")
