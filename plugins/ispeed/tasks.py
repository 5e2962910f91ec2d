"""The functions the monthly DAG's tasks call, one per task. Each takes plain arguments and
returns something small enough for XCom (a dict of counts), so that a test or a shell can call it
without a scheduler."""

from __future__ import annotations

import logging
from datetime import date

from ispeed.config import pipeline_config
from ispeed.measurements import load as measurements
from ispeed.months import month_label
from ispeed.warehouse import connection as warehouse
from ispeed.warehouse import migrations, reference

log = logging.getLogger(__name__)


def prepare_warehouse() -> dict:
    """Apply pending migrations and load the reference data (operators, areas, aliases)."""
    where = warehouse.target()
    log.info("warehouse: %s", where.describe())
    applied = migrations.migrate(where)
    with warehouse.connection(where) as conn:
        counts = reference.sync_reference(conn)
        # Here too, not only in the agencies' load: status and the report need the list.
        from ispeed.returns import sync_agencies

        counts["agencies"] = sync_agencies(conn)
    return {"migrations_applied": applied, "reference": counts}


def load_measurements(month: date, *, run_id: str | None = None, reload: bool = False) -> dict:
    """Load the month's i-Speed exports; fail after committing when a file was rejected (see
    fail_on_rejected_file in include/config/pipeline.yaml)."""
    summary = measurements.load_month(month, run_id=run_id, reload=reload)
    print(summary.report())
    if summary.rejected and pipeline_config().fail_on_rejected_file:
        names = "; ".join(f.error or f.name for f in summary.rejected)
        raise measurements.RejectedFilesError(
            f"{len(summary.rejected)} file(s) of {month_label(month)} rejected (the other files were loaded): {names}. "
            "Rejected files were moved to the rejected/ folder; put a corrected file in the landing folder and re-run."
        )
    return {k: v for k, v in summary.as_dict().items() if k != "files"} | {
        "files": [
            {
                "name": f.name,
                "status": f.status,
                "rows_read": f.rows_read,
                "rows_loaded": f.rows_loaded,
                "rows_quarantined": f.rows_quarantined,
                "rows_duplicate": f.rows_duplicate,
            }
            for f in summary.files
        ]
    }


def compute_compliance(month: date, *, run_id: str | None = None) -> dict:
    """4G compliance per operator and district (include/sql/compliance/), stored in
    ispeed.mart_compliance_*; replaces the month atomically."""
    from ispeed.compliance import runner as compliance

    summary = compliance.compute_month(month, run_id=run_id)
    print(compliance.format_summary(summary))
    return summary


def load_agency_returns(month: date, *, run_id: str | None = None) -> dict:
    """Agencies' monthly i-Speed tallies (landing/agency_returns/YYYY-MM/)."""
    from ispeed import returns

    return returns.load_agency_returns(month, run_id=run_id)


def load_operator_returns(month: date, *, run_id: str | None = None) -> dict:
    """Operators' monthly 4G/5G investment returns (landing/operator_returns/YYYY-MM/)."""
    from ispeed import returns

    return returns.load_operator_returns(month, run_id=run_id)


def render_report(month: date, *, run_id: str | None = None) -> dict:
    """The month's PDF report and its .xlsx/.csv annex, from the stored numbers; recorded in
    ispeed.meta_report. Returns the rendered files (RenderedReport.as_dict) for the delivery."""
    from ispeed import delivery
    from ispeed.report.collect import collect_report_data
    from ispeed.report.render import render_report as render
    from ispeed.report.render import report_folder

    with warehouse.connection() as conn:
        # Two runs of the same month render one after the other (the files have fixed names).
        with conn.cursor() as cur:
            cur.execute("select pg_advisory_xact_lock(hashtext(%s))", (f"ispeed:report_render:{month_label(month)}",))
        data = collect_report_data(conn, month)
        rendered = render(data, report_folder(month))
        delivery.record_report(rendered, run_id=run_id, conn=conn)
    print(f"report for {month_label(month)}: {rendered.pdf_path} ({rendered.pages} pages, {rendered.seconds:.1f} s)")
    return rendered.as_dict()


def deliver_report(
    month: date, rendered: dict, *, run_id: str | None = None, force: bool = False, send: bool = True
) -> dict:
    """Email the rendered report once (see ispeed.delivery): a month already delivered is not sent
    again unless ``force``; ``send=False`` records the report as not sent (backfills)."""
    from ispeed import delivery
    from ispeed.report.render import RenderedReport

    result = delivery.deliver_report(month, RenderedReport.from_dict(rendered), run_id=run_id, force=force, send=send)
    print(
        f"report for {month_label(month)}: {result['status']}"
        + (f", written to {result['outbox_path']}" if result.get("outbox_path") else "")
    )
    return result


def should_send(run_type: str, send_report: str) -> bool:
    """Whether a run emails the report: param send_report 'yes'/'no', or 'auto': every run but a
    backfill (a backfill renders the report and records it as not sent)."""
    if send_report in ("yes", "no"):
        return send_report == "yes"
    return "backfill" not in str(run_type).lower()


def pull_exports(month: date) -> dict:
    """i-Speed exports of the month from the HTTP source into the landing folder (nothing when no
    connection ``ispeed_http_source`` is configured: the landing folder alone is used)."""
    from ispeed.measurements import http_source as http_pull

    return http_pull.pull_month(month)
