"""The DAG ispeed_returns_mailbox, its window, and the pull without a connection."""

from __future__ import annotations

from datetime import datetime

import pytest

from ispeed.mailbox.settings import Window, mailbox_config
from ispeed.months import LOCAL_TZ


@pytest.fixture(scope="module")
def dag():
    from pathlib import Path

    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(Path(__file__).resolve().parents[2] / "dags" / "ispeed_returns_mailbox.py"))
    assert bag.import_errors == {}
    return bag.dags["ispeed_returns_mailbox"]


def test_the_dag_pulls_every_30_minutes_in_the_reporting_window(dag):
    timetable = dag.timetable
    assert (getattr(timetable, "expression", None) or timetable._expression) == "0,30 7-18 1-15 * *"
    assert [t.task_id for t in dag.tasks] == ["pull_returns"]
    window = mailbox_config().window
    assert window.contains(datetime(2026, 4, 15, 18, 59, tzinfo=LOCAL_TZ))
    assert not window.contains(datetime(2026, 4, 16, 9, tzinfo=LOCAL_TZ))
    assert not window.contains(datetime(2026, 4, 3, 19, 0, tzinfo=LOCAL_TZ))
    assert Window(1, 10, 8, 17, 15).cron() == "0,15,30,45 8-16 1-10 * *"


def test_without_the_connection_the_pull_is_skipped(warehouse_db, monkeypatch, capsys):
    from ispeed.__main__ import main

    monkeypatch.delenv("AIRFLOW_CONN_ISPEED_RETURNS_MAILBOX", raising=False)
    assert main(["pull-returns"]) == 0
    assert "not pulled: no connection ispeed_returns_mailbox" in capsys.readouterr().out


def test_an_unreachable_mailbox_exits_1_with_what_to_check(warehouse_db, monkeypatch, capsys):
    from ispeed.__main__ import main

    from conftest import free_port

    conn = f'{{"conn_type": "imap", "host": "127.0.0.1", "port": {free_port()}, "extra": {{"use_ssl": false}}}}'
    monkeypatch.setenv("AIRFLOW_CONN_ISPEED_RETURNS_MAILBOX", conn)
    assert main(["pull-returns"]) == 1
    err = capsys.readouterr().err
    assert "cannot be reached" in err and "ispeed_returns_mailbox" in err
