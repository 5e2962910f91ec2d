"""Monthly returns, from the landing folder to the warehouse, one month and one kind at a time.

    landing/agency_returns/YYYY-MM/*.xlsx|*.csv     (operator_returns likewise)
      -> each file read (read.py): a file that cannot be read is rejected, with a message
      -> all rows typed into one frame (frame.py); the kind's GX suite validates it (suites.py)
      -> one transaction (record.py): every return recorded (meta_return), the rows of rejected
         returns quarantined with what is wrong, the month's facts set from each sender's latest return
      -> files archived, or set aside in rejected/ when rejected

A file is a return, accepted or rejected as a whole: if any row breaks a rule, the official must
fix it and send the file again, and every problem of the file is listed (one message per wrong
cell). A second return of the same sender and month replaces the first: the latest file wins
(by file time, then name), and the facts record which file and row they come from.

Re-running a month with the same files changes nothing: files already accepted are known by their
sha256 and skipped, and loaded files leave the landing folder. Two runs of the same month and kind
never interleave: the load holds an advisory lock on them.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import ClassVar

from ispeed.config import PipelineConfig, pipeline_config
from ispeed.months import month_label
from ispeed.returns.agencies import sync_agencies
from ispeed.returns.contract import AGENCY_RETURN, OPERATOR_RETURN, ReturnKind
from ispeed.returns.frame import Lookups, build_frame, duplicate_rows, load_lookups, typed_columns
from ispeed.returns.read import ReturnFileRejected, ReturnSheet, read_return
from ispeed.returns.record import Landed, record_load
from ispeed.returns.status import return_status
from ispeed.returns.suites import (
    Context,
    SuiteOutcome,
    agency_rules,
    operator_rules,
    row_problems,
    run_suite,
    save_result,
)
from ispeed.returns.units import unit_words
from ispeed.warehouse import connection as warehouse
from ispeed.warehouse import ledger, locks
from ispeed.warehouse.ledger import FileOutcome, LoadSummary

log = logging.getLogger(__name__)


@dataclass(kw_only=True)
class ReturnsSummary(LoadSummary):
    """A load of one kind of returns: its files with their senders, and the state of the month
    after it. A file's replaced rows (rows_replaced) are its accepted rows that a later return of
    the same sender replaced."""

    dataset: str
    states: dict[str, int] = field(default_factory=dict)  # submitted / rejected / missing -> senders
    senders_by_state: dict[str, list[str]] = field(default_factory=dict)

    COUNTS: ClassVar[tuple[str, ...]] = ("rows_read", "rows_loaded", "rows_quarantined", "rows_replaced")
    FILE_FIELDS: ClassVar[tuple[str, ...]] = ("file_id", "name", "status", "senders", *COUNTS, "error")

    def as_dict(self) -> dict:
        data = super().as_dict()  # the XCom's keys in the order it has always had them:
        return {k: data[k] for k in ("dataset", "month", "load_id", "files", "states", "senders_by_state")} | data

    def report(self) -> str:
        """A few lines for the task log."""
        title = {"agency_returns": "Agency returns", "operator_returns": "Operator returns"}[self.dataset]
        by_status: dict[str, int] = {}
        for f in self.files:
            by_status[f.status] = by_status.get(f.status, 0) + 1
        lines = [
            f"{title} {self.month} (load {self.load_id}): {len(self.files)} file(s)"
            + (" (" + ", ".join(f"{n} {s}" for s, n in sorted(by_status.items())) + ")" if by_status else "")
            + f"; {self.rows_read} rows read = {self.rows_loaded} loaded + {self.rows_quarantined} quarantined"
            + f" + {self.rows_replaced} replaced by a later return"
        ]
        for f in self.files:
            who = ", ".join(f.senders) or "sender unknown"
            lines.append(
                f"  {f.status:<14} {f.name} [{who}]: read {f.rows_read}, loaded {f.rows_loaded}, "
                f"quarantined {f.rows_quarantined}" + (f" -- {f.error}" if f.error else "")
            )
        lines.append(
            "  state of the month: "
            + ", ".join(f"{self.states.get(s, 0)} {s}" for s in ("submitted", "rejected", "missing"))
        )
        for state in ("rejected", "missing"):
            if self.senders_by_state.get(state):
                lines.append(f"    {state}: {', '.join(self.senders_by_state[state])}")
        return "\n".join(lines + self.report_footer())


def landing_folder(kind: ReturnKind, month: date, cfg: PipelineConfig | None = None) -> Path:
    """Where a month's returns of a kind arrive: <landing>/agency_returns/YYYY-MM/ (or operator_returns)."""
    return ledger.landing_folder(kind.dataset, month, cfg)


def load_agency_returns(month: date, *, run_id: str | None = None, where: warehouse.Target | None = None) -> dict:
    """Load the month's agency returns (see the module docstring); returns the summary as a dict."""
    return load_returns(AGENCY_RETURN, month, run_id=run_id, where=where).as_dict()


def load_operator_returns(month: date, *, run_id: str | None = None, where: warehouse.Target | None = None) -> dict:
    """Load the month's operator returns (see the module docstring); returns the summary as a dict."""
    return load_returns(OPERATOR_RETURN, month, run_id=run_id, where=where).as_dict()


def load_returns(
    kind: ReturnKind, month: date, *, run_id: str | None = None, where: warehouse.Target | None = None
) -> ReturnsSummary:
    """Load the month's returns of one kind. Rejected returns are a normal outcome (the official
    resends), so they do not raise; an error of the pipeline itself does, after marking the load
    failed and rolling its facts back."""
    month = month.replace(day=1)
    cfg = pipeline_config()
    where = where or warehouse.target()
    conn = warehouse.connect(where)
    try:
        # Held until the load ends: a second run of the same month and kind waits here.
        with locks.held(conn, locks.month_key(kind.dataset, month)):
            if kind is AGENCY_RETURN:
                counts = sync_agencies(conn)  # agencies.csv may have changed since the last run
                conn.commit()
                log.info("agencies: %s", counts)
            summary = _load(conn, cfg, kind, month, run_id)
            ledger.file_away(conn, cfg, kind.dataset, month, summary.load_id)
            statuses = return_status(month, dataset=kind.dataset, conn=conn)
            for s in statuses:
                summary.states[s["state"]] = summary.states.get(s["state"], 0) + 1
                summary.senders_by_state.setdefault(s["state"], []).append(s["code"])
            log.info("%s", summary.report())
            return summary
    finally:
        conn.close()  # releases the advisory lock, if the load ended inside a transaction


def _load(conn, cfg: PipelineConfig, kind: ReturnKind, month: date, run_id: str | None) -> ReturnsSummary:
    cur = conn.cursor()
    load_id = ledger.start_load(cur, kind.dataset, month, run_id)
    conn.commit()
    summary = ReturnsSummary(month_label(month), load_id, dataset=kind.dataset)
    try:
        clock = time.perf_counter()
        lookups = load_lookups(conn, month)
        landed = _read_files(cur, kind, month, load_id, landing_folder(kind, month, cfg), lookups)
        summary.files = [f.outcome for f in landed]
        clock = summary.lap("read", clock)

        readable = [f for f in landed if f.sheet is not None]
        frame = build_frame(kind, [(f.outcome.file_id, f.sheet) for f in readable], lookups)
        rules = agency_rules(month) if kind is AGENCY_RETURN else operator_rules(month)
        problems: dict = {}
        outcome: SuiteOutcome | None = None
        if len(frame):
            outcome = run_suite(frame, kind, rules, typed_columns(kind))
            key = (
                ["file_id", "agency_code"]
                if kind is AGENCY_RETURN
                else ["file_id", "operator_code", "area_code", "network_generation"]
            )
            context = Context(
                month_label(month),
                lookups.names,
                duplicate_rows(frame, key),
                ", ".join(lookups.reporting_operators),
                unit_words(month),
            )
            problems = row_problems(frame, kind, rules, outcome, context)
            summary.validation = outcome.summary()
            summary.validation_path = str(
                save_result(outcome.document, cfg.validation / kind.dataset / month_label(month), f"load_{load_id}")
            )
        clock = summary.lap("validate", clock)

        record_load(cur, kind, month, load_id, landed, frame, problems, lookups)
        summary.files = [f.outcome for f in landed]
        ledger.finish_load(cur, summary, outcome.document if outcome else None)
        conn.commit()
        summary.lap("load", clock)
    except BaseException as exc:
        ledger.record_failure(conn, load_id, str(exc))
        raise
    return summary


def _read_files(cur, kind: ReturnKind, month: date, load_id: int, folder: Path, lookups: Lookups) -> list[Landed]:
    """Register every landed file (in the load's transaction) and read those not seen before."""
    landed: list[Landed] = []
    seen: dict[str, str] = {}
    for path in ledger.landed_files(folder, oldest_first=True):
        stat = path.stat()
        sha = ledger.sha256_of(path)
        mtime = datetime.fromtimestamp(stat.st_mtime, tz=UTC)
        sheet: ReturnSheet | None = None
        error: str | None = None
        status = "reading"
        fmt = header = None
        texts: list[str] = []
        earlier = ledger.file_with_same_content(cur, kind.dataset, sha)
        if sha in seen:
            status, error = "duplicate_file", f"same content as {seen[sha]} in this load"
        elif earlier:
            status = "duplicate_file"
            error = (
                f"same content as {earlier[1]} (file_id {earlier[0]}, month {month_label(earlier[2])}), accepted before"
            )
        else:
            seen[sha] = path.name
            try:
                sheet = read_return(path, kind)
                fmt, header = sheet.format, sheet.header_json()
            except ReturnFileRejected as exc:
                status, error, texts = "rejected", str(exc), exc.texts
        file_id = ledger.register_file(
            cur,
            kind.dataset,
            month,
            load_id,
            path,
            size=stat.st_size,
            sha256=sha,
            status=status,
            error=error,
            fmt=fmt,
            header=header,
        )
        outcome = FileOutcome(file_id, path.name, status, error=error)
        landed.append(Landed(path, outcome, sha, mtime, sheet, texts))
    return landed
