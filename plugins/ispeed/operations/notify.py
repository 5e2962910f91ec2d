"""The pipeline's own mails: alerts to the data engineers and reminders (đôn đốc) to agencies and
operators (docs/operations.md): their configuration, their Vietnamese formatting, their templates.

    cfg = operations_config()                                    # include/config/operations.yaml
    mail = render_mail("reminders", "agency_return", context)    # subject, plain text, HTML
    result = send_mail("reminders", mail, to=[...], msg_id=..., month=...)

Texts are Jinja2 templates in include/templates/alerts/ and include/templates/reminders/, three
files per mail: ``<name>.subject.txt``, ``<name>.txt`` and ``<name>.html``. The HTML is autoescaped:
agency names and error messages come from files other people wrote and cannot inject markup.

Mails leave through ispeed.mail, as the report does: the report's Airflow connection
(``email.smtp_conn_id`` of include/config/report.yaml, ``smtp_default``), or without it .eml files
in ``<data dir>/<report outbox>/alerts/YYYY-MM/`` or ``.../reminders/YYYY-MM/`` (unless report.yaml's
``outbox_when_no_connection`` is false: then a missing connection is an error). Nothing here
records anything: the callers (ispeed.operations.alerts, reminders, deadline) record every mail in
the warehouse with the result returned here.

Light on import: the DAG files import the modules that import this one at parse time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import getaddresses, parseaddr
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ispeed import geography
from ispeed.config import ConfigError, email_addresses, load_yaml
from ispeed.mail import Mail, Sender, SendResult, clean_error, render, send, templates
from ispeed.mail import compose as mail_compose
from ispeed.months import month_label

log = logging.getLogger(__name__)

KINDS = ("alerts", "reminders", "approval")


# ---------------------------------------------------------------- configuration
@dataclass(frozen=True)
class OperationsConfig(Sender):
    """include/config/operations.yaml, typed (plus the mail settings shared with report.yaml)."""

    data_engineers: tuple[str, ...]
    sender: str
    reply_to: str | None
    reminder_cc: tuple[str, ...]
    attach_template: bool
    timezone: str
    reminder_day: int
    load_before_check: bool
    min_measurements: int
    fraction_of_recent_mean: float
    recent_months: int
    operator_contacts: dict[str, str]
    deadline_day: int
    deadline_hour: int
    schedule: str
    smtp_conn_id: str
    outbox: Path
    outbox_when_no_connection: bool

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def data_engineer_addresses(self) -> list[str]:
        return [a for _, a in getaddresses(list(self.data_engineers))]


def _address_list(raw: dict, key: str, where: str) -> tuple[str, ...]:
    return email_addresses(raw, key, f"include/config/operations.yaml: {where}")


def operations_config() -> OperationsConfig:
    """Read include/config/operations.yaml (and the mail connection and outbox of report.yaml), its
    {province} placeholders filled with the configured province's names of today."""
    from ispeed.report.settings import report_config

    raw = geography.fill(load_yaml("operations"), geography.names())
    report_email = report_config().email
    try:
        em = raw.get("email") or {}
        fr = raw.get("freshness") or {}
        dl = raw.get("deadline") or {}
        mon = raw.get("monitoring") or {}
        cfg = OperationsConfig(
            data_engineers=_address_list(raw, "data_engineers", ""),
            sender=str(em.get("from") or report_email.sender),
            reply_to=str(em["reply_to"]) if em.get("reply_to") else report_email.reply_to,
            reminder_cc=_address_list(em, "reminder_cc", "email."),
            attach_template=bool(em.get("attach_template", True)),
            timezone=str(raw.get("timezone", "Asia/Ho_Chi_Minh")),
            reminder_day=int(fr.get("reminder_day", 10)),
            load_before_check=bool(fr.get("load_before_check", True)),
            min_measurements=int(fr.get("min_measurements", 5000)),
            fraction_of_recent_mean=float(fr.get("fraction_of_recent_mean", 0.6)),
            recent_months=int(fr.get("recent_months", 3)),
            operator_contacts={
                str(k).upper(): str(v).strip() for k, v in (raw.get("operator_contacts") or {}).items() if v
            },
            deadline_day=int(dl.get("day", 15)),
            deadline_hour=int(dl.get("hour", 17)),
            schedule=str(mon.get("schedule", "0 8,17 * * *")),
            smtp_conn_id=report_email.smtp_conn_id,
            outbox=report_email.outbox,
            outbox_when_no_connection=report_email.outbox_when_no_connection,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"include/config/operations.yaml: missing or wrong setting ({exc!r})") from exc
    if not cfg.data_engineers:
        raise ConfigError("include/config/operations.yaml: data_engineers must name at least one address")
    if not 1 <= cfg.reminder_day <= 28 or not 1 <= cfg.deadline_day <= 28:
        raise ConfigError("include/config/operations.yaml: freshness.reminder_day and deadline.day must be 1..28")
    if not 0 <= cfg.deadline_hour <= 23:
        raise ConfigError("include/config/operations.yaml: deadline.hour must be 0..23")
    if not 0 <= cfg.fraction_of_recent_mean <= 1 or cfg.recent_months < 0 or cfg.min_measurements < 0:
        raise ConfigError("include/config/operations.yaml: freshness minimums out of range")
    ZoneInfo(cfg.timezone)  # raises on an unknown time zone
    if "@" not in cfg.sender_address:
        raise ConfigError(f"include/config/operations.yaml: email.from {cfg.sender!r} is not an email address")
    for code, addr in cfg.operator_contacts.items():
        if "@" not in parseaddr(addr)[1]:
            raise ConfigError(
                f"include/config/operations.yaml: operator_contacts.{code}: {addr!r} is not an email address"
            )
    return cfg


# ---------------------------------------------------------------- texts
def vn_number(value: Any, decimals: int = 0) -> str:
    """1234567 -> '1.234.567'; 45.5 (decimals=2) -> '45,50' (Vietnamese separators)."""
    if value is None:
        return "-"
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def spaced(value: Any) -> str:
    """1234567 -> '1 234 567' (for the data engineers' English texts and the run summary)."""
    return "-" if value is None else f"{int(value):,}".replace(",", " ")


def vn_date(value: date | datetime | str | None) -> str:
    """date(2024, 11, 10) -> '10/11/2024'."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def vn_month(value: date | str) -> str:
    """date(2024, 10, 1) or '2024-10' -> '10/2024'."""
    if isinstance(value, str):
        year, month = value[:7].split("-")
        return f"{int(month):02d}/{year}"
    return f"{value.month:02d}/{value.year}"


@lru_cache(maxsize=4)
def _environment(kind: str):
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    return templates(kind, vn_number=vn_number, vn_date=vn_date, vn_month=vn_month, spaced=spaced)


def render_mail(kind: str, name: str, context: dict[str, Any], attachments: tuple = ()) -> Mail:
    """Subject, plain text and HTML from include/templates/<kind>/<name>.{subject.txt,txt,html}."""
    return render(_environment(kind), name, context, attachments)


def template(kind: str, name: str):
    """One template of include/templates/<kind>/ (e.g. the approval request's Markdown body)."""
    return _environment(kind).get_template(name)


def issuer(month: date | None = None) -> dict:
    """Who the mails speak for (report.yaml's issuer) and to whom the report goes: for ``month``'s
    report, as on its date; without a month, today's."""
    from ispeed.report.settings import report_config

    cfg = report_config(month)
    return {"full_name": cfg.issuer.full_name, "short_name": cfg.issuer.short_name, "recipient": cfg.document.recipient}


# ---------------------------------------------------------------- sending
def send_mail(
    kind: str,
    mail: Mail,
    *,
    to: list[str],
    cc: list[str] = (),
    msg_id: str,
    month: date | None,
    config: OperationsConfig | None = None,
    reply_to: str | None = None,
    headers: dict[str, str] | None = None,
) -> SendResult:
    """Send one mail through the report's SMTP connection, or write it to the outbox
    (``<outbox>/<kind>/YYYY-MM/``). Never raises for a mail that could not be sent: the result says
    'failed' and why (the callers record it and decide). Raises ValueError only for a call without
    any recipient."""
    cfg = config or operations_config()
    to, cc = [a for a in to if a], [a for a in cc if a]
    recipients = [addr for _, addr in getaddresses([*to, *cc])]
    if not recipients:
        raise ValueError("a mail needs at least one recipient")
    try:
        msg = mail_compose(
            mail,
            sender=cfg.sender,
            to=to,
            cc=cc,
            reply_to=reply_to or cfg.reply_to,
            msg_id=msg_id,
            # RFC 3834: no vacation auto-replies to the robot
            headers={"Auto-Submitted": "auto-generated", **(headers or {})},
        )
    except Exception as exc:
        log.exception("could not build the mail %r", mail.subject)
        return SendResult("failed", msg_id, recipients, error=clean_error(exc))
    return send(
        msg,
        conn_id=cfg.smtp_conn_id,
        sender=cfg.sender_address,
        recipients=recipients,
        outbox=cfg.outbox / kind / (month_label(month) if month else "no-month"),
        outbox_when_no_connection=cfg.outbox_when_no_connection,
    )


def send_to_data_engineers(
    kind: str, mail: Mail, *, msg_id: str, month: date | None, config: OperationsConfig, headers: dict[str, str]
) -> SendResult:
    """send_mail to the data engineers of operations.yaml (alerts, the digest)."""
    return send_mail(
        kind, mail, to=list(config.data_engineers), msg_id=msg_id, month=month, config=config, headers=headers
    )
