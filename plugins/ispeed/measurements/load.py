"""i-Speed measurements, from the landing folder to the warehouse, one month at a time.

    landing/ispeed/YYYY-MM/*.csv|*.jsonl
      -> COPY into a staging partition of the load (all text, as read)
      -> typed and checked against the expectation suite (set-based SQL)
      -> Great Expectations runs the suite on the checked rows (its JSON is kept)
      -> one transaction: quarantine the failing rows; the rest become facts: a month's first load
         (or a reload) builds the month's partition of fact_measurement and swaps it in, a later
         load inserts the ids the month does not have yet
      -> files archived (or set aside when rejected); VACUUM (ANALYZE) of the month's partition

Every row read is accounted for, per file and per load: read = loaded + quarantined + duplicate.
Re-running a month adds only files not loaded before (a file is known by its sha256), so a second
run changes nothing; ``reload=True`` replaces the month from all its files, archived and new.
Two runs of the same month never interleave: the load holds an advisory lock on the month.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg2
import psycopg2.extras
from psycopg2 import sql

from ispeed import paths
from ispeed.config import PipelineConfig, pipeline_config
from ispeed.measurements.contract import MEASUREMENT_COLUMNS
from ispeed.measurements.readers import CopySource, FileRejected, open_export
from ispeed.measurements.suite import (
    SuiteResult,
    failed_rules_sql,
    measurement_rules,
    rules_table_sql,
    run_suite,
    save_result,
)
from ispeed.months import month_label, next_month
from ispeed.warehouse import connection as warehouse

log = logging.getLogger(__name__)

DATASET = "measurements"
CANONICAL = [c.name for c in MEASUREMENT_COLUMNS]


@dataclass
class FileOutcome:
    file_id: int | None
    name: str
    status: str  # loaded / rejected / duplicate_file
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    error: str | None = None


@dataclass
class LoadSummary:
    month: str
    load_id: int
    files: list[FileOutcome] = field(default_factory=list)
    validation: dict | None = None
    validation_path: str | None = None
    #: seconds per stage: stage (read, parse, COPY), check (typing and rules in SQL),
    #: validate (Great Expectations), load (quarantine and facts, one transaction)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)

    @property
    def rows_duplicate(self) -> int:
        return sum(f.rows_duplicate for f in self.files)

    @property
    def rejected(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "rejected"]

    def as_dict(self) -> dict:
        data = asdict(self)
        data.update(
            rows_read=self.rows_read,
            rows_loaded=self.rows_loaded,
            rows_quarantined=self.rows_quarantined,
            rows_duplicate=self.rows_duplicate,
        )
        return data

    def report(self) -> str:
        """A few lines for the task log."""
        lines = [
            f"i-Speed measurements {self.month} (load {self.load_id}): {len(self.files)} file(s), "
            f"{self.rows_read} rows read = {self.rows_loaded} loaded + {self.rows_quarantined} quarantined "
            f"+ {self.rows_duplicate} duplicate"
        ]
        for f in self.files:
            lines.append(
                f"  {f.status:<15} {f.name}: read {f.rows_read}, loaded {f.rows_loaded}, "
                f"quarantined {f.rows_quarantined}, duplicate {f.rows_duplicate}"
                + (f" -- {f.error}" if f.error else "")
            )
        if self.timings:
            lines.append("  seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in self.timings.items()))
        if self.validation_path:
            lines.append(f"  Great Expectations result: {self.validation_path}")
        if self.validation and self.validation.get("data_docs"):
            lines.append(f"  Great Expectations Data Docs: {self.validation['data_docs']}")
        return "\n".join(lines)


class RejectedFilesError(RuntimeError):
    """Raised after the good files were committed, when some file was rejected."""


def landing_folder(month: date, cfg: PipelineConfig | None = None) -> Path:
    cfg = cfg or pipeline_config()
    return cfg.landing / "ispeed" / month_label(month)


def _landed_files(folder: Path) -> list[Path]:
    """Regular files directly in the month's folder, by name. Hidden files, folders and symlinks
    are left alone (a symlink could point outside the landing area)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.is_symlink() and not p.name.startswith("."))


def _q(name: str, **parts) -> sql.Composed:
    return sql.SQL(paths.read_sql(f"measurements/{name}")).format(**parts)


def _month_lock_key(month: date) -> str:
    return f"ispeed:{DATASET}:{month_label(month)}"


def load_month(
    month: date, *, run_id: str | None = None, reload: bool = False, where: warehouse.Target | None = None
) -> LoadSummary:
    """Load the month's i-Speed exports from the landing folder (see the module docstring)."""
    cfg = pipeline_config()
    where = where or warehouse.target()
    folder = landing_folder(month, cfg)
    conn = warehouse.connect(where)
    try:
        with conn.cursor() as cur:
            # Held until this function ends: a second run of the same month waits here.
            cur.execute("select pg_advisory_lock(hashtext(%s))", (_month_lock_key(month),))
        conn.commit()
        return _load(conn, where, cfg, month, folder, run_id, reload)
    finally:
        conn.close()  # releases the advisory lock


def _import_great_expectations() -> None:
    import great_expectations  # noqa: F401 - two seconds of imports, done while PostgreSQL copies


def _load(conn, where, cfg, month, folder, run_id, reload) -> LoadSummary:
    # Python mostly waits for PostgreSQL while it COPYs: meanwhile, import GX for the suite. (The
    # check, later, runs on every core; the import there would slow it down.)
    threading.Thread(target=_import_great_expectations, name="ispeed-gx-import", daemon=True).start()
    _drop_stale_staging(conn, month)
    cur = conn.cursor()
    cur.execute(
        "insert into ispeed.meta_load (dataset, month, run_id) values (%s, %s, %s) returning load_id",
        (DATASET, month, run_id),
    )
    load_id = cur.fetchone()[0]
    partition = sql.Identifier("ispeed", f"stg_measurement_l{load_id}")
    checked_name = f"stg_measurement_checked_l{load_id}"
    names = sql.Identifier("ispeed", f"stg_measurement_names_l{load_id}")
    checked = sql.Identifier("ispeed", checked_name)
    cur.execute(_q("create_staging_partition.sql", partition=partition, load_id=sql.Literal(load_id)))
    conn.commit()
    summary = LoadSummary(month_label(month), load_id)
    try:
        candidates = [(p, False) for p in _landed_files(folder)]
        if reload:
            cur.execute(
                "select archive_path from ispeed.meta_file where dataset = %s and month = %s"
                " and status = 'loaded' and archive_path is not null order by file_id",
                (DATASET, month),
            )
            candidates = [(Path(r[0]), True) for r in cur.fetchall() if Path(r[0]).is_file()] + candidates
        clock = time.perf_counter()
        staged: dict[int, tuple[FileOutcome, Path, bool]] = {}
        seen_sha: dict[str, str] = {}
        for path, archived in candidates:
            outcome = _stage_file(conn, cfg, month, load_id, partition, path, seen_sha, reload)
            summary.files.append(outcome)
            if outcome.status == "staged":
                staged[outcome.file_id] = (outcome, path, archived)
        conn.commit()
        clock = _lap(summary, "stage", clock)

        rules = measurement_rules(month, cfg)
        cur.execute(_q("collect_staged_spellings.sql", partition=partition, names=names))
        cur.execute(
            _q(
                "check_staged_measurements.sql",
                checked=checked,
                partition=partition,
                names=names,
                failed_rules=sql.SQL(failed_rules_sql(rules).replace("%", "%%")),
            ),
            {
                "month_start": month,
                "next_month": next_month(month),
                "month_label": month_label(month),
                # a clock an hour fast on a phone is not the future; the load's own time is the reference
                "not_after": datetime.now(UTC) + timedelta(hours=1),
            },
        )
        conn.commit()
        clock = _lap(summary, "check", clock)

        # Great Expectations reads the committed checked table on its own connection while this
        # one quarantines and inserts: the two overlap instead of adding up.
        suite = _Background(
            run_suite,
            where.sqlalchemy_url(),
            f"ispeed.{checked_name}",
            rules,
            cfg.validation / "measurements" / month_label(month) / f"load_{load_id}_docs",
        )
        if reload:
            cur.execute(paths.read_sql("measurements/mark_month_replaced.sql"), {"month": month})
        rules_table = sql.SQL(rules_table_sql(rules).replace("%", "%%"))
        cur.execute(
            _q("quarantine_failed_measurements.sql", checked=checked, rules_table=rules_table), {"month": month}
        )
        loaded, swap_partition = _insert_facts(cur, month, load_id, checked, replace=reload)
        cur.execute(_q("count_checked_by_file.sql", checked=checked))
        for file_id, rows_read, rows_quarantined in cur.fetchall():
            outcome = staged[file_id][0]
            outcome.rows_read, outcome.rows_quarantined = rows_read, rows_quarantined
        for outcome, _, _ in staged.values():
            outcome.status = "loaded"
            outcome.rows_loaded = loaded.get(outcome.file_id, 0)
            outcome.rows_duplicate = outcome.rows_read - outcome.rows_loaded - outcome.rows_quarantined
            cur.execute(
                "update ispeed.meta_file set status = 'loaded', rows_read = %s, rows_loaded = %s,"
                " rows_quarantined = %s, rows_duplicate = %s where file_id = %s",
                (
                    outcome.rows_read,
                    outcome.rows_loaded,
                    outcome.rows_quarantined,
                    outcome.rows_duplicate,
                    outcome.file_id,
                ),
            )
        _lap(summary, "load", clock)
        suite_result = suite.result()
        summary.timings["validate"] = round(suite.seconds, 3)
        summary.validation = suite_result.summary()
        summary.validation_path = str(
            save_result(suite_result, cfg.validation / "measurements" / month_label(month), f"load_{load_id}")
        )
        if swap_partition is not None:
            # Last, so that the lock it takes on the facts (readers of every month wait) lasts
            # only until the commit below.
            _swap_partition(cur, month, swap_partition)
        _finish_load(cur, summary, suite_result, "succeeded", None)
        conn.commit()
    except BaseException as exc:
        _record_failure(conn, load_id, exc)
        raise
    finally:
        _drop_staging(conn, checked, names, partition, sql.Identifier("ispeed", f"stg_measurement_l{load_id}_line"))

    _file_away(conn, cfg, month, summary, staged)
    if summary.rows_loaded:
        clock = time.perf_counter()
        _vacuum_month(conn, month)
        _lap(summary, "vacuum", clock)
    log.info("%s", summary.report())
    return summary


def _vacuum_month(conn, month: date) -> None:
    """VACUUM (ANALYZE) the month's partition after its load. The first reader of freshly written
    rows has to look up whether each row's transaction committed and write that down (hint bits);
    done here in one pass it costs a third of a second at a million rows and spares the compliance
    statistics, which read the month next, more than a second. It also gives the planner the
    month's statistics. A failure here is only logged: the load is committed."""
    partition = sql.Identifier("ispeed", f"fact_measurement_{month:%Y_%m}")
    try:
        conn.rollback()
        conn.autocommit = True  # VACUUM cannot run inside a transaction
        with conn.cursor() as cur:
            cur.execute(sql.SQL("vacuum (analyze) {}").format(partition))
    except psycopg2.Error as exc:
        log.warning(
            "could not vacuum %s after the load (%s); autovacuum will", partition.strings[-1], str(exc).splitlines()[0]
        )
    finally:
        if not conn.closed:
            conn.autocommit = False


#: Taken (for the transaction) before a load first reads the facts: loads that replace a month's
#: partition drop the old one, which needs every reader of the facts gone; two loads of different
#: months that both read the facts, then both waited for the other to drop, would deadlock.
FACTS_LOCK = "ispeed:fact_measurement:partitions"
#: Dropping a month's old partition waits for every reader of the facts, of any month, and every
#: new reader queues behind it: the wait is cut at SWAP_LOCK_TIMEOUT and tried again, SWAP_ATTEMPTS
#: times, so that a long query elsewhere does not stall every reader of the warehouse meanwhile.
SWAP_LOCK_TIMEOUT = "2s"
SWAP_ATTEMPTS = 60


def _insert_facts(
    cur, month: date, load_id: int, checked, *, replace: bool
) -> tuple[dict[int, int], sql.Composed | None]:
    """The checked rows that break no rule become facts. Returns the rows inserted per file, and
    the statements that swap the new partition in (to run just before the commit), if any.

    A month whose partition does not exist yet (its first load) or that is being reloaded gets a new
    partition, built without an index and attached at the end (about half the time of inserting row
    by row into the indexed one); otherwise the month gets the rows it does not have yet."""
    name = f"fact_measurement_{month:%Y_%m}"
    cur.execute("select pg_advisory_xact_lock(hashtext(%s))", (FACTS_LOCK,))
    cur.execute(paths.read_sql("measurements/month_has_facts.sql"), {"month": month, "partition": f"ispeed.{name}"})
    partition_exists, has_facts = cur.fetchone()
    if replace or not partition_exists:
        built = sql.Identifier("ispeed", f"{name}_l{load_id}")
        cur.execute(_q("build_month_facts.sql", built=built, checked=checked), {"month": month})
        loaded = dict(cur.fetchall())
        cur.execute(_q("add_month_facts_key.sql", built=built))
        swap = _q(
            "replace_month_partition.sql",
            built=built,
            partition=sql.Identifier("ispeed", name),
            partition_name=sql.Identifier(name),
        )
        return loaded, swap
    cur.execute(_q("ensure_month_partition.sql", partition=sql.Identifier("ispeed", name)), {"month": month})
    cur.execute(_q("insert_measurement_facts.sql", checked=checked))
    return dict(cur.fetchall()), None


def _swap_partition(cur, month: date, swap: sql.Composed) -> None:
    """Swap the month's new partition in (replace_month_partition.sql). First the month's facts
    lock, exclusive: a compliance run of the month holds it shared for its snapshot, which must
    see the month before the swap or after it (a snapshot older than a dropped table reads the new
    one as empty). Then the drop, its wait for other readers cut short and tried again."""
    cur.execute("select pg_advisory_xact_lock(hashtext(%s))", (warehouse.facts_lock_key(month),))
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


class _Background:
    """A function run in a thread; ``result()`` waits for it and returns or raises what it did."""

    def __init__(self, fn, *args):
        self.seconds = 0.0
        self._value = self._error = None
        self._thread = threading.Thread(target=self._run, args=(fn, args), name="ispeed-gx", daemon=True)
        self._thread.start()

    def _run(self, fn, args) -> None:
        start = time.perf_counter()
        try:
            self._value = fn(*args)
        except BaseException as exc:
            self._error = exc
        self.seconds = time.perf_counter() - start

    def result(self):
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def _record_failure(conn, load_id: int, exc: BaseException) -> None:
    """Mark the load failed, if the connection still works (it may be what failed)."""
    try:
        conn.rollback()
        with conn.cursor() as cur:
            cur.execute(
                "update ispeed.meta_load set status = 'failed', finished_at = now(), error = %s where load_id = %s",
                (f"{type(exc).__name__}: {exc}"[:2000], load_id),
            )
        conn.commit()
    except psycopg2.Error:
        log.warning("could not record the failure of load %s: the warehouse connection is gone", load_id)


def _drop_staging(conn, *tables) -> None:
    """Drop the load's staging tables. If the connection is gone, the next load of the month
    drops them (see _drop_stale_staging)."""
    try:
        conn.rollback()
        with conn.cursor() as cur:
            for table in tables:
                kind = "sequence" if table.strings[-1].endswith("_line") else "table"
                cur.execute(sql.SQL("drop {} if exists {}").format(sql.SQL(kind), table))
        conn.commit()
    except psycopg2.Error:
        log.warning("could not drop the staging tables of this load; the next load will")


def _drop_stale_staging(conn, month: date) -> None:
    """Staging tables of loads that are no longer running (a crashed worker leaves them). The
    caller holds the month's lock, so a load of this month still marked running is dead."""
    with conn.cursor() as cur:
        cur.execute(
            "update ispeed.meta_load set status = 'abandoned', finished_at = now()"
            " where dataset = %s and month = %s and status = 'running'",
            (DATASET, month),
        )
        cur.execute(
            "select c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " join ispeed.meta_load l on c.relname in ('stg_measurement_l' || l.load_id, 'stg_measurement_checked_l' || l.load_id,"
            " 'stg_measurement_names_l' || l.load_id,"
            " 'stg_measurement_l' || l.load_id || '_line')"
            " where n.nspname = 'ispeed' and (l.status <> 'running' or l.started_at < now() - interval '2 days')"
        )
        for name, kind in cur.fetchall():
            cur.execute(
                sql.SQL("drop {} if exists {}").format(
                    sql.SQL("sequence" if kind == "S" else "table"), sql.Identifier("ispeed", name)
                )
            )
    conn.commit()


def _stage_file(
    conn, cfg: PipelineConfig, month: date, load_id: int, partition, path: Path, seen_sha: dict[str, str], reload: bool
) -> FileOutcome:
    """COPY one file into the load's staging partition, or record why it was not."""
    cur = conn.cursor()
    size = path.stat().st_size
    digest = _digest(path)
    sha = digest.sha256

    def register(status: str, error: str | None = None, fmt: str | None = None, header: dict | None = None) -> int:
        cur.execute(
            "insert into ispeed.meta_file (dataset, month, file_name, source_path, size_bytes, sha256, format,"
            " header_map, status, error, load_id) values (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) returning file_id",
            (
                DATASET,
                month,
                path.name,
                str(path),
                size,
                sha,
                fmt,
                psycopg2.extras.Json(header) if header else None,
                status,
                error,
                load_id,
            ),
        )
        return cur.fetchone()[0]

    if sha in seen_sha:
        error = f"same content as {seen_sha[sha]} in this load"
        return FileOutcome(register("duplicate_file", error), path.name, "duplicate_file", error=error)
    if not reload:
        cur.execute(
            "select file_id, file_name from ispeed.meta_file where dataset = %s and sha256 = %s and status = 'loaded'",
            (DATASET, sha),
        )
        earlier = cur.fetchone()
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
            if _copy_direct(cur, conn, partition, load_id, file_id, path, fmt, hmap, records):
                cur.execute("release savepoint copy_direct")
                cur.execute("release savepoint stage_file")
                return FileOutcome(file_id, path.name, "staged")
            cur.execute("rollback to savepoint copy_direct")  # read it the careful way below
        file_id = register("staged", None, fmt.kind, hmap.as_json())
        source = CopySource(_with_ids(rows, load_id, file_id))
        columns = sql.SQL(", ").join(
            sql.Identifier(c) for c in ["load_id", "file_id", "line_no", *CANONICAL, "parse_error"]
        )
        copy = sql.SQL("copy {} ({}) from stdin with (format csv)").format(partition, columns)
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


def _copy_direct(cur, conn, partition, load_id: int, file_id: int, path: Path, fmt, hmap, records: int) -> bool:
    """COPY the file's bytes straight into the staging partition: PostgreSQL parses the CSV, at the
    speed of a bare COPY. The line of each row comes from a sequence (rows arrive in file order).
    False when PostgreSQL refuses the file (a ragged row, bad bytes) or when it read a different
    number of rows than the file has lines (a quoted line break): then the line numbers would not
    be the file's, and the caller reads the file with Python instead, which knows them."""
    seq = sql.Identifier("ispeed", f"stg_measurement_l{load_id}_line")
    cur.execute(sql.SQL("create sequence if not exists {} minvalue 0").format(seq))
    cur.execute(sql.SQL("alter sequence {} restart with {}").format(seq, sql.Literal(fmt.header_line + 1)))
    cur.execute(
        sql.SQL(
            "alter table {} alter column load_id set default {}, alter column file_id set default {},"
            " alter column line_no set default nextval({})"
        ).format(
            partition,
            sql.Literal(load_id),
            sql.Literal(file_id),
            sql.Literal(f"ispeed.stg_measurement_l{load_id}_line"),
        )
    )
    in_file_order = sorted(hmap.positions, key=hmap.positions.get)
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in in_file_order)
    # force_null: a quoted empty cell ("") is empty, as the line-by-line reading has it
    copy = sql.SQL("copy {} ({}) from stdin with (format csv, header true, delimiter {}, force_null ({}))").format(
        partition, columns, sql.Literal(fmt.delimiter), columns
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
        sql.SQL(
            "select exists (select from {} where file_id = %s and measurement_id = %s and measured_at = %s)"
        ).format(partition),
        (file_id, header["measurement_id"], header["measured_at"]),
    )
    if cur.fetchone()[0]:
        log.info("%s: the header appears again inside the file; reading it line by line", path.name)
        return False
    return True


def _lap(summary: LoadSummary, stage: str, since: float) -> float:
    now = time.perf_counter()
    summary.timings[stage] = round(now - since, 3)
    return now


def _with_ids(rows, load_id: int, file_id: int):
    for row in rows:
        yield [load_id, file_id, *row]


def _finish_load(cur, summary: LoadSummary, suite_result: SuiteResult, status: str, error: str | None) -> None:
    cur.execute(
        "update ispeed.meta_load set status = %s, finished_at = now(), files_seen = %s, rows_read = %s,"
        " rows_loaded = %s, rows_quarantined = %s, rows_duplicate = %s, validation = %s, error = %s"
        " where load_id = %s",
        (
            status,
            len(summary.files),
            summary.rows_read,
            summary.rows_loaded,
            summary.rows_quarantined,
            summary.rows_duplicate,
            psycopg2.extras.Json(suite_result.document),
            error,
            summary.load_id,
        ),
    )


def _file_away(conn, cfg: PipelineConfig, month: date, summary: LoadSummary, staged) -> None:
    """After the commit: loaded and duplicate files go to the archive, rejected ones aside to
    rejected/, so that landing holds only what has not been dealt with."""
    label = month_label(month)
    archived_paths = {str(p) for _, p, archived in staged.values() if archived}
    with conn.cursor() as cur:
        cur.execute("select file_id, source_path, status from ispeed.meta_file where load_id = %s", (summary.load_id,))
        for file_id, source_path, status in cur.fetchall():
            src = Path(source_path)
            if source_path in archived_paths:  # reloaded from the archive: it stays there
                cur.execute("update ispeed.meta_file set archive_path = source_path where file_id = %s", (file_id,))
                continue
            if not src.exists():
                continue
            base = cfg.archive if status in ("loaded", "duplicate_file") else paths.data_dir() / "rejected"
            dest = base / "ispeed" / label / f"{file_id:08d}__{src.name}"
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(src), dest)
            cur.execute("update ispeed.meta_file set archive_path = %s where file_id = %s", (str(dest), file_id))
    conn.commit()
