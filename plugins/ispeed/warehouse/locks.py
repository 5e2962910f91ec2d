"""PostgreSQL advisory locks: the one way two runs of the same month wait for each other.

Every key is a text, hashed by PostgreSQL (``hashtext``); the keys of a month are
``ispeed:<what>:YYYY-MM``. A session lock (``held``) lasts until the block ends or the connection
closes; a transaction lock (``for_transaction``) until the transaction ends.

    with locks.held(conn, locks.month_key("measurements", month)):   # a second run waits here
        ...
    locks.for_transaction(cur, locks.FACT_PARTITIONS)                 # released by the commit
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from datetime import date

import psycopg2
import psycopg2.extensions

from ispeed.paths import read_sql

log = logging.getLogger(__name__)

#: Taken (for the transaction) before a load first reads the facts: loads that replace a month's
#: partition drop the old one, which needs every reader of the facts gone; two loads of different
#: months that both read the facts, then both waited for the other to drop, would deadlock.
FACT_PARTITIONS = "ispeed:fact_measurement:partitions"
#: Migrations, applied by one process at a time.
MIGRATIONS = "ispeed:migrations"


def month_key(what: str, month: date) -> str:
    """The key of one month of ``what`` (a dataset, "compliance", "report_render", ...)."""
    return f"ispeed:{what}:{month:%Y-%m}"


def facts_key(month: date) -> str:
    """The lock on a month's facts: shared by the compliance run, which reads the month in one
    snapshot, and exclusive to a load that replaces the month's partition (dropping a table is not
    safe for snapshots taken before it)."""
    return month_key("facts", month)


def take(cur, key: str, *, shared: bool = False) -> None:
    """Wait for the session lock of ``key`` (shared: with other shared holders)."""
    cur.execute(read_sql("locks/take_shared_lock.sql" if shared else "locks/take_lock.sql"), {"key": key})


def release(cur, key: str, *, shared: bool = False) -> None:
    cur.execute(read_sql("locks/release_shared_lock.sql" if shared else "locks/release_lock.sql"), {"key": key})


def for_transaction(cur, key: str) -> None:
    """Wait for the lock of ``key``, held until the current transaction ends."""
    cur.execute(read_sql("locks/take_transaction_lock.sql"), {"key": key})


@contextlib.contextmanager
def held(conn, key: str, *, shared: bool = False) -> Iterator[None]:
    """The session lock of ``key`` for the block. The lock is taken and committed at once, so that
    the block's own transactions do not hold it open. It is released when the block ends with no
    transaction open; otherwise (the caller's unfinished transaction) it goes when the connection
    closes."""
    with conn.cursor() as cur:
        take(cur, key, shared=shared)
    if not conn.autocommit:
        conn.commit()
    try:
        yield
    finally:
        if not conn.closed and conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_IDLE:
            try:
                with conn.cursor() as cur:
                    release(cur, key, shared=shared)
                if not conn.autocommit:
                    conn.commit()
            except psycopg2.Error as exc:
                # The block's work is committed; a connection that died since then has let go of
                # the lock with it. Raising here would turn a finished load into a failed one.
                log.warning("could not release the lock %s (%s); the connection's end releases it", key, exc)
