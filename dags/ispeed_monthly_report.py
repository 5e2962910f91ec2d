"""
### ispeed_monthly_report

The report the Department owes the Ministry on the 15th of every month. Runs at 07:00
Asia/Ho_Chi_Minh on the 15th and reports the calendar month before.

1. reporting_month, prepare_warehouse
2. month_loads: pull_exports, load_measurements; load_agency_returns; load_operator_returns
3. compute_compliance
4. render_report: the draft (dự thảo), PDF and annex
5. approve_report: waits for an approver's decision (human-in-the-loop, `awaiting_input`)
6. sign_report: the approved PDF signed PAdES (ký số), when a certificate is configured
7. deliver_report: the mail to the Ministry, once per month
8. summarize_run (teardown): after everything, whatever happened

- **month_loads** is the task group the monitoring DAG shares (`ispeed.task_groups`).
- **summarize_run** writes the run's one-screen summary to its log and `ispeed.meta_run_summary`;
  as a teardown it does not make a failed run look successful.
- **approve_report** (docs/approval.md): an approver approves or rejects (with a reason) in
  Browse > Required Actions, through the REST API or `python -m ispeed approve`; a rejection skips
  signing and delivery and tells the data engineers; no decision by the deadline (the 15th, 16:00)
  fails it and alerts them. A backfill, a run that does not mail and `mode: automatic`
  (include/config/approval.yaml) do not wait.
- A task that fails for good mails the data engineers (`ispeed.operations.alerts`, recorded in
  `ispeed.meta_alert`).
- The warehouse tables the tasks write and read are Airflow Assets (`ispeed.assets`).

Params of a manual run: `reporting_month` (YYYY-MM), `reload` (replace the month's measurements
from all their files), `resend_report` (email a delivered report again), `send_report` (auto:
every run but a backfill). docs/operations.md: alerts, backfills, re-runs.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import CronTriggerTimetable, Param, dag, task

from ispeed import assets
from ispeed.operations.alerts import on_task_failure
from ispeed.operators.report_approval import ReportApprovalOperator
from ispeed.task_groups import month_loads

LOCAL_TZ = "Asia/Ho_Chi_Minh"

default_args = {
    "owner": "data-engineering",
    "retries": 3,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
    # after the last retry: mail the data engineers (never raises; see ispeed.operations.alerts)
    "on_failure_callback": on_task_failure,
}


@dag(
    dag_id="ispeed_monthly_report",
    description="i-Speed measurements and monthly returns -> 4G compliance -> report to the Ministry on the 15th",
    schedule=CronTriggerTimetable("0 7 15 * *", timezone=LOCAL_TZ),
    start_date=pendulum.datetime(2024, 7, 1, tz=LOCAL_TZ),
    catchup=False,
    max_active_runs=4,
    default_args=default_args,
    tags=["ispeed", "monthly", "report"],
    params={
        "reporting_month": Param(
            None,
            type=["null", "string"],
            pattern=r"^\d{4}-\d{2}$",
            description="Month to report, YYYY-MM. Empty: the month before the run's date.",
        ),
        "reload": Param(
            False, type="boolean", description="Replace the month's measurements from all its files (archived and new)."
        ),
        "resend_report": Param(
            False, type="boolean", description="Email the report again even if this month's was already delivered."
        ),
        "send_report": Param(
            "auto",
            type="string",
            enum=["auto", "yes", "no"],
            description="auto: email the report on every run but a backfill; yes: always; no: never.",
        ),
    },
    doc_md=__doc__,
)
def ispeed_monthly_report():
    @task
    def reporting_month() -> str:
        """The month this run reports, as YYYY-MM."""
        from ispeed import tasks
        from ispeed.months import month_label

        return month_label(tasks.RunContext.current().month)

    @task
    def prepare_warehouse() -> dict:
        """Apply migrations and load the reference data."""
        from ispeed import tasks

        return tasks.prepare_warehouse()

    @task(inlets=[assets.FACT_MEASUREMENT], outlets=assets.COMPLIANCE)
    def compute_compliance(month: str) -> dict:
        """Each operator's 4G download against the threshold, by operator and by district."""
        from ispeed import tasks

        run = tasks.RunContext.current(month)
        return tasks.compute_compliance(run.month, run_id=run.run_id)

    @task(inlets=[*assets.COMPLIANCE, assets.FACT_AGENCY_RETURN, assets.FACT_OPERATOR_RETURN], outlets=[assets.REPORT])
    def render_report(month: str) -> dict:
        """The PDF in Vietnamese and its annex, from the stored numbers."""
        from ispeed import tasks

        run = tasks.RunContext.current(month)
        return tasks.render_report(run.month, run_id=run.run_id)

    @task(inlets=[assets.REPORT], outlets=[assets.REPORT])
    def sign_report(month: str, rendered: dict, decision: dict) -> dict:
        """Sign the approved PDF (PAdES) when a signing certificate is configured."""
        from ispeed import tasks

        run = tasks.RunContext.current(month)
        return tasks.sign_report(run.month, rendered, decision, run_id=run.run_id)

    @task(retries=5, retry_delay=timedelta(minutes=5), inlets=[assets.REPORT], outlets=[assets.REPORT_DELIVERY])
    def deliver_report(month: str, rendered: dict) -> dict:
        """Email the report to the Ministry, once per month (or to the outbox without SMTP). A PDF
        nobody approved fails at once: a retry cannot approve it."""
        from airflow.sdk.exceptions import AirflowFailException

        from ispeed import tasks
        from ispeed.approval import ApprovalError

        run = tasks.RunContext.current(month)
        try:
            return tasks.deliver_report(
                run.month, rendered, run_id=run.run_id, force=run.resend_report, send=run.send_report
            )
        except ApprovalError as exc:
            raise AirflowFailException(str(exc)) from exc

    @task(
        inlets=[*assets.LOADED, assets.MART_COMPLIANCE_OPERATOR, assets.REPORT, assets.REPORT_DELIVERY],
        outlets=[assets.RUN_SUMMARY],
    )
    def summarize_run() -> dict:
        """The run's one-screen summary (files, rows, quarantines, returns, verdicts, delivery), from
        the warehouse, in this log and in ispeed.meta_run_summary. Runs whatever the other tasks did."""
        from ispeed import tasks

        return tasks.summarize_current_run()

    month = reporting_month()
    ready = prepare_warehouse()
    loads = month_loads(month)
    compliance = compute_compliance(month)
    rendered = render_report(month)
    # No retries: a retry would ask again; its deadline passing is an answer (alerted), not a fault.
    decision = ReportApprovalOperator(task_id="approve_report", retries=0)
    signed = sign_report(month, rendered, decision.output)
    delivered = deliver_report(month, signed)
    ready >> loads >> compliance >> rendered >> decision
    # A teardown without a setup: it runs after everything, whatever failed (even prepare_warehouse:
    # the summary says what it can), and the run's state is that of the other tasks.
    [month, ready, loads, compliance, rendered, decision, signed, delivered] >> summarize_run().as_teardown()


ispeed_monthly_report()
