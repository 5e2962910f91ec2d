"""Airflow wiring that both DAGs share: the loads of one month, as one task group.

    month_loads(month):   pull_exports -> load_measurements
                          load_agency_returns
                          load_operator_returns

The monthly DAG loads the month it reports; the monitoring DAG loads last month's data as it arrives,
from the reminder day until the report is delivered, so that its checks see what has landed. Both
use this group, so the loads show in both graphs (no DAG does them out of sight) and behave the same
in both. The task ids carry no group prefix (``prefix_group_id=False``): they are the monthly DAG's
public task ids.

Imported by the DAG files at parse time: it imports nothing heavy; each task imports the package
inside its body.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import TaskGroup, task

from ispeed import assets


@task(retries=5, retry_delay=timedelta(minutes=1))
def pull_exports(month: str) -> dict:
    """i-Speed exports from the HTTP source, page by page, resuming where a failed try stopped.
    A refusal (wrong token or URL) fails at once: a retry cannot fix it."""
    from airflow.sdk.exceptions import AirflowFailException

    from ispeed import tasks
    from ispeed.measurements import http_source

    run = tasks.RunContext.current(month)
    try:
        return tasks.pull_exports(run.month)
    except http_source.HttpSourceRefused as exc:
        raise AirflowFailException(str(exc)) from exc


@task(retries=2, outlets=[assets.FACT_MEASUREMENT])
def load_measurements(month: str) -> dict:
    """i-Speed exports of the month: validate, quarantine, load. A rejected file fails the task
    without retries (the good files are committed; a retry cannot fix a file)."""
    from airflow.sdk.exceptions import AirflowFailException

    from ispeed import tasks
    from ispeed.measurements.load import RejectedFilesError

    run = tasks.RunContext.current(month)
    try:
        return tasks.load_measurements(run.month, run_id=run.run_id, reload=run.reload)
    except RejectedFilesError as exc:
        raise AirflowFailException(str(exc)) from exc


@task(outlets=[assets.FACT_AGENCY_RETURN])
def load_agency_returns(month: str) -> dict:
    """Agencies' monthly tallies: validate, load, state per agency."""
    from ispeed import tasks

    run = tasks.RunContext.current(month)
    return tasks.load_agency_returns(run.month, run_id=run.run_id)


@task(outlets=[assets.FACT_OPERATOR_RETURN])
def load_operator_returns(month: str) -> dict:
    """Operators' monthly investment returns: validate, load, state per operator."""
    from ispeed import tasks

    run = tasks.RunContext.current(month)
    return tasks.load_operator_returns(run.month, run_id=run.run_id)


def month_loads(month) -> TaskGroup:
    """The month's loads (``month``: the XCom of a task that returns YYYY-MM), in a group whose
    tasks keep their own ids. Set what must run before the group with ``upstream >> group``."""
    with TaskGroup(group_id="month_loads", prefix_group_id=False, tooltip="the month's loads") as group:
        pull_exports(month) >> load_measurements(month)
        load_agency_returns(month)
        load_operator_returns(month)
    return group
