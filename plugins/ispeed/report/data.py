"""What the monthly report prints, as typed data: one ReportData per reporting month.

The renderer (render.py) reads nothing but a ReportData and the configuration, so the PDF can be
built from the warehouse, from a test's hand-written data, or from sample_report_data() while
working on the layout. Field names follow the warehouse's tables where they exist (meta_*, and
the compliance marts of V003: figure, ci_low, share_at_or_above_threshold, ...).

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
import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ispeed import paths
from ispeed.months import month_label, next_month, previous_month

# Verdicts (as in ispeed.mart_compliance_*.verdict).
MEETS = "meets"
DOES_NOT_MEET = "does_not_meet"
INSUFFICIENT_DATA = "insufficient_data"
VERDICTS = (MEETS, DOES_NOT_MEET, INSUFFICIENT_DATA)

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
    "media": "Cơ quan báo chí, truyền thông",
}


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


# ---------------------------------------------------------------- (4) operator x district
@dataclass
class DistrictResult(_Row):
    """One operator in one district, compliance population (ispeed.mart_compliance_operator_area)."""

    operator_code: str
    operator_name: str
    area_code: str
    area_name: str
    tests: int
    devices: int
    mean_mbps: float | None
    figure_mbps: float | None
    verdict: str  # meets / does_not_meet / insufficient_data


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
class DataQuality(_Row):
    datasets: list[DatasetQuality] = field(default_factory=list)
    quarantine: list[QuarantineCount] = field(default_factory=list)
    files_rejected: list[RejectedFile] = field(default_factory=list)

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
    method_version: str = "1.0"


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
        totals = {
            k: sum(getattr(a, k) or 0 for a in submitted)
            for k in ("staff_total", "installed", "measured", "measurements", "citizens_helped", "team_members_active")
        }
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
        for c in self.compliance:
            if c.verdict not in VERDICTS:
                raise ReportDataError(
                    f"compliance {c.operator_code}/{c.network_type}: verdict {c.verdict!r} is not one of {VERDICTS}"
                )
        for c in self.other_networks:
            if c.verdict not in (None, *VERDICTS):
                raise ReportDataError(f"other network {c.operator_code}/{c.network_type}: verdict {c.verdict!r}")
        for d in self.districts:
            if d.verdict not in VERDICTS:
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


# ---------------------------------------------------------------- data quality from the warehouse
def collect_data_quality(conn, month: date) -> DataQuality:
    """Section 6 from the file registry and the quarantine (ispeed.meta_file, meta_load,
    fact_quarantine), every dataset that registered files for the month."""
    with conn.cursor() as cur:
        cur.execute(paths.read_sql("report/data_quality_datasets.sql"), {"month": month})
        datasets = [DatasetQuality(*row) for row in cur.fetchall()]
        cur.execute(paths.read_sql("report/data_quality_quarantine.sql"), {"month": month})
        quarantine = [QuarantineCount(*row) for row in cur.fetchall()]
        cur.execute(paths.read_sql("report/data_quality_rejected_files.sql"), {"month": month})
        rejected = [RejectedFile(*row) for row in cur.fetchall()]
    return DataQuality(datasets=datasets, quarantine=quarantine, files_rejected=rejected)


# ---------------------------------------------------------------- sample data
_OPERATORS = [  # code, name, 4G level (Mbps), 4G tests, devices
    ("VIETTEL", "Viettel", 58.0, 41_230, 6_120),
    ("VINAPHONE", "VinaPhone (VNPT)", 47.5, 27_840, 4_310),
    ("MOBIFONE", "MobiFone", 40.6, 18_912, 3_025),
    ("VIETNAMOBILE", "Vietnamobile", 27.9, 2_154, 388),
    ("GMOBILE", "Gmobile", 19.4, 87, 21),
]
_DISTRICTS = [  # code, name, share of tests, speed factor
    ("303", "Hồng Bàng", 0.08, 1.10),
    ("304", "Ngô Quyền", 0.12, 1.12),
    ("305", "Lê Chân", 0.12, 1.08),
    ("306", "Hải An", 0.08, 1.05),
    ("307", "Kiến An", 0.06, 1.00),
    ("308", "Đồ Sơn", 0.03, 0.95),
    ("309", "Dương Kinh", 0.03, 0.97),
    ("311", "Thủy Nguyên", 0.11, 0.96),
    ("312", "An Dương", 0.07, 0.98),
    ("313", "An Lão", 0.05, 0.90),
    ("314", "Kiến Thụy", 0.05, 0.91),
    ("315", "Tiên Lãng", 0.06, 0.86),
    ("316", "Vĩnh Bảo", 0.06, 0.84),
    ("317", "Cát Hải", 0.04, 0.88),
    ("318", "Bạch Long Vĩ", 0.004, 0.70),
]
_AGENCIES = [
    (
        AGENCY_GROUPS["department"],
        [
            "Văn phòng Ủy ban nhân dân thành phố",
            "Sở Nội vụ",
            "Sở Tài chính",
            "Sở Kế hoạch và Đầu tư",
            "Sở Tư pháp",
            "Sở Công Thương",
            "Sở Xây dựng",
            "Sở Giao thông vận tải",
            "Sở Tài nguyên và Môi trường",
            "Sở Nông nghiệp và Phát triển nông thôn",
            "Sở Giáo dục và Đào tạo",
            "Sở Y tế",
            "Sở Lao động - Thương binh và Xã hội",
            "Sở Văn hóa và Thể thao",
            "Sở Du lịch",
            "Sở Khoa học và Công nghệ",
            "Sở Thông tin và Truyền thông",
            "Thanh tra thành phố",
            "Ban Quản lý Khu kinh tế Hải Phòng",
        ],
    ),
    (
        AGENCY_GROUPS["district_committee"],
        [f"UBND {'quận' if code < '311' else 'huyện'} {name}" for code, name, _, _ in _DISTRICTS],
    ),
    (
        AGENCY_GROUPS["media"],
        ["Đài Phát thanh và Truyền hình Hải Phòng", "Báo Hải Phòng", "Cổng Thông tin điện tử thành phố"],
    ),
]


def sample_report_data(month: date, *, seed: int | None = None) -> ReportData:
    """A realistic month for Hai Phong (made up, deterministic for a month): 37 agencies with two
    missing returns and one rejected, five operators of which one below 40 Mbps and one without
    enough data, 15 districts, 12 months of trend, a data quality summary."""
    rng = random.Random(seed if seed is not None else month.year * 100 + month.month)
    method = Method()

    agencies: list[AgencyReturn] = []
    n = 0
    for group, names in _AGENCIES:
        for name in names:
            n += 1
            code = f"AG{n:03d}"
            if name in ("Sở Du lịch", "UBND huyện Bạch Long Vĩ"):
                agencies.append(AgencyReturn(code, name, MISSING, group=group))
                continue
            if name == "Báo Hải Phòng":
                agencies.append(
                    AgencyReturn(
                        code,
                        name,
                        REJECTED,
                        group=group,
                        reason="Số người đã cài đặt (212) lớn hơn tổng số cán bộ (180); đề nghị gửi lại",
                    )
                )
                continue
            staff = rng.randint(35, 160) if group.startswith("Sở") else rng.randint(120, 420)
            installed = int(staff * rng.uniform(0.72, 0.99))
            measured = int(installed * rng.uniform(0.55, 0.9))
            note = None
            if n % 7 == 0:
                note = "Đã tổ chức hướng dẫn cài đặt tại bộ phận một cửa"
            agencies.append(
                AgencyReturn(
                    code,
                    name,
                    SUBMITTED,
                    staff_total=staff,
                    installed=installed,
                    measured=measured,
                    measurements=measured * rng.randint(2, 6),
                    citizens_helped=rng.randint(0, 40) if group.startswith("Sở") else rng.randint(150, 1400),
                    team_members_active=0 if group.startswith("Sở") else rng.randint(20, 160),
                    note=note,
                    group=group,
                )
            )

    investments = []
    for code, name, _level, _tests, _devices in _OPERATORS:
        if code == "GMOBILE":
            investments.append(OperatorInvestment(code, name, MISSING))
            continue
        scale = {"VIETTEL": 1.0, "VINAPHONE": 0.8, "MOBIFONE": 0.65, "VIETNAMOBILE": 0.2}[code]
        investments.append(
            OperatorInvestment(
                code,
                name,
                SUBMITTED,
                sites_in_service_4g=int(1_850 * scale) + rng.randint(0, 30),
                sites_in_service_5g=int(260 * scale) if code != "VIETNAMOBILE" else 0,
                sites_commissioned=int(24 * scale) + rng.randint(0, 4),
                sites_upgraded_4g=int(15 * scale) + rng.randint(0, 5),
                sites_upgraded_5g=int(40 * scale) if code != "VIETNAMOBILE" else 0,
                investment_vnd=int(18_500 * scale + rng.randint(0, 900)) * 1_000_000,
                note="Tối ưu vùng phủ khu công nghiệp DEEP C" if code == "VIETTEL" else None,
            )
        )

    compliance: list[OperatorCompliance] = []
    districts: list[DistrictResult] = []
    for code, name, level, tests, devices in _OPERATORS:
        mean = round(level + rng.uniform(-1.5, 1.5), 2)
        half = round(1.96 * mean * 0.75 / (tests**0.5), 2)
        sufficient = tests >= method.min_tests and devices >= method.min_devices
        verdict = INSUFFICIENT_DATA if not sufficient else (MEETS if mean >= method.threshold_mbps else DOES_NOT_MEET)
        compliance.append(
            OperatorCompliance(
                code,
                name,
                "4G",
                tests,
                devices,
                mean,
                round(mean - half, 2),
                round(mean + half, 2),
                round(mean * 0.86, 2),
                round(mean * 0.97, 2),
                round(min(0.95, max(0.05, 0.5 + (mean - 40) / 45)), 4),
                mean,
                verdict,
                ci_straddles=(mean - half < method.threshold_mbps <= mean + half),
            )
        )
        for acode, aname, share, factor in _DISTRICTS:
            dtests = int(tests * share)
            ddevices = max(1, int(devices * share))
            dmean = round(level * factor + rng.uniform(-3, 3), 2) if dtests else None
            enough = dtests >= method.area_min_tests and ddevices >= method.area_min_devices
            dverdict = INSUFFICIENT_DATA if not enough else (MEETS if dmean >= method.threshold_mbps else DOES_NOT_MEET)
            districts.append(DistrictResult(code, name, acode, aname, dtests, ddevices, dmean, dmean, dverdict))

    other = []
    for code, name, _level, tests, devices in _OPERATORS[:3]:
        t5 = int(tests * 0.18)
        m5 = round(level * 3.1 + rng.uniform(-8, 8), 2)
        other.append(
            OperatorCompliance(
                code,
                name,
                "5G",
                t5,
                int(devices * 0.15),
                m5,
                round(m5 - 4.1, 2),
                round(m5 + 4.1, 2),
                round(m5 * 0.88, 2),
                round(m5 * 0.96, 2),
                0.97,
                m5,
                None,
            )
        )
    for code, name, _level, tests, devices in _OPERATORS[:3]:
        tw = int(tests * 0.3)
        mw = round(62 + rng.uniform(-10, 10), 2)
        other.append(
            OperatorCompliance(
                code,
                name,
                "WIFI",
                tw,
                int(devices * 0.25),
                mw,
                round(mw - 1.2, 2),
                round(mw + 1.2, 2),
                round(mw * 0.9, 2),
                round(mw * 0.98, 2),
                0.8,
                mw,
                None,
            )
        )

    remedies = []
    due = next_month(next_month(next_month(month)))
    for d in districts:
        if d.verdict == DOES_NOT_MEET:
            remedies.append(
                Remedy(
                    d.operator_code,
                    d.operator_name,
                    d.area_code,
                    d.area_name,
                    rng.choice(
                        [
                            "Lắp đặt bổ sung 02 trạm 4G và tối ưu vùng phủ",
                            "Nâng cấp băng thông truyền dẫn cho các trạm khu vực",
                            "Bổ sung sóng mang 4G tần số 1800 MHz",
                            "Tối ưu tham số vô tuyến, xử lý nhiễu",
                        ]
                    ),
                    date(due.year, due.month, 1),
                )
            )

    trend = []
    months = ReportData(month, month).trend_months()
    for code, name, level, tests, _devices in _OPERATORS:
        for i, m in enumerate(months):
            growth = level * (0.82 + 0.18 * i / (len(months) - 1))
            t = int(tests * (0.6 + 0.4 * i / (len(months) - 1)))
            if code == "GMOBILE" and i % 4 == 1:
                continue  # a month without a computed figure: a gap in the line
            trend.append(
                TrendPoint(
                    code, name, m, round(growth + rng.uniform(-1.2, 1.2), 2), t, sufficient_data=t >= method.min_tests
                )
            )
    for i, (code, _n, _level, _t, _d) in enumerate(_OPERATORS):  # the reporting month's point is the compliance figure
        for p in trend:
            if p.operator_code == code and p.month == month:
                p.figure_mbps = compliance[i].figure_mbps

    quarantine = [
        QuarantineCount(
            "measurements",
            "district_known",
            "district is empty or not a district of the province valid on the measurement's date",
            1_204,
        ),
        QuarantineCount(
            "measurements",
            "measured_at_in_month",
            f"measured_at is not in the month being processed ({month_label(month)}, Asia/Ho_Chi_Minh)",
            655,
        ),
        QuarantineCount(
            "measurements", "download_mbps_in_range", "download_mbps must be above 0 and at most 10000", 318
        ),
        QuarantineCount("measurements", "operator_known", "operator is empty or not a known operator", 97),
        QuarantineCount(
            "measurements", "row_well_formed", "the row has the wrong number of fields or is not valid JSON", 12
        ),
    ]
    q = sum(x.rows for x in quarantine)
    dup = 431
    loaded = sum(c.tests for c in compliance) + sum(c.tests for c in other) + 3_518  # + 2G/3G and fixed
    read = loaded + q + dup
    dq = DataQuality(
        datasets=[
            DatasetQuality("measurements", 4, 1, 1, read, loaded, q, dup),
            DatasetQuality("agency_returns", 34, 1, 0, 35, 34, 1, 0),
            DatasetQuality("operator_returns", 4, 0, 0, 4, 4, 0, 0),
        ],
        quarantine=quarantine,
        files_rejected=[
            RejectedFile(
                "measurements",
                f"ispeed_{month_label(month)}_lan3.csv",
                "the file is encoded in UTF-16; save it as UTF-8 (CSV UTF-8) and deliver it again",
            ),
            RejectedFile("agency_returns", "bao-hai-phong.xlsx", "Số người đã cài đặt lớn hơn tổng số cán bộ"),
        ],
    )
    report_date = next_month(month).replace(day=15)
    return ReportData(
        month=month,
        report_date=report_date,
        document_number=None,
        agencies=agencies,
        investments=investments,
        remedies=remedies,
        compliance=compliance,
        other_networks=other,
        districts=districts,
        trend=trend,
        data_quality=dq,
        method=method,
    )
