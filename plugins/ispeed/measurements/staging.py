"""The staging of one load of measurements: each file COPYed into the load's partition of
ispeed.stg_measurement (all text, as read), then every row typed and checked against the rules
in one set-based statement.

A plain CSV goes to PostgreSQL as it is (the direct COPY: PostgreSQL parses it, at the speed of a
bare COPY); any other file, or one that the direct COPY cannot take as it is, is read line by line
in Python (readers.py) and COPYed as CSV. Both give the same rows with the same line numbers.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import logging
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg2
from psycopg2 import sql

from ispeed import geography
from ispeed.config import PipelineConfig
from ispeed.measurements.contract import MEASUREMENT_COLUMNS
from ispeed.measurements.readers import CopySource, FileRejected, open_export
from ispeed.measurements.suite import failed_rules_sql
from ispeed.months import month_label, next_month
from ispeed.paths import compose_sql, read_sql
from ispeed.warehouse import ledger
from ispeed.warehouse.ledger import FileOutcome

log = logging.getLogger(__name__)

DATASET = "measurements"
CANONICAL = [c.name for c in MEASUREMENT_COLUMNS]


@dataclass(frozen=True)
class Staging:
    """The staging tables of one load, named after it (stale_staging_tables.sql knows the names):
    the partition that COPY fills, the line sequence of the direct COPY, the load's spellings, its
    checked rows and the rows kept for its repeated ids."""

    load_id: int

    def _name(self, name: str) -> sql.Identifier:
        return sql.Identifier("ispeed", name)

    @property
    def partition(self) -> sql.Identifier:
        return self._name(f"stg_measurement_l{self.load_id}")

    @property
    def line_sequence(self) -> sql.Identifier:
        return self._name(f"stg_measurement_l{self.load_id}_line")

    @property
    def names(self) -> sql.Identifier:
        return self._name(f"stg_measurement_names_l{self.load_id}")

    @property
    def checked(self) -> sql.Identifier:
        return self._name(f"stg_measurement_checked_l{self.load_id}")

    @property
    def kept(self) -> sql.Identifier:
        """The row kept for each id that more than one row of the load carries (facts.py)."""
        return self._name(f"stg_measurement_kept_l{self.load_id}")

    @property
    def checked_name(self) -> str:
        """The checked rows' table by its schema-qualified name (for Great Expectations)."""
        return ".".join(self.checked.strings)


def create_staging(cur, load_id: int) -> Staging:
    """The load's staging partition, in the caller's transaction."""
    staging = Staging(load_id)
    cur.execute(
        compose_sql(
            "measurements/create_staging_partition.sql", partition=staging.partition, load_id=sql.Literal(load_id)
        )
    )
    return staging


def drop_staging(conn, staging: Staging) -> None:
    """Drop the load's staging tables. If the connection is gone, the next load of the month
    drops them (see drop_stale_staging)."""
    try:
        conn.rollback()
        with conn.cursor() as cur:
            for table in (staging.kept, staging.checked, staging.names, staging.partition):
                cur.execute(compose_sql("measurements/drop_staging_table.sql", table=table))
            cur.execute(compose_sql("measurements/drop_staging_sequence.sql", sequence=staging.line_sequence))
        conn.commit()
    except psycopg2.Error:
        log.warning("could not drop the staging tables of this load; the next load will")


def drop_stale_staging(conn, month: date) -> None:
    """Staging tables of loads that are no longer running (a crashed worker leaves them). The
    caller holds the month's lock, so a load of this month still marked running is dead."""
    with conn.cursor() as cur:
        ledger.abandon_running_loads(cur, DATASET, month)
        cur.execute(read_sql("measurements/stale_staging_tables.sql"))
        for name, kind in cur.fetchall():
            if kind == "S":
                cur.execute(
                    compose_sql("measurements/drop_staging_sequence.sql", sequence=sql.Identifier("ispeed", name))
                )
            else:
                cur.execute(compose_sql("measurements/drop_staging_table.sql", table=sql.Identifier("ispeed", name)))
    conn.commit()


#: Below this many pages of staging (about 60 000 rows) the check runs in one part.
CHECK_PART_MIN_PAGES = 1024


def check_parts(cur, staging: Staging) -> list[tuple[str, str]]:
    """The staging partition's pages split into as many ranges (from_tid, to_tid) as the machine has
    cores (at most 4), each checked on a connection of its own: the check's query is fenced
    (``offset 0``) so that each value is parsed once, and PostgreSQL's own parallel plan stops at the
    fence; parts side by side run the whole of it on every core. A small load is one part."""
    cur.execute(
        read_sql("measurements/staging_partition_pages.sql"), {"partition": ".".join(staging.partition.strings)}
    )
    pages = int(cur.fetchone()[0])
    parts = max(1, min(os.cpu_count() or 1, 4, pages // CHECK_PART_MIN_PAGES))
    bounds = [pages * i // parts for i in range(parts)] + [MAX_BLOCK]
    return [(f"({bounds[i]},0)", f"({bounds[i + 1]},0)") for i in range(parts)]


#: The last page a table can have, plus one (the end of the last range).
MAX_BLOCK = 0xFFFFFFFF


def check_staged(conn, staging: Staging, month: date, rules, connect) -> None:
    """Every staged row typed once, with the rules it breaks, into the load's checked table,
    committed: the spellings (collect_staged_spellings.sql) and the files' decimal marks
    (decide_decimal_marks.sql), the empty table (create_checked_table.sql), then its rows
    (insert_checked_rows.sql, check_staged_measurements.sql), a part of the staging partition's
    pages at a time, the parts side by side: the first on ``conn``, each other on a connection
    from ``connect()``. Every row is in exactly one part (the ranges of pages do not overlap)."""
    cur = conn.cursor()
    cur.execute(
        compose_sql("measurements/collect_staged_spellings.sql", partition=staging.partition, names=staging.names)
    )
    cur.execute(compose_sql("measurements/decide_decimal_marks.sql", partition=staging.partition, names=staging.names))
    query = compose_sql(
        "measurements/check_staged_measurements.sql",
        partition=staging.partition,
        names=staging.names,
        failed_rules=sql.SQL(failed_rules_sql(rules).replace("%", "%%")),
    )
    params = {
        "month_start": month,
        "next_month": next_month(month),
        "month_label": month_label(month),
        # a clock an hour fast on a phone is not the future; the load's own time is the reference
        "not_after": datetime.now(UTC) + timedelta(hours=1),
        # a row that names the province but no unit of it valid on its date counts for it
        "province_code": geography.province_code(),
        "unassigned": geography.UNASSIGNED,
    }
    ranges = check_parts(cur, staging)
    cur.execute(
        compose_sql("measurements/create_checked_table.sql", checked=staging.checked, query=query),
        {**params, "from_tid": "(0,0)", "to_tid": "(0,0)"},
    )
    conn.commit()  # the other parts' connections read the spellings, the marks and the table
    insert = compose_sql("measurements/insert_checked_rows.sql", checked=staging.checked, query=query)

    def run_part(part_conn, from_tid: str, to_tid: str) -> None:
        with part_conn.cursor() as part_cur:
            part_cur.execute(insert, {**params, "from_tid": from_tid, "to_tid": to_tid})
        part_conn.commit()

    others = [connect() for _ in ranges[1:]]
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, len(others))) as pool:
            futures = [pool.submit(run_part, c, *r) for c, r in zip(others, ranges[1:], strict=True)]
            run_part(conn, *ranges[0])
            for future in futures:
                future.result()
    finally:
        for other in others:
            other.close()


def stage_file(
    conn, cfg: PipelineConfig, month: date, staging: Staging, path: Path, seen_sha: dict[str, str], reload: bool
) -> FileOutcome:
    """COPY one file into the load's staging partition (status "staged"), or record why it was not."""
    cur = conn.cursor()
    size = path.stat().st_size
    digest = _digest(path)
    sha = digest.sha256
    load_id = staging.load_id

    def register(status: str, error: str | None = None, fmt: str | None = None, header: dict | None = None) -> int:
        return ledger.register_file(
            cur,
            DATASET,
            month,
            load_id,
            path,
            size=size,
            sha256=sha,
            status=status,
            error=error,
            fmt=fmt,
            header=header,
        )

    if sha in seen_sha:
        error = f"same content as {seen_sha[sha]} in this load"
        return FileOutcome(register("duplicate_file", error), path.name, "duplicate_file", error=error)
    if not reload:
        # In this month only: an export spanning a month's end, put in both months' folders, gives
        # each month its own rows (the other month's rows are quarantined as outside the month).
        earlier = ledger.file_with_same_content(cur, DATASET, sha, month=month)
        if earlier:
            error = f"same content as file {earlier[1]} (file_id {earlier[0]}), already loaded"
            return FileOutcome(register("duplicate_file", error), path.name, "duplicate_file", error=error)
    seen_sha[sha] = path.name
    if size > cfg.max_file_bytes:
        error = f"{path.name}: the file is {size} bytes, over the limit of {cfg.max_file_bytes} (max_file_bytes in include/config/pipeline.yaml)"
        return FileOutcome(register("rejected", error), path.name, "rejected", error=error)

    cur.execute("savepoint stage_file")
    try:
        fmt, hmap, rows = open_export(path, CANONICAL)
        records = digest.newlines - fmt.header_line + (0 if digest.ends_with_newline else 1)
        if _copy_direct_possible(fmt, hmap, digest, records):
            cur.execute("savepoint copy_direct")
            file_id = register("staged", None, fmt.kind, hmap.as_json())
            if _copy_direct(cur, conn, staging, file_id, path, fmt, hmap, records):
                cur.execute("release savepoint copy_direct")
                cur.execute("release savepoint stage_file")
                return FileOutcome(file_id, path.name, "staged")
            cur.execute("rollback to savepoint copy_direct")  # read it the careful way below
        file_id = register("staged", None, fmt.kind, hmap.as_json())
        source = CopySource(_with_ids(rows, load_id, file_id))
        columns = sql.SQL(", ").join(
            sql.Identifier(c) for c in ["load_id", "file_id", "line_no", *CANONICAL, "parse_error"]
        )
        copy = compose_sql("measurements/copy_staged_rows.sql", partition=staging.partition, columns=columns)
        cur.copy_expert(copy.as_string(conn), source, size=1 << 20)
        source.check()
        cur.execute("release savepoint stage_file")
        return FileOutcome(file_id, path.name, "staged")
    except FileRejected as exc:
        cur.execute("rollback to savepoint stage_file")
        return FileOutcome(register("rejected", str(exc)), path.name, "rejected", error=str(exc))
    except psycopg2.DataError as exc:
        cur.execute("rollback to savepoint stage_file")
        error = f"{path.name}: PostgreSQL could not take a value of the file: {str(exc).splitlines()[0]}"
        return FileOutcome(register("rejected", error), path.name, "rejected", error=error)


@dataclass
class _Digest:
    sha256: str
    newlines: int
    ends_with_newline: bool
    longest_line: int  # bytes, line feed included


def _digest(path: Path) -> _Digest:
    """sha256 of the file, its line feeds, whether it ends with one, and its longest line: one pass,
    in blocks that hashlib and numpy work through without holding the interpreter (a thread
    importing Great Expectations runs at the same time)."""
    import numpy as np

    digest = hashlib.sha256()
    newlines = longest = carry = 0  # carry: bytes since the last line feed
    last = b""
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            digest.update(block)
            ends = np.flatnonzero(np.frombuffer(block, np.uint8) == 10)  # positions of b"\n"
            if ends.size:
                longest = max(longest, carry + int(ends[0]) + 1, int(np.diff(ends).max()) if ends.size > 1 else 0)
                carry = len(block) - int(ends[-1]) - 1
            else:
                carry += len(block)
            newlines += int(ends.size)
            last = block
    return _Digest(digest.hexdigest(), newlines, last.endswith(b"\n"), max(longest, carry))


def _copy_direct_possible(fmt, hmap, digest: _Digest, records: int) -> bool:
    """Whether PostgreSQL can read the file itself: a plain CSV (header on line 1, LF or CR LF
    line ends, UTF-8) whose columns are all in the contract (COPY cannot skip a column), with rows,
    and within the limits (the careful path rejects a file over them with its message)."""
    return (
        fmt.kind == "csv"
        and fmt.header_line == 1
        and not fmt.skip_lines
        and fmt.line_end == "\n"
        and fmt.encoding.replace("-", "").lower().startswith("utf8")
        and not hmap.ignored
        and 0 < records <= fmt.limits.max_rows_per_file
        and digest.longest_line <= fmt.limits.max_line_bytes
    )


def _copy_direct(cur, conn, staging: Staging, file_id: int, path: Path, fmt, hmap, records: int) -> bool:
    """COPY the file's bytes straight into the staging partition: PostgreSQL parses the CSV, at the
    speed of a bare COPY. The line of each row comes from a sequence (rows arrive in file order).
    False when PostgreSQL refuses the file (a ragged row, bad bytes) or when it read a different
    number of rows than the file has lines (a quoted line break): then the line numbers would not
    be the file's, and the caller reads the file with Python instead, which knows them."""
    cur.execute(
        compose_sql(
            "measurements/prepare_direct_copy.sql",
            sequence=staging.line_sequence,
            first_line=sql.Literal(fmt.header_line + 1),
            partition=staging.partition,
            load_id=sql.Literal(staging.load_id),
            file_id=sql.Literal(file_id),
            sequence_name=sql.Literal(".".join(staging.line_sequence.strings)),
        )
    )
    in_file_order = sorted(hmap.positions, key=hmap.positions.get)
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in in_file_order)
    copy = compose_sql(
        "measurements/copy_export_file.sql",
        partition=staging.partition,
        columns=columns,
        delimiter=sql.Literal(fmt.delimiter),
    )
    try:
        with path.open("rb") as fh:
            # Large blocks: a thread importing GX holds the GIL for 5 ms at a time, and each block
            # handed to PostgreSQL waits for it once.
            cur.copy_expert(copy.as_string(conn), fh, size=1 << 24)
    except (psycopg2.DataError, psycopg2.errors.BadCopyFileFormat) as exc:
        log.info(
            "%s: PostgreSQL could not read it directly (%s); reading it line by line",
            path.name,
            str(exc).splitlines()[0],
        )
        return False
    if cur.rowcount != records:
        log.info(
            "%s: %s rows for %s lines (quoted line breaks?); reading it line by line", path.name, cur.rowcount, records
        )
        return False
    # The header repeated inside the file (files concatenated): the careful path flags that row.
    header = {c: hmap.source[i] for c, i in hmap.positions.items()}
    cur.execute(
        compose_sql("measurements/staged_header_row.sql", partition=staging.partition),
        {"file_id": file_id, "measurement_id": header["measurement_id"], "measured_at": header["measured_at"]},
    )
    if cur.fetchone()[0]:
        log.info("%s: the header appears again inside the file; reading it line by line", path.name)
        return False
    return True


def _with_ids(rows, load_id: int, file_id: int):
    for row in rows:
        yield [load_id, file_id, *row]
