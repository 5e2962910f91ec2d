"""ReportData from the warehouse: the one module that reads what the report prints.

    collect_report_data(conn, month)    everything, as one ReportData
    collect_data_quality(conn, month)   section 6 alone

What it reads, and where the SQL is (filed by what it reads):
- the agencies' and operators' returns and the remedies (V002): include/sql/returns/month_*.sql;
- the compliance marts (V003), through ispeed.compliance.marts (include/sql/marts/);
- the history the report's summary and assessment need: how many consecutive months each operator
  has been below the threshold in each unit (include/sql/marts/read_compliance_by_operator_area_
  months_below.sql, across months of mart_compliance_operator_area), and each sender without an
  accepted return (include/sql/returns/read_returns_months_missing.sql); the operators' own months come
  from the trend (mart_compliance_trend's verdicts);
- the data quality of the month's loads, from the load ledger and the quarantine (meta_file,
  meta_load, fact_quarantine): include/sql/ledger/month_*.sql; the ids that collapsed into one
  (fact_measurement_collapsed): include/sql/measurements/month_collapsed_ids.sql;
- the method in force: include/config/compliance.yaml (ispeed.compliance.settings).
Reads only; the numbers are the stored ones, so the report, a backfill and an audit print the same
figures.
"""

from __future__ import annotations

from datetime import date

from ispeed import paths
from ispeed.compliance import marts
from ispeed.compliance.settings import compliance_config
from ispeed.report.data import (
    AGENCY_GROUPS,
    AgencyReturn,
    Collapsed,
    DataQuality,
    DatasetQuality,
    DistrictResult,
    Method,
    OperatorCompliance,
    OperatorInvestment,
    QuarantineCount,
    RejectedFile,
    Remedy,
    ReportData,
    TrendPoint,
)
from ispeed.report.settings import report_date
from ispeed.warehouse import connection as warehouse


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
        **_method_2(row),
        vnnic_verdict_differs=bool(row.get("vnnic_verdict_differs")),
    )


def _method_2(row: dict) -> dict:
    """The figures of method 2.0 (V012); None on rows of method 1.0. device_days are VNNIC's
    representative samples only from 2.0 (before: device-days across units), so they are shown then."""
    v2 = row.get("vnnic_verdict") is not None
    return {
        "effective_devices": row.get("effective_devices"),
        "insufficient_reason": row.get("insufficient_reason"),
        "samples": int(row["device_days"]) if v2 and row.get("device_days") is not None else None,
        "vnnic_median_mbps": row.get("vnnic_median"),
        "vnnic_verdict": row.get("vnnic_verdict"),
    }


def collect_data_quality(conn, month: date) -> DataQuality:
    """Section 6 from the load ledger and the quarantine (ispeed.meta_file, meta_load,
    fact_quarantine), every dataset that registered files for the month, and the measurement ids
    that collapsed into one (fact_measurement_collapsed)."""
    with conn.cursor() as cur:
        cur.execute(paths.read_sql("ledger/month_files_by_dataset.sql"), {"month": month})
        datasets = [DatasetQuality(*row) for row in cur.fetchall()]
        cur.execute(paths.read_sql("ledger/month_quarantine_by_rule.sql"), {"month": month})
        quarantine = [QuarantineCount(*row) for row in cur.fetchall()]
        cur.execute(paths.read_sql("ledger/month_rejected_files.sql"), {"month": month})
        rejected = [RejectedFile(*row) for row in cur.fetchall()]
        cur.execute(paths.read_sql("measurements/month_collapsed_ids.sql"), {"month": month})
        collapsed = Collapsed(*(int(v) for v in cur.fetchone()))
    return DataQuality(datasets=datasets, quarantine=quarantine, files_rejected=rejected, collapsed=collapsed)


def collect_method(rows: list[dict] | None = None) -> Method:
    """Section 7: the compliance settings in force (include/config/compliance.yaml); the method
    version is that of the month's mart rows (``rows``) when they agree, so a month computed under
    method 1.0 is described as such."""
    cfg = compliance_config()
    versions = {r["method_version"] for r in rows or () if r.get("method_version")}
    return Method(
        threshold_mbps=cfg.threshold_mbps,
        network_type=cfg.compliance_label,
        statistic=cfg.statistic,
        confidence=cfg.confidence,
        min_tests=cfg.min_tests,
        min_devices=cfg.min_devices,
        area_min_tests=cfg.area_min_tests,
        area_min_devices=cfg.area_min_devices,
        trend_months=cfg.trend_months,
        min_effective_devices=cfg.min_effective_devices,
        area_min_effective_devices=cfg.area_min_effective_devices,
        vnnic_min_samples=cfg.vnnic_min_samples,
        method_version=versions.pop() if len(versions) == 1 else cfg.method_version,
    )


def collect_report_data(conn, month: date) -> ReportData:
    """Everything the report prints for ``month``, read from the warehouse."""
    missing = {
        (r["sender_kind"], r["sender_code"]): int(r["months_missing"])
        for r in warehouse.month_rows(conn, "returns/read_returns_months_missing.sql", month)
    }
    agencies = []
    for row in warehouse.month_rows(conn, "returns/month_agency_returns.sql", month):
        kind = row.pop("kind")
        agencies.append(
            AgencyReturn(
                **row,
                group=AGENCY_GROUPS.get(kind, AGENCY_GROUPS["other"]),
                months_missing=missing.get(("agency", row["agency_code"])),
            )
        )
    investments = [
        OperatorInvestment(**row, months_missing=missing.get(("operator", row["operator_code"])))
        for row in warehouse.month_rows(conn, "returns/month_operator_investment.sql", month)
    ]
    below = {
        (r["operator_code"], r["area_code"]): int(r["months_below"])
        for r in warehouse.month_rows(conn, "marts/read_compliance_by_operator_area_months_below.sql", month)
    }
    remedies = [Remedy(**row) for row in warehouse.month_rows(conn, "returns/month_operator_remedies.sql", month)]
    operators = marts.read_compliance_by_operator(conn, month)
    in_scope = [r for r in operators if r["in_compliance_scope"]]
    other = [r for r in operators if not r["in_compliance_scope"] and r["tests"]]
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
            **_method_2(r),
            months_below=below.get((r["operator_code"], r["area_code"])),
        )
        for r in marts.read_compliance_by_operator_area(conn, month)
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
            verdict=r.get("verdict"),
        )
        for r in marts.read_compliance_trend_by_operator(conn, month)
        if r["in_compliance_scope"]
    ]
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
        method=collect_method(in_scope),
    )
