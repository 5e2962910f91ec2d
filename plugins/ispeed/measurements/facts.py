"""The checked rows of a load of measurements become quarantine and facts, in the load's one
transaction: the failing rows go to ispeed.fact_quarantine; the rest to the month's partition of
ispeed.fact_measurement, built anew and swapped in for a month's first load or a reload, or
inserted where the month lacks them. After the commit, VACUUM (ANALYZE) of the month.

Locks (ispeed.warehouse.locks): before a load first reads the facts, locks.FACT_PARTITIONS for the
transaction (two loads replacing partitions would deadlock otherwise); before the swap, the
month's facts lock ("facts"), exclusive, which a compliance run holds shared for its snapshot.
"""

from __future__ import annotations

import logging
import time
from datetime import date

import psycopg2
from psycopg2 import sql

from ispeed.measurements.suite import rules_table_sql
from ispeed.months import month_label
from ispeed.paths import compose_sql, read_sql
from ispeed.warehouse import locks

log = logging.getLogger(__name__)

#: Dropping a month's old partition waits for every reader of the facts, of any month, and every
#: new reader queues behind it: the wait is cut at SWAP_LOCK_TIMEOUT and tried again, SWAP_ATTEMPTS
#: times, so that a long query elsewhere does not stall every reader of the warehouse meanwhile.
SWAP_LOCK_TIMEOUT = "2s"
SWAP_ATTEMPTS = 60


def forget_quarantine_of_month(cur, month: date) -> None:
    """A month being reloaded: its quarantined rows and collapsed ids go (the reload records them
    again)."""
    cur.execute(read_sql("measurements/forget_quarantine_of_month.sql"), {"month": month})
    cur.execute(read_sql("measurements/forget_collapsed_ids_of_month.sql"), {"month": month})


def quarantine(cur, month: date, checked: sql.Identifier, rules) -> None:
    """The checked rows that break a rule go to quarantine, with the first rule they break."""
    rules_table = sql.SQL(rules_table_sql(rules).replace("%", "%%"))
    cur.execute(
        compose_sql("measurements/quarantine_failed_measurements.sql", checked=checked, rules_table=rules_table),
        {"month": month},
    )


def checked_counts(cur, checked: sql.Identifier) -> list[tuple[int, int, int]]:
    """(file_id, rows read, rows quarantined) of each file of the load."""
    cur.execute(compose_sql("measurements/count_checked_by_file.sql", checked=checked))
    return cur.fetchall()


def month_partition(month: date) -> sql.Identifier:
    """The month's partition of ispeed.fact_measurement (ensure_month_partition.sql makes it)."""
    return sql.Identifier("ispeed", f"fact_measurement_{month:%Y_%m}")


def insert_facts(
    cur, month: date, load_id: int, checked: sql.Identifier, kept: sql.Identifier, *, replace: bool
) -> tuple[dict[int, int], sql.Composed | None]:
    """The checked rows that break no rule become facts. Returns the rows inserted per file, and
    the statements that swap the new partition in (to run just before the commit), if any.

    A month whose partition does not exist yet (its first load) or that is being reloaded gets a new
    partition, built without an index and attached at the end (about half the time of inserting row
    by row into the indexed one); otherwise the month gets the rows it does not have yet."""
    schema, name = month_partition(month).strings
    locks.for_transaction(cur, locks.FACT_PARTITIONS)
    cur.execute(read_sql("measurements/month_has_facts.sql"), {"month": month, "partition": f"{schema}.{name}"})
    partition_exists, has_facts = cur.fetchone()
    if replace or not partition_exists:
        built = sql.Identifier(schema, f"{name}_l{load_id}")
        file_order = sql.SQL("c.file_id desc" if replace else "c.file_id")
        cur.execute(
            compose_sql("measurements/collect_kept_duplicates.sql", kept=kept, checked=checked, file_order=file_order)
        )
        cur.execute(
            compose_sql("measurements/build_month_facts.sql", built=built, checked=checked, kept=kept),
            {"month": month},
        )
        loaded = dict(cur.fetchall())
        cur.execute(compose_sql("measurements/add_month_facts_key.sql", built=built))
        swap = compose_sql(
            "measurements/replace_month_partition.sql",
            built=built,
            partition=sql.Identifier(schema, name),
            partition_name=sql.Identifier(name),
        )
        return loaded, swap
    cur.execute(
        compose_sql("measurements/ensure_month_partition.sql", partition=month_partition(month)),
        {"month": month},
    )
    cur.execute(compose_sql("measurements/insert_measurement_facts.sql", checked=checked))
    return dict(cur.fetchall()), None


def record_collapsed(
    cur, month: date, checked: sql.Identifier, kept: sql.Identifier, *, built: bool, replace: bool
) -> dict[int, tuple[int, int]]:
    """The load's rows not loaded because their id was kept from another row, into
    ispeed.fact_measurement_collapsed (record_collapsed_ids.sql), against the rows kept: when
    insert_facts built the month anew, the load's rows kept for its repeated ids (``kept``, a few
    rows: the month's facts are this load's); otherwise the month's partition. Returns, per file,
    (rows collapsed, rows among them with other values: conflicts)."""
    facts = kept if built else month_partition(month)
    cur.execute(
        compose_sql("measurements/record_collapsed_ids.sql", checked=checked, facts=facts),
        {"month": month, "settled_by": "newest_file" if replace else "first_kept"},
    )
    return {file_id: (collapsed, conflicting) for file_id, collapsed, conflicting in cur.fetchall()}


def swap_partition(cur, month: date, swap: sql.Composed) -> None:
    """Swap the month's new partition in (replace_month_partition.sql). First the month's facts
    lock, exclusive: a compliance run of the month holds it shared for its snapshot, which must
    see the month before the swap or after it (a snapshot older than a dropped table reads the new
    one as empty). Then the drop, its wait for other readers cut short and tried again."""
    locks.for_transaction(cur, locks.facts_key(month))
    for attempt in range(1, SWAP_ATTEMPTS + 1):
        cur.execute("savepoint swap_partition")
        cur.execute("select set_config('lock_timeout', %s, true)", (SWAP_LOCK_TIMEOUT,))
        try:
            cur.execute(swap, {"month": month})
        except psycopg2.errors.LockNotAvailable:
            cur.execute("rollback to savepoint swap_partition")
            if attempt == SWAP_ATTEMPTS:
                raise
            log.info(
                "%s: the facts are being read (attempt %s); swapping the month's partition in again in 1 s",
                month_label(month),
                attempt,
            )
            time.sleep(1)
            continue
        cur.execute("release savepoint swap_partition")
        cur.execute("select set_config('lock_timeout', '0', true)")
        return


def vacuum_month(conn, month: date) -> None:
    """VACUUM (ANALYZE) the month's partition after its load. The first reader of freshly written
    rows has to look up whether each row's transaction committed and write that down (hint bits);
    done here in one pass it costs a third of a second at a million rows and spares the compliance
    statistics, which read the month next, more than a second. It also gives the planner the
    month's statistics. A failure here is only logged: the load is committed."""
    partition = month_partition(month)
    try:
        conn.rollback()
        conn.autocommit = True  # VACUUM cannot run inside a transaction
        with conn.cursor() as cur:
            cur.execute(compose_sql("measurements/vacuum_month_facts.sql", partition=partition))
    except psycopg2.Error as exc:
        log.warning(
            "could not vacuum %s after the load (%s); autovacuum will", partition.strings[-1], str(exc).splitlines()[0]
        )
    finally:
        if not conn.closed:
            conn.autocommit = False
