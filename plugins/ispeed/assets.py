"""The warehouse tables the DAGs produce and consume, as Airflow Assets (lineage in the UI).

One place for their names: the DAG files import this module at parse time, so it imports nothing
but airflow.sdk. A task lists the tables it writes as ``outlets`` (Airflow records an asset event
when it succeeds) and the tables it reads as ``inlets``.

The assets are named after the table (``ispeed.fact_measurement``) and have no URI of their own.
A ``postgres://host:port/database/schema/table`` URI (which Airflow's postgres provider
normalises) would have to name the warehouse's host, which comes from the Airflow connection
``ispeed_warehouse`` at run time and differs between the demo, the tests and production: a URI
fixed at parse time would be wrong somewhere, and OpenLineage would then point at the wrong server.
"""

from __future__ import annotations

from airflow.sdk import Asset

GROUP = "ispeed_warehouse"


def _table(name: str, what: str) -> Asset:
    return Asset(
        name=f"ispeed.{name}",
        group=GROUP,
        extra={"table": f"ispeed.{name}", "warehouse_conn_id": "ispeed_warehouse", "what": what},
    )


FACT_MEASUREMENT = _table("fact_measurement", "i-Speed measurements that passed validation, by month")
FACT_AGENCY_RETURN = _table("fact_agency_return", "agencies' monthly i-Speed tallies")
FACT_OPERATOR_RETURN = _table("fact_operator_return", "operators' monthly 4G/5G sites and investment")
MART_COMPLIANCE_OPERATOR = _table("mart_compliance_operator", "4G compliance per operator and month, with the verdict")
MART_COMPLIANCE_OPERATOR_AREA = _table(
    "mart_compliance_operator_area", "4G compliance per operator, district and month"
)
MART_COMPLIANCE_TREND = _table("mart_compliance_trend", "12-month compliance trend per operator")
REPORT = _table("meta_report", "the monthly PDF report and its annex (files under <data>/reports/)")
REPORT_DELIVERY = _table("meta_delivery", "every attempt to email a month's report to the Ministry")
RUN_SUMMARY = _table("meta_run_summary", "the one-screen summary of every run of the monthly DAG")

LOADED = [FACT_MEASUREMENT, FACT_AGENCY_RETURN, FACT_OPERATOR_RETURN]
COMPLIANCE = [MART_COMPLIANCE_OPERATOR, MART_COMPLIANCE_OPERATOR_AREA, MART_COMPLIANCE_TREND]

__all__ = [
    "COMPLIANCE",
    "FACT_AGENCY_RETURN",
    "FACT_MEASUREMENT",
    "FACT_OPERATOR_RETURN",
    "GROUP",
    "LOADED",
    "MART_COMPLIANCE_OPERATOR",
    "MART_COMPLIANCE_OPERATOR_AREA",
    "MART_COMPLIANCE_TREND",
    "REPORT",
    "REPORT_DELIVERY",
    "RUN_SUMMARY",
]
