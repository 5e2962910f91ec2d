"""The load ledger: which loads ran, which files they read and what became of each file
(``ispeed.meta_load``, ``ispeed.meta_file``), for every dataset, and where the files are.

Every load of a month, whatever its dataset (``measurements``, ``agency_returns``,
``operator_returns``), goes the same way through the ledger:

    load_id = start_load(cur, dataset, month, run_id)
    file_id = register_file(cur, dataset, month, load_id, path, ...)   # every file it sees
    record_outcome(cur, outcome)                                        # its status and counts
    finish_load(cur, summary, validation)   # or record_failure(conn, load_id, error)
    file_away(conn, cfg, dataset, month, load_id)   # after the commit: to archive/ or rejected/

The files of a dataset arrive in ``<landing>/<folder>/YYYY-MM/`` and leave for
``<archive>/<folder>/YYYY-MM/`` or ``<data>/rejected/<folder>/YYYY-MM/`` (FOLDERS).
The functions taking a cursor run in the caller's transaction; the SQL is in include/sql/ledger/.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import time
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import ClassVar

import psycopg2
import psycopg2.extras

from ispeed import paths
from ispeed.config import PipelineConfig, pipeline_config
from ispeed.months import month_label

log = logging.getLogger(__name__)

#: The folder of each dataset in the landing, archive and rejected folders.
FOLDERS = {"measurements": "ispeed", "agency_returns": "agency_returns", "operator_returns": "operator_returns"}
#: The statuses of an earlier file that make a file with the same content a duplicate. A
#: measurement file that a reload replaced was registered again by it (or is gone from the archive,
#: and may load again); a return replaced by a later one was accepted once: sending it again
#: changes nothing.
ALREADY_LOADED = {
    "measurements": ["loaded"],
    "agency_returns": ["loaded", "replaced"],
    "operator_returns": ["loaded", "replaced"],
}
MAX_ERROR_CHARS = 2000  # of a failed load's error


@dataclass
class FileOutcome:
    """One file of a load: what its row of ispeed.meta_file records."""

    file_id: int | None
    name: str
    status: str  # loaded / replaced / rejected / duplicate_file (staged, reading: while the load runs)
    senders: list[str] = field(default_factory=list)  # returns: who sent the file
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0  # measurements: rows whose id the month or the load had already
    rows_conflicting: int = 0  # measurements: of the duplicate rows, those with other values
    rows_replaced: int = 0  # returns: accepted rows that a later return of the same sender replaced
    error: str | None = None


@dataclass
class LoadSummary:
    """What a load did: its files, their totals, Great Expectations' result and the seconds of
    each stage. Each dataset's summary adds its ``report()`` for the task log; ``as_dict()`` is
    small and JSON-serialisable (for XCom)."""

    month: str
    load_id: int
    files: list[FileOutcome] = field(default_factory=list)
    validation: dict | None = None
    validation_path: str | None = None
    timings: dict[str, float] = field(default_factory=dict)

    #: The row counts that the dataset reports, per file and for the load (``as_dict()``).
    COUNTS: ClassVar[tuple[str, ...]] = ("rows_read", "rows_loaded", "rows_quarantined", "rows_duplicate")
    #: The fields of a file in ``as_dict()``.
    FILE_FIELDS: ClassVar[tuple[str, ...]] = ("file_id", "name", "status", *COUNTS, "error")

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
    def rows_replaced(self) -> int:
        return sum(f.rows_replaced for f in self.files)

    @property
    def rejected(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "rejected"]

    def lap(self, stage: str, since: float) -> float:
        """Record the seconds of ``stage`` since ``since`` (time.perf_counter()); returns now."""
        now = time.perf_counter()
        self.timings[stage] = round(now - since, 3)
        return now

    def as_dict(self) -> dict:
        data = asdict(self)
        data["files"] = [{k: v for k, v in f.items() if k in self.FILE_FIELDS} for f in data["files"]]
        data.update((name, getattr(self, name)) for name in self.COUNTS)
        return data

    def report_footer(self) -> list[str]:
        """The last lines of every load's report: the seconds per stage, Great Expectations' files."""
        lines = []
        if self.timings:
            lines.append("  seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in self.timings.items()))
        if self.validation_path:
            lines.append(f"  Great Expectations result: {self.validation_path}")
        if self.validation and self.validation.get("data_docs"):
            lines.append(f"  Great Expectations Data Docs: {self.validation['data_docs']}")
        return lines


# ---------------------------------------------------------------- where the files are
def landing_folder(dataset: str, month: date, cfg: PipelineConfig | None = None) -> Path:
    """Where a month's files of a dataset arrive: <landing>/ispeed/YYYY-MM/ for the measurements,
    <landing>/agency_returns/YYYY-MM/ (operator_returns) for the returns."""
    cfg = cfg or pipeline_config()
    return cfg.landing / FOLDERS[dataset] / month_label(month)


def archive_folder(dataset: str, month: date, cfg: PipelineConfig | None = None) -> Path:
    """Where a month's loaded (and duplicate, and replaced) files of a dataset go after their load."""
    cfg = cfg or pipeline_config()
    return cfg.archive / FOLDERS[dataset] / month_label(month)


def rejected_folder(dataset: str, month: date) -> Path:
    """Where a month's rejected files of a dataset are set aside, for the sender to fix and resend."""
    return paths.data_dir() / "rejected" / FOLDERS[dataset] / month_label(month)


def landed_files(folder: Path, *, oldest_first: bool = False) -> list[Path]:
    """Regular files directly in a month's folder, by name, or ``oldest_first`` by file time, then
    name (the order in which a later return replaces an earlier one). Hidden files, Excel's lock
    files (~$...), folders and symlinks are left alone (a symlink could point outside the landing
    area)."""
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.is_file() and not p.is_symlink() and not p.name.startswith((".", "~$"))]
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name)) if oldest_first else sorted(found)


def file_away(
    conn, cfg: PipelineConfig | None, dataset: str, month: date, load_id: int, *, kept: Collection[str] = ()
) -> None:
    """After the commit: the load's files leave the landing folder, the rejected ones aside to
    rejected/, the others (loaded, duplicate) to the archive, so that landing holds only what has
    not been dealt with. A file named in ``kept`` (a source path: read again from the archive by a
    reload) stays where it is. Each file's new place is recorded as its archive_path."""
    cfg = cfg or pipeline_config()
    record = paths.read_sql("ledger/record_archive_path.sql")
    with conn.cursor() as cur:
        cur.execute(paths.read_sql("ledger/files_of_load.sql"), {"load_id": load_id})
        for file_id, source_path, status in cur.fetchall():
            src = Path(source_path)
            if source_path in kept:
                dest = src
            elif not src.exists():
                continue
            else:
                folder = (
                    rejected_folder(dataset, month) if status == "rejected" else archive_folder(dataset, month, cfg)
                )
                dest = folder / f"{file_id:08d}__{src.name}"
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(src), dest)  # keeps the file time, which orders returns
            cur.execute(record, {"archive_path": str(dest), "file_id": file_id})
    conn.commit()


# ---------------------------------------------------------------- loads
def start_load(cur, dataset: str, month: date, run_id: str | None) -> int:
    """A new load of the month, running; returns its load_id."""
    cur.execute(paths.read_sql("ledger/start_load.sql"), {"dataset": dataset, "month": month, "run_id": run_id})
    return cur.fetchone()[0]


def abandon_running_loads(cur, dataset: str, month: date) -> list[tuple]:
    """Mark abandoned the loads of the month still marked running, and their files not yet loaded.
    Only for a caller that holds the month's advisory lock: any other load of the month that says it
    runs is dead. Says so in the log (the retry's log of a killed try), and returns (load_id,
    run_id, started_at, files) of each."""
    cur.execute(paths.read_sql("ledger/abandon_running_loads.sql"), {"dataset": dataset, "month": month})
    lost = cur.fetchall()
    for load_id, run_id, started_at, files in lost:
        log.warning(
            "%s %s: load %s (run %s, started %s) was lost before it finished (its worker died or was "
            "killed): marked abandoned with its %s unfinished file(s); this load reads the month's "
            "files again and replaces the month whole",
            dataset, month.isoformat()[:7], load_id, run_id, f"{started_at:%Y-%m-%d %H:%M:%S %Z}", files,
        )  # fmt: skip
    return lost


def finish_load(cur, summary: LoadSummary, validation: dict | None) -> None:
    """The load succeeded: its totals, and Great Expectations' result (its JSON document)."""
    cur.execute(
        paths.read_sql("ledger/finish_load.sql"),
        {
            "files_seen": len(summary.files),
            "rows_read": summary.rows_read,
            "rows_loaded": summary.rows_loaded,
            "rows_quarantined": summary.rows_quarantined,
            # a dataset has either duplicate rows (measurements) or replaced ones (returns)
            "rows_duplicate": summary.rows_duplicate + summary.rows_replaced,
            "validation": psycopg2.extras.Json(validation),
            "load_id": summary.load_id,
        },
    )


def record_failure(conn, load_id: int, error: str) -> None:
    """Roll the load's transaction back and mark the load failed, if the connection still works
    (it may be what failed)."""
    try:
        conn.rollback()
        with conn.cursor() as cur:
            cur.execute(paths.read_sql("ledger/fail_load.sql"), {"error": error[:MAX_ERROR_CHARS], "load_id": load_id})
        conn.commit()
    except psycopg2.Error:
        log.warning("could not record the failure of load %s: the warehouse connection is gone", load_id)


# ---------------------------------------------------------------- files
def sha256_of(path: Path) -> str:
    """The file's sha256 (hex), by which the ledger knows its content (meta_file.sha256)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def register_file(
    cur,
    dataset: str,
    month: date,
    load_id: int,
    path: Path,
    *,
    size: int,
    sha256: str,
    status: str,
    error: str | None = None,
    fmt: str | None = None,
    header: dict | None = None,
) -> int:
    """A file the load sees, with its first status; returns its file_id."""
    cur.execute(
        paths.read_sql("ledger/register_file.sql"),
        {
            "dataset": dataset,
            "month": month,
            "file_name": path.name,
            "source_path": str(path),
            "size_bytes": size,
            "sha256": sha256,
            "format": fmt,
            "header_map": psycopg2.extras.Json(header) if header else None,
            "status": status,
            "error": error,
            "load_id": load_id,
        },
    )
    return cur.fetchone()[0]


def file_with_same_content(
    cur, dataset: str, sha256: str, *, month: date | None = None
) -> tuple[int, str, date] | None:
    """The earliest file of the dataset, in any month (or in ``month`` only), with this content and
    a status that makes another copy a duplicate (ALREADY_LOADED): (file_id, file_name, month), or
    None."""
    cur.execute(
        paths.read_sql("ledger/file_with_same_content.sql"),
        {"dataset": dataset, "sha256": sha256, "statuses": ALREADY_LOADED[dataset], "month": month},
    )
    return cur.fetchone()


def record_outcome(cur, outcome: FileOutcome) -> None:
    """A file's status, error and counts."""
    cur.execute(
        paths.read_sql("ledger/record_file_outcome.sql"),
        {
            "file_id": outcome.file_id,
            "status": outcome.status,
            "error": outcome.error,
            "rows_read": outcome.rows_read,
            "rows_loaded": outcome.rows_loaded,
            "rows_quarantined": outcome.rows_quarantined,
            # a dataset has either duplicate rows (measurements) or replaced ones (returns)
            "rows_duplicate": outcome.rows_duplicate + outcome.rows_replaced,
        },
    )


def archived_files(cur, dataset: str, month: date) -> list[Path]:
    """The archived copies of the month's loaded files, in the order they were loaded (a reload
    reads them again); the caller checks that each is still there."""
    cur.execute(paths.read_sql("ledger/archived_files_of_month.sql"), {"dataset": dataset, "month": month})
    return [Path(r[0]) for r in cur.fetchall()]


def replace_files_of_month(cur, dataset: str, month: date) -> None:
    """A month being reloaded: the files of its earlier loads are marked replaced."""
    cur.execute(paths.read_sql("ledger/replace_files_of_month.sql"), {"dataset": dataset, "month": month})


def mark_replaced_returns(cur, dataset: str, month: date) -> set[int]:
    """The accepted returns of the month that are no sender's latest any more are marked replaced;
    returns their file_ids."""
    cur.execute(paths.read_sql("ledger/mark_replaced_returns.sql"), {"dataset": dataset, "month": month})
    return {r[0] for r in cur.fetchall()}
