"""ReportData from the warehouse: the returns (V002), the compliance marts (V003) and the data
quality of the month's loads. Reads only; the numbers are the stored ones, so the report, a
backfill and an audit print the same figures."""

from __future__ import annotations

from datetime import date

from ispeed import paths
from ispeed.compliance import runner as compliance
from ispeed.months import next_month
from ispeed.report.data import (
    AGENCY_GROUPS,
    AgencyReturn,
    DistrictResult,
    Method,
    OperatorCompliance,
    OperatorInvestment,
    Remedy,
    ReportData,
    TrendPoint,
    collect_data_quality,
)


def _rows(conn, name: str, month: date) -> list[dict]:
    with conn.cursor() as cur:
        cur.execute(paths.read_sql(f"report/{name}.sql"), {"month": month})
        columns = [d.name for d in cur.description]
        return [dict(zip(columns, row)) for row in cur.fetchall()]


def _compliance_row(row: dict) -> OperatorCompliance:
    return OperatorCompliance(
        operator_code=row["operator_code"],
        operator_name=row["operator_name"] or row["operator_code"],
        network_type=row["network_type"],
        tests=int(row["tests"]),
        devices=int(row["devices"]),
        mean_mbps=row["mean"],
        ci_low_mbps=row["ci_low"],
        ci_high_mbps=row["ci_high"],
        median_mbps=row["median"],
        device_day_mean_mbps=row["device_day_weighted_mean"],
        share_at_or_above=row["share_at_or_above_threshold"],
        figure_mbps=row["figure"],
        verdict=row["verdict"] if row["in_compliance_scope"] else None,
        ci_straddles=bool(row["ci_straddles_threshold"]),
    )


def report_date(month: date) -> date:
    """The date the report bears: the 15th of the month after the reporting month."""
    return next_month(month).replace(day=15)


def collect_report_data(conn, month: date) -> ReportData:
    """Everything the report prints for ``month``, read from the warehouse."""
    agencies = []
    for row in _rows(conn, "collect_agency_returns", month):
        kind = row.pop("kind")
        agencies.append(AgencyReturn(**row, group=AGENCY_GROUPS.get(kind, AGENCY_GROUPS["other"])))
    investments = [OperatorInvestment(**row) for row in _rows(conn, "collect_operator_investment", month)]
    remedies = [Remedy(**row) for row in _rows(conn, "collect_remedies", month)]
    marts = compliance.read_month(conn, month)
    in_scope = [r for r in marts["operator"] if r["in_compliance_scope"]]
    other = [r for r in marts["operator"] if not r["in_compliance_scope"] and r["tests"]]
    districts = [
        DistrictResult(
            operator_code=r["operator_code"],
            operator_name=r["operator_name"] or r["operator_code"],
            area_code=r["area_code"],
            area_name=r["area_name"] or r["area_code"],
            tests=int(r["tests"]),
            devices=int(r["devices"]),
            mean_mbps=r["mean"],
            figure_mbps=r["figure"],
            verdict=r["verdict"],
        )
        for r in marts["operator_area"]
        if r["in_compliance_scope"]
    ]
    trend = [
        TrendPoint(
            operator_code=r["operator_code"],
            operator_name=r["operator_name"] or r["operator_code"],
            month=r["trend_month"],
            figure_mbps=r["figure"],
            tests=int(r["tests"]),
            sufficient_data=bool(r["sufficient_data"]),
        )
        for r in marts["trend"]
        if r["in_compliance_scope"]
    ]
    cfg = compliance.compliance_config()
    method = Method(
        threshold_mbps=cfg.threshold_mbps,
        network_type=cfg.compliance_label,
        statistic=cfg.statistic,
        confidence=cfg.confidence,
        min_tests=cfg.min_tests,
        min_devices=cfg.min_devices,
        area_min_tests=cfg.area_min_tests,
        area_min_devices=cfg.area_min_devices,
        trend_months=cfg.trend_months,
        method_version=cfg.method_version,
    )
    return ReportData(
        month=month,
        report_date=report_date(month),
        agencies=agencies,
        investments=investments,
        remedies=remedies,
        compliance=[_compliance_row(r) for r in in_scope],
        other_networks=[_compliance_row(r) for r in other],
        districts=districts,
        trend=trend,
        data_quality=collect_data_quality(conn, month),
        method=method,
    )
