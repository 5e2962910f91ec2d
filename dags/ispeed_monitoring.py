"""ispeed_monitoring: reminders while the previous month's data is late, and an alert when its report
misses the deadline (docs/operations.md).

Runs at 08:00 and 17:00 Asia/Ho_Chi_Minh every day (``monitoring.schedule`` of
include/config/operations.yaml), with the run's logical date as "now":

    prepare_warehouse -> load_before_check -> check_freshness
                      -> check_report_deadline

- from the reminder day (the 10th) until the previous month's report is delivered:
  load_before_check loads what has arrived for the month (the monthly DAG's own idempotent loads),
  then check_freshness reminds each agency and operator whose return is missing or rejected, in
  Vietnamese, at its contact, and sends the data engineers a digest when the month has too few
  i-Speed measurements or returns are outstanding: at most one mail per recipient per day, every
  one recorded in ispeed.meta_reminder;
- from the 15th at 17:00, while the previous month's report is not delivered, check_report_deadline
  alerts the data engineers once a day (ispeed.meta_alert).

Outside those windows the tasks return at once. Each task is one call into ispeed.operations.monitoring.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import CronTriggerTimetable, TriggerRule, dag, get_current_context, task

from ispeed import assets
from ispeed.operations.alerts import on_task_failure

LOCAL_TZ = "Asia/Ho_Chi_Minh"


def _schedule() -> str:
    """monitoring.schedule of include/config/operations.yaml (read at parse time: a small YAML file)."""
    try:
        from ispeed.config import load_yaml

        return str((load_yaml("operations").get("monitoring") or {}).get("schedule") or "0 8,17 * * *")
    except Exception:  # a broken file must not hide the DAG; the tasks report the error when they read it
        return "0 8,17 * * *"


default_args = {
    "owner": "data-engineering",
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
    "on_failure_callback": on_task_failure,
}


def _now():
    """The run's "now": its logical date (the trigger time of a CronTriggerTimetable), or run_after
    for a manual run without one."""
    run = get_current_context()["dag_run"]
    return run.logical_date or run.run_after


@dag(
    dag_id="ispeed_monitoring",
    description="Reminders while last month's data is late (đôn đốc), and an alert when its report misses the deadline",
    schedule=CronTriggerTimetable(_schedule(), timezone=LOCAL_TZ),
    start_date=pendulum.datetime(2024, 7, 1, tz=LOCAL_TZ),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["ispeed", "monitoring", "alerts"],
    doc_md=__doc__,
)
def ispeed_monitoring():
    @task
    def prepare_warehouse() -> dict:
        """Apply migrations and load the reference data (the checks need ispeed.meta_reminder)."""
        from ispeed import tasks

        return tasks.prepare_warehouse()

    @task(outlets=assets.LOADED)
    def load_before_check() -> dict:
        """From the reminder day until the report is delivered: load what has arrived for last month."""
        from ispeed.months import LOCAL_TZ as TZ
        from ispeed.operations import monitoring

        return monitoring.load_before_check(_now().astimezone(TZ).date(), run_id=get_current_context()["run_id"])

    @task(trigger_rule=TriggerRule.ALL_DONE, inlets=[*assets.LOADED, assets.REPORT_DELIVERY])
    def check_freshness() -> dict:
        """Reminders (at most one per recipient per day) for last month's missing data."""
        from ispeed.months import LOCAL_TZ as TZ
        from ispeed.operations import monitoring

        return monitoring.check_freshness(_now().astimezone(TZ).date(), run_id=get_current_context()["run_id"])

    @task(inlets=[assets.REPORT, assets.REPORT_DELIVERY, assets.RUN_SUMMARY])
    def check_report_deadline() -> dict:
        """Alert (once a day) when last month's report is past its deadline and not delivered."""
        from ispeed.operations import monitoring

        return monitoring.check_report_deadline(_now(), run_id=get_current_context()["run_id"])

    ready = prepare_warehouse()
    loaded = load_before_check()
    ready >> loaded >> check_freshness()
    ready >> check_report_deadline()


ispeed_monitoring()
