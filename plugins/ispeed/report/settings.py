"""include/config/report.yaml, typed: issuer, recipient, signatory, PDF and email settings, as in
force on a report's date (its ``periods`` hold the institutions of earlier dates)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import getaddresses
from pathlib import Path

from ispeed import geography, paths
from ispeed.config import ConfigError, email_addresses, load_yaml
from ispeed.mail import Sender
from ispeed.months import next_month

#: The sections a period of report.yaml may override.
DATED_SECTIONS = ("issuer", "document", "email")


@dataclass(frozen=True)
class Issuer:
    parent: str
    name: str
    full_name: str
    short_name: str


@dataclass(frozen=True)
class Document:
    type: str
    number_pattern: str
    place: str
    subject: str
    recipient: str
    basis: str
    closing: str
    distribution: tuple[str, ...]


@dataclass(frozen=True)
class Signatory:
    authority: str
    title: str
    name: str
    signed_mark: str


@dataclass(frozen=True)
class EmailSettings(Sender):
    smtp_conn_id: str
    sender: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    reply_to: str | None
    outbox: Path
    outbox_when_no_connection: bool

    @property
    def recipients(self) -> list[str]:
        """Every envelope recipient (to and cc), bare addresses."""
        return [addr for _, addr in getaddresses([*self.to, *self.cc])]


@dataclass(frozen=True)
class ReportConfig:
    issuer: Issuer
    nation_name: str
    nation_motto: str
    document: Document
    signatory: Signatory
    font: str
    keywords: tuple[str, ...]
    email: EmailSettings


def _lines(value) -> str:
    """A YAML string, or a list printed one item a line."""
    return "\n".join(str(v) for v in value) if isinstance(value, list) else str(value)


def _addresses(raw, key: str) -> tuple[str, ...]:
    return email_addresses(raw, key, "include/config/report.yaml: email.")


def report_date(month: dt.date) -> dt.date:
    """The date a month's report bears: the 15th of the month after the reporting month."""
    return next_month(month).replace(day=15)


def _day(value, where: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ConfigError(f"include/config/report.yaml: {where} {value!r} is not a date (YYYY-MM-DD)") from exc


def settings_on(raw: dict, day: dt.date) -> dict:
    """report.yaml's settings in force on ``day``: the first period of ``periods`` that covers it
    overrides the keys it gives under issuer, document and email."""
    for n, period in enumerate(raw.get("periods") or [], start=1):
        start = _day(period.get("valid_from"), f"periods[{n}].valid_from") or dt.date.min
        end = _day(period.get("valid_to"), f"periods[{n}].valid_to") or dt.date.max
        if start <= day <= end:
            unknown = set(period) - {"valid_from", "valid_to", *DATED_SECTIONS}
            if unknown:
                raise ConfigError(f"include/config/report.yaml: periods[{n}] may not set {sorted(unknown)}")
            return raw | {k: {**raw[k], **period[k]} for k in DATED_SECTIONS if k in period}
    return raw


def report_config(month: dt.date | None = None) -> ReportConfig:
    """The report's settings: for ``month``'s report, those in force on its date (report_date);
    without a month, today's (the settings outside ``periods``). The province's names
    ({province_full}, ...) are those of the configured province on that date."""
    raw = load_yaml("report")
    try:
        day = report_date(month) if month is not None else None
        if day is not None:
            raw = settings_on(raw, day)
        raw = geography.fill({k: v for k, v in raw.items() if k != "periods"}, geography.names(day))
        iss, doc, sig, em = raw["issuer"], raw["document"], raw["signatory"], raw["email"]
        outbox = Path(str(em.get("outbox", "outbox")))
        email = EmailSettings(
            smtp_conn_id=str(em.get("smtp_conn_id", "smtp_default")),
            sender=str(em["from"]),
            to=_addresses(em, "to"),
            cc=_addresses(em, "cc"),
            reply_to=str(em["reply_to"]) if em.get("reply_to") else None,
            outbox=outbox if outbox.is_absolute() else paths.data_dir() / outbox,
            outbox_when_no_connection=bool(em.get("outbox_when_no_connection", True)),
        )
        if not email.to:
            raise ConfigError("include/config/report.yaml: email.to must name at least one recipient")
        Address(addr_spec=email.sender_address)  # raises on a malformed sender
        font = str(raw.get("pdf", {}).get("font", "serif"))
        if font not in ("serif", "sans"):
            raise ConfigError("include/config/report.yaml: pdf.font must be serif or sans")
        return ReportConfig(
            issuer=Issuer(
                _lines(iss["parent"]),
                _lines(iss["name"]),
                str(iss["full_name"]),
                str(iss.get("short_name") or iss["full_name"]),
            ),
            nation_name=str(raw["nation"]["name"]),
            nation_motto=str(raw["nation"]["motto"]),
            document=Document(
                type=str(doc.get("type", "BÁO CÁO")),
                number_pattern=str(doc["number_pattern"]),
                place=str(doc["place"]),
                subject=str(doc["subject"]),
                recipient=str(doc["recipient"]),
                basis=str(doc.get("basis", "")),
                closing=str(doc.get("closing", "")),
                distribution=tuple(str(x) for x in doc.get("distribution", [])),
            ),
            signatory=Signatory(
                str(sig.get("authority") or ""), str(sig["title"]), str(sig["name"]), str(sig.get("signed_mark") or "")
            ),
            font=font,
            keywords=tuple(str(k) for k in raw.get("pdf", {}).get("keywords", [])),
            email=email,
        )
    except ConfigError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"include/config/report.yaml: missing or wrong setting ({exc!r})") from exc
