"""The mailbox over IMAP, through the imap provider's ImapHook (the Airflow connection's host, port,
login, password and extra ``use_ssl``): the few commands the pull needs, by UID, so that a message
is named the same across commands and sessions.

    with Mailbox.open(conn_id, folders) as box:   # logged in, the folders created when missing
        for uid in box.uids(folders.inbox): raw = box.fetch(uid)
        box.move(uid, folders.processed)           # MOVE, or COPY + \\Deleted + EXPUNGE without it

Nothing here deletes a message but the original of a move.
"""

from __future__ import annotations

import imaplib
import logging
import re
from dataclasses import dataclass

log = logging.getLogger(__name__)


class MailboxUnreachable(RuntimeError):
    """The mailbox cannot be reached or refused the login: nothing was pulled."""


class NoConnection(LookupError):
    """Airflow has no connection by that id."""


def _check(typ: str, data, what: str) -> list:
    if typ != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
        raise imaplib.IMAP4.error(f"{what}: {typ} {detail}")
    return data


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class Message:
    uid: str
    raw: bytes
    internal_date: str | None  # the server's INTERNALDATE, as the server wrote it


class Mailbox:
    """A logged-in IMAP session (use as a context manager)."""

    def __init__(self, client: imaplib.IMAP4, description: str):
        self.client = client
        self.description = description
        self.selected: str | None = None
        self.can_move = "MOVE" in client.capabilities or b"MOVE" in client.capabilities

    @classmethod
    def open(cls, conn_id: str, folders) -> Mailbox:
        """Log in with the Airflow connection ``conn_id`` and create the folders that are missing.
        Raises NoConnection without it, MailboxUnreachable when the server cannot be reached."""
        from airflow.providers.imap.hooks.imap import ImapHook

        try:
            from airflow.sdk import BaseHook

            conn = BaseHook.get_connection(conn_id)
        except Exception as exc:
            if any(c.__name__ == "AirflowNotFoundException" for c in type(exc).__mro__):
                raise NoConnection(conn_id) from exc
            raise
        description = f"{conn.host}:{conn.port or ''} (Airflow connection {conn_id!r})"
        hook = ImapHook(imap_conn_id=conn_id)
        try:
            hook.get_conn()
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxUnreachable(
                f"the mailbox {description} cannot be reached or refused the login ({type(exc).__name__}: {exc}); "
                "check the connection's host, port, login, password and use_ssl"
            ) from exc
        box = cls(hook.mail_client, description)
        try:
            box.ensure_folders([folders.processed, folders.review, folders.problem])
        except BaseException:
            box.close()
            raise
        return box

    def __enter__(self) -> Mailbox:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        try:
            if self.selected:
                self.client.close()  # expunges what a COPY-based move marked deleted
            self.client.logout()
        except (OSError, imaplib.IMAP4.error):
            pass

    def ensure_folders(self, names: list[str]) -> None:
        _, listed = self.client.list()
        existing = set()
        for line in listed or []:
            if isinstance(line, bytes):
                m = re.search(rb'(?:"((?:[^"\\]|\\.)*)"|(\S+))$', line)
                if m:
                    existing.add((m.group(1) or m.group(2)).decode("utf-8", "replace"))
        for name in names:
            if name not in existing:
                typ, data = self.client.create(_quote(name))
                if typ != "OK" and b"exist" not in b" ".join(d for d in data if isinstance(d, bytes)).lower():
                    _check(typ, data, f"CREATE {name}")
                log.info("created the folder %r in %s", name, self.description)

    def select(self, folder: str) -> None:
        if self.selected != folder:
            if self.selected:
                self.client.close()
            _check(*self.client.select(_quote(folder)), f"SELECT {folder}")
            self.selected = folder

    def uids(self, folder: str) -> list[str]:
        """Every message of ``folder``, oldest first (by UID)."""
        self.select(folder)
        data = _check(*self.client.uid("SEARCH", None, "ALL"), "SEARCH")
        return sorted((u.decode() for u in (data[0] or b"").split()), key=int)

    def find(self, folder: str, message_id: str) -> list[str]:
        """The UIDs of ``folder``'s messages with this Message-ID."""
        self.select(folder)
        data = _check(*self.client.uid("SEARCH", None, "HEADER", "Message-ID", _quote(message_id)), "SEARCH")
        return [u.decode() for u in (data[0] or b"").split()]

    def size(self, uid: str) -> int:
        data = _check(*self.client.uid("FETCH", uid, "(RFC822.SIZE)"), "FETCH SIZE")
        m = re.search(rb"RFC822\.SIZE (\d+)", b" ".join(d if isinstance(d, bytes) else d[0] for d in data if d))
        return int(m.group(1)) if m else 0

    def fetch(self, uid: str) -> Message:
        """The whole message, without marking it read (BODY.PEEK)."""
        data = _check(*self.client.uid("FETCH", uid, "(INTERNALDATE BODY.PEEK[])"), "FETCH")
        for part in data:
            if isinstance(part, tuple):
                m = re.search(rb'INTERNALDATE "([^"]+)"', part[0])
                return Message(uid, part[1], m.group(1).decode() if m else None)
        raise imaplib.IMAP4.error(f"FETCH {uid}: the server returned no message")

    def fetch_header(self, uid: str) -> bytes:
        """The message's header only (a message too large to fetch, a search by Message-ID)."""
        data = _check(*self.client.uid("FETCH", uid, "(BODY.PEEK[HEADER])"), "FETCH HEADER")
        return next((part[1] for part in data if isinstance(part, tuple)), b"")

    def move(self, uid: str, folder: str) -> None:
        """Move the message of the selected folder to ``folder``: MOVE (RFC 6851), or COPY, then
        mark the original deleted (expunged when the folder is closed)."""
        if self.can_move:
            _check(*self.client.uid("MOVE", uid, _quote(folder)), f"MOVE to {folder}")
            return
        _check(*self.client.uid("COPY", uid, _quote(folder)), f"COPY to {folder}")
        _check(*self.client.uid("STORE", uid, "+FLAGS", "(\\Deleted)"), "STORE \\Deleted")

    def append(self, folder: str, raw: bytes) -> None:
        """Put a message into ``folder`` (the demo and the tests deliver mail this way)."""
        _check(*self.client.append(_quote(folder), None, None, raw), f"APPEND to {folder}")
