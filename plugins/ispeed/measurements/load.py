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

The rooms of the load: staging.py (the staging partition, the direct COPY and the Python reading,
the check), facts.py (quarantine, facts, the partition swap and its locks, VACUUM), and the
ledger (ispeed.warehouse.ledger: meta_load, meta_file, the landing, archive and rejected folders).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import ClassVar

from ispeed.config import PipelineConfig, pipeline_config
from ispeed.measurements import facts, staging
from ispeed.measurements.staging import CANONICAL as CANONICAL  # the contract's columns, in order
from ispeed.measurements.staging import DATASET
from ispeed.measurements.suite import measurement_rules, run_suite, save_result
from ispeed.months import month_label
from ispeed.warehouse import connection as warehouse
from ispeed.warehouse import ledger, locks
from ispeed.warehouse.ledger import FileOutcome, LoadSummary

log = logging.getLogger(__name__)


@dataclass
class MeasurementsSummary(LoadSummary):
    """A load of i-Speed measurements. Its timings: stage (read, parse, COPY), check (typing and
    rules in SQL), validate (Great Expectations), load (quarantine and facts, one transaction),
    vacuum."""

    reload: bool = False  # a reload: the newest file's values win

    COUNTS: ClassVar[tuple[str, ...]] = (*LoadSummary.COUNTS, "rows_conflicting")
    FILE_FIELDS: ClassVar[tuple[str, ...]] = (*LoadSummary.FILE_FIELDS, "rows_conflicting")

    @property
    def rows_conflicting(self) -> int:
        """Duplicate rows whose id was kept from a row with other values (conflicts)."""
        return sum(f.rows_conflicting for f in self.files)

    def report(self) -> str:
        """A few lines for the task log."""
        lines = [
            f"i-Speed measurements {self.month} (load {self.load_id}): {len(self.files)} file(s), "
            f"{self.rows_read} rows read = {self.rows_loaded} loaded + {self.rows_quarantined} quarantined "
            f"+ {self.rows_duplicate} duplicate"
            + (f" (of which {self.rows_conflicting} with other values: conflicts)" if self.rows_conflicting else "")
        ]
        for f in self.files:
            lines.append(
                f"  {f.status:<15} {f.name}: read {f.rows_read}, loaded {f.rows_loaded}, "
                f"quarantined {f.rows_quarantined}, duplicate {f.rows_duplicate}"
                + (f" ({f.rows_conflicting} with other values)" if f.rows_conflicting else "")
                + (f" -- {f.error}" if f.error else "")
            )
        if self.rows_conflicting:
            lines.append(
                f"  {self.rows_conflicting} row(s) repeat a measurement id with other values: "
                + (
                    "the newest file's values were kept (reload)."
                    if self.reload
                    else "the values already loaded were kept; reload the month to take the newest file's "
                    "(ispeed.fact_measurement_collapsed lists them; docs/corrections.md)."
                )
            )
        return "\n".join(lines + self.report_footer())


class RejectedFilesError(RuntimeError):
    """Raised after the good files were committed, when some file was rejected."""


def landing_folder(month: date, cfg: PipelineConfig | None = None) -> Path:
    """Where a month's i-Speed exports arrive: <landing>/ispeed/YYYY-MM/."""
    return ledger.landing_folder(DATASET, month, cfg)


def load_month(
    month: date, *, run_id: str | None = None, reload: bool = False, where: warehouse.Target | None = None
) -> MeasurementsSummary:
    """Load the month's i-Speed exports from the landing folder (see the module docstring)."""
    cfg = pipeline_config()
    where = where or warehouse.target()
    conn = warehouse.connect(where)
    try:
        # Held until the load ends: a second run of the same month waits here.
        with locks.held(conn, locks.month_key(DATASET, month)):
            return _load(conn, where, cfg, month, run_id, reload)
    finally:
        conn.close()  # releases the advisory lock, if the load ended inside a transaction


def _import_great_expectations() -> None:
    import great_expectations  # noqa: F401 - two seconds of imports, done while PostgreSQL copies


def _load(conn, where, cfg, month, run_id, reload) -> MeasurementsSummary:
    # Python mostly waits for PostgreSQL while it COPYs: meanwhile, import GX for the suite. (The
    # check, later, runs on every core; the import there would slow it down.)
    threading.Thread(target=_import_great_expectations, name="ispeed-gx-import", daemon=True).start()
    staging.drop_stale_staging(conn, month)
    cur = conn.cursor()
    load_id = ledger.start_load(cur, DATASET, month, run_id)
    tables = staging.create_staging(cur, load_id)
    conn.commit()
    summary = MeasurementsSummary(month_label(month), load_id, reload=reload)
    try:
        candidates = [(p, False) for p in ledger.landed_files(landing_folder(month, cfg))]
        if reload:
            candidates = [(p, True) for p in ledger.archived_files(cur, DATASET, month) if p.is_file()] + candidates
        clock = time.perf_counter()
        staged: dict[int, tuple[FileOutcome, Path, bool]] = {}
        seen_sha: dict[str, str] = {}
        for path, archived in candidates:
            outcome = staging.stage_file(conn, cfg, month, tables, path, seen_sha, reload)
            summary.files.append(outcome)
            if outcome.status == "staged":
                staged[outcome.file_id] = (outcome, path, archived)
        conn.commit()
        clock = summary.lap("stage", clock)

        rules = measurement_rules(month, cfg)
        staging.check_staged(conn, tables, month, rules, lambda: warehouse.connect(where))
        clock = summary.lap("check", clock)

        # Great Expectations reads the committed checked table on its own connection while this
        # one quarantines and inserts: the two overlap instead of adding up.
        suite = _Background(
            run_suite,
            where.sqlalchemy_url(),
            tables.checked_name,
            rules,
            cfg.validation / "measurements" / month_label(month) / f"load_{load_id}_docs",
        )
        if reload:
            facts.forget_quarantine_of_month(cur, month)
            ledger.replace_files_of_month(cur, DATASET, month)
        facts.quarantine(cur, month, tables.checked, rules)
        loaded, swap_partition = facts.insert_facts(cur, month, load_id, tables.checked, tables.kept, replace=reload)
        for file_id, rows_read, rows_quarantined in facts.checked_counts(cur, tables.checked):
            outcome = staged[file_id][0]
            outcome.rows_read, outcome.rows_quarantined = rows_read, rows_quarantined
        for outcome, _, _ in staged.values():
            outcome.status = "loaded"
            outcome.rows_loaded = loaded.get(outcome.file_id, 0)
            outcome.rows_duplicate = outcome.rows_read - outcome.rows_loaded - outcome.rows_quarantined
        if any(outcome.rows_duplicate for outcome, _, _ in staged.values()):
            # which ids collapsed into one, and which of them with other values (conflicts)
            collapsed = facts.record_collapsed(
                cur, month, tables.checked, tables.kept, built=swap_partition is not None, replace=reload
            )
            for file_id, (_, conflicting) in collapsed.items():
                staged[file_id][0].rows_conflicting = conflicting
        for outcome, _, _ in staged.values():
            ledger.record_outcome(cur, outcome)
        summary.lap("load", clock)
        suite_result = suite.result()
        summary.timings["validate"] = round(suite.seconds, 3)
        summary.validation = suite_result.summary()
        summary.validation_path = str(
            save_result(suite_result, cfg.validation / "measurements" / month_label(month), f"load_{load_id}")
        )
        if swap_partition is not None:
            # Last, so that the lock it takes on the facts (readers of every month wait) lasts
            # only until the commit below.
            facts.swap_partition(cur, month, swap_partition)
        ledger.finish_load(cur, summary, suite_result.document)
        conn.commit()
    except BaseException as exc:
        ledger.record_failure(conn, load_id, f"{type(exc).__name__}: {exc}")
        raise
    finally:
        staging.drop_staging(conn, tables)

    # reloaded from the archive: those files stay there
    archived = {str(path) for _, path, from_archive in staged.values() if from_archive}
    ledger.file_away(conn, cfg, DATASET, month, load_id, kept=archived)
    if summary.rows_loaded:
        clock = time.perf_counter()
        facts.vacuum_month(conn, month)
        summary.lap("vacuum", clock)
    log.debug("%s", summary.report())  # printed once, by ispeed.tasks (the task log) or the command line
    return summary


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
