"""Every DAG imports, and the monthly one is scheduled and configured as documented."""

from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert "ispeed_monthly_report" in dagbag.dags


def test_every_dag_has_owner_tags_and_retries(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert dag.tags, f"{dag_id} has no tags"
        for task in dag.tasks:
            assert task.owner == "data-engineering", f"{dag_id}.{task.task_id} owner"
            assert task.retries >= 1, f"{dag_id}.{task.task_id} has no retries"


def test_monthly_schedule_is_07_00_on_the_15th_in_viet_nam(dagbag):
    dag = dagbag.dags["ispeed_monthly_report"]
    timetable = dag.timetable
    assert type(timetable).__name__ == "CronTriggerTimetable"
    expression = getattr(timetable, "expression", None) or timetable._expression
    assert expression == "0 7 15 * *"
    assert "Asia/Ho_Chi_Minh" in str(getattr(timetable, "timezone", None) or timetable._timezone)
    assert dag.catchup is False
    assert set(dag.params.keys()) >= {"reporting_month", "reload"}
