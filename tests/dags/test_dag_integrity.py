"""Every DAG imports, and both are scheduled and configured as documented."""

from pathlib import Path

import pytest

from ispeed.operations import alerts, notify

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
            if (dag_id, task.task_id) == ("ispeed_monthly_report", "approve_report"):
                # a retry would ask the approver again; a passed deadline is an answer, alerted
                assert task.retries == 0
                continue
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


def test_the_monitoring_dag_is_configured(dagbag):
    dag = dagbag.dags["ispeed_monitoring"]
    assert dagbag.import_errors == {}
    assert type(dag.timetable).__name__ == "CronTriggerTimetable"
    expression = getattr(dag.timetable, "expression", None) or dag.timetable._expression
    assert expression == notify.operations_config().schedule == "0 8,17 * * *"
    assert dag.catchup is False and dag.max_active_runs == 1
    for dag_id in ("ispeed_monitoring", "ispeed_monthly_report"):
        for t in dagbag.dags[dag_id].tasks:
            assert t.on_failure_callback == [alerts.on_task_failure], f"{dag_id}.{t.task_id}"
    monthly = dagbag.dags["ispeed_monthly_report"]
    names = lambda assets: sorted(a.name for a in assets)  # noqa: E731
    assert names(monthly.task_dict["load_measurements"].outlets) == ["ispeed.fact_measurement"]
    assert names(monthly.task_dict["compute_compliance"].inlets) == ["ispeed.fact_measurement"]
    assert "ispeed.mart_compliance_operator" in names(monthly.task_dict["compute_compliance"].outlets)
    assert names(monthly.task_dict["render_report"].outlets) == ["ispeed.meta_report"]
    assert "ispeed.fact_agency_return" in names(dag.task_dict["check_freshness"].inlets)
    summarize = monthly.task_dict["summarize_run"]
    # a teardown without a setup: it runs after everything, whatever happened
    assert summarize.trigger_rule == "all_done_setup_success" and summarize.is_teardown
    assert not any(t.is_setup for t in monthly.tasks)
    assert summarize.get_flat_relative_ids(upstream=True) == set(monthly.task_dict) - {"summarize_run"}


MONTHLY_TASKS = {
    "reporting_month", "prepare_warehouse", "pull_exports", "load_measurements", "load_agency_returns",
    "load_operator_returns", "compute_compliance", "render_report", "approve_report", "sign_report",
    "deliver_report", "summarize_run",
}  # fmt: skip


def test_the_monthly_task_ids_are_those_users_script_against(dagbag):
    monthly = dagbag.dags["ispeed_monthly_report"]
    assert set(monthly.task_dict) == MONTHLY_TASKS
    assert monthly.task_dict["pull_exports"].downstream_task_ids == {"load_measurements"}
    for load in ("load_measurements", "load_agency_returns", "load_operator_returns"):
        assert monthly.task_dict[load].downstream_task_ids == {"compute_compliance", "summarize_run"}
    assert monthly.task_dict["prepare_warehouse"].downstream_task_ids >= {"pull_exports", "load_agency_returns"}


def test_the_report_is_approved_before_it_is_signed_and_delivered(dagbag):
    from airflow.providers.standard.operators.hitl import ApprovalOperator

    monthly = dagbag.dags["ispeed_monthly_report"]
    approve = monthly.task_dict["approve_report"]
    assert isinstance(approve, ApprovalOperator)
    assert approve.upstream_task_ids == {"render_report"}
    assert set(approve.serialized_params) == {"reason"}  # the form's field for a rejection's reason
    assert approve.downstream_task_ids == {"sign_report", "summarize_run"}
    assert "approve_report" in monthly.task_dict["deliver_report"].get_flat_relative_ids(upstream=True)
    assert monthly.task_dict["deliver_report"].upstream_task_ids == {"sign_report", "reporting_month"}


def test_the_monitoring_dag_shows_its_loads_and_prepares_the_warehouse_once(dagbag):
    dag = dagbag.dags["ispeed_monitoring"]
    loads = {"pull_exports", "load_measurements", "load_agency_returns", "load_operator_returns"}
    assert set(dag.task_dict) == {"prepare_warehouse", "loads_due", "check_freshness", "check_report_deadline"} | loads
    # the same loads as the monthly DAG's, with the same lineage
    monthly = dagbag.dags["ispeed_monthly_report"]
    for task_id in loads:
        assert dag.task_dict[task_id].outlets == monthly.task_dict[task_id].outlets, task_id
    # outside the window loads_due skips the loads (no asset event), and check_freshness runs all the same
    assert dag.task_dict["loads_due"].downstream_task_ids == {
        "pull_exports",
        "load_measurements",
        "load_agency_returns",
        "load_operator_returns",
    }
    assert dag.task_dict["check_freshness"].upstream_task_ids == {
        "load_measurements",
        "load_agency_returns",
        "load_operator_returns",
    }
    assert dag.task_dict["check_freshness"].trigger_rule == "all_done"


def test_the_dags_docs_keep_their_line_breaks(dagbag):
    import re

    for dag in dagbag.dags.values():
        # the flow is a numbered list: Airflow 3.3's UI runs a code block's lines together
        # (white-space: normal), while a list keeps one step a line
        assert "```" not in dag.doc_md, dag.dag_id
    for dag_id in ("ispeed_monthly_report", "ispeed_monitoring"):
        assert len(re.findall(r"^\d+\. ", dagbag.dags[dag_id].doc_md, re.M)) >= 4, dag_id
    monthly = dagbag.dags["ispeed_monthly_report"].doc_md
    assert "5. approve_report" in monthly and "7. deliver_report" in monthly
