"""Security: no secret in task logs or XCom, file names cannot inject SQL or escape the landing
folder."""

import json
import os
import sqlite3
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from ispeed.devtools.generate import generate_month
from ispeed.measurements import load as measurements

from conftest import query

DAGS = Path(__file__).resolve().parents[1] / "dags"
NOV = date(2024, 11, 1)


def test_the_warehouse_password_appears_in_no_log_and_no_xcom(warehouse_db, db, monkeypatch, capfd):
    """The monthly DAG through Airflow with the warehouse as an Airflow connection that carries a
    password (the embedded server trusts local connections, so any password works)."""
    from airflow.dag_processing.dagbag import DagBag

    password = f"Pw-{uuid.uuid4().hex}"
    params = warehouse_db.params
    monkeypatch.delenv("ISPEED_WAREHOUSE_URI")
    monkeypatch.delenv("ISPEED_SKIP_AIRFLOW_CONNECTION")
    monkeypatch.setenv(
        "AIRFLOW_CONN_ISPEED_WAREHOUSE",
        json.dumps(
            {
                "conn_type": "postgres",
                "host": params["host"],
                "port": int(params.get("port", 5432)),
                "login": params.get("user", "postgres"),
                "password": password,
                "schema": params["dbname"],
            }
        ),
    )
    generate_month(NOV, 1500, measurements.landing_folder(NOV), seed=2)
    dag = DagBag(dag_folder=str(DAGS)).dags["ispeed_monthly_report"]
    run = dag.test(logical_date=datetime(2024, 12, 15, 0, 0, tzinfo=UTC))
    assert run.state == "success"
    # The run went through the Airflow connection: the rows are in this database.
    assert query(db, "select count(*) from ispeed.fact_measurement where month = %s", (NOV,))[0][0] > 1400
    out, err = capfd.readouterr()
    assert "ispeed_monthly_report" in out + err  # the logs were captured
    assert password not in out + err
    logs = Path(os.environ["AIRFLOW_HOME"]) / "logs"
    for path in logs.rglob("*") if logs.exists() else []:
        if path.is_file():
            assert password not in path.read_text(errors="replace"), path
    with sqlite3.connect(Path(os.environ["AIRFLOW_HOME"]) / "airflow.db") as meta:
        values = [str(v) for (v,) in meta.execute("select value from xcom where dag_id = 'ispeed_monthly_report'")]
    assert values and not any(password in v for v in values)


def test_a_file_name_is_data_never_sql(db):
    folder = measurements.landing_folder(date(2024, 10, 1))
    generate_month(date(2024, 10, 1), 200, folder, seed=1, name="x'); drop table ispeed.fact_measurement; --.csv")
    summary = measurements.load_month(date(2024, 10, 1))
    assert summary.rows_read == 200
    assert query(db, "select file_name from ispeed.meta_file") == [("x'); drop table ispeed.fact_measurement; --.csv",)]
    assert query(db, "select count(*) > 0 from ispeed.fact_measurement") == [(True,)]


def test_a_symlink_in_the_landing_folder_is_not_followed(db, tmp_path):
    outside = tmp_path / "outside.csv"
    generate_month(date(2024, 10, 1), 100, tmp_path, seed=1, name="outside.csv")
    before = outside.read_bytes()
    folder = measurements.landing_folder(date(2024, 10, 1))
    folder.mkdir(parents=True)
    (folder / "link.csv").symlink_to(outside)
    summary = measurements.load_month(date(2024, 10, 1))
    assert summary.files == [] and query(db, "select count(*) from ispeed.meta_file") == [(0,)]
    assert outside.read_bytes() == before and (folder / "link.csv").is_symlink()
