"""The embedded warehouse's database is created once, even by tasks that start at the same moment
(two DAG runs triggered together under a real scheduler)."""

from __future__ import annotations

import contextlib
import threading
import uuid

import psycopg2

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
