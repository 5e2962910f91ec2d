"""The one reply every message gets, in Vietnamese, threaded (In-Reply-To, References), through the
project's one mail path (ispeed.operations.notify.send_mail on ispeed.mail):

- outcome: each file's fate: accepted (the figures read back, for the clerk to check), rejected
  (every problem with its sheet and cell, and what to do; the month's template attached), refused
  (too large, a zip bomb, not a spreadsheet); a message without any return: a short reply saying so,
  with the template attached;
- unregistered: only that the address is not registered (never a figure);
- problem (to the data engineers, an alert): a message that cannot be read.

Each reply is claimed in ispeed.meta_mail_reply (one per message and purpose) before its mail
leaves, so that nothing a sender does makes the pipeline send a second one; a mail that failed is
tried again by the next pull. Its Message-ID is stable for the message and purpose.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import date, datetime
from functools import lru_cache

from ispeed import paths
from ispeed.mail import XLSX_TYPE, Mail, render, templates
from ispeed.months import LOCAL_TZ, previous_month
from ispeed.operations import notify
from ispeed.warehouse import connection as warehouse

log = logging.getLogger(__name__)

KIND_LABELS = {"agency_returns": "báo cáo của cơ quan, đơn vị", "operator_returns": "báo cáo của doanh nghiệp"}
TEMPLATES = {"agency_returns": "agency_return_template.xlsx", "operator_returns": "operator_return_template.xlsx"}


def vn_datetime(value) -> str:
    if value is None:
        return "(không rõ)"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    local = value.astimezone(LOCAL_TZ) if value.tzinfo else value
    return f"{local:%H:%M} {local.day:02d}/{local.month:02d}/{local.year}"


@lru_cache(maxsize=1)
def _env():
    return templates(
        "mailbox", vn_number=notify.vn_number, vn_month=notify.vn_month, vn_date=notify.vn_date, vn_datetime=vn_datetime
    )


def render_mail(name: str, context: dict, attachments: tuple = ()) -> Mail:
    """Subject, text and HTML of include/templates/mailbox/<name>.*."""
    return render(_env(), name, context, attachments)


def _file_outcome(cur, row: dict) -> dict:
    out = {
        "name": row["file_name"],
        "dataset": row["dataset"],
        "kind_label": KIND_LABELS.get(row["dataset"] or ""),
        "month": row["month"],
        "outcome": "pending",
        "earlier_file": row["earlier_file"],
        "replaced": row["status"] == "replaced",
        "problems": [],
        "agency_rows": [],
        "operator_rows": [],
        "refused": row["refused"],
    }
    if row["refused"]:
        return out | {"outcome": "refused"}
    if row["status"] in ("loaded", "replaced", "duplicate_file") and row["figures_file_id"]:
        sql = "mailbox/agency_figures_of_file.sql" if row["dataset"] == "agency_returns" else None
        sql = sql or "mailbox/operator_figures_of_file.sql"
        cur.execute(paths.read_sql(sql), {"file_id": row["figures_file_id"]})
        key = "agency_rows" if row["dataset"] == "agency_returns" else "operator_rows"
        return out | {"outcome": "accepted", key: warehouse.fetch_dicts(cur)}
    if row["status"] == "rejected" or row["status"] == "duplicate_file":
        cur.execute(paths.read_sql("mailbox/problems_of_file.sql"), {"file_id": row["file_id"]})
        problems = [r[0] for r in cur.fetchall()]
        return out | {"outcome": "rejected", "problems": problems or [row["error"] or "(không rõ lỗi)"]}
    return out


def outcome_files(cur, message_id: str) -> list[dict]:
    """Each file of the message and what became of it, for the reply."""
    cur.execute(paths.read_sql("mailbox/files_of_message.sql"), {"message_id": message_id})
    return [_file_outcome(cur, row) for row in warehouse.fetch_dicts(cur)]


def verdict(files: list[dict]) -> str:
    outcomes = {f["outcome"] for f in files}
    if not files:
        return "no_return"
    if outcomes == {"accepted"}:
        return "accepted"
    return "mixed" if "accepted" in outcomes else "rejected"


def reply_message_id(cfg, purpose: str, message_id: str) -> str:
    return cfg.message_id("reply", purpose, hashlib.sha256(message_id.encode()).hexdigest()[:16])


def send_reply(
    cur,
    purpose: str,
    message: dict,
    name: str,
    context: dict,
    *,
    ops,
    box,
    month: date | None,
    template_months: dict | None = None,
) -> dict:
    """Claim, render, send and record one reply to ``message`` (a row of meta_mail_message: its
    message_id, from_address, subject, references). ``template_months``: dataset -> month whose
    blank template is attached. Returns what happened; never raises for a mail that failed."""
    message_id = message["message_id"]
    attachments = tuple(
        (TEMPLATES[ds], _template(ds, m), *XLSX_TYPE) for ds, m in sorted((template_months or {}).items())
    )
    mail = render_mail(name, context, attachments)
    msg_id = reply_message_id(ops, purpose, message_id)
    details = json.dumps(context.get("files", []), default=str, ensure_ascii=False)
    cur.execute(
        paths.read_sql("mailbox/claim_reply.sql"),
        {
            "message_id": message_id,
            "purpose": purpose,
            "recipients": [message["from_address"]],
            "subject": mail.subject,
            "reply_message_id": msg_id,
            "status": "sending",
            "details": details,
        },
    )
    claimed = cur.fetchone()
    if claimed is None:
        return {"purpose": purpose, "status": "already_replied", "message_id": msg_id}
    references = " ".join(r for r in (message.get("references") or "", message_id) if r).strip()
    result = notify.send_mail(
        "mailbox",
        mail,
        to=[message["from_address"]],
        cc=list(box.reply_cc),
        msg_id=msg_id,
        month=month,
        config=ops,
        reply_to=box.address,
        headers={"In-Reply-To": message_id, "References": references, "X-ISpeed-Reply": purpose},
    )
    cur.execute(
        paths.read_sql("mailbox/finish_reply.sql"),
        {"reply_id": claimed[0], "status": result.status, "outbox_path": result.outbox_path, "error": result.error},
    )
    return {"purpose": purpose, "status": result.status, "message_id": msg_id, "error": result.error}


def _template(dataset: str, month: date) -> bytes:
    return _cached_template(TEMPLATES[dataset], month)


@lru_cache(maxsize=8)
def _cached_template(name: str, month: date) -> bytes:
    from ispeed.returns.template import template_bytes

    return template_bytes(name, month)


def reporting_month(sent_at: datetime | None) -> date:
    """The month a mail of this date reports: the one before (returns are due by the 15th)."""
    day = (sent_at.astimezone(LOCAL_TZ) if sent_at else datetime.now(LOCAL_TZ)).date()
    return previous_month(day.replace(day=1))
