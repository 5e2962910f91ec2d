"""Freshness reminders (đôn đốc) while last month's data is late (docs/operations.md; the DAG
ispeed_monitoring).

    loads_due(today)         whether the monitoring run loads what has arrived (its visible load tasks)
    check_freshness(today)   reminders: agencies/operators (đôn đốc), the data engineers' digest

Both take the day as an argument (nothing here calls now()), so that a test, a backfill of the
monitoring DAG or a data engineer can ask "what would have happened on the 12th?".

From ``freshness.reminder_day`` (the 10th) of a month until the previous month's report is
delivered (a 'delivered' row in ispeed.meta_delivery):

- every agency that must report for the previous month (returns.agencies: the departments, the
  press and the UBND of the month's units, quận/huyện until 2025-06-30, xã/phường/đặc khu from
  2025-07-01) and every operator whose return is missing or was rejected gets a reminder in
  Vietnamese at its contact, with the blank template of that month when it is missing (agencies:
  contact_email of include/reference/agencies.csv, or of the generated UBND;
  operators: contact_email of include/reference/operators.csv; several addresses separated by ';'):
  what is missing, or the rejection's reason, which names the wrong cell;
- the data engineers get one digest: the month's measurements against the expected minimum
  (``max(min_measurements, fraction_of_recent_mean x mean of the recent_months before)``), the
  reminders sent and the senders without an address; sent when the measurements are short or
  any return is outstanding.

Each reminder is claimed in ispeed.meta_reminder (unique per month, kind, recipient and day)
before its mail leaves: at most one per recipient per day, however often the DAG runs, and every
one recorded. A reminder whose mail failed is tried again by the next check of the same day.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from datetime import date, datetime
from typing import Any

from ispeed import paths
from ispeed.mail import XLSX_TYPE
from ispeed.months import month_label, previous_month
from ispeed.operations import notify
from ispeed.warehouse import connection as warehouse

log = logging.getLogger(__name__)

REMINDER_KINDS = {"agency_returns": "agency_return", "operator_returns": "operator_return"}
TEMPLATE_FILES = {"agency_return": "agency_return_template.xlsx", "operator_return": "operator_return_template.xlsx"}


class ReminderError(RuntimeError):
    """Some reminders or alerts could not be sent; they are recorded 'failed' and the next check of
    the day tries them again. Raised after every other one was handled, so that Airflow retries."""


def in_reminder_window(today: date, cfg) -> bool:
    return today.day >= cfg.reminder_day


# ---------------------------------------------------------------- measurements expected
def expected_measurements(counts: list[tuple[date, int]], month: date, cfg) -> dict:
    """The month's measurements against the expected minimum. ``counts``: (month, tests) for the
    month and the months before it, oldest first."""
    actual = next((n for m, n in counts if m == month), 0)
    earlier = [n for m, n in counts if m < month and n > 0][-cfg.recent_months :] if cfg.recent_months else []
    recent_mean = sum(earlier) / len(earlier) if earlier else None
    relative = int(round(cfg.fraction_of_recent_mean * recent_mean)) if recent_mean is not None else 0
    expected = max(cfg.min_measurements, relative)
    return {
        "month": month_label(month),
        "actual": int(actual),
        "expected": int(expected),
        "min_measurements": cfg.min_measurements,
        "fraction_of_recent_mean": cfg.fraction_of_recent_mean,
        "recent_months_used": len(earlier),
        "recent_mean": round(recent_mean, 1) if recent_mean is not None else None,
        "relative_minimum": relative,
        "short": int(actual) < expected,
    }


def measurement_counts(cur, month: date, months_before: int) -> list[tuple[date, int]]:
    first = month
    for _ in range(months_before):
        first = previous_month(first)
    cur.execute(paths.read_sql("operations/count_month_measurements.sql"), {"month": month, "first_month": first})
    return [(m, int(n)) for m, n in cur.fetchall()]


# ---------------------------------------------------------------- the loads before the check
def loads_due(today: date, *, config=None) -> dict:
    """Whether the monitoring run of ``today`` loads what has arrived for the previous month (the
    monthly DAG's own idempotent loads, as visible tasks of the monitoring DAG), so that the check
    sees the landing folders and a rejected return is found early: inside the reminder window,
    while the month's report is not delivered, unless ``freshness.load_before_check`` is false.

    Returns ``{"month": "YYYY-MM", "today": "YYYY-MM-DD", "due": bool, "reason": str}``. Loads
    nothing and prepares nothing: it reads ispeed.meta_delivery, so it runs after the run's
    prepare_warehouse."""
    from ispeed.delivery import month_delivered

    cfg = config or notify.operations_config()
    month = previous_month(today)
    out: dict[str, Any] = {"month": month_label(month), "today": today.isoformat()}
    if not cfg.load_before_check:
        return out | {"due": False, "reason": "freshness.load_before_check is false"}
    if not in_reminder_window(today, cfg):
        return out | {"due": False, "reason": f"before the reminder day ({cfg.reminder_day})"}
    with warehouse.connection() as conn, conn.cursor() as cur:
        delivered = month_delivered(cur, month)
    if delivered:
        return out | {"due": False, "reason": f"the report of {month_label(month)} was delivered"}
    return out | {
        "due": True,
        "reason": f"the reminder day ({cfg.reminder_day}) has come and the report of {month_label(month)} is not delivered",
    }


# ---------------------------------------------------------------- freshness
def _contact(status: dict, cfg) -> list[str]:
    from email.utils import getaddresses

    raw = status.get("contact_email")  # agencies.csv / operators.csv, several separated by ';'
    if not raw and status["dataset"] == "operator_returns" and cfg.operator_contacts:
        log.warning("operations.yaml's operator_contacts is no longer read: use operators.csv's contact_email")
    if not raw:
        return []
    return [a for _, a in getaddresses([str(raw).replace(";", ",")]) if "@" in a]


def _returns_address(cfg) -> str:
    """Where returns go: the mailbox's address (mailbox.yaml), else the reminders' Reply-To."""
    from ispeed import geography
    from ispeed.config import ConfigError, load_yaml

    try:
        return geography.fill(str(load_yaml("mailbox").get("address") or ""), geography.names()) or cfg.reply_to
    except ConfigError:  # no mailbox.yaml: the reply-to of operations.yaml
        return cfg.reply_to or cfg.sender_address


def _claim_reminder(cur, row: dict) -> int | None:
    cur.execute(paths.read_sql("operations/claim_reminder.sql"), row)
    found = cur.fetchone()
    return found[0] if found else None


def _finish_reminder(cur, reminder_id: int, result) -> None:
    cur.execute(
        paths.read_sql("operations/finish_reminder.sql"),
        {
            "reminder_id": reminder_id,
            "status": result.status,
            "message_id": result.message_id,
            "outbox_path": result.outbox_path,
            "error": result.error,
        },
    )


def _template_attachment(kind: str, month: date, built: dict):
    """The blank template of the month reminded of: its agencies and its units (the UBND and the
    xã/phường/đặc khu from 2025-07-01, the quận/huyện before), for the configured province. Built
    once per check (``built``): a month after the reform has some 130 senders."""
    from ispeed.returns.template import template_bytes

    name = TEMPLATE_FILES[kind]
    if name not in built:
        built[name] = template_bytes(name, month)
    return (name, built[name], *XLSX_TYPE)


def _sender_reminder(
    cur, status: dict, *, month: date, today: date, cfg, issuer: dict, templates: dict | None = None
) -> dict:
    """One agency's or operator's reminder: claim, render, send, record. ``templates``: the month's
    blank templates built so far (by file name)."""
    kind = REMINDER_KINDS[status["dataset"]]
    emails = _contact(status, cfg)
    reason = status["state"]  # missing / rejected
    deadline = date(today.year, today.month, cfg.deadline_day)
    context = {
        "sender": status,
        "month": month,
        "today": today,
        "reason": reason,
        "kind": kind,
        "deadline": deadline,
        "issuer": issuer,
        "reply_to": cfg.reply_to,
        "attach_template": cfg.attach_template and reason == "missing",
        "send_to": _returns_address(cfg),  # the returns mailbox (docs/mailbox.md), and from which addresses
        "registered": emails,
    }
    mail = notify.render_mail("reminders", kind, context)
    msg_id = cfg.message_id("reminder", month_label(month), kind, status["code"], today.isoformat())
    details = {
        "state": reason,
        "file": status.get("file"),
        "received_at": status.get("received_at"),
        "error": status.get("error"),
        "name": status.get("name"),
    }
    row = {
        "month": month,
        "kind": kind,
        "recipient_code": status["code"],
        "recipient_name": status.get("name"),
        "sent_on": today,
        "email": emails,
        "reason": reason,
        "status": "sending" if emails else "no_address",
        "subject": mail.subject,
        "message_id": msg_id,
        "details": json.dumps(details, ensure_ascii=False, default=str),
    }
    out = {
        "kind": kind,
        "code": status["code"],
        "name": status.get("name"),
        "reason": reason,
        "email": emails,
        "error": status.get("error"),
    }
    reminder_id = _claim_reminder(cur, row)
    if reminder_id is None:
        return out | {"status": "already_today"}
    if not emails:
        log.warning("%s %s: return %s, but no contact address in the reference data", kind, status["code"], reason)
        return out | {"status": "no_address"}
    if context["attach_template"]:
        attachment = _template_attachment(kind, month, {} if templates is None else templates)
        if attachment:
            mail = dataclasses.replace(mail, attachments=(attachment,))
    result = notify.send_mail(
        "reminders",
        mail,
        to=emails,
        cc=list(cfg.reminder_cc),
        reply_to=context["send_to"],  # answering the reminder with the return files it
        msg_id=msg_id,
        month=month,
        config=cfg,
        headers={
            "X-ISpeed-Reminder": kind,
            "X-ISpeed-Month": month_label(month),
            "X-ISpeed-Recipient": str(status["code"]),
        },
    )
    _finish_reminder(cur, reminder_id, result)
    return out | {
        "status": result.status,
        "message_id": result.message_id,
        "outbox_path": result.outbox_path,
        "send_error": result.error,
    }


def check_freshness(today: date, *, config=None, run_id: str | None = None, raise_on_failure: bool = True) -> dict:
    """Reminders for the previous month's data, on ``today`` (see the module docstring). Returns
    what it found and did. Raises ReminderError at the end when a mail failed (after recording it)."""
    from ispeed.delivery import month_delivered
    from ispeed.returns import return_status

    cfg = config or notify.operations_config()
    month = previous_month(today)
    out: dict[str, Any] = {"month": month_label(month), "today": today.isoformat(), "reminders": []}
    if not in_reminder_window(today, cfg):
        return out | {"skipped": f"before the reminder day ({cfg.reminder_day})"}
    issuer = notify.issuer(month)
    conn = warehouse.connect()
    try:
        conn.autocommit = True  # a claim must be durable before its mail leaves
        with conn.cursor() as cur:
            if month_delivered(cur, month):
                return out | {"skipped": f"the report of {month_label(month)} was delivered"}
            measurements = expected_measurements(measurement_counts(cur, month, cfg.recent_months * 4 or 1), month, cfg)
            statuses = return_status(month, conn=conn)
            outstanding = [s for s in statuses if s["state"] in ("missing", "rejected")]
            templates: dict[str, bytes] = {}
            for status in outstanding:
                try:
                    out["reminders"].append(
                        _sender_reminder(
                            cur, status, month=month, today=today, cfg=cfg, issuer=issuer, templates=templates
                        )
                    )
                except Exception as exc:  # one bad sender must not stop the others
                    log.exception("reminder to %s %s failed", status["dataset"], status["code"])
                    out["reminders"].append(
                        {
                            "kind": REMINDER_KINDS[status["dataset"]],
                            "code": status["code"],
                            "status": "failed",
                            "send_error": f"{type(exc).__name__}: {exc}",
                        }
                    )
            counts = {
                ds: {
                    st: sum(1 for s in statuses if s["dataset"] == ds and s["state"] == st)
                    for st in ("submitted", "rejected", "missing")
                }
                for ds in REMINDER_KINDS
            }
            out |= {"measurements": measurements, "returns": counts}
            reasons = (["too_few_measurements"] if measurements["short"] else []) + (
                ["returns_outstanding"] if outstanding else []
            )
            if reasons:
                out["data_engineers"] = _data_engineers_digest(
                    cur,
                    month=month,
                    today=today,
                    cfg=cfg,
                    reasons=reasons,
                    measurements=measurements,
                    counts=counts,
                    outstanding=outstanding,
                    issuer=issuer,
                    run_id=run_id,
                )
    finally:
        conn.close()
    failed = [r for r in out["reminders"] if r["status"] == "failed"]
    if out.get("data_engineers", {}).get("status") == "failed":
        failed.append(out["data_engineers"])
    out["sent"] = sum(1 for r in out["reminders"] if r["status"] in ("sent", "written_to_outbox"))
    log.info(
        "freshness of %s on %s: %d measurements (expected %d), %d outstanding returns, %d reminders sent",
        month_label(month),
        today,
        measurements["actual"],
        measurements["expected"],
        len(outstanding),
        out["sent"],
    )
    if failed and raise_on_failure:
        raise ReminderError(
            f"{len(failed)} reminder(s) of {month_label(month)} could not be sent: "
            + "; ".join(f"{r.get('code', 'data_engineers')}: {r.get('send_error')}" for r in failed)
        )
    return out


def _data_engineers_digest(
    cur, *, month, today, cfg, reasons, measurements, counts, outstanding, issuer, run_id
) -> dict:
    cur.execute(paths.read_sql("operations/reminders_of_day.sql"), {"month": month, "sent_on": today})
    sent_today = [r for r in warehouse.fetch_dicts(cur) if r["kind"] != "data_engineers"]
    context = {
        "month": month,
        "today": today,
        "reasons": reasons,
        "measurements": measurements,
        "counts": counts,
        "outstanding": outstanding,
        "reminders": sent_today,
        "issuer": issuer,
        "deadline": datetime(today.year, today.month, cfg.deadline_day, cfg.deadline_hour, tzinfo=cfg.tz),
        "run_id": run_id,
    }
    mail = notify.render_mail("reminders", "data_engineers", context)
    msg_id = cfg.message_id("reminder", month_label(month), "data_engineers", today.isoformat())
    details = {
        "reasons": reasons,
        "measurements": measurements,
        "returns": counts,
        "outstanding": [{"code": s["code"], "state": s["state"]} for s in outstanding],
    }
    row = {
        "month": month,
        "kind": "data_engineers",
        "recipient_code": "data_engineers",
        "recipient_name": "data engineers",
        "sent_on": today,
        "email": cfg.data_engineer_addresses,
        "reason": ",".join(reasons),
        "status": "sending",
        "subject": mail.subject,
        "message_id": msg_id,
        "details": json.dumps(details, ensure_ascii=False, default=str),
    }
    reminder_id = _claim_reminder(cur, row)
    if reminder_id is None:
        return {"status": "already_today", "reasons": reasons}
    result = notify.send_to_data_engineers(
        "reminders",
        mail,
        msg_id=msg_id,
        month=month,
        config=cfg,
        headers={"X-ISpeed-Reminder": "data_engineers", "X-ISpeed-Month": month_label(month)},
    )
    _finish_reminder(cur, reminder_id, result)
    return {
        "status": result.status,
        "reasons": reasons,
        "message_id": result.message_id,
        "outbox_path": result.outbox_path,
        "send_error": result.error,
    }
