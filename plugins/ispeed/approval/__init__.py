"""The report's approval before it leaves (docs/approval.md; include/config/approval.yaml).

    approval_config()                  the settings, typed (mode, approvers, deadline, UI link)
    why_not_ask(...)                   whether a run must ask, and if not why (backfill, automatic, ...)
    approval_deadline(month, now, cfg) when the decision is due
    request_texts(month, rendered, ...) the request rendered once: the approvers' mail and its body
    record_request / record_decision   the ledger, ispeed.meta_report_approval
    notify_approvers / alert_rejected  the mails: to the approvers, and to the data engineers

The monthly DAG's task ``approve_report`` (operators/report_approval.py, an ApprovalOperator of Airflow's
standard provider) renders nothing and sends nothing itself: it asks, waits in Airflow 3.3's
``awaiting_input`` state, and records. ``python -m ispeed approve`` (approval/respond.py) answers
for a person at a terminal, or for a Department's own system, through Airflow.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ispeed import paths
from ispeed.config import ConfigError, email_addresses, load_yaml
from ispeed.months import LOCAL_TZ, month_label, next_month
from ispeed.warehouse import connection as warehouse

log = logging.getLogger(__name__)

REQUIRED, AUTOMATIC = "required", "automatic"
MODE_ENV = "ISPEED_APPROVAL_MODE"

#: why a run did not ask (meta_report_approval.why_not_asked)
BACKFILL, NOT_SENDING, ALREADY_DELIVERED = "backfill", "not_sending", "already_delivered"


class ApprovalError(RuntimeError):
    """The approval could not be asked for or answered; the message says what to do."""


class ApprovalDeadlinePassed(ApprovalError):
    """Nobody decided by the deadline: nothing is sent, and the data engineers are alerted."""


@dataclass(frozen=True)
class Approver:
    id: str  # the Airflow user name the request is assigned to
    name: str
    email: str | None


@dataclass(frozen=True)
class ApprovalConfig:
    mode: str
    approvers: tuple[Approver, ...]
    deadline_day: int
    deadline_time: time
    late_wait: timedelta
    min_wait: timedelta
    ui_base_url: str | None

    @property
    def required(self) -> bool:
        return self.mode == REQUIRED

    def assigned_users(self) -> list[dict[str, str]] | None:
        """The HITL request's assignees ({"id", "name"}), None for anyone allowed to edit the DAG."""
        return [{"id": a.id, "name": a.name} for a in self.approvers if a.id] or None

    def approver_emails(self) -> list[str]:
        return [a.email for a in self.approvers if a.email]


def approval_config() -> ApprovalConfig:
    """include/config/approval.yaml, typed; ISPEED_APPROVAL_MODE overrides ``mode``."""
    from ispeed.geography import names

    where = "include/config/approval.yaml: "
    raw = load_yaml("approval")
    mode = os.environ.get(MODE_ENV) or str(raw.get("mode") or REQUIRED)
    if mode not in (REQUIRED, AUTOMATIC):
        raise ConfigError(f"{where}mode (or {MODE_ENV}) is {mode!r}: write {REQUIRED} or {AUTOMATIC}")
    if mode == AUTOMATIC and not os.environ.get(MODE_ENV) and raw.get("go_live") is not True:
        # A first scheduled run that nobody watched must not mail the Ministry (docs/deployment.md).
        raise ConfigError(
            f"{where}mode is automatic, which mails the Ministry without asking anyone: confirm it "
            f"with go_live: true once a month has been run, checked and approved (docs/deployment.md)"
        )
    fill = names()
    approvers = []
    for i, a in enumerate(raw.get("approvers") or []):
        if not isinstance(a, dict) or not (a.get("id") or a.get("email")):
            raise ConfigError(f"{where}approvers[{i}] needs an id (Airflow user name) or an email")
        email = str(a["email"]).format(**fill) if a.get("email") else None
        if email:
            email_addresses({"email": email}, "email", f"{where}approvers[{i}].")
        approvers.append(Approver(str(a.get("id") or ""), str(a.get("name") or a.get("id") or email), email))
    dl = raw.get("deadline") or {}
    try:
        hour, minute = (int(x) for x in str(dl.get("time", "16:00")).split(":"))
        deadline_time = time(hour, minute)
        day = int(dl.get("day", 15))
        late = timedelta(hours=float(dl.get("late_wait_hours", 24)))
        min_wait = timedelta(hours=float(dl.get("min_wait_hours", 2)))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}deadline: day is a day of the month, time is HH:MM ({exc})") from exc
    if not 1 <= day <= 28:
        raise ConfigError(f"{where}deadline.day is {day}: a day from 1 to 28")
    if mode == REQUIRED and not approvers:
        raise ConfigError(
            f"{where}mode is required but no approver is named: add the approvers (id, name, email), "
            f"or set mode: automatic to deliver without approval"
        )
    return ApprovalConfig(mode, tuple(approvers), day, deadline_time, late, min_wait, raw.get("ui_base_url") or None)


def approval_deadline(month: date, now: datetime, cfg: ApprovalConfig) -> datetime:
    """When the decision on ``month``'s report is due: deadline.day of the next month at
    deadline.time in Viet Nam; a run that asks with less than ``min_wait_hours`` left (a re-run
    after fixes, late on the 15th or after it) waits ``late_wait_hours`` from ``now`` instead."""
    due = next_month(month)
    deadline = datetime.combine(date(due.year, due.month, cfg.deadline_day), cfg.deadline_time, tzinfo=LOCAL_TZ)
    return deadline if deadline - now >= cfg.min_wait else (now + cfg.late_wait).astimezone(LOCAL_TZ)


def why_not_ask(cfg: ApprovalConfig, *, backfill: bool, sends: bool, delivered: bool, forced: bool) -> str | None:
    """Why this run does not wait for an approver, or None when it must ask. A backfill never waits
    (and never mails); nor does a run that would not mail (param send_report 'no', a month already
    delivered and not re-sent); mode 'automatic' sends without asking."""
    if backfill:
        return BACKFILL
    if not sends:
        return NOT_SENDING
    if delivered and not forced:
        return ALREADY_DELIVERED
    if not cfg.required:
        return AUTOMATIC
    return None


# ---------------------------------------------------------------- the ledger
def record_request(month: date, run_id: str | None, *, status: str = "requested", **fields) -> int:
    """One row of ispeed.meta_report_approval: a request, or a 'not_asked' with ``why_not_asked``."""
    row = {
        "month": month,
        "run_id": run_id,
        "status": status,
        "why_not_asked": None,
        "pdf_path": None,
        "pdf_sha256": None,
        "approvers": [],
        "deadline": None,
        "link": None,
    } | fields
    with warehouse.connection() as conn, conn.cursor() as cur:
        cur.execute(paths.read_sql("approval/record_approval_request.sql"), row)
        return cur.fetchone()[0]


def record_decision(
    month: date, run_id: str | None, status: str, *, by: str | None, at: datetime | None = None, reason: str | None
) -> int | None:
    """The run's open request becomes approved / rejected / timed_out."""
    row = {"month": month, "run_id": run_id, "status": status, "decided_by": by, "decided_at": at, "reason": reason}
    with warehouse.connection() as conn, conn.cursor() as cur:
        cur.execute(paths.read_sql("approval/record_approval_decision.sql"), row)
        found = cur.fetchone()
        return found[0] if found else None


def check_may_send(month: date, pdf_sha256: str, *, force: bool) -> None:
    """Raise ApprovalError unless the PDF may leave: mode 'automatic', a month already delivered
    that is not re-sent (nothing will leave), or an approved draft (or a PDF signed from one)."""
    from ispeed.delivery import month_delivered

    if not approval_config().required:
        return
    with warehouse.connection() as conn, conn.cursor() as cur:
        if month_delivered(cur, month) is not None and not force:
            return
        cur.execute(paths.read_sql("approval/approved_pdf.sql"), {"month": month, "pdf_sha256": pdf_sha256})
        if cur.fetchone()[0]:
            return
    raise ApprovalError(
        f"the report of {month_label(month)} (PDF sha256 {pdf_sha256[:12]}…) was not approved, and "
        "include/config/approval.yaml requires an approval: nothing was sent. Run the month with the "
        "monthly DAG (it asks the approvers; a backfill never does), or set mode: automatic"
    )


def month_approvals(month: date) -> list[dict]:
    """Every decision on the month's report, newest first."""
    with warehouse.connection() as conn, conn.cursor() as cur:
        cur.execute(paths.read_sql("approval/month_approvals.sql"), {"month": month})
        return warehouse.fetch_dicts(cur)


# ---------------------------------------------------------------- what is said
def _context(month: date, rendered: dict, **extra) -> dict:
    from ispeed.operations.notify import issuer

    summary = rendered.get("summary") or {}
    return {
        "month": month,
        "month_label": month_label(month),
        "summary": summary,
        "headline": summary.get("headline") or [],
        "pdf_path": rendered.get("pdf_path"),
        "pdf_sha256": rendered.get("pdf_sha256"),
        "pages": rendered.get("pages"),
        "issuer": issuer(month),
    } | extra


def request_texts(month: date, rendered: dict, *, deadline: datetime, link: str | None):
    """The request, rendered once: the approvers' mail (include/templates/approval/request.*, whose
    subject the HITL request shows too) and the HITL request's Markdown body (request.md)."""
    from ispeed.operations.notify import render_mail, template

    ctx = _context(month, rendered, deadline=deadline, link=link)
    return render_mail("approval", "request", ctx), template("approval", "request.md").render(ctx)


def notify_approvers(month: date, mail, cfg: ApprovalConfig, *, run_id: str | None):
    """Tell the approvers by mail (``mail``, from request_texts) where the draft is and how to decide;
    returns the SendResult (never raises for a mail that could not be sent)."""
    from ispeed.operations.notify import operations_config, send_mail

    to = cfg.approver_emails()
    if not to:
        log.warning("no approver has an email in approval.yaml: nobody is told of the request by mail")
        return None
    ops = operations_config()
    result = send_mail(
        "approval", mail, to=to, msg_id=ops.message_id("approval", month_label(month), run_id), month=month, config=ops
    )
    log.info("approval request for %s mailed to %s: %s", month_label(month), ", ".join(to), result.status)
    return result


def alert_rejected(month: date, rendered: dict, *, by: str | None, reason: str | None, run_id: str | None) -> None:
    """Tell the data engineers that the approver rejected the draft (and why); recorded in
    ispeed.meta_alert as kind 'report_rejected'. Never raises."""
    from ispeed.operations.alerts import send_alert
    from ispeed.operations.notify import operations_config, render_mail

    try:
        ops = operations_config()
        ctx = _context(month, rendered, by=by or "?", reason=reason or "", run_id=run_id)
        mail = render_mail("alerts", "report_rejected", ctx)
        info = {"dag_id": "ispeed_monthly_report", "task_id": "approve_report", "run_id": run_id, "by": by}
        send_alert(
            "report_rejected",
            mail,
            info=info,
            month=month,
            msg_id=ops.message_id("rejected", month_label(month), run_id),
            config=ops,
            headers={"X-ISpeed-Month": month_label(month)},
        )
    except Exception:
        log.exception("the data engineers could not be told of the rejection")


# ---------------------------------------------------------------- a run's request, from ask to decision
@dataclass(frozen=True)
class Request:
    """What approve_report puts in front of the approver."""

    subject: str
    body: str
    deadline: datetime
    timeout: timedelta
    assigned_users: list[dict[str, str]] | None


def decision(month: date, *, asked: bool, approved: bool | None, **fields) -> dict:
    """What approve_report returns (its XCom), read by sign_report: ``approved`` True lets the
    report be signed and sent, None when nobody was asked because nothing will be sent."""
    return {"month": month_label(month), "asked": asked, "approved": approved} | fields


def not_asked(month: date, run_id: str | None, rendered: dict, why: str) -> dict:
    """Record that this run did not ask, and why; mode 'automatic' counts as approved."""
    record_request(
        month, run_id, status="not_asked", why_not_asked=why, pdf_path=rendered.get("pdf_path"),
        pdf_sha256=rendered.get("pdf_sha256"),
    )  # fmt: skip
    log.info("report of %s: no approval asked (%s)", month_label(month), why)
    return decision(month, asked=False, approved=True if why == AUTOMATIC else None, why_not_asked=why)


def open_request(month: date, rendered: dict, *, run_id: str | None, link: str | None, now: datetime) -> Request:
    """Record the request, tell the approvers, and return what the HITL request shows."""
    cfg = approval_config()
    deadline = approval_deadline(month, now, cfg)
    mail, body = request_texts(month, rendered, deadline=deadline, link=link)
    record_request(
        month, run_id, pdf_path=rendered.get("pdf_path"), pdf_sha256=rendered.get("pdf_sha256"),
        approvers=[a.id or a.email for a in cfg.approvers], deadline=deadline, link=link,
    )  # fmt: skip
    notify_approvers(month, mail, cfg, run_id=run_id)
    timeout = max(deadline - now, timedelta(seconds=1))
    log.info("report of %s: waiting for an approver until %s (%s)", month_label(month), deadline.isoformat(), link)
    return Request(mail.subject, body, deadline, timeout, cfg.assigned_users())


def close_request(
    month: date,
    rendered: dict,
    *,
    run_id: str | None,
    approved: bool | None,
    by: str | None = None,
    at: datetime | None = None,
    reason: str | None = None,
) -> dict:
    """Record the approver's decision (``approved`` None: the deadline passed without one). A
    rejection alerts the data engineers; a passed deadline raises ApprovalDeadlinePassed, which
    fails the task and so alerts them (on_failure_callback). Nothing is sent in either case."""
    status = "timed_out" if approved is None else "approved" if approved else "rejected"
    reason = (reason or "").strip() or None
    record_decision(month, run_id, status, by=by, at=at, reason=reason)
    if approved is None:
        raise ApprovalDeadlinePassed(
            f"nobody approved or rejected the report of {month_label(month)} by its deadline: it was not "
            f"signed nor sent. Ask an approver (approval.yaml), then re-run the month "
            f"(reporting_month={month_label(month)}); the draft is {rendered.get('pdf_path')}"
        )
    log.info("report of %s %s by %s%s", month_label(month), status, by, f": {reason}" if reason else "")
    if not approved:
        alert_rejected(month, rendered, by=by, reason=reason, run_id=run_id)
    return decision(
        month,
        asked=True,
        approved=approved,
        by=by,
        at=at.isoformat() if hasattr(at, "isoformat") else at,
        reason=reason,
    )
