"""One way to send the pipeline's own mails: alerts to the data engineers and reminders (đôn đốc) to
agencies and operators (docs/operations.md).

    cfg = operations_config()                              # include/config/operations.yaml
    mail = render_mail("reminders", "agency_return", context)    # subject, plain text, HTML
    result = send_mail("reminders", mail, to=[...], message_id=..., month=...)

Texts are Jinja2 templates in include/templates/alerts/ and include/templates/reminders/, three
files per mail: ``<name>.subject.txt``, ``<name>.txt`` and ``<name>.html``. The HTML is autoescaped:
agency names and error messages come from files other people wrote and cannot inject markup.

Mails go through the same Airflow connection as the report (``email.smtp_conn_id`` of
include/config/report.yaml, ``smtp_default``) with ispeed.delivery.send_smtp. Without that
connection they are written as .eml files to ``<data dir>/<report outbox>/alerts/YYYY-MM/`` or
``.../reminders/YYYY-MM/`` (unless report.yaml's ``outbox_when_no_connection`` is false: then a
missing connection is an error). Nothing here records anything: the callers (ispeed.operations.alerts,
ispeed.operations.monitoring) record every mail in the warehouse with the result returned here.

Light on import: the DAG files import the modules that import this one at parse time.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, parseaddr
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ispeed import paths
from ispeed.config import ConfigError, email_addresses, load_yaml
from ispeed.mail import Sender, smtp_policy

log = logging.getLogger(__name__)

KINDS = ("alerts", "reminders")


class NotifyError(RuntimeError):
    """A mail could not be handed to the server (or the outbox is forbidden and there is no
    connection)."""


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
    """Read include/config/operations.yaml (and the mail connection and outbox of report.yaml)."""
    from ispeed.report.settings import report_config

    raw = load_yaml("operations")
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
    import jinja2

    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(paths.TEMPLATES_DIR / kind)),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "htm"), default_for_string=False, default=False
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(vn_number=vn_number, vn_date=vn_date, vn_month=vn_month, spaced=spaced)
    return env


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    html: str
    attachments: tuple[tuple[str, bytes, str, str], ...] = ()  # (file name, bytes, maintype, subtype)


def render_mail(kind: str, name: str, context: dict[str, Any]) -> Mail:
    """Subject, plain text and HTML from include/templates/<kind>/<name>.{subject.txt,txt,html}."""
    env = _environment(kind)
    subject = " ".join(env.get_template(f"{name}.subject.txt").render(context).split())
    context = dict(context, subject=subject)
    return Mail(
        subject=subject,
        text=env.get_template(f"{name}.txt").render(context),
        html=env.get_template(f"{name}.html").render(context),
    )


# ---------------------------------------------------------------- sending
@dataclass
class SendResult:
    """What happened to one mail: status 'sent' (the server accepted it), 'written_to_outbox' (no
    connection) or 'failed' (error says why)."""

    status: str
    message_id: str
    recipients: list[str]
    outbox_path: str | None = None
    refused: dict = field(default_factory=dict)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("sent", "written_to_outbox")

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "message_id": self.message_id,
            "recipients": self.recipients,
            "outbox_path": self.outbox_path,
            "refused": sorted(self.refused),
            "error": self.error,
        }


def message_id(cfg: OperationsConfig, *parts: Any) -> str:
    """A stable Message-ID from the parts: the same mail (same alert, same reminder of the same day)
    gets the same one, so that a retry is recognisable."""
    local = ".".join(re.sub(r"[^A-Za-z0-9_-]+", "_", str(p)).strip("_") for p in parts if p not in (None, ""))
    return f"<ispeed-{local}@{cfg.domain}>"


def build_message(
    cfg: OperationsConfig,
    mail: Mail,
    *,
    to: list[str],
    cc: list[str] = (),
    msg_id: str,
    reply_to: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    msg = EmailMessage(policy=smtp_policy())
    msg["Subject"] = mail.subject
    msg["From"] = cfg.sender
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    if reply_to or cfg.reply_to:
        msg["Reply-To"] = reply_to or cfg.reply_to
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = msg_id
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation auto-replies to the robot
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(mail.text, subtype="plain", charset="utf-8")
    msg.add_alternative(mail.html, subtype="html", charset="utf-8")
    for filename, data, maintype, subtype in mail.attachments:
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg


def _clean_error(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return re.sub(r"(?i)(password|passwd|pwd)=\S+", r"\1=***", text)[:2000]


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
    """Send one mail through the report's SMTP connection, or write it to the outbox. Never raises
    for a mail that could not be sent: the result says 'failed' and why (the callers record it and
    decide). Raises ValueError only for a call without any recipient."""
    cfg = config or operations_config()
    to, cc = [a for a in to if a], [a for a in cc if a]
    recipients = [addr for _, addr in getaddresses([*to, *cc])]
    if not recipients:
        raise ValueError("a mail needs at least one recipient")
    try:
        msg = build_message(cfg, mail, to=to, cc=cc, msg_id=msg_id, reply_to=reply_to, headers=headers)
    except Exception as exc:
        log.exception("could not build the mail %r", mail.subject)
        return SendResult("failed", msg_id, recipients, error=_clean_error(exc))
    try:
        from ispeed import delivery

        connection = delivery.smtp_connection(cfg.smtp_conn_id)
    except Exception as exc:
        log.exception("could not look up the Airflow connection %r", cfg.smtp_conn_id)
        return SendResult("failed", msg_id, recipients, error=_clean_error(exc))
    if connection is None:
        if not cfg.outbox_when_no_connection:
            return SendResult(
                "failed",
                msg_id,
                recipients,
                error=f"no Airflow connection {cfg.smtp_conn_id!r} and report.yaml forbids the outbox",
            )
        try:
            path = write_outbox(cfg, kind, month, msg, msg_id)
        except Exception as exc:
            log.exception("could not write the mail %r to the outbox", mail.subject)
            return SendResult("failed", msg_id, recipients, error=_clean_error(exc))
        log.warning("no Airflow connection %r: mail %r written to %s (not sent)", cfg.smtp_conn_id, mail.subject, path)
        return SendResult("written_to_outbox", msg_id, recipients, outbox_path=str(path))
    try:
        refused = delivery.send_smtp(cfg.smtp_conn_id, msg, cfg.sender_address, recipients) or {}
    except Exception as exc:
        log.warning("mail %r to %s not sent: %s", mail.subject, ", ".join(recipients), _clean_error(exc))
        return SendResult("failed", msg_id, recipients, error=_clean_error(exc))
    if refused:
        log.warning("the server refused some recipients of %r: %s", mail.subject, sorted(refused))
    log.info("mail %r sent to %s (Message-ID %s)", mail.subject, ", ".join(recipients), msg_id)
    return SendResult("sent", msg_id, recipients, refused={k: list(v) for k, v in refused.items()})


def write_outbox(cfg: OperationsConfig, kind: str, month: date | None, msg: EmailMessage, msg_id: str) -> Path:
    """<outbox>/<kind>/YYYY-MM/<Message-ID>.eml (CRLF, RFC 5322); the same mail again replaces it."""
    from ispeed.months import month_label

    folder = cfg.outbox / kind / (month_label(month) if month else "no-month")
    folder.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", msg_id.strip("<>").split("@")[0])[:180] + ".eml"
    path = folder / name
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(msg.as_bytes())
    tmp.replace(path)
    return path
