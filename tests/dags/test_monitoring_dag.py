"""The monitoring DAG through Airflow (dag.test()): its loads are visible tasks, skipped (with no
asset event) before the reminder day, and run as the monthly DAG's own loads inside the window."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ispeed.config import pipeline_config
from ispeed.devtools.generate import generate_month
from ispeed.devtools.generate_returns import generate_month_returns
from ispeed.measurements import load as measurements

from conftest import query

DAGS = Path(__file__).resolve().parents[2] / "dags"
LOADS = ("pull_exports", "load_measurements", "load_agency_returns", "load_operator_returns")


@pytest.fixture(scope="module")
def monitoring_dag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS)).dags["ispeed_monitoring"]


def _states(run) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in run.get_task_instances()}


def _asset_events(run) -> set[str]:
    """The assets that the run's tasks recorded events for (Airflow's metadata database)."""
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session

    with create_session() as session:
        found = (
            session.query(AssetModel.name)
            .join(AssetEvent, AssetEvent.asset_id == AssetModel.id)
            .filter(AssetEvent.source_run_id == run.run_id, AssetEvent.source_dag_id == run.dag_id)
            .all()
        )
    return {name for (name,) in found}


def test_loads_are_skipped_before_the_reminder_day_and_run_inside_the_window(monitoring_dag, db):
    october = date(2024, 10, 1)
    generate_month(october, 2000, measurements.landing_folder(october), seed=3)
    generate_month_returns(october, pipeline_config().landing, seed=3)

    # 5 November, 08:00 in Viet Nam: before the 10th, nothing is loaded and no asset event is recorded
    early = monitoring_dag.test(logical_date=datetime(2024, 11, 5, 1, 0, tzinfo=UTC))
    states = _states(early)
    assert {t: states[t] for t in LOADS} == dict.fromkeys(LOADS, "skipped")
    assert states["loads_due"] == states["check_freshness"] == states["check_report_deadline"] == "success"
    assert query(db, "select count(*) from ispeed.meta_load") == [(0,)]
    assert _asset_events(early) == set()

    # 12 November: the month's loads run as visible tasks, and record what they loaded
    inside = monitoring_dag.test(logical_date=datetime(2024, 11, 12, 1, 0, tzinfo=UTC))
    states = _states(inside)
    assert {t: states[t] for t in LOADS} == dict.fromkeys(LOADS, "success"), states
    assert query(db, "select count(*) from ispeed.fact_measurement where month = %s", (october,))[0][0] > 1900
    loaded = dict(query(db, "select dataset, count(*) from ispeed.meta_load group by dataset"))
    assert loaded == {"measurements": 1, "agency_returns": 1, "operator_returns": 1}
    assert _asset_events(inside) >= {
        "ispeed.fact_measurement",
        "ispeed.fact_agency_return",
        "ispeed.fact_operator_return",
    }
