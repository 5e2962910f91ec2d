"""include/config/mailbox.yaml, typed: the mailbox's Airflow connection, its folders, the pulling
window and the limits on what a message may carry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ispeed import geography
from ispeed.config import ConfigError, email_addresses, load_yaml

WHERE = "include/config/mailbox.yaml"


@dataclass(frozen=True)
class Folders:
    inbox: str
    processed: str
    review: str
    problem: str


@dataclass(frozen=True)
class Window:
    first_day: int
    last_day: int
    first_hour: int
    last_hour: int
    every_minutes: int

    def cron(self) -> str:
        """The DAG's schedule: every every_minutes from first_hour:00 until last_hour:00 (the last
        pull every_minutes before it; 07:00 to 19:00 by 30 minutes: 07:00 ... 18:30) on days
        first_day..last_day."""
        minutes = ",".join(str(m) for m in range(0, 60, self.every_minutes))
        return f"{minutes} {self.first_hour}-{self.last_hour - 1} {self.first_day}-{self.last_day} * *"

    def contains(self, when: datetime) -> bool:
        """Whether ``when`` (in Viet Nam's time) is inside the window."""
        return self.first_day <= when.day <= self.last_day and self.first_hour <= when.hour < self.last_hour


@dataclass(frozen=True)
class Limits:
    max_message_bytes: int
    max_file_bytes: int
    max_files_per_message: int
    max_zip_members: int
    max_unzipped_bytes: int
    max_zip_ratio: int
    max_nesting: int


@dataclass(frozen=True)
class MailboxConfig:
    conn_id: str
    address: str
    folders: Folders
    window: Window
    limits: Limits
    reply_cc: tuple[str, ...]


_LIMITS = {
    "max_message_bytes": 30_000_000,
    "max_file_bytes": 10_000_000,
    "max_files_per_message": 30,
    "max_zip_members": 100,
    "max_unzipped_bytes": 50_000_000,
    "max_zip_ratio": 100,
    "max_nesting": 3,
}


def mailbox_config() -> MailboxConfig:
    """Read include/config/mailbox.yaml (placeholders filled with the configured province's names).
    Raises ConfigError naming the setting that is wrong."""
    raw = geography.fill(load_yaml("mailbox"), geography.names())
    try:
        fo = raw.get("folders") or {}
        wi = raw.get("window") or {}
        li = raw.get("limits") or {}
        cfg = MailboxConfig(
            conn_id=str(raw.get("conn_id") or "ispeed_returns_mailbox"),
            address=str(raw.get("address") or ""),
            folders=Folders(
                inbox=str(fo.get("inbox", "INBOX")),
                processed=str(fo.get("processed", "iSpeed-Processed")),
                review=str(fo.get("review", "iSpeed-Review")),
                problem=str(fo.get("problem", "iSpeed-Problem")),
            ),
            window=Window(
                int(wi.get("first_day", 1)),
                int(wi.get("last_day", 15)),
                int(wi.get("first_hour", 7)),
                int(wi.get("last_hour", 19)),
                int(wi.get("every_minutes", 30)),
            ),
            limits=Limits(**{k: int(li.get(k, v)) for k, v in _LIMITS.items()}),
            reply_cc=email_addresses(raw.get("replies") or {}, "cc", f"{WHERE}: replies."),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{WHERE}: missing or wrong setting ({exc})") from exc
    w = cfg.window
    if not (1 <= w.first_day <= w.last_day <= 31 and 0 <= w.first_hour < w.last_hour <= 24):
        raise ConfigError(f"{WHERE}: window: days must be 1..31 and hours 0..24, first before last")
    if w.every_minutes not in (5, 10, 15, 20, 30, 60):
        raise ConfigError(f"{WHERE}: window.every_minutes must divide the hour (5, 10, 15, 20, 30 or 60)")
    if "@" not in cfg.address:
        raise ConfigError(f"{WHERE}: address {cfg.address!r} is not an e-mail address")
    names = [cfg.folders.inbox, cfg.folders.processed, cfg.folders.review, cfg.folders.problem]
    if len(set(names)) != 4 or not all(n.isascii() and n.strip() for n in names):
        raise ConfigError(f"{WHERE}: folders must be four different ASCII names")
    if any(v <= 0 for v in vars(cfg.limits).values()):
        raise ConfigError(f"{WHERE}: every limit must be above 0")
    return cfg


def window_schedule() -> str:
    """The DAG's cron, read at parse time; the default window when the file cannot be read (the
    task reports the error when it reads the file)."""
    try:
        return mailbox_config().window.cron()
    except Exception:
        return Window(1, 15, 7, 19, 30).cron()
