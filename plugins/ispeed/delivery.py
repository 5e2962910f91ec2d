"""The monthly report by email, exactly once per month (docs/report.md, "Delivery").

    deliver_report(month, rendered)          send the PDF and the annex, unless the month was sent
    deliver_report(..., force=True)          send again (a deliberate re-send: a new Message-ID)
    deliver_report(..., send=False)          record that this run did not send (backfills)

How "exactly once" is kept:

- Every attempt is a row of ispeed.meta_delivery, written *before* the mail leaves (status
  'sending') and completed after the server's answer ('delivered' or 'failed'). A month with a
  'delivered' row is not sent again unless ``force``.
- The Message-ID is derived from the month, the PDF's sha256 and the month's sending number
  (1, then +1 per forced re-send): a retry of the same sending carries the same Message-ID.
- If the process dies between the server's "250 OK" and the 'delivered' update, the row stays
  'sending'; the next run does not know whether the mail left, sends it again with the same
  Message-ID, and mail clients and archives that de-duplicate on Message-ID show it once. That is
  at-least-once with a stable identity, the best SMTP allows (it has no transactions).
- Two runs of the same month never interleave: the whole delivery holds an advisory lock on the
  month in the warehouse.
- 'delivered' is written only after the server accepted the mail (``send_message`` returned); any
  error before is recorded as 'failed' and raised again, so that Airflow retries the task.

Where the mail goes: the Airflow connection named in include/config/report.yaml (``smtp_default``,
smtp provider). Without such a connection (the demo) the mail is written as an .eml file to
``<data dir>/outbox/YYYY-MM/`` and recorded as 'written_to_outbox', which does not count as
delivered (``outbox_when_no_connection: false`` makes a missing connection an error instead).
"""

from __future__ import annotations

import logging
import re
import smtplib
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, getaddresses
from pathlib import Path
from typing import Any

from ispeed import paths
from ispeed.mail import smtp_policy
from ispeed.months import month_label
from ispeed.report.render import RenderedReport
from ispeed.report.settings import ReportConfig, report_config
from ispeed.warehouse import connection as warehouse

log = logging.getLogger(__name__)

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
_LOCK = "ispeed:report_delivery:{month}"


class DeliveryError(RuntimeError):
    """The report could not be delivered; the attempt is recorded as 'failed'. Raised so that the
    Airflow task fails and is retried."""


# ---------------------------------------------------------------- the mail
def message_id(month: date, pdf_sha256: str, sequence: int, domain: str) -> str:
    """The Message-ID of the month's ``sequence``-th sending of this PDF: the same for every retry."""
    return f"<ispeed-report.{month_label(month)}.{pdf_sha256[:16]}.{sequence}@{domain}>"


def _human_size(n: int) -> str:
    from ispeed.report import fmt

    return f"{fmt.number(n / 1024, 0)} KB" if n < 1024 * 1024 else f"{fmt.number(n / 1024 / 1024, 1)} MB"


def _templates():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(paths.TEMPLATES_DIR / "report")),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "htm"), default_for_string=False, default=False
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_email(rendered: RenderedReport, cfg: ReportConfig, *, msg_id: str, sequence: int) -> tuple[str, str, str]:
    """(subject, plain text, HTML) from include/templates/report/email_*. The HTML template is
    autoescaped: names and notes from the returns cannot inject markup."""
    from ispeed.report.charts import VERDICT_TEXT_COLOURS

    s = rendered.summary or {}
    attachments = [
        {"name": p.name, "size": _human_size(p.stat().st_size)} for p in (rendered.pdf_path, rendered.xlsx_path)
    ]
    operators = [
        dict(op, colour=VERDICT_TEXT_COLOURS[op["verdict"]].hexval().replace("0x", "#"))
        for op in s.get("operators", [])
    ]
    context: dict[str, Any] = {
        "issuer": cfg.issuer.full_name,
        "issuer_short": cfg.issuer.short_name,
        "recipient": cfg.document.recipient,
        "month_vi": s.get("month_vi", f"{rendered.month.month:02d}/{rendered.month.year}"),
        "subject_line": s.get("subject_line", ""),
        "network": s.get("network", "4G"),
        "statistic_vi": s.get("statistic_vi", "trung bình"),
        "threshold": s.get("threshold", "40"),
        "operators": operators,
        "agencies": s.get("agencies", {"total": 0, "submitted": 0, "missing": [], "rejected": []}),
        "attachments": attachments,
        "pdf_sha256": rendered.pdf_sha256,
        "pages": rendered.pages,
        "message_id": msg_id,
        "sequence": sequence,
        "resend": sequence > 1,
    }
    env = _templates()
    subject = " ".join(env.get_template("email_subject.txt").render(context).split())
    context["subject"] = subject
    text = env.get_template("email_body.txt").render(context)
    html = env.get_template("email_body.html").render(context)
    return subject, text, html


def build_message(
    rendered: RenderedReport, cfg: ReportConfig, *, msg_id: str, sequence: int, pdf_bytes: bytes, xlsx_bytes: bytes
) -> EmailMessage:
    """multipart/mixed: multipart/alternative (plain text, HTML), the PDF, the .xlsx annex."""
    subject, text, html = render_email(rendered, cfg, msg_id=msg_id, sequence=sequence)
    em = cfg.email
    msg = EmailMessage(policy=smtp_policy())
    msg["Subject"] = subject
    msg["From"] = em.sender
    msg["To"] = ", ".join(em.to)
    if em.cc:
        msg["Cc"] = ", ".join(em.cc)
    if em.reply_to:
        msg["Reply-To"] = em.reply_to
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = msg_id
    msg["X-ISpeed-Report-Month"] = month_label(rendered.month)
    msg["X-ISpeed-Report-PDF-SHA256"] = rendered.pdf_sha256
    msg.set_content(text, subtype="plain", charset="utf-8")
    msg.add_alternative(html, subtype="html", charset="utf-8")
    msg.add_attachment(pdf_bytes, maintype="application", subtype="pdf", filename=rendered.pdf_path.name)
    msg.add_attachment(xlsx_bytes, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=rendered.xlsx_path.name)
    return msg


# ---------------------------------------------------------------- the SMTP connection
def _is_not_found(exc: BaseException) -> bool:
    return any(c.__name__ == "AirflowNotFoundException" for c in type(exc).__mro__)


def smtp_connection(conn_id: str):
    """The Airflow connection (metadata database, secrets backend or ``AIRFLOW_CONN_<ID>``), or None
    when Airflow has none by that id. Works inside a task and from plain code."""
    try:
        from airflow.sdk import BaseHook
    except ImportError:  # pragma: no cover - Airflow is a requirement
        return None
    try:
        return BaseHook.get_connection(conn_id)
    except Exception as exc:
        if _is_not_found(exc):
            return None
        raise


def send_smtp(conn_id: str, msg: EmailMessage, sender: str, recipients: list[str]) -> dict:
    """Hand the mail to the server once, through the smtp provider's hook (which reads host, port,
    SSL/STARTTLS, login and password or OAuth2 from the connection). Returns the recipients the
    server refused (empty when all were accepted); raises when the server accepted none. Also used
    for alerts and reminders (ispeed.operations.notify)."""
    from airflow.providers.smtp.hooks.smtp import SmtpHook

    hook = SmtpHook(smtp_conn_id=conn_id)
    hook.get_conn()
    client = getattr(hook, "_smtp_client", None)
    if client is None:  # pragma: no cover - the hook's internals changed
        raise DeliveryError("the SMTP hook did not open a connection (apache-airflow-providers-smtp changed?)")
    try:
        # send_message, not the hook's send_email_smtp: that one retries on any error, which could
        # send twice, and builds an HTML-only message without our Message-ID.
        return client.send_message(msg, from_addr=sender, to_addrs=recipients)
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()


_send_smtp = send_smtp  # the former private name (the report's delivery calls it by this name)


# ---------------------------------------------------------------- records
def _rows(cur) -> list[dict]:
    cols = [c.name for c in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def record_report(rendered: RenderedReport, *, run_id: str | None = None, conn=None) -> int:
    """Record the rendered PDF in ispeed.meta_report (one row per month and PDF sha256)."""
    params = {
        "month": rendered.month,
        "pdf_sha256": rendered.pdf_sha256,
        "pdf_path": str(rendered.pdf_path),
        "xlsx_path": str(rendered.xlsx_path),
        "xlsx_sha256": rendered.xlsx_sha256,
        "pages": rendered.pages,
        "fingerprint": rendered.fingerprint,
        "run_id": run_id,
    }
    if conn is None:
        with warehouse.connection() as own, own.cursor() as cur:
            cur.execute(paths.read_sql("report/record_report.sql"), params)
            return cur.fetchone()[0]
    with conn.cursor() as cur:
        cur.execute(paths.read_sql("report/record_report.sql"), params)
        return cur.fetchone()[0]


def delivery_history(month: date) -> list[dict]:
    """Every delivery attempt of the month, oldest first (for the status command and the docs)."""
    with warehouse.connection() as conn, conn.cursor() as cur:
        cur.execute(paths.read_sql("report/month_deliveries.sql"), {"month": month})
        return _rows(cur)


def _clean_error(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return re.sub(r"(?i)(password|passwd|pwd)=\S+", r"\1=***", text)[:2000]


def _read_verified(path: Path, sha256: str | None, what: str) -> bytes:
    data = path.read_bytes()
    if sha256 is not None:
        import hashlib

        if hashlib.sha256(data).hexdigest() != sha256:
            raise DeliveryError(f"{what} {path} changed after it was rendered (sha256 differs); render the month again")
    return data


# ---------------------------------------------------------------- delivery
def deliver_report(
    month: date, rendered: RenderedReport, *, run_id: str | None = None, force: bool = False, send: bool = True
) -> dict:
    """Email the month's report (PDF and .xlsx annex) once. Returns what happened, for XCom:
    ``status`` is one of delivered / already_delivered / written_to_outbox / skipped, with the
    Message-ID, recipients, the PDF's sha256, the delivery row's id and, for the outbox, the .eml
    file. Raises DeliveryError (after recording 'failed') when the mail server fails."""
    if rendered.month != month:
        raise DeliveryError(f"the rendered report is for {month_label(rendered.month)}, not {month_label(month)}")
    cfg = report_config()
    em = cfg.email
    pdf_bytes = _read_verified(rendered.pdf_path, rendered.pdf_sha256, "the PDF")
    xlsx_bytes = _read_verified(rendered.xlsx_path, rendered.xlsx_sha256, "the annex")
    recipients = [addr for _, addr in getaddresses([*em.to, *em.cc])]
    sender = em.sender_address

    conn = warehouse.connect()
    try:
        conn.autocommit = True  # each record is committed at once: 'sending' must be durable before the mail leaves
        with conn.cursor() as cur:
            cur.execute("select pg_advisory_lock(hashtext(%s))", (_LOCK.format(month=month_label(month)),))
            record_report(rendered, run_id=run_id, conn=conn)
            cur.execute(paths.read_sql("report/month_deliveries.sql"), {"month": month})
            history = _rows(cur)
            delivered = [h for h in history if h["status"] == "delivered"]
            sequence = max((h["sequence"] for h in delivered), default=0) + 1
            base = {
                "month": month_label(month),
                "recipients": list(em.to),
                "cc": list(em.cc),
                "pdf_sha256": rendered.pdf_sha256,
                "forced": force,
                "sequence": sequence,
            }

            if delivered and not force:
                last = delivered[-1]
                log.info(
                    "report %s already delivered on %s (Message-ID %s); not sending again (force to re-send)",
                    month_label(month),
                    last["delivered_at"],
                    last["message_id"],
                )
                return base | {
                    "status": "already_delivered",
                    "sent": False,
                    "sequence": last["sequence"],
                    "message_id": last["message_id"],
                    "delivery_id": last["delivery_id"],
                    "delivered_at": last["delivered_at"].isoformat(),
                    "delivered_pdf_sha256": last["pdf_sha256"],
                }

            same = [h for h in history if h["sequence"] == sequence and h["status"] != "skipped"]
            attempt = len(same) + 1
            msg_id = message_id(month, rendered.pdf_sha256, sequence, em.domain)
            unknown = [h for h in same if h["status"] == "sending"]
            if unknown:
                log.warning(
                    "an earlier attempt (delivery %s, Message-ID %s) may or may not have reached the server; "
                    "sending again%s",
                    unknown[-1]["delivery_id"],
                    unknown[-1]["message_id"],
                    " with the same Message-ID"
                    if unknown[-1]["message_id"] == msg_id
                    else " (the PDF changed since, so under a new Message-ID)",
                )
            msg = build_message(
                rendered, cfg, msg_id=msg_id, sequence=sequence, pdf_bytes=pdf_bytes, xlsx_bytes=xlsx_bytes
            )
            row = {
                "month": month,
                "run_id": run_id,
                "sequence": sequence,
                "attempt": attempt,
                "message_id": msg_id,
                "sender": em.sender,
                "recipients": list(em.to),
                "cc": list(em.cc),
                "subject": str(msg["Subject"]),
                "pdf_sha256": rendered.pdf_sha256,
                "xlsx_sha256": rendered.xlsx_sha256,
                "forced": force,
                "outbox_path": None,
            }
            base |= {"message_id": msg_id, "attempt": attempt, "subject": str(msg["Subject"])}

            if not send:
                cur.execute(
                    paths.read_sql("report/insert_delivery.sql"),
                    row | {"mode": "none", "status": "skipped", "attempt": 0},
                )
                delivery_id = cur.fetchone()[0]
                log.info("report %s rendered, not sent (send=False)", month_label(month))
                return base | {"status": "skipped", "sent": False, "delivery_id": delivery_id}

            connection = smtp_connection(em.smtp_conn_id)
            if connection is None:
                if not em.outbox_when_no_connection:
                    raise DeliveryError(
                        f"no Airflow connection {em.smtp_conn_id!r} to send the report through "
                        "(include/config/report.yaml forbids the outbox)"
                    )
                path = _write_outbox(em.outbox, month, msg, msg_id)
                cur.execute(
                    paths.read_sql("report/insert_delivery.sql"),
                    row | {"mode": "outbox", "status": "written_to_outbox", "outbox_path": str(path)},
                )
                delivery_id = cur.fetchone()[0]
                log.warning(
                    "no Airflow connection %r: the report's mail was written to %s (not sent)", em.smtp_conn_id, path
                )
                print(f"No SMTP connection {em.smtp_conn_id!r}: the mail for {month_label(month)} is in {path}")
                return base | {
                    "status": "written_to_outbox",
                    "sent": False,
                    "delivery_id": delivery_id,
                    "outbox_path": str(path),
                }

            cur.execute(paths.read_sql("report/insert_delivery.sql"), row | {"mode": "smtp", "status": "sending"})
            delivery_id = cur.fetchone()[0]
            log.info(
                "sending report %s to %s via %s:%s (Message-ID %s, attempt %d)",
                month_label(month),
                ", ".join(recipients),
                connection.host,
                connection.port,
                msg_id,
                attempt,
            )
            try:
                refused = _send_smtp(em.smtp_conn_id, msg, sender, recipients)
            except Exception as exc:
                _finish(cur, delivery_id, "failed", error=_clean_error(exc))
                raise DeliveryError(
                    f"the mail server did not accept the report of {month_label(month)}: {_clean_error(exc)}"
                ) from exc
            response = ("refused: " + "; ".join(f"{a} {c} {m!r}" for a, (c, m) in refused.items())) if refused else None
            if refused:
                log.warning("the server refused some recipients: %s", response)
            delivered_at = _finish(cur, delivery_id, "delivered", response=response)
            log.info("report %s delivered (Message-ID %s)", month_label(month), msg_id)
            return base | {
                "status": "delivered",
                "sent": True,
                "delivery_id": delivery_id,
                "delivered_at": delivered_at.isoformat(),
                "refused": sorted(refused),
            }
    finally:
        conn.close()  # also releases the advisory lock


def _finish(cur, delivery_id: int, status: str, *, response: str | None = None, error: str | None = None):
    """Complete a 'sending' row: 'delivered' (returns the time) or 'failed'."""
    cur.execute(
        paths.read_sql("report/finish_delivery.sql"),
        {"status": status, "smtp_response": response, "error": error, "delivery_id": delivery_id},
    )
    row = cur.fetchone()
    if row is None:
        raise DeliveryError(f"delivery {delivery_id} was not 'sending' any more; another process changed it")
    return row[0]


def _write_outbox(folder: Path, month: date, msg: EmailMessage, msg_id: str) -> Path:
    """The mail as an .eml file (RFC 5322, CRLF), named after its Message-ID: a re-run replaces it."""
    out = folder / month_label(month)
    out.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", msg_id.strip("<>").split("@")[0]) + ".eml"
    path = out / name
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(msg.as_bytes())
    tmp.replace(path)
    return path
