"""ispeed_monthly_report: the report the Department owes the Ministry on the 15th of every month.

Runs at 07:00 Asia/Ho_Chi_Minh on the 15th and reports the calendar month before:

    pull_exports (HTTP source, when configured) -> load_measurements,
    prepare_warehouse -> load_measurements, load_agency_returns, load_operator_returns
      -> compute_compliance -> render_report -> deliver_report
    every task -> summarize_run (whatever happened: the run's one-screen summary, in the log and
                  in ispeed.meta_run_summary)

A manual run may name the month (param ``reporting_month``, YYYY-MM), reload the month's
measurements from all their files (``reload``), send a report that was already delivered again
(``resend_report``), or decide whether the report is emailed at all (``send_report``: auto sends
on every run but a backfill).

A task that fails for good mails the data engineers (``on_failure_callback``: ispeed.operations.alerts,
recorded in ispeed.meta_alert). The warehouse tables the tasks write and read are Airflow Assets
(ispeed.assets), so lineage shows in the UI. docs/operations.md: alerts, backfills, re-runs.

Each task is one call into the ``ispeed`` package (plugins/ispeed); the package's functions can be
called from a test or a shell without a scheduler. Heavy imports happen inside the tasks.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import CronTriggerTimetable, Param, TriggerRule, dag, get_current_context, task

from ispeed import assets
from ispeed.operations.alerts import on_task_failure

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
        from ispeed.months import month_label, reporting_month

        ctx = get_current_context()
        run = ctx["dag_run"]
        trigger_time = run.logical_date or run.run_after
        return month_label(reporting_month(trigger_time, ctx["params"].get("reporting_month")))

    @task
    def prepare_warehouse() -> dict:
        """Apply migrations and load the reference data."""
        from ispeed import tasks

        return tasks.prepare_warehouse()

    @task(retries=5, retry_delay=timedelta(minutes=1))
    def pull_exports(month: str) -> dict:
        """i-Speed exports from the HTTP source, page by page, resuming where a failed try stopped.
        A refusal (wrong token or URL) fails at once: a retry cannot fix it."""
        from airflow.sdk.exceptions import AirflowFailException

        from ispeed import tasks
        from ispeed.measurements import http_source as http_pull
        from ispeed.months import parse_month

        try:
            return tasks.pull_exports(parse_month(month))
        except http_pull.HttpSourceRefused as exc:
            raise AirflowFailException(str(exc)) from exc

    @task(retries=2, outlets=[assets.FACT_MEASUREMENT])
    def load_measurements(month: str) -> dict:
        """i-Speed exports of the month: validate, quarantine, load. A rejected file fails the
        task without retries (the good files are committed; a retry cannot fix a file)."""
        from airflow.sdk.exceptions import AirflowFailException

        from ispeed import tasks
        from ispeed.measurements.load import RejectedFilesError
        from ispeed.months import parse_month

        ctx = get_current_context()
        try:
            return tasks.load_measurements(
                parse_month(month), run_id=ctx["run_id"], reload=bool(ctx["params"].get("reload"))
            )
        except RejectedFilesError as exc:
            raise AirflowFailException(str(exc)) from exc

    @task(outlets=[assets.FACT_AGENCY_RETURN])
    def load_agency_returns(month: str) -> dict:
        """Agencies' monthly tallies: validate, load, state per agency."""
        from ispeed import tasks
        from ispeed.months import parse_month

        return tasks.load_agency_returns(parse_month(month), run_id=get_current_context()["run_id"])

    @task(outlets=[assets.FACT_OPERATOR_RETURN])
    def load_operator_returns(month: str) -> dict:
        """Operators' monthly investment returns: validate, load, state per operator."""
        from ispeed import tasks
        from ispeed.months import parse_month

        return tasks.load_operator_returns(parse_month(month), run_id=get_current_context()["run_id"])

    @task(inlets=[assets.FACT_MEASUREMENT], outlets=assets.COMPLIANCE)
    def compute_compliance(month: str) -> dict:
        """Each operator's 4G download against the threshold, by operator and by district."""
        from ispeed import tasks
        from ispeed.months import parse_month

        return tasks.compute_compliance(parse_month(month), run_id=get_current_context()["run_id"])

    @task(inlets=[*assets.COMPLIANCE, assets.FACT_AGENCY_RETURN, assets.FACT_OPERATOR_RETURN], outlets=[assets.REPORT])
    def render_report(month: str) -> dict:
        """The PDF in Vietnamese and its annex, from the stored numbers."""
        from ispeed import tasks
        from ispeed.months import parse_month

        return tasks.render_report(parse_month(month), run_id=get_current_context()["run_id"])

    @task(retries=5, retry_delay=timedelta(minutes=5), inlets=[assets.REPORT], outlets=[assets.REPORT_DELIVERY])
    def deliver_report(month: str, rendered: dict) -> dict:
        """Email the report to the Ministry, once per month (or to the outbox without SMTP)."""
        from ispeed import tasks
        from ispeed.months import parse_month

        ctx = get_current_context()
        params = ctx["params"]
        return tasks.deliver_report(
            parse_month(month),
            rendered,
            run_id=ctx["run_id"],
            force=bool(params.get("resend_report")),
            send=tasks.should_send(ctx["dag_run"].run_type, params.get("send_report") or "auto"),
        )

    @task(
        trigger_rule=TriggerRule.ALL_DONE,
        inlets=[*assets.LOADED, assets.MART_COMPLIANCE_OPERATOR, assets.REPORT, assets.REPORT_DELIVERY],
        outlets=[assets.RUN_SUMMARY],
    )
    def summarize_run() -> dict:
        """The run's one-screen summary (files, rows, quarantines, returns, verdicts, delivery), from
        the warehouse, in this log and in ispeed.meta_run_summary. Runs whatever the other tasks did."""
        from ispeed.operations import summary
        from ispeed.operations.alerts import run_month

        ctx = get_current_context()
        month = run_month(ctx)
        if month is None:
            raise ValueError("the run's reporting month cannot be found (param, XCom or logical date)")
        return summary.summarize_run(
            month, ctx["run_id"], task_states=summary.task_states_of_run(ctx), dag_id=ctx["dag"].dag_id
        )

    month = reporting_month()
    ready = prepare_warehouse()
    measurements = load_measurements(month)
    pulled = pull_exports(month)
    pulled >> measurements
    loads = [measurements, load_agency_returns(month), load_operator_returns(month)]
    ready >> loads
    compliance = compute_compliance(month)
    loads >> compliance
    rendered = render_report(month)
    compliance >> rendered
    delivered = deliver_report(month, rendered)
    summarized = summarize_run()
    [month, ready, pulled, *loads, compliance, rendered, delivered] >> summarized
    # A teardown in Airflow's sense: it runs after everything, and its success does not make a
    # failed run look successful (the run's state is that of deliver_report and the other leaves).
    summarized.operator.is_teardown = True


ispeed_monthly_report()
