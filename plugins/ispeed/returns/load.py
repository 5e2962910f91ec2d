"""Monthly returns, from the landing folder to the warehouse, one month and one kind at a time.

    landing/agency_returns/YYYY-MM/*.xlsx|*.csv     (operator_returns likewise)
      -> each file read (read.py): a file that cannot be read is rejected, with a message
      -> all rows typed into one frame (frame.py); the kind's GX suite validates it (suites.py)
      -> one transaction: every return recorded (meta_return), the rows of rejected returns
         quarantined with what is wrong, the month's facts set from each sender's latest return
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
import shutil
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg2.extras

from ispeed import paths
from ispeed.config import PipelineConfig, pipeline_config
from ispeed.measurements.readers import sha256_of
from ispeed.months import month_label
from ispeed.returns.agencies import sync_agencies
from ispeed.returns.contract import AGENCY_RETURN, OPERATOR_RETURN, ReturnKind
from ispeed.returns.frame import Lookups, build_frame, duplicate_rows, load_lookups, typed_columns
from ispeed.returns.read import ReturnFileRejected, ReturnSheet, read_return
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
from ispeed.text import norm_key
from ispeed.warehouse import connection as warehouse

log = logging.getLogger(__name__)

REJECTED_RULE = "return_rejected"
MAX_ERROR_CHARS = 4000


@dataclass
class FileOutcome:
    file_id: int | None
    name: str
    status: str  # loaded / replaced / rejected / duplicate_file
    senders: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_replaced: int = 0  # accepted rows that a later return of the same sender replaced
    error: str | None = None


@dataclass
class ReturnsSummary:
    dataset: str
    month: str
    load_id: int
    files: list[FileOutcome] = field(default_factory=list)
    states: dict[str, int] = field(default_factory=dict)  # submitted / rejected / missing -> senders
    senders_by_state: dict[str, list[str]] = field(default_factory=dict)
    validation: dict | None = None
    validation_path: str | None = None
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
    def rows_replaced(self) -> int:
        return sum(f.rows_replaced for f in self.files)

    def as_dict(self) -> dict:
        """Small and JSON-serialisable (for XCom)."""
        data = asdict(self)
        data.update(
            rows_read=self.rows_read,
            rows_loaded=self.rows_loaded,
            rows_quarantined=self.rows_quarantined,
            rows_replaced=self.rows_replaced,
        )
        return data

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
        if self.timings:
            lines.append("  seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in self.timings.items()))
        if self.validation_path:
            lines.append(f"  Great Expectations result: {self.validation_path}")
        return "\n".join(lines)


def landing_folder(kind: ReturnKind, month: date, cfg: PipelineConfig | None = None) -> Path:
    """Where a month's returns of a kind arrive: <landing>/agency_returns/YYYY-MM/ (or operator_returns)."""
    cfg = cfg or pipeline_config()
    return cfg.landing / kind.dataset / month_label(month)


def _landed_files(folder: Path) -> list[Path]:
    """Regular files of the month's folder, oldest first (file time, then name): the order in
    which a later return replaces an earlier one. Hidden files, Excel's lock files (~$...),
    folders and symlinks are left alone."""
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.is_file() and not p.is_symlink() and not p.name.startswith((".", "~$"))]
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name))


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
        with conn.cursor() as cur:
            # Held until this function ends: a second run of the same month and kind waits here.
            cur.execute("select pg_advisory_lock(hashtext(%s))", (f"ispeed:{kind.dataset}:{month_label(month)}",))
        conn.commit()
        if kind is AGENCY_RETURN:
            counts = sync_agencies(conn)  # agencies.csv may have changed since the last run
            conn.commit()
            log.info("agencies: %s", counts)
        summary = _load(conn, cfg, kind, month, run_id)
        _file_away(conn, cfg, kind, month, summary)
        statuses = return_status(month, dataset=kind.dataset, conn=conn)
        for s in statuses:
            summary.states[s["state"]] = summary.states.get(s["state"], 0) + 1
            summary.senders_by_state.setdefault(s["state"], []).append(s["code"])
        log.info("%s", summary.report())
        return summary
    finally:
        conn.close()  # releases the advisory lock


@dataclass
class _Landed:
    path: Path
    outcome: FileOutcome
    sha256: str
    mtime: datetime
    sheet: ReturnSheet | None = None


def _load(conn, cfg: PipelineConfig, kind: ReturnKind, month: date, run_id: str | None) -> ReturnsSummary:
    cur = conn.cursor()
    cur.execute(
        paths.read_sql("returns/start_returns_load.sql"), {"dataset": kind.dataset, "month": month, "run_id": run_id}
    )
    load_id = cur.fetchone()[0]
    conn.commit()
    summary = ReturnsSummary(kind.dataset, month_label(month), load_id)
    try:
        clock = time.perf_counter()
        lookups = load_lookups(conn, month)
        landed = _read_files(cur, kind, month, load_id, landing_folder(kind, month, cfg), lookups)
        summary.files = [f.outcome for f in landed]
        clock = _lap(summary, "read", clock)

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
                cfg.province_name,
            )
            problems = row_problems(frame, kind, rules, outcome, context)
            summary.validation = outcome.summary()
            summary.validation_path = str(
                save_result(outcome.document, cfg.validation / kind.dataset / month_label(month), f"load_{load_id}")
            )
        clock = _lap(summary, "validate", clock)

        _record(cur, kind, month, load_id, landed, frame, problems, lookups)
        summary.files = [f.outcome for f in landed]
        cur.execute(
            paths.read_sql("returns/finish_returns_load.sql"),
            {
                "files_seen": len(landed),
                "rows_read": summary.rows_read,
                "rows_loaded": summary.rows_loaded,
                "rows_quarantined": summary.rows_quarantined,
                "rows_duplicate": summary.rows_replaced,
                "validation": psycopg2.extras.Json(outcome.document if outcome else None),
                "load_id": load_id,
            },
        )
        conn.commit()
        _lap(summary, "load", clock)
    except BaseException as exc:
        conn.rollback()
        with conn.cursor() as fail:
            fail.execute(
                paths.read_sql("returns/fail_returns_load.sql"), {"error": str(exc)[:2000], "load_id": load_id}
            )
        conn.commit()
        raise
    return summary


def _lap(summary: ReturnsSummary, stage: str, since: float) -> float:
    now = time.perf_counter()
    summary.timings[stage] = round(now - since, 3)
    return now


def _read_files(cur, kind: ReturnKind, month: date, load_id: int, folder: Path, lookups: Lookups) -> list[_Landed]:
    """Register every landed file (in the load's transaction) and read those not seen before."""
    landed: list[_Landed] = []
    seen: dict[str, str] = {}
    for path in _landed_files(folder):
        stat = path.stat()
        sha = sha256_of(path)
        mtime = datetime.fromtimestamp(stat.st_mtime, tz=UTC)
        sheet: ReturnSheet | None = None
        error: str | None = None
        status = "reading"
        fmt = header = None
        cur.execute(
            paths.read_sql("returns/find_accepted_file_with_same_content.sql"), {"dataset": kind.dataset, "sha256": sha}
        )
        earlier = cur.fetchone()
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
                status, error = "rejected", str(exc)
        cur.execute(
            paths.read_sql("returns/register_return_file.sql"),
            {
                "dataset": kind.dataset,
                "month": month,
                "file_name": path.name,
                "source_path": str(path),
                "size_bytes": stat.st_size,
                "sha256": sha,
                "format": fmt,
                "header_map": psycopg2.extras.Json(header) if header else None,
                "status": status,
                "error": error,
                "load_id": load_id,
            },
        )
        file_id = cur.fetchone()[0]
        outcome = FileOutcome(file_id, path.name, status, error=error)
        landed.append(_Landed(path, outcome, sha, mtime, sheet))
    return landed


def _sender_from_file_name(name: str, table: dict[str, str]) -> str | None:
    """The sender a file's name starts with ("SYT_2024-10.xlsx", "Viettel - T10.xlsx"), for a
    file that names no known sender inside; the longest matching spelling wins."""
    stem = norm_key(Path(name).stem)
    matches = [(len(k), code) for k, code in table.items() if len(k) >= 2 and stem.startswith(k)]
    return max(matches)[1] if matches else None


def _record(
    cur, kind: ReturnKind, month: date, load_id: int, landed: list[_Landed], frame, problems: dict, lookups: Lookups
) -> None:
    """In the load's transaction: returns, quarantine, staging, facts, file outcomes."""
    spellings = lookups.agencies if kind is AGENCY_RETURN else lookups.operators
    records = frame.to_dict("index") if len(frame) else {}
    rows_of: dict[int, list[int]] = {}
    for index, rec in records.items():
        rows_of.setdefault(int(rec["file_id"]), []).append(index)

    returns, quarantine, staged = [], [], []
    for f in landed:
        o = f.outcome
        if o.status == "duplicate_file":
            continue
        indexes = rows_of.get(o.file_id, [])
        o.rows_read = len(indexes)
        senders = sorted({records[i]["sender_code"] for i in indexes if isinstance(records[i]["sender_code"], str)})
        if not senders:
            guess = _sender_from_file_name(o.name, spellings)
            senders = [guess] if guess else []
        o.senders = senders
        bad = [i for i in indexes if i in problems]
        if o.status == "reading" and bad:
            messages = [m for i in bad for m in problems[i].messages]
            o.status = "rejected"
            o.error = _truncate(
                f"Tệp {o.name}: báo cáo bị từ chối vì có {len(messages)} lỗi, hãy sửa rồi gửi lại cả tệp: "
                + "; ".join(messages)
            )
            bad_rows = ", ".join(str(int(records[i]["source_row"])) for i in bad)
            for i in indexes:
                rec = records[i]
                p = problems.get(i)
                if p:
                    quarantine.append(
                        (
                            kind.dataset,
                            month,
                            o.file_id,
                            int(rec["source_row"]),
                            p.cells[0],
                            p.rules[0],
                            p.rules,
                            "; ".join(p.messages),
                            psycopg2.extras.Json(rec["raw_row"]),
                            load_id,
                        )
                    )
                else:
                    quarantine.append(
                        (
                            kind.dataset,
                            month,
                            o.file_id,
                            int(rec["source_row"]),
                            None,
                            REJECTED_RULE,
                            [REJECTED_RULE],
                            f"Dòng {int(rec['source_row'])} không có lỗi nhưng không được nạp vì báo cáo có lỗi "
                            f"ở dòng {bad_rows}, hãy sửa lỗi rồi gửi lại cả tệp",
                            psycopg2.extras.Json(rec["raw_row"]),
                            load_id,
                        )
                    )
            o.rows_quarantined = len(indexes)
        elif o.status == "reading":
            o.status = "loaded"
            staged.extend(_staging_row(kind, load_id, records[i]) for i in indexes)
        state = "submitted" if o.status == "loaded" else "rejected"
        for sender in senders:
            count = sum(1 for i in indexes if records[i]["sender_code"] == sender)
            returns.append(
                (
                    kind.dataset,
                    month,
                    sender,
                    o.file_id,
                    o.name,
                    f.mtime,
                    state,
                    count,
                    o.error if state == "rejected" else None,
                    load_id,
                )
            )

    sql = paths.read_sql
    if returns:
        psycopg2.extras.execute_values(cur, sql("returns/record_returns.sql"), returns)
    resent = [f.sha256 for f in landed if f.outcome.status != "duplicate_file"]
    if resent:
        cur.execute(
            sql("returns/forget_quarantine_of_resent_rejected_files.sql"),
            {"dataset": kind.dataset, "month": month, "load_id": load_id, "sha256s": resent},
        )
    if quarantine:
        psycopg2.extras.execute_values(cur, sql("returns/quarantine_return_rows.sql"), quarantine)
    stage_sql = "stage_agency_return_rows.sql" if kind is AGENCY_RETURN else "stage_operator_return_rows.sql"
    if staged:
        psycopg2.extras.execute_values(cur, sql(f"returns/{stage_sql}"), staged)
    facts = "agency" if kind is AGENCY_RETURN else "operator"
    params = {"dataset": kind.dataset, "month": month, "load_id": load_id}
    cur.execute(sql(f"returns/replace_{facts}_return_facts.sql"), params)
    cur.execute(sql(f"returns/count_{facts}_return_facts_by_file.sql"), params)
    loaded = dict(cur.fetchall())
    cur.execute(sql("returns/clear_staged_returns.sql"), params)

    for f in landed:  # this load's accepted files first, so that the next statement sees them
        if f.outcome.status == "loaded":
            f.outcome.rows_loaded = loaded.get(f.outcome.file_id, 0)
            cur.execute(sql("returns/update_return_file.sql"), _file_row(f.outcome))
    cur.execute(sql("returns/mark_replaced_return_files.sql"), params)
    replaced = {r[0] for r in cur.fetchall()}
    cur.execute(sql("returns/select_latest_return_files.sql"), params)
    latest = dict(cur.fetchall())
    for f in landed:
        o = f.outcome
        if o.file_id in replaced:
            o.status, o.rows_replaced = "replaced", o.rows_read - o.rows_loaded
            later = sorted({latest[s] for s in o.senders if s in latest and latest[s] != o.name})
            o.error = "replaced by a later return: " + ", ".join(later) if later else "replaced by a later return"
        if o.status != "duplicate_file":
            cur.execute(sql("returns/update_return_file.sql"), _file_row(o))


def _file_row(o: FileOutcome) -> dict:
    return {
        "file_id": o.file_id,
        "status": o.status,
        "error": o.error,
        "rows_read": o.rows_read,
        "rows_loaded": o.rows_loaded,
        "rows_quarantined": o.rows_quarantined,
        "rows_duplicate": o.rows_replaced,
    }


def _staging_row(kind: ReturnKind, load_id: int, rec: dict) -> tuple:
    note = rec["note"] if isinstance(rec["note"], str) else None
    if kind is AGENCY_RETURN:
        return (
            load_id,
            int(rec["file_id"]),
            int(rec["source_row"]),
            rec["agency_code"],
            *(
                int(rec[c])
                for c in (
                    "staff_total",
                    "staff_installed",
                    "staff_measured",
                    "staff_measurements",
                    "citizens_helped",
                    "cdt_members",
                )
            ),
            note,
        )
    due = rec["remedy_due_date"] if isinstance(rec["remedy_due_date"], str) else None
    remedy = rec["remedy"] if isinstance(rec["remedy"], str) else None
    return (
        load_id,
        int(rec["file_id"]),
        int(rec["source_row"]),
        rec["operator_code"],
        rec["area_code"],
        rec["network_generation"],
        *(int(rec[c]) for c in ("sites_in_service", "sites_commissioned", "sites_upgraded", "investment_vnd")),
        remedy,
        due,
        note,
    )


def _truncate(text: str) -> str:
    return (
        text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 40] + " ... (xem thêm trong fact_quarantine)"
    )


def _file_away(conn, cfg: PipelineConfig, kind: ReturnKind, month: date, summary: ReturnsSummary) -> None:
    """After the commit: accepted and duplicate files go to the archive, rejected ones aside to
    rejected/, so that the landing folder holds only what has not been dealt with."""
    label = month_label(month)
    with conn.cursor() as cur:
        cur.execute(paths.read_sql("returns/select_files_of_load.sql"), {"load_id": summary.load_id})
        for file_id, source_path, status in cur.fetchall():
            src = Path(source_path)
            if not src.exists():
                continue
            base = paths.data_dir() / "rejected" if status == "rejected" else cfg.archive
            dest = base / kind.dataset / label / f"{file_id:08d}__{src.name}"
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(src), dest)  # keeps the file time, which orders returns
            cur.execute(
                paths.read_sql("returns/set_return_file_archive_path.sql"),
                {"archive_path": str(dest), "file_id": file_id},
            )
    conn.commit()
