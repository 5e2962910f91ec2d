"""
### ispeed_monitoring

Reminders while last month's data is late (đôn đốc), and an alert when its report misses the
deadline (docs/operations.md). Runs at 08:00 and 17:00 Asia/Ho_Chi_Minh every day
(`monitoring.schedule` of include/config/operations.yaml), with the run's logical date as "now".

1. prepare_warehouse
2. loads_due, then the month_loads: pull_exports, load_measurements; load_agency_returns;
   load_operator_returns
3. check_freshness (whatever the loads did)
4. check_report_deadline (beside them, after prepare_warehouse)

- **loads_due**: from the reminder day (the 10th) until last month's report is delivered, the
  month's loads run, as the monthly DAG's own idempotent loads (the same task group,
  `ispeed.task_groups`), so that the check sees what has landed and a rejected return is found
  early. Otherwise they are skipped, and a skipped task records no asset event.
- **check_freshness**: reminds each agency and operator whose return is missing or rejected, in
  Vietnamese, at its contact, and sends the data engineers a digest when the month has too few
  i-Speed measurements or returns are outstanding: at most one mail per recipient per day, every
  one recorded in `ispeed.meta_reminder`.
- **check_report_deadline**: from the 15th at 17:00, while last month's report is not delivered,
  alerts the data engineers once a day (`ispeed.meta_alert`).

Outside those windows the checks return at once.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import CronTriggerTimetable, TriggerRule, dag, task

from ispeed import assets
from ispeed.operations.alerts import on_task_failure
from ispeed.task_groups import month_loads

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

    @task.short_circuit(ignore_downstream_trigger_rules=False)
    def loads_due() -> str | None:
        """Last month (YYYY-MM) when its loads are due today, else nothing: the loads are skipped."""
        from ispeed import tasks
        from ispeed.months import LOCAL_TZ
        from ispeed.operations import monitoring

        due = monitoring.loads_due(tasks.run_time().astimezone(LOCAL_TZ).date())
        print(f"loads of {due['month']}: {'due' if due['due'] else 'skipped'} ({due['reason']})")
        return due["month"] if due["due"] else None

    @task(trigger_rule=TriggerRule.ALL_DONE, inlets=[*assets.LOADED, assets.REPORT_DELIVERY])
    def check_freshness() -> dict:
        """Reminders (at most one per recipient per day) for last month's missing data."""
        from ispeed import tasks
        from ispeed.months import LOCAL_TZ
        from ispeed.operations import monitoring

        today = tasks.run_time().astimezone(LOCAL_TZ).date()
        return monitoring.check_freshness(today, run_id=tasks.run_id())

    @task(inlets=[assets.REPORT, assets.REPORT_DELIVERY, assets.RUN_SUMMARY])
    def check_report_deadline() -> dict:
        """Alert (once a day) when last month's report is past its deadline and not delivered."""
        from ispeed import tasks
        from ispeed.operations import monitoring

        return monitoring.check_report_deadline(tasks.run_time(), run_id=tasks.run_id())

    ready = prepare_warehouse()
    due = loads_due()
    ready >> due >> month_loads(due) >> check_freshness()
    ready >> check_report_deadline()


ispeed_monitoring()
