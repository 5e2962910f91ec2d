"""The monthly report by email, exactly once per month (docs/report.md, "Delivery").

    deliver_report(month, rendered)          send the PDF and the annex, unless the month was sent
    deliver_report(..., force=True)          send again (a deliberate re-send: a new Message-ID)
    deliver_report(..., send=False)          record that this run did not send (backfills)
    preview_delivery(month)                  what it would mail, to whom (sends and records nothing)

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

What a delivery would do is decided in one place, plan_delivery, for the delivery and its dry run.
The mail leaves through ispeed.mail: the Airflow connection named in include/config/report.yaml.
Without such a connection (the demo) the mail is written as an .eml file to
``<data dir>/outbox/YYYY-MM/`` and recorded as 'written_to_outbox', which does not count as
delivered (``outbox_when_no_connection: false`` makes a missing connection an error instead).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from pathlib import Path

from ispeed import mail, paths
from ispeed.months import month_label
from ispeed.report import RenderedReport
from ispeed.report.settings import ReportConfig, report_config
from ispeed.report_email import build_message
from ispeed.warehouse import connection as warehouse
from ispeed.warehouse import locks

log = logging.getLogger(__name__)


class DeliveryError(RuntimeError):
    """The report could not be delivered; the attempt is recorded as 'failed'. Raised so that the
    Airflow task fails and is retried."""


# ---------------------------------------------------------------- the files
def _read_verified(path: Path, sha256: str | None, what: str) -> bytes:
    data = path.read_bytes()
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
        raise DeliveryError(f"{what} {path} changed after it was rendered (sha256 differs); render the month again")
    return data


def report_files(rendered: RenderedReport) -> tuple[bytes, bytes]:
    """The PDF's and the annex's bytes, checked against the sha256 they were rendered with."""
    return (
        _read_verified(rendered.pdf_path, rendered.pdf_sha256, "the PDF"),
        _read_verified(rendered.xlsx_path, rendered.xlsx_sha256, "the annex"),
    )


# ---------------------------------------------------------------- records


def _report_row(rendered: RenderedReport, run_id: str | None) -> dict:
    """The ispeed.meta_report columns of a rendered (or signed) PDF."""
    return {
        "month": rendered.month,
        "pdf_sha256": rendered.pdf_sha256,
        "pdf_path": str(rendered.pdf_path),
        "xlsx_path": str(rendered.xlsx_path),
        "xlsx_sha256": rendered.xlsx_sha256,
        "pages": rendered.pages,
        "fingerprint": rendered.fingerprint,
        "run_id": run_id,
    }


def record_report(rendered: RenderedReport, *, run_id: str | None = None, conn=None) -> int:
    """Record the rendered PDF in ispeed.meta_report (one row per month and PDF sha256)."""
    params = _report_row(rendered, run_id)
    # on the caller's connection (its transaction), or on one of its own, committed at once
    with contextlib.nullcontext(conn) if conn is not None else warehouse.connection() as c, c.cursor() as cur:
        cur.execute(paths.read_sql("delivery/rendered_report.sql"), params)
        return cur.fetchone()[0]


def record_signed_report(draft: RenderedReport, signed, *, run_id: str | None = None) -> RenderedReport:
    """Record the signed PDF (ispeed.signing.SignedPdf) of ``draft`` in ispeed.meta_report, a row of its
    own beside the draft's; returns the report that is delivered: the signed PDF, the same annex."""
    from dataclasses import replace

    report = replace(draft, pdf_path=Path(signed.path), pdf_sha256=signed.sha256)
    params = _report_row(report, run_id) | {
        "signed_by": signed.signer,
        "signed_at": signed.signed_at,
        "draft_sha256": draft.pdf_sha256,
    }
    with warehouse.connection() as c, c.cursor() as cur:
        cur.execute(paths.read_sql("delivery/signed_report.sql"), params)
    return report


def month_deliveries(cur, month: date) -> list[dict]:
    """Every delivery attempt of the month, oldest first."""
    cur.execute(paths.read_sql("delivery/month_deliveries.sql"), {"month": month})
    return warehouse.fetch_dicts(cur)


def month_delivered(cur, month: date) -> dict | None:
    """The month's first 'delivered' attempt (the one that counts), or None when it was never
    delivered ('written_to_outbox' and 'skipped' do not count)."""
    return next((h for h in month_deliveries(cur, month) if h["status"] == "delivered"), None)


def latest_report(month: date) -> RenderedReport:
    """The month's newest rendered report (ispeed.meta_report), with the figures its mail repeats
    taken again from the warehouse. Raises DeliveryError when the month was never rendered, or when
    the warehouse no longer holds the data its PDF was rendered from (render the month again)."""
    from ispeed.report import collect_report_data
    from ispeed.report.render import report_summary

    with warehouse.connection() as conn:
        with conn.cursor() as cur:
            cur.execute(paths.read_sql("delivery/latest_rendered_report.sql"), {"month": month})
            found = warehouse.fetch_dicts(cur)
        if not found:
            raise DeliveryError(
                f"no rendered report of {month_label(month)} in ispeed.meta_report: "
                f"render it first (python -m ispeed report --month {month_label(month)})"
            )
        data = collect_report_data(conn, month)
    r = found[0]
    if data.fingerprint() != r["content_fingerprint"]:
        raise DeliveryError(
            f"the warehouse's figures of {month_label(month)} changed since its report was rendered; "
            f"render it again (python -m ispeed report --month {month_label(month)})"
        )
    return RenderedReport(
        month=month,
        pdf_path=Path(r["pdf_path"]),
        xlsx_path=Path(r["xlsx_path"]),
        csv_paths=(),
        pdf_sha256=r["pdf_sha256"],
        xlsx_sha256=r["xlsx_sha256"],
        fingerprint=r["content_fingerprint"],
        pages=int(r["pages"] or 0),
        summary=report_summary(data),
    )


# ---------------------------------------------------------------- the plan
@dataclass(frozen=True)
class DeliveryPlan:
    """What delivering the month now would do, from its delivery history."""

    rendered: RenderedReport
    sequence: int  # the month's sending this would be (1; +1 per forced re-send)
    attempt: int  # the attempt at that sending (a retry reuses the Message-ID)
    message: EmailMessage
    sender: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    recipients: list[str]  # the envelope: to and cc, bare addresses
    forced: bool
    delivered: dict | None  # the month's last 'delivered' attempt, None when never delivered
    unknown: dict | None  # an earlier attempt at this sending that may or may not have left

    @property
    def sends(self) -> bool:
        """Whether the mail leaves: the month was never delivered, or the re-send is forced."""
        return self.delivered is None or self.forced

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def attachments(self) -> list[tuple[str, int]]:
        """(file name, size in bytes) of each attached file."""
        return [(a.get_filename(), len(a.get_payload(decode=True))) for a in self.message.iter_attachments()]

    def attempt_row(self, run_id: str | None, **outcome) -> dict:
        """The ispeed.meta_delivery row of this attempt; ``outcome``: mode, status (and outbox_path)."""
        r = self.rendered
        return {
            "month": r.month,
            "run_id": run_id,
            "sequence": self.sequence,
            "attempt": self.attempt,
            "message_id": self.message_id,
            "sender": self.sender,
            "recipients": list(self.to),
            "cc": list(self.cc),
            "subject": self.subject,
            "pdf_sha256": r.pdf_sha256,
            "xlsx_sha256": r.xlsx_sha256,
            "forced": self.forced,
            "outbox_path": None,
        } | outcome


def plan_delivery(
    rendered: RenderedReport, history: list[dict], files: tuple[bytes, bytes], *, force: bool, cfg: ReportConfig
) -> DeliveryPlan:
    """The plan for ``rendered`` given the month's ``history`` (month_deliveries) and the files'
    verified bytes (report_files). Sends nothing and records nothing."""
    em = cfg.email
    delivered = [h for h in history if h["status"] == "delivered"]
    sequence = max((h["sequence"] for h in delivered), default=0) + 1
    same = [h for h in history if h["sequence"] == sequence and h["status"] != "skipped"]
    unknown = [h for h in same if h["status"] == "sending"]
    msg_id = em.message_id("report", month_label(rendered.month), rendered.pdf_sha256[:16], sequence)
    pdf_bytes, xlsx_bytes = files
    return DeliveryPlan(
        rendered=rendered,
        sequence=sequence,
        attempt=len(same) + 1,
        message=build_message(
            rendered, cfg, msg_id=msg_id, sequence=sequence, pdf_bytes=pdf_bytes, xlsx_bytes=xlsx_bytes
        ),
        sender=em.sender,
        to=tuple(em.to),
        cc=tuple(em.cc),
        recipients=em.recipients,
        forced=force,
        delivered=delivered[-1] if delivered else None,
        unknown=unknown[-1] if unknown else None,
    )


def preview_delivery(month: date, *, force: bool = False) -> DeliveryPlan:
    """The plan deliver_report would make now for the month's latest rendered report (latest_report):
    what it would mail, to whom, and whether it would go at all (``plan.sends``). Sends nothing and
    records nothing."""
    rendered = latest_report(month)
    files = report_files(rendered)
    with warehouse.connection() as conn, conn.cursor() as cur:
        history = month_deliveries(cur, month)
    return plan_delivery(rendered, history, files, force=force, cfg=report_config(month))


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
    cfg = report_config(month)  # the sender and recipients of the report's date
    em = cfg.email
    files = report_files(rendered)

    conn = warehouse.connect()
    try:
        conn.autocommit = True  # each record is committed at once: 'sending' must be durable before the mail leaves
        with locks.held(conn, locks.month_key("report_delivery", month)), conn.cursor() as cur:
            record_report(rendered, run_id=run_id, conn=conn)
            plan = plan_delivery(rendered, month_deliveries(cur, month), files, force=force, cfg=cfg)
            base = {
                "month": month_label(month),
                "recipients": list(em.to),
                "cc": list(em.cc),
                "pdf_sha256": rendered.pdf_sha256,
                "forced": force,
                "sequence": plan.sequence,
            }

            if not plan.sends:
                last = plan.delivered
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

            if plan.unknown:
                log.warning(
                    "an earlier attempt (delivery %s, Message-ID %s) may or may not have reached the server; "
                    "sending again%s",
                    plan.unknown["delivery_id"],
                    plan.unknown["message_id"],
                    " with the same Message-ID"
                    if plan.unknown["message_id"] == plan.message_id
                    else " (the PDF changed since, so under a new Message-ID)",
                )
            base |= {"message_id": plan.message_id, "attempt": plan.attempt, "subject": plan.subject}

            if not send:
                delivery_id = _record_attempt(cur, plan.attempt_row(run_id, mode="none", status="skipped", attempt=0))
                log.info("report %s rendered, not sent (send=False)", month_label(month))
                return base | {"status": "skipped", "sent": False, "delivery_id": delivery_id}

            connection = mail.smtp_connection(em.smtp_conn_id)
            if connection is None:
                if not em.outbox_when_no_connection:
                    raise DeliveryError(
                        f"no Airflow connection {em.smtp_conn_id!r} to send the report through "
                        "(include/config/report.yaml forbids the outbox)"
                    )
                path = mail.write_outbox(em.outbox / month_label(month), plan.message)
                delivery_id = _record_attempt(
                    cur, plan.attempt_row(run_id, mode="outbox", status="written_to_outbox", outbox_path=str(path))
                )
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

            delivery_id = _record_attempt(cur, plan.attempt_row(run_id, mode="smtp", status="sending"))
            log.info(
                "sending report %s to %s via %s:%s (Message-ID %s, attempt %d)",
                month_label(month),
                ", ".join(plan.recipients),
                connection.host,
                connection.port,
                plan.message_id,
                plan.attempt,
            )
            try:
                refused = mail.send_smtp(connection, plan.message, em.sender_address, plan.recipients)
            except Exception as exc:
                _finish(cur, delivery_id, "failed", error=mail.clean_error(exc))
                raise DeliveryError(
                    f"the mail server did not accept the report of {month_label(month)}: {mail.clean_error(exc)}"
                ) from exc
            response = ("refused: " + "; ".join(f"{a} {c} {m!r}" for a, (c, m) in refused.items())) if refused else None
            if refused:
                log.warning("the server refused some recipients: %s", response)
            delivered_at = _finish(cur, delivery_id, "delivered", response=response)
            log.info("report %s delivered (Message-ID %s)", month_label(month), plan.message_id)
            return base | {
                "status": "delivered",
                "sent": True,
                "delivery_id": delivery_id,
                "delivered_at": delivered_at.isoformat(),
                "refused": sorted(refused),
            }
    finally:
        conn.close()  # also releases the advisory lock


def _record_attempt(cur, row: dict) -> int:
    """One row of ispeed.meta_delivery; returns its id."""
    cur.execute(paths.read_sql("delivery/delivery_attempt.sql"), row)
    return cur.fetchone()[0]


def _finish(cur, delivery_id: int, status: str, *, response: str | None = None, error: str | None = None):
    """Complete a 'sending' row: 'delivered' (returns the time) or 'failed'."""
    cur.execute(
        paths.read_sql("delivery/delivery_outcome.sql"),
        {"status": status, "smtp_response": response, "error": error, "delivery_id": delivery_id},
    )
    row = cur.fetchone()
    if row is None:
        raise DeliveryError(f"delivery {delivery_id} was not 'sending' any more; another process changed it")
    return row[0]
