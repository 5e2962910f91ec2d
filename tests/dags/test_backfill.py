"""Backfills (issue 6; docs/operations.md, "Backfill").

(a) ``airflow backfill create --dry-run`` over three months lists exactly the runs a backfill would
    create: the 15th of each month at 00:00 UTC (07:00 in Hai Phong), each reporting the month before.
(b) Three consecutive months run as backfill runs (run_type 'backfill', as the scheduler creates
    them for ``airflow backfill create``) give the same warehouse rows and the same reports as three
    single runs on another fresh database with the same files, and send no email. The months straddle
    the reform of 1 July 2025 (issue 13; docs/geography.md): June 2025 is reported by district, July
    and August by commune, ward and special zone, each with its own senders.

A real backfill needs a running scheduler (and, for the CLI without --dry-run, an api-server): the
tests start neither. (b) therefore runs each backfill run with dag.test(), the DAG run created
exactly as the backfill creates it (run_type backfill, triggered_by backfill, the backfill's conf).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg2
import psycopg2.extensions
import pytest

from ispeed import tasks
from ispeed.devtools.generate import generate_month
from ispeed.devtools.generate_returns import generate_month_returns
from ispeed.warehouse import connection as warehouse

from conftest import query

ROOT = Path(__file__).resolve().parents[2]
DAGS = ROOT / "dags"
# The runs of 15 July, August and September 2025, 07:00 in Hai Phong, report June, July and August
# 2025: across the reform of 1 July 2025.
LOGICAL_DATES = [datetime(2025, m, 15, 0, 0, tzinfo=UTC) for m in (7, 8, 9)]
MONTHS = [date(2025, 6, 1), date(2025, 7, 1), date(2025, 8, 1)]
ROWS = 1200


def airflow_cli(*args: str) -> subprocess.CompletedProcess:
    """The airflow command of this venv, with the tests' AIRFLOW_HOME and this checkout's DAGs."""
    env = dict(
        os.environ,
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS),
        AIRFLOW__CORE__PLUGINS_FOLDER=str(ROOT / "plugins"),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        PYTHONPATH=os.pathsep.join([str(ROOT / "plugins"), os.environ.get("PYTHONPATH", "")]),
    )
    airflow = Path(sys.executable).with_name("airflow")
    return subprocess.run([str(airflow), *args], env=env, capture_output=True, text=True, timeout=120)


def test_a_backfill_dry_run_lists_the_15th_of_each_month():
    serialized = airflow_cli("dags", "reserialize")  # the CLI reads the DAG from the metadata database
    assert serialized.returncode == 0, serialized.stderr[-2000:]
    # --reprocess-behavior completed: runs earlier test sessions left for these dates are listed too
    dry = airflow_cli(
        "backfill",
        "create",
        "--dag-id",
        "ispeed_monthly_report",
        "--from-date",
        "2025-07-01",
        "--to-date",
        "2025-09-30",
        "--max-active-runs",
        "1",
        "--reprocess-behavior",
        "completed",
        "--dag-run-conf",
        '{"send_report": "auto"}',
        "--dry-run",
    )
    assert dry.returncode == 0, dry.stderr[-2000:]
    listed = re.findall(r"\|\s*(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\+00:00)\s*\|", dry.stdout)
    assert [datetime.fromisoformat(d) for d in listed] == LOGICAL_DATES, dry.stdout
    assert "dag_run_conf = {'send_report': 'auto'}" in dry.stdout


# ---------------------------------------------------------------- (b) backfill runs vs single runs
@contextlib.contextmanager
def backfill_runs(conf: dict | None = None):
    """dag.test() creates its DAG run as a manual one; here it is created as ``airflow backfill
    create`` has the scheduler create it (airflow.models.backfill): run_type backfill, triggered by
    the backfill, with the backfill's --dag-run-conf."""
    import airflow.models.dagrun as dagrun_module
    from airflow.models.dagrun import DagRun
    from airflow.utils.state import DagRunState
    from airflow.utils.types import DagRunTriggeredByType, DagRunType
    from sqlalchemy import select

    real = dagrun_module.get_or_create_dagrun

    def as_backfill(*, dag, logical_date, data_interval, run_after, start_date, session, **_):
        existing = session.scalar(
            select(DagRun).where(DagRun.dag_id == dag.dag_id, DagRun.logical_date == logical_date)
        )
        if existing:
            session.delete(existing)
            session.commit()
        return dag.create_dagrun(
            run_id=DagRun.generate_run_id(
                run_type=DagRunType.BACKFILL_JOB, logical_date=logical_date, run_after=run_after
            ),
            logical_date=logical_date,
            data_interval=data_interval,
            run_after=run_after,
            conf=conf,
            run_type=DagRunType.BACKFILL_JOB,
            state=DagRunState.RUNNING,
            triggered_by=DagRunTriggeredByType.BACKFILL,
            triggering_user_name="backfill-test",
            start_date=start_date,
            session=session,
        )

    dagrun_module.get_or_create_dagrun = as_backfill
    try:
        yield
    finally:
        dagrun_module.get_or_create_dagrun = real


@pytest.fixture(scope="module")
def monthly_dag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS)).dags["ispeed_monthly_report"]


@pytest.fixture(scope="module")
def source_files(tmp_path_factory) -> Path:
    """Three months of i-Speed exports and returns, generated once; each side gets a copy (file times
    kept: the latest return wins by file time)."""
    landing = tmp_path_factory.mktemp("source") / "landing"
    for i, month in enumerate(MONTHS):
        generate_month(month, ROWS, landing / "ispeed" / month.isoformat()[:7], seed=20 + i)
        generate_month_returns(month, landing, seed=7)
    return landing


@contextlib.contextmanager
def fresh_side(name: str, pg_admin_params: dict, tmp_path: Path, source: Path, monkeypatch):
    """A fresh warehouse database and data folder holding a copy of the source files."""
    db = f"t_{name}_{uuid.uuid4().hex[:8]}"
    with contextlib.closing(psycopg2.connect(**pg_admin_params)) as admin:
        admin.autocommit = True
        admin.cursor().execute(f'create database "{db}"')
    data = tmp_path / name
    shutil.copytree(source, data / "landing")
    params = {**pg_admin_params, "dbname": db}
    monkeypatch.setenv("ISPEED_WAREHOUSE_URI", psycopg2.extensions.make_dsn(**params))
    monkeypatch.setenv("ISPEED_DATA_DIR", str(data))
    monkeypatch.delenv("AIRFLOW_CONN_SMTP_DEFAULT", raising=False)
    try:
        yield data, warehouse.Target(params, name)
    finally:
        with contextlib.closing(psycopg2.connect(**pg_admin_params)) as admin:
            admin.autocommit = True
            admin.cursor().execute(f'drop database if exists "{db}" with (force)')


# Every row the runs produce, without the columns that differ by construction: surrogate ids
# (replaced by the file's name), run ids and computation times.
SNAPSHOTS = {
    "fact_measurement": """select f.month, f.measurement_id, f.measured_at, f.operator_code, f.network_type_code,
        f.area_code, f.download_mbps, f.upload_mbps, f.latency_ms, f.jitter_ms, f.latitude, f.longitude, f.device_id,
        f.platform, m.file_name, f.source_line
        from ispeed.fact_measurement f join ispeed.meta_file m using (file_id) order by 1, 2""",
    "fact_quarantine": """select q.dataset, q.month, m.file_name, q.line_no, q.column_name, q.rule, q.failed_rules,
        q.message, q.raw_row::text from ispeed.fact_quarantine q join ispeed.meta_file m using (file_id)
        order by 1, 2, 3, 4, 6""",
    "fact_agency_return": """select a.month, a.agency_code, a.staff_total, a.staff_installed, a.staff_measured,
        a.staff_measurements, a.citizens_helped, a.cdt_members, a.note, m.file_name, a.source_row
        from ispeed.fact_agency_return a join ispeed.meta_file m using (file_id) order by 1, 2""",
    "fact_operator_return": """select o.month, o.operator_code, o.area_code, o.network_generation, o.sites_in_service,
        o.sites_commissioned, o.sites_upgraded, o.investment_vnd, o.remedy, o.remedy_due_date, o.note, m.file_name,
        o.source_row from ispeed.fact_operator_return o join ispeed.meta_file m using (file_id) order by 1, 2, 3, 4""",
    "meta_file": """select dataset, month, file_name, size_bytes, sha256, format, status, error, rows_read,
        rows_loaded, rows_quarantined, rows_duplicate from ispeed.meta_file order by 1, 2, 3""",
    "meta_return": """select dataset, month, sender_code, file_name, file_mtime, state, rows_count, error
        from ispeed.meta_return order by 1, 2, 3, 4""",
    "meta_report": "select month, pdf_sha256, xlsx_sha256, pages, content_fingerprint from ispeed.meta_report order by 1",
}
MARTS = ("mart_compliance_operator", "mart_compliance_operator_area", "mart_compliance_trend")
NOT_COMPARED = {"computed_at", "run_id", "source_computed_at"}


def snapshot(conn) -> dict[str, list[tuple]]:
    out = {name: query(conn, sql) for name, sql in SNAPSHOTS.items()}
    for mart in MARTS:
        cols = [
            c
            for (c,) in query(
                conn,
                "select column_name from information_schema.columns where table_schema ="
                " 'ispeed' and table_name = %s order by ordinal_position",
                (mart,),
            )
        ]
        keep = ", ".join(c for c in cols if c not in NOT_COMPARED)
        out[mart] = query(conn, f"select {keep} from ispeed.{mart} order by {keep}")
    return out


def run_months(monthly_dag, target: warehouse.Target, *, backfill: bool) -> tuple[dict, list]:
    runs = []
    for logical_date in LOGICAL_DATES:
        with backfill_runs() if backfill else contextlib.nullcontext():
            run = monthly_dag.test(logical_date=logical_date)
        assert run.state == "success", f"{run.run_id}: {run.state}"
        runs.append(run)
    conn = warehouse.connect(target)
    try:
        conn.autocommit = True
        rows = snapshot(conn)
        deliveries = query(conn, "select month, run_id, mode, status from ispeed.meta_delivery order by month")
        summaries = query(conn, "select month, run_id, text from ispeed.meta_run_summary order by month")
    finally:
        conn.close()
    return rows | {"deliveries": deliveries, "summaries": summaries}, runs


def _keep(data: Path, month: date, to: Path) -> Path:
    """A copy of the month's rendered PDF, out of the data folder that is about to go."""
    [pdf] = sorted((data / "reports" / month.isoformat()[:7]).glob("*.pdf"))
    to.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy2(pdf, to / pdf.name))


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(path).pages).split())


def test_backfill_runs_produce_what_single_runs_produce_and_send_nothing(
    monthly_dag, source_files, pg_admin_params, tmp_path, monkeypatch
):
    with fresh_side("backfill", pg_admin_params, tmp_path, source_files, monkeypatch) as (data, target):
        tasks.prepare_warehouse()
        backfilled, backfill_runs_ = run_months(monthly_dag, target, backfill=True)
        backfill_outbox = sorted(p.name for p in (data / "outbox").rglob("*.eml")) if (data / "outbox").exists() else []
        backfill_pdfs = [_keep(data, m, tmp_path / "backfill-pdfs") for m in MONTHS]
    with fresh_side("single", pg_admin_params, tmp_path, source_files, monkeypatch) as (data, target):
        tasks.prepare_warehouse()
        single, single_runs = run_months(monthly_dag, target, backfill=False)
        single_outbox = sorted(p.name for p in (data / "outbox").rglob("*.eml"))
        single_pdfs = [_keep(data, m, tmp_path / "single-pdfs") for m in MONTHS]

    assert [r.run_type for r in backfill_runs_] == ["backfill"] * 3
    assert [r.run_type for r in single_runs] == ["manual"] * 3
    # the same rows, table by table (facts, quarantine, returns, files, marts), and the same reports
    for table in [*SNAPSHOTS, *MARTS]:
        assert backfilled[table] == single[table], table
        assert backfilled[table], f"{table} is empty: the comparison would prove nothing"
    assert [m for m, *_ in backfilled["meta_report"]] == MONTHS
    assert {m for m, *_ in backfilled["fact_measurement"]} == set(MONTHS)
    # no email from the backfill: rendered, recorded as not sent, nothing in the outbox
    assert [(m, mode, status) for m, _, mode, status in backfilled["deliveries"]] == [
        (m, "none", "skipped") for m in MONTHS
    ]
    assert all(run_id.startswith("backfill__") for _, run_id, *_ in backfilled["deliveries"])
    assert backfill_outbox == []
    # the single (manual) runs do send (to the outbox here: no SMTP connection)
    assert [(m, status) for m, _, _, status in single["deliveries"]] == [(m, "written_to_outbox") for m in MONTHS]
    assert len(single_outbox) == 3
    # and every run left its summary
    assert [m for m, *_ in backfilled["summaries"]] == MONTHS
    assert all("delivery: skipped (this run)" in text for *_, text in backfilled["summaries"])
    # each month with its own geography and senders: June by district, July and August by commune
    units = {m: {a for mm, _, _, _, _, a, *_ in backfilled["fact_measurement"] if mm == m} for m in MONTHS}
    assert units[MONTHS[0]] <= {"303", "304", "305", "306", "307", "308", "309", *map(str, range(311, 319))}
    assert all(len(a) == 5 or a == "unassigned" for m in MONTHS[1:] for a in units[m]) and len(units[MONTHS[1]]) > 50
    senders = {m: {s for _, mm, s, *_ in backfilled["meta_return"] if mm == m} for m in MONTHS}
    assert "UBND-HB" in senders[MONTHS[0]] and "UBND-HB" not in senders[MONTHS[1]]
    texts = [pdf_text(p) for p in backfill_pdfs]
    assert "THEO QUẬN, HUYỆN" in texts[0] and "THEO XÃ, PHƯỜNG, ĐẶC KHU" not in texts[0]
    assert all("THEO XÃ, PHƯỜNG, ĐẶC KHU" in t for t in texts[1:])
    assert all("Sở Khoa học và Công nghệ thành phố Hải Phòng" in t and "/BC-SKHCN" in t for t in texts)
    assert [pdf_text(p) for p in single_pdfs] == texts
    # the trend of August reads across the change of territory: July 2025 is marked
    change = "Từ tháng 7/2025 số liệu của thành phố Hải Phòng bao gồm địa bàn tỉnh Hải Dương (cũ)"
    assert change in texts[2] and change not in texts[0]
