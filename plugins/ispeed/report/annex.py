"""The machine-readable annex: the report's tables, for the Ministry to merge with other provinces'
figures. annex_tables(data) gives them; annex_files.py writes them as one .xlsx (a sheet per table)
and one CSV per table. Every row of the month, whatever the PDF's body shows; ``months_below``
(4_districts) and ``months_missing`` (1_agencies, 2a_operator_investment) carry the history the
summary and the assessment count (consecutive months below the threshold, without an accepted
return).

Columns have machine-friendly names (snake_case, units in the name), values are raw (speeds in
Mbps with a decimal point, as stored: 4 decimals, so never rounded across the threshold; shares as fractions, money in đồng, dates ISO 8601), every row carries
its ``month`` so that months can be stacked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ispeed.report.data import AGENCY_COUNTS, ReportData
from ispeed.report.units import unit_name, unit_words


@dataclass(frozen=True)
class AnnexTable:
    name: str  # sheet name and CSV suffix, e.g. "3_compliance"
    title: str  # Vietnamese title (the first sheet lists them)
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def annex_tables(data: ReportData) -> list[AnnexTable]:
    m = data.month_label
    meth = data.method
    w = unit_words(data.month)
    tables = [
        AnnexTable(
            "1_agencies",
            "Kết quả cài đặt, sử dụng i-Speed theo cơ quan, đơn vị",
            (
                "month",
                "agency_code",
                "agency_name",
                "agency_group",
                "state",
                *AGENCY_COUNTS,
                "note",
                "reason",
                "months_missing",
            ),
            [
                (
                    m,
                    a.agency_code,
                    a.agency_name,
                    a.group,
                    a.state,
                    *(getattr(a, k) for k in AGENCY_COUNTS),
                    a.note,
                    a.reason,
                    a.months_missing,
                )
                for a in data.agencies
            ],
        ),
        AnnexTable(
            "2a_operator_investment",
            "Đầu tư của doanh nghiệp viễn thông",
            (
                "month",
                "operator_code",
                "operator_name",
                "state",
                "sites_in_service_4g",
                "sites_in_service_5g",
                "sites_commissioned",
                "sites_upgraded_4g",
                "sites_upgraded_5g",
                "investment_vnd",
                "note",
                "reason",
                "months_missing",
            ),
            [
                (
                    m,
                    o.operator_code,
                    o.operator_name,
                    o.state,
                    o.sites_in_service_4g,
                    o.sites_in_service_5g,
                    o.sites_commissioned,
                    o.sites_upgraded_4g,
                    o.sites_upgraded_5g,
                    o.investment_vnd,
                    o.note,
                    o.reason,
                    o.months_missing,
                )
                for o in data.investments
            ],
        ),
        AnnexTable(
            "2b_remedies",
            f"Giải pháp khắc phục tại {w['units']} dưới ngưỡng",
            ("month", "operator_code", "operator_name", "area_code", "area_name", "remedy", "due_date"),
            [
                (m, r.operator_code, r.operator_name, r.area_code, r.area_name, r.remedy, r.due_date)
                for r in data.remedies
            ],
        ),
        AnnexTable(
            "3_compliance",
            "Kết quả đo theo doanh nghiệp",
            (
                "month",
                "operator_code",
                "operator_name",
                "network_type",
                "in_compliance_scope",
                "tests",
                "devices",
                "mean_mbps",
                "ci_low_mbps",
                "ci_high_mbps",
                "median_mbps",
                "device_day_mean_mbps",
                "share_at_or_above_threshold",
                "statistic",
                "figure_mbps",
                "threshold_mbps",
                "verdict",
                "ci_straddles_threshold",
                "effective_devices",
                "insufficient_reason",
                "vnnic_samples",
                "vnnic_median_mbps",
                "vnnic_verdict",
                "vnnic_verdict_differs",
            ),
            [
                (
                    m,
                    c.operator_code,
                    c.operator_name,
                    c.network_type,
                    scope,
                    c.tests,
                    c.devices,
                    c.mean_mbps,
                    c.ci_low_mbps,
                    c.ci_high_mbps,
                    c.median_mbps,
                    c.device_day_mean_mbps,
                    c.share_at_or_above,
                    meth.statistic,
                    c.figure_mbps,
                    meth.threshold_mbps,
                    c.verdict,
                    c.ci_straddles if scope else None,
                    c.effective_devices,
                    c.insufficient_reason,
                    c.samples,
                    c.vnnic_median_mbps,
                    c.vnnic_verdict,
                    c.vnnic_verdict_differs if c.vnnic_verdict is not None else None,
                )
                for scope, rows in ((True, data.compliance), (False, data.other_networks))
                for c in rows
            ],
        ),
        AnnexTable(
            "4_districts",
            f"Kết quả đo theo doanh nghiệp và {w['units']}",
            (
                "month",
                "operator_code",
                "operator_name",
                "area_code",
                "area_name",
                "network_type",
                "tests",
                "devices",
                "mean_mbps",
                "figure_mbps",
                "verdict",
                "effective_devices",
                "insufficient_reason",
                "vnnic_samples",
                "vnnic_median_mbps",
                "vnnic_verdict",
                "months_below",
            ),
            [
                (
                    m,
                    d.operator_code,
                    d.operator_name,
                    d.area_code,
                    unit_name(data.month, d.area_code, d.area_name) if d.unassigned else d.area_name,
                    meth.network_type,
                    d.tests,
                    d.devices,
                    d.mean_mbps,
                    d.figure_mbps,
                    d.verdict,
                    d.effective_devices,
                    d.insufficient_reason,
                    d.samples,
                    d.vnnic_median_mbps,
                    d.vnnic_verdict,
                    d.months_below,
                )
                for d in data.districts
            ],
        ),
        AnnexTable(
            "5_trend",
            "Diễn biến 12 tháng",
            (
                "month",
                "operator_code",
                "operator_name",
                "network_type",
                "trend_month",
                "statistic",
                "figure_mbps",
                "tests",
                "sufficient_data",
            ),
            [
                (
                    m,
                    p.operator_code,
                    p.operator_name,
                    meth.network_type,
                    p.month,
                    meth.statistic,
                    p.figure_mbps,
                    p.tests,
                    p.sufficient_data,
                )
                for p in data.trend
            ],
        ),
        AnnexTable(
            "6a_data_quality",
            "Chất lượng dữ liệu theo nguồn",
            (
                "month",
                "dataset",
                "files_loaded",
                "files_rejected",
                "files_duplicate",
                "rows_read",
                "rows_loaded",
                "rows_quarantined",
                "rows_duplicate",
                "loads_failed",
            ),
            [
                (
                    m,
                    q.dataset,
                    q.files_loaded,
                    q.files_rejected,
                    q.files_duplicate,
                    q.rows_read,
                    q.rows_loaded,
                    q.rows_quarantined,
                    q.rows_duplicate,
                    q.loads_failed,
                )
                for q in data.data_quality.datasets
            ],
        ),
        AnnexTable(
            "6b_quarantine",
            "Dòng dữ liệu bị loại theo lý do",
            ("month", "dataset", "rule", "message", "rows"),
            [(m, q.dataset, q.rule, q.message, q.rows) for q in data.data_quality.quarantine],
        ),
        AnnexTable(
            "6c_files_rejected",
            "Tệp bị từ chối",
            ("month", "dataset", "file_name", "reason"),
            [(m, f.dataset, f.file_name, f.reason) for f in data.data_quality.files_rejected],
        ),
        AnnexTable(
            "6d_returns_rejected",
            "Báo cáo bị trả lại",
            ("month", "kind", "submitter", "reason"),
            [(m, kind, who, reason) for kind, who, reason in data.returns_rejected],
        ),
        AnnexTable(
            "7_method",
            "Phương pháp",
            ("month", "setting", "value"),
            [
                (m, "threshold_mbps", meth.threshold_mbps),
                (m, "network_type", meth.network_type),
                (m, "statistic", meth.statistic),
                (m, "confidence", meth.confidence),
                (m, "min_tests", meth.min_tests),
                (m, "min_devices", meth.min_devices),
                (m, "area_min_tests", meth.area_min_tests),
                (m, "area_min_devices", meth.area_min_devices),
                (m, "trend_months", meth.trend_months),
                (m, "min_effective_devices", meth.min_effective_devices),
                (m, "area_min_effective_devices", meth.area_min_effective_devices),
                (m, "vnnic_min_samples", meth.vnnic_min_samples),
                (m, "method_version", meth.method_version),
            ],
        ),
    ]
    return tables
