"""A load of returns, in its one transaction (returns/load.py reads and validates the files):
every return recorded (ispeed.meta_return), the rows of rejected returns quarantined with what is
wrong, the accepted rows staged and the month's facts set from each sender's latest return, and
each file's outcome in the ledger."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

import psycopg2.extras

from ispeed import paths
from ispeed.returns.contract import AGENCY_RETURN, ReturnKind
from ispeed.returns.frame import Lookups
from ispeed.returns.read import ReturnSheet
from ispeed.text import norm_key
from ispeed.warehouse import ledger
from ispeed.warehouse.ledger import FileOutcome

REJECTED_RULE = "return_rejected"
MAX_ERROR_CHARS = 4000


class _FactsSql(NamedTuple):
    stage: str  # the typed rows of the load's accepted returns into staging
    replace: str  # the month's facts from each sender's latest return
    count: str  # the facts this load put in, per file


#: The SQL of each kind's rows, by dataset.
FACTS_SQL = {
    "agency_returns": _FactsSql(
        "returns/stage_agency_return_rows.sql",
        "returns/replace_agency_return_facts.sql",
        "returns/count_agency_return_facts_by_file.sql",
    ),
    "operator_returns": _FactsSql(
        "returns/stage_operator_return_rows.sql",
        "returns/replace_operator_return_facts.sql",
        "returns/count_operator_return_facts_by_file.sql",
    ),
}


@dataclass
class Landed:
    """A file of the landing folder, registered, and read when it is not a duplicate."""

    path: Path
    outcome: FileOutcome
    sha256: str
    mtime: datetime
    sheet: ReturnSheet | None = None
    texts: list[str] = field(default_factory=list)  # a rejected file's cells (to find its sender)


#: a cell that names the recipient ("... gửi Sở Khoa học và Công nghệ", "Kính gửi: ..."), not the sender
_TO_WORDS = {"gui", "kinh"}


def _spelling_in(text: str, table: dict[str, str]) -> str | None:
    """The longest spelling of ``table`` in ``text``, as whole words (a short code is not found
    inside a word). A code of one short word counts only where it reads as a code: in capitals
    ("SNV"), or first in a file name and followed by "_" ("syt_2024-10"), not the word "bao" of
    "bao-cao" (BAO is the newspaper)."""
    spans = [(m.start(), m.end(), m.group()) for m in re.finditer(r"[^\W_]+", text)]
    found = []
    for i in range(len(spans)):
        for j in range(i + 1, min(len(spans), i + 12) + 1):
            k = norm_key(" ".join(w for _, _, w in spans[i:j]))
            code = table.get(k) if len(k) >= 2 else None
            if code is None:
                continue
            start, end, word = spans[i]
            as_code = word.isupper() or (i == 0 and text[end : end + 1] in ("_", ""))
            if j - i > 1 or len(word) > 4 or word.isdigit() or as_code:
                found.append((len(k), code))
    return max(found)[1] if found else None


def _sender_named_in(file_name: str, texts: list[str], table: dict[str, str]) -> str | None:
    """The sender a file names outside its rows: in its file name, anywhere ("SYT_2024-10.xlsx",
    "Báo cáo i-Speed T01-2024 - Sở Nội vụ.xlsx"), else in the first of its cells that names one
    ("Cơ quan báo cáo: Sở Nội vụ"), leaving out the cells that name the recipient."""
    sender = _spelling_in(Path(file_name).stem, table)
    for text in texts:
        if sender:
            break
        if not _TO_WORDS & {norm_key(w) for w in re.split(r"[\W_]+", text)}:
            sender = _spelling_in(text, table)
    return sender


def record_load(
    cur, kind: ReturnKind, month: date, load_id: int, landed: list[Landed], frame, problems: dict, lookups: Lookups
) -> None:
    """In the load's transaction: every return (meta_return), the rows of rejected returns in
    quarantine, the accepted rows through staging into the facts, and each file's outcome (its
    senders, status, counts, and the files that a later return replaced)."""
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
            guess = _sender_named_in(o.name, f.texts, spellings)
            senders = [guess] if guess else []
        o.senders = senders
        bad = [i for i in indexes if i in problems]
        if o.status == "reading" and bad:
            # the same problem once (a month given above the table is wrong on every row)
            messages = list(dict.fromkeys(m for i in bad for m in problems[i].messages))
            where = f", trang '{f.sheet.sheet}'" if f.sheet is not None and f.sheet.sheets > 1 else ""
            o.status = "rejected"
            o.error = _truncate(
                f"Tệp {o.name}{where}: báo cáo bị từ chối vì có {len(messages)} lỗi, hãy sửa rồi gửi lại cả tệp: "
                + "; ".join(messages)
            )
            bad_rows = ", ".join(str(int(records[i]["source_row"])) for i in bad)
            for i in indexes:
                rec, p = records[i], problems.get(i)
                line = int(rec["source_row"])
                if p:  # the first wrong cell, the rules the row breaks, what is wrong
                    why = (p.cells[0], p.rules[0], p.rules, "; ".join(p.messages))
                else:  # a good row of a rejected return
                    why = (
                        None,
                        REJECTED_RULE,
                        [REJECTED_RULE],
                        f"Dòng {line} không có lỗi nhưng không được nạp vì báo cáo có lỗi "
                        f"ở dòng {bad_rows}, hãy sửa lỗi rồi gửi lại cả tệp",
                    )
                quarantine.append(
                    (kind.dataset, month, o.file_id, line, *why, psycopg2.extras.Json(rec["raw_row"]), load_id)
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
    facts = FACTS_SQL[kind.dataset]
    if staged:
        psycopg2.extras.execute_values(cur, sql(facts.stage), staged)
    params = {"dataset": kind.dataset, "month": month, "load_id": load_id}
    cur.execute(sql(facts.replace), params)
    cur.execute(sql(facts.count), params)
    loaded = dict(cur.fetchall())
    cur.execute(sql("returns/clear_staged_returns.sql"), params)

    for f in landed:  # this load's accepted files first, so that the next statement sees them
        if f.outcome.status == "loaded":
            f.outcome.rows_loaded = loaded.get(f.outcome.file_id, 0)
            ledger.record_outcome(cur, f.outcome)
    replaced = ledger.mark_replaced_returns(cur, kind.dataset, month)
    cur.execute(sql("returns/select_latest_return_files.sql"), params)
    latest = dict(cur.fetchall())
    for f in landed:
        o = f.outcome
        if o.file_id in replaced:
            o.status, o.rows_replaced = "replaced", o.rows_read - o.rows_loaded
            later = sorted({latest[s] for s in o.senders if s in latest and latest[s] != o.name})
            o.error = "replaced by a later return: " + ", ".join(later) if later else "replaced by a later return"
        if o.status != "duplicate_file":
            ledger.record_outcome(cur, o)


def _staging_row(kind: ReturnKind, load_id: int, rec: dict) -> tuple:
    """A row for stage_agency_return_rows.sql or stage_operator_return_rows.sql: its file and row,
    the sender's key, the kind's counts in the contract's order, and its texts."""
    counts = [int(rec[c.name]) for c in kind.columns if c.is_number]
    head = (load_id, int(rec["file_id"]), int(rec["source_row"]))
    if kind is AGENCY_RETURN:
        return (*head, rec["agency_code"], *counts, _text(rec["note"]))
    key = (rec["operator_code"], rec["area_code"], rec["network_generation"])
    return (*head, *key, *counts, _text(rec["remedy"]), _text(rec["remedy_due_date"]), _text(rec["note"]))


def _text(value) -> str | None:
    """A text cell of the frame, or None for an empty one (NaN)."""
    return value if isinstance(value, str) else None


def _truncate(text: str) -> str:
    return (
        text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 40] + " ... (xem thêm trong fact_quarantine)"
    )
