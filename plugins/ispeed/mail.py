"""The one way any mail of the pipeline leaves: the report (ispeed.delivery), the alerts and the
reminders (ispeed.operations).

    Sender                          a configuration's From: bare address, domain, Message-IDs
    render("alerts", name, context) subject, plain text and HTML from include/templates/<folder>/
    compose(mail, sender=..., ...)  the EmailMessage: multipart/alternative (text, HTML) + attachments
    smtp_connection(conn_id)        the Airflow connection, or None when Airflow has none by that id
    send_smtp(connection, msg, ...) hand the mail to that server once
    write_outbox(folder, msg)       the .eml file when there is no connection
    send(msg, ...)                  all three for a mail that must never raise (alerts, reminders)
    clean_error(exc)                an error as text for records and logs, without passwords

Where mails go: the Airflow connection named by ``email.smtp_conn_id`` of include/config/report.yaml
(``smtp_default``, smtp provider). Without it they are written as .eml files to the outbox (unless
``outbox_when_no_connection`` is false). The report's delivery records its attempt between the
connection's lookup and the sending, so it calls the three steps itself; the operations' mails use
``send``.

Light on import: the DAG files import the modules that import this one at parse time.
"""

from __future__ import annotations

import logging
import re
import smtplib
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any

from ispeed import paths
from ispeed.months import LOCAL_TZ

log = logging.getLogger(__name__)

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


class MailError(RuntimeError):
    """The SMTP connection cannot be used as configured."""


class Sender:
    """For a configuration with a ``sender`` ("Name <address>"): its bare address and domain."""

    sender: str

    @property
    def sender_address(self) -> str:
        return parseaddr(self.sender)[1]

    @property
    def domain(self) -> str:
        """The sender's domain, for Message-IDs."""
        return self.sender_address.rpartition("@")[2] or "localhost"

    def message_id(self, *parts: Any) -> str:
        """A stable Message-ID from the parts: the same mail (the same alert, the same reminder of the
        same day, the same sending of a report) gets the same one, so that a retry is recognisable."""
        local = ".".join(re.sub(r"[^A-Za-z0-9_-]+", "_", str(p)).strip("_") for p in parts if p not in (None, ""))
        return f"<ispeed-{local}@{self.domain}>"


# ---------------------------------------------------------------- what a mail says
@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    html: str
    attachments: tuple[tuple[str, bytes, str, str], ...] = ()  # (file name, bytes, maintype, subtype)


def templates(folder: str, **filters):
    """The Jinja2 environment of include/templates/<folder>/ (HTML autoescaped: names and error
    messages come from files other people wrote and cannot inject markup)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(paths.TEMPLATES_DIR / folder)),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "htm"), default_for_string=False, default=False
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(filters)
    return env


def render(env, name: str, context: dict[str, Any], attachments: tuple = ()) -> Mail:
    """Subject, plain text and HTML from ``<name>.subject.txt``, ``<name>.txt`` and ``<name>.html``
    of ``env`` (see templates); the subject is one line, and the bodies see it as ``subject``."""
    subject = " ".join(env.get_template(f"{name}.subject.txt").render(context).split())
    context = dict(context, subject=subject)
    return Mail(
        subject=subject,
        text=env.get_template(f"{name}.txt").render(context),
        html=env.get_template(f"{name}.html").render(context),
        attachments=tuple(attachments),
    )


def smtp_policy():
    """email.policy.SMTP, but a non-ASCII Subject is folded by email.header.Header. Python 3.11's
    folder can put the space between two words outside the encoded words it splits a Vietnamese
    subject into, and readers drop whitespace between encoded words (RFC 2047): "chưa gửi" arrived
    as "chưagửi"."""
    from email.header import Header
    from email.policy import EmailPolicy

    class _Policy(EmailPolicy):
        def _subject(self, name, value):
            return f"{name}: {Header(str(value), 'utf-8', header_name=name).encode(linesep=self.linesep)}{self.linesep}"

        def fold(self, name, value):
            if name.lower() == "subject" and not str(value).isascii():
                return self._subject(name, value)
            return super().fold(name, value)

        def fold_binary(self, name, value):
            if name.lower() == "subject" and not str(value).isascii():
                return self._subject(name, value).encode("ascii")
            return super().fold_binary(name, value)

    return _Policy(linesep="\r\n")


def compose(
    mail: Mail,
    *,
    sender: str,
    to: list[str],
    cc: list[str] = (),
    reply_to: str | None = None,
    msg_id: str,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    """multipart/mixed: multipart/alternative (plain text, HTML), then the attachments; our own
    Message-ID and headers."""
    msg = EmailMessage(policy=smtp_policy())
    msg["Subject"] = mail.subject
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    if reply_to:
        msg["Reply-To"] = reply_to
    # in Viet Nam's time, for the officials who read it (not the server's zone, often UTC)
    msg["Date"] = format_datetime(datetime.now(LOCAL_TZ))
    msg["Message-ID"] = msg_id
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(mail.text, subtype="plain", charset="utf-8")
    msg.add_alternative(mail.html, subtype="html", charset="utf-8")
    for filename, data, maintype, subtype in mail.attachments:
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg


# ---------------------------------------------------------------- where it goes
def clean_error(exc: BaseException) -> str:
    """``Type: message``, at most 2000 characters, with passwords masked."""
    return mask_secrets(f"{type(exc).__name__}: {exc}")[:2000]


def mask_secrets(text: str) -> str:
    """``password=…`` and the password of ``scheme://user:password@host`` replaced by ***."""
    text = re.sub(r"(?i)(password|passwd|pwd)=\S+", r"\1=***", text)
    return re.sub(r"(://[^:/@\s]+:)[^@\s]+@", r"\1***@", text)


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


def _open(hook) -> smtplib.SMTP:
    """A logged-in client for the hook's connection, from the hook's public settings (host, port,
    SSL, STARTTLS, timeout, ssl_context, login and password, or an OAuth2 access token). The hook
    keeps its own client private, so it is opened here the way the hook's get_conn opens it;
    ``retry_limit`` applies to connecting only, when nothing has been sent."""
    import ssl

    from airflow.providers.smtp.hooks.smtp import build_xoauth2_string

    if hook.ssl_context not in (None, "default", "none"):
        raise MailError(f"the connection's ssl_context must be 'default' or 'none', not {hook.ssl_context!r}")
    context = None if hook.ssl_context == "none" else ssl.create_default_context()
    kwargs: dict[str, Any] = {"timeout": hook.timeout}
    if hook.port:
        kwargs["port"] = hook.port
    for attempt in range(hook.smtp_retry_limit + 1):
        try:
            client = (
                smtplib.SMTP_SSL(hook.host, context=context, **kwargs)
                if hook.use_ssl
                else smtplib.SMTP(hook.host, **kwargs)
            )
            break
        except smtplib.SMTPServerDisconnected:
            if attempt == hook.smtp_retry_limit:
                raise
    try:
        if hook.smtp_starttls:
            client.starttls(context=context)
            client.ehlo()
        if hook.auth_type == "oauth2":
            user, token = hook.smtp_user or hook.from_email, hook.access_token
            if not user or not token:
                raise MailError("auth_type oauth2 needs a login (or from_email) and an access_token in the connection")
            client.auth("XOAUTH2", lambda _=None: build_xoauth2_string(user, token))
        elif hook.smtp_user and hook.smtp_password:
            client.login(hook.smtp_user, hook.smtp_password)
    except BaseException:
        client.close()
        raise
    return client


def send_smtp(connection, msg: EmailMessage, sender: str, recipients: list[str]) -> dict:
    """Hand the mail to the server of ``connection`` (from smtp_connection) once. Returns the
    recipients the server refused (empty when all were accepted); raises when the server accepted
    none or could not be reached."""
    from airflow.providers.smtp.hooks.smtp import SmtpHook

    hook = SmtpHook(smtp_conn_id=connection.conn_id)
    hook.smtp_connection = connection  # what the hook's get_conn would look up again
    client = _open(hook)
    try:
        # send_message, not the hook's send_email_smtp: that one retries on any error, which could
        # send twice, and builds an HTML-only message without our Message-ID.
        return client.send_message(msg, from_addr=sender, to_addrs=recipients)
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()


def write_outbox(folder: Path, msg: EmailMessage) -> Path:
    """<folder>/<Message-ID>.eml (RFC 5322, CRLF), written whole or not at all; the same mail again
    replaces it."""
    folder.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", str(msg["Message-ID"]).strip("<>").split("@")[0])[:180] + ".eml"
    path = folder / name
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(msg.as_bytes())
    tmp.replace(path)
    return path


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


def send(
    msg: EmailMessage,
    *,
    conn_id: str,
    sender: str,
    recipients: list[str],
    outbox: Path,
    outbox_when_no_connection: bool,
) -> SendResult:
    """Send ``msg`` through the Airflow connection ``conn_id``, or write it to the folder ``outbox``
    when Airflow has none. Never raises: the result says 'failed' and why (the callers record it and
    decide)."""
    msg_id, subject = str(msg["Message-ID"]), str(msg["Subject"])
    try:
        connection = smtp_connection(conn_id)
    except Exception as exc:
        log.exception("could not look up the Airflow connection %r", conn_id)
        return SendResult("failed", msg_id, recipients, error=clean_error(exc))
    if connection is None:
        if not outbox_when_no_connection:
            error = f"no Airflow connection {conn_id!r} and report.yaml forbids the outbox"
            return SendResult("failed", msg_id, recipients, error=error)
        try:
            path = write_outbox(outbox, msg)
        except Exception as exc:
            log.exception("could not write the mail %r to the outbox", subject)
            return SendResult("failed", msg_id, recipients, error=clean_error(exc))
        log.warning("no Airflow connection %r: mail %r written to %s (not sent)", conn_id, subject, path)
        return SendResult("written_to_outbox", msg_id, recipients, outbox_path=str(path))
    try:
        refused = send_smtp(connection, msg, sender, recipients) or {}
    except Exception as exc:
        log.warning("mail %r to %s not sent: %s", subject, ", ".join(recipients), clean_error(exc))
        return SendResult("failed", msg_id, recipients, error=clean_error(exc))
    if refused:
        log.warning("the server refused some recipients of %r: %s", subject, sorted(refused))
    log.info("mail %r sent to %s (Message-ID %s)", subject, ", ".join(recipients), msg_id)
    return SendResult("sent", msg_id, recipients, refused={k: list(v) for k, v in refused.items()})
