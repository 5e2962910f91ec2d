"""The monthly DAG end to end through Airflow (dag.test()), on the embedded PostgreSQL."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ispeed.devtools.generate import generate_month
from ispeed.measurements import load as measurements

from conftest import query

DAGS = Path(__file__).resolve().parents[2] / "dags"


@pytest.fixture(scope="module")
def monthly_dag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS)).dags["ispeed_monthly_report"]


def test_scheduled_run_on_the_15th_loads_the_month_before(monthly_dag, db, data_dir):
    generate_month(date(2024, 12, 1), 3000, measurements.landing_folder(date(2024, 12, 1)), seed=5)
    # The run of 15 January 2025, 07:00 in Hai Phong, reports December 2024.
    run = monthly_dag.test(logical_date=datetime(2025, 1, 15, 0, 0, tzinfo=UTC))
    assert run.state == "success"
    [(month, files, read, loaded)] = query(
        db, "select month, files_seen, rows_read, rows_loaded from ispeed.meta_load where dataset = 'measurements'"
    )
    assert (month, files, read) == (date(2024, 12, 1), 1, 3000)
    assert query(db, "select count(*) from ispeed.fact_measurement where month = '2024-12-01'")[0][0] == loaded > 2800
    # compliance computed, report rendered, and (no SMTP connection here) the mail in the outbox
    verdicts = dict(
        query(
            db,
            "select operator_code, verdict from ispeed.mart_compliance_operator"
            " where month = '2024-12-01' and in_compliance_scope",
        )
    )
    assert set(verdicts) >= {"VIETTEL", "VINAPHONE", "MOBIFONE", "VIETNAMOBILE", "GMOBILE"}
    [(pdf_path,)] = query(db, "select pdf_path from ispeed.meta_report where month = '2024-12-01'")
    assert Path(pdf_path).is_file() and Path(pdf_path).read_bytes().startswith(b"%PDF")
    [(status,)] = query(db, "select status from ispeed.meta_delivery where month = '2024-12-01'")
    assert status == "written_to_outbox"
    assert list((data_dir / "outbox" / "2024-12").glob("*.eml"))
    # what `python -m ispeed status` prints for the month
    from ispeed.operations.status import format_status, month_status

    text = format_status(month_status(date(2024, 12, 1)))
    assert "file ispeed_export_2024-12.csv: loaded, read 3000" in text
    assert "4G compliance" in text and f"VIETTEL       {verdicts['VIETTEL']}" in text


def test_manual_run_names_its_month_and_a_rejected_file_fails_the_run(monthly_dag, db):
    folder = measurements.landing_folder(date(2024, 6, 1))
    folder.mkdir(parents=True)
    (folder / "page.csv").write_text("<html><body>Service unavailable</body></html>")
    run = monthly_dag.test(
        logical_date=datetime(2025, 1, 15, 0, 0, tzinfo=UTC), run_conf={"reporting_month": "2024-06"}
    )
    assert run.state == "failed"
    [(month, status, error)] = query(db, "select month, status, error from ispeed.meta_file")
    assert (month, status) == (date(2024, 6, 1), "rejected") and "HTML" in error
