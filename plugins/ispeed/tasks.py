"""The one adapter between Airflow and the package: the functions the DAGs' tasks call, one per
task, and ``RunContext``, what a task needs to know of its run.

Each function takes plain arguments (a month, a run id) and returns something small enough for
XCom (a dict of counts), so that a test, the command line or a shell can call it without a
scheduler. Only ``RunContext.current``, ``run_time``, ``run_id`` and ``summarize_current_run`` read
Airflow's context (inside a task); a task body is

    run = tasks.RunContext.current(month)
    return tasks.load_agency_returns(run.month, run_id=run.run_id)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ispeed.config import pipeline_config
from ispeed.measurements import load as measurements
from ispeed.months import month_label, parse_month, reporting_month
from ispeed.warehouse import connection as warehouse
from ispeed.warehouse import locks, migrations, reference

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunContext:
    """What a task knows of its DAG run: the month it works on, the run's id, its params and type."""

    month: date
    run_id: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    run_type: str = "manual"

    @classmethod
    def current(cls, month: str | None = None) -> RunContext:
        """The running task's context (inside a task only). ``month``: the XCom of the task that
        decided the month (YYYY-MM); without it, the month the run reports."""
        from airflow.sdk import get_current_context

        ctx = get_current_context()
        params = dict(ctx.get("params") or {})
        if month is None:
            month = month_label(reporting_month(run_time(), params.get("reporting_month")))
        run_type = ctx["dag_run"].run_type
        return cls(parse_month(month), ctx["run_id"], params, str(getattr(run_type, "value", run_type)))

    @property
    def reload(self) -> bool:
        """Param ``reload``: replace the month's measurements from all their files."""
        return bool(self.params.get("reload"))

    @property
    def resend_report(self) -> bool:
        """Param ``resend_report``: email the report again even if it was delivered."""
        return bool(self.params.get("resend_report"))

    @property
    def send_report(self) -> bool:
        """Whether this run emails the report (param ``send_report``; see ``should_send``)."""
        return should_send(self.run_type, self.params.get("send_report") or "auto")

    @property
    def backfill(self) -> bool:
        return "backfill" in self.run_type.lower()


def run_time() -> datetime:
    """The running DAG run's "now" (inside a task only): its logical date, the trigger time of a
    CronTriggerTimetable, or run_after for a manual run without one. Nothing here calls now()."""
    from airflow.sdk import get_current_context

    run = get_current_context()["dag_run"]
    return run.logical_date or run.run_after


def run_id() -> str:
    """The running DAG run's id (inside a task only)."""
    from airflow.sdk import get_current_context

    return get_current_context()["run_id"]


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
                "rows_conflicting": f.rows_conflicting,
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
            locks.for_transaction(cur, locks.month_key("report_render", month))
        data = collect_report_data(conn, month)
        rendered = render(data, report_folder(month))
        delivery.record_report(rendered, run_id=run_id, conn=conn)
    print(f"report for {month_label(month)}: {rendered.pdf_path} ({rendered.pages} pages, {rendered.seconds:.1f} s)")
    return rendered.as_dict()


def why_not_ask_approval(run: RunContext) -> str | None:
    """Why this run's report needs no approver's decision (a backfill, a run that does not mail, a
    month already delivered, mode 'automatic'), or None when approve_report must ask."""
    from ispeed import approval, delivery

    with warehouse.connection() as conn, conn.cursor() as cur:
        delivered = delivery.month_delivered(cur, run.month) is not None
    return approval.why_not_ask(
        approval.approval_config(),
        backfill=run.backfill,
        sends=run.send_report,
        delivered=delivered,
        forced=run.resend_report,
    )


def sign_report(month: date, rendered: dict, decision: dict, *, run_id: str | None = None) -> dict:
    """The approved report signed PAdES (ispeed.signing) when a certificate is configured, recorded
    in ispeed.meta_report; returns what deliver_report sends. A report nobody approved for sending
    (a backfill, a run that does not mail) and an installation without a certificate pass the
    draft through unsigned."""
    from dataclasses import replace

    from ispeed import delivery, signing
    from ispeed.report.render import RenderedReport
    from ispeed.report.settings import report_config

    draft = RenderedReport.from_dict(rendered)
    if decision.get("approved") is not True:
        print(f"report for {month_label(month)}: not signed ({decision.get('why_not_asked') or 'not approved'})")
        return rendered
    identity = signing.signing_identity()
    if identity is None:
        print(f"report for {month_label(month)}: no signing certificate configured, it leaves unsigned")
        return rendered
    # The approver saw this draft: another run of the month may have rendered over it since.
    try:
        delivery.report_files(draft)
    except delivery.DeliveryError as exc:
        raise delivery.DeliveryError(
            f"the draft of {month_label(month)} changed after it was submitted for approval ({exc}): "
            "it is not signed. Re-run the month: the new draft is submitted again"
        ) from exc
    cfg = report_config(month)
    sig = cfg.signatory
    partial = draft.pdf_path.with_name(draft.pdf_path.stem + "-ky-so.partial.pdf")
    signed = signing.sign_pdf(
        draft.pdf_path,
        partial,
        box=draft.signature_box,
        signer_name=sig.name,
        position="\n".join(p for p in (sig.authority, sig.title) if p),
        signed_mark=sig.signed_mark or "(Đã ký)",
        identity=identity,
        location=cfg.document.place,
    )
    # Each signed PDF keeps a name of its own (its sha256's first digits): one that was delivered is
    # never overwritten by a later signature of the same draft (a re-send, a cleared task).
    final = draft.pdf_path.with_name(f"{draft.pdf_path.stem}-ky-so-{signed.sha256[:8]}.pdf")
    partial.replace(final)
    signed = replace(signed, path=final)
    result = delivery.record_signed_report(draft, signed, run_id=run_id)
    print(f"report for {month_label(month)}: signed by {signed.signer} -> {signed.path}")
    return result.as_dict()


def deliver_report(
    month: date, rendered: dict, *, run_id: str | None = None, force: bool = False, send: bool = True
) -> dict:
    """Email the rendered report once (see ispeed.delivery): a month already delivered is not sent
    again unless ``force``; ``send=False`` records the report as not sent (backfills). With
    approval required (include/config/approval.yaml), only an approved PDF leaves: anything else
    raises ApprovalError before a mail is built."""
    from ispeed import approval, delivery
    from ispeed.report.render import RenderedReport

    report = RenderedReport.from_dict(rendered)
    if send:
        approval.check_may_send(month, report.pdf_sha256, force=force)
    result = delivery.deliver_report(month, report, run_id=run_id, force=force, send=send)
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
    from ispeed.measurements import http_source

    return http_source.pull_month(month)


def summarize_current_run() -> dict:
    """The running DAG run's one-screen summary (ispeed.operations.summary), from Airflow's context:
    its month even when the task ``reporting_month`` failed (param, XCom or logical date), and the
    state of every task so far."""
    from airflow.sdk import get_current_context

    from ispeed.operations import summary
    from ispeed.operations.alerts import run_month

    ctx = get_current_context()
    month = run_month(ctx)
    if month is None:
        raise ValueError("the run's reporting month cannot be found (param, XCom or logical date)")
    return summary.summarize_run(
        month, ctx["run_id"], task_states=summary.task_states_of_run(ctx), dag_id=ctx["dag"].dag_id
    )


def pull_returns(*, release: str | None = None) -> dict:
    """The returns mailbox, once (DAG ispeed_returns_mailbox, ``python -m ispeed pull-returns``):
    every new message's returns filed by content, the months touched loaded, every sender answered
    (ispeed.mailbox). ``{"skipped": ...}`` when Airflow has no connection ``ispeed_returns_mailbox``.
    The warehouse is prepared first (migrations, reference data: the registered addresses)."""
    from ispeed import mailbox

    prepare_warehouse()
    return mailbox.pull_returns(release=release)
