"""
### ispeed_returns_mailbox

Returns that arrive by mail (issue 25; docs/mailbox.md). Every 30 minutes in the reporting window
(by default the 1st to the 15th, 07:00–19:00 Asia/Ho_Chi_Minh: `window` of
include/config/mailbox.yaml), the Department's mailbox (Airflow connection
`ispeed_returns_mailbox`, conn type imap) is pulled once by the task pull_returns:

1. every new message of the inbox: its returns found (attachments, .zip, forwarded messages)
2. each filed by its content into landing/agency_returns/YYYY-MM/ or landing/operator_returns/YYYY-MM/,
   registered with its message, and only then the message moved to the processed folder
3. the months touched loaded (the returns' own load)
4. one threaded reply per message, in Vietnamese

Without the connection the task is skipped (the returns are saved into the landing folders by
hand, as before). `python -m ispeed pull-returns` does the same once, at any time.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import CronTriggerTimetable, dag, task

from ispeed import assets
from ispeed.mailbox.settings import window_schedule
from ispeed.operations.alerts import on_task_failure

LOCAL_TZ = "Asia/Ho_Chi_Minh"

default_args = {
    "owner": "data-engineering",
    "retries": 1,
    "retry_delay": timedelta(minutes=5),
    "on_failure_callback": on_task_failure,
}


@dag(
    dag_id="ispeed_returns_mailbox",
    description="Pull the returns mailbox: file every return by content, load it, answer every sender",
    schedule=CronTriggerTimetable(window_schedule(), timezone=LOCAL_TZ),
    start_date=pendulum.datetime(2024, 7, 1, tz=LOCAL_TZ),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    dagrun_timeout=timedelta(minutes=25),
    tags=["ispeed", "returns", "mailbox"],
    doc_md=__doc__,
)
def ispeed_returns_mailbox():
    @task(outlets=[assets.FACT_AGENCY_RETURN, assets.FACT_OPERATOR_RETURN])
    def pull_returns() -> dict:
        """One pull: file, load, reply. Skipped without the connection ispeed_returns_mailbox."""
        from airflow.sdk.exceptions import AirflowSkipException

        from ispeed import tasks

        result = tasks.pull_returns()
        if result.get("skipped"):
            raise AirflowSkipException(result["skipped"])
        return {k: result[k] for k in ("messages", "loads", "replies")}

    pull_returns()


ispeed_returns_mailbox()
