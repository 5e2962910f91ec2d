"""One pull of the returns mailbox (``python -m ispeed pull-returns``, the DAG ispeed_returns_mailbox):

    for every message of the inbox, oldest first:
      already taken (its Message-ID is in meta_mail_message)  -> moved to where it belongs, nothing filed
      not readable as a mail                                   -> problem folder, alert, never deleted
      from an address not registered for its senders           -> review folder, held, not loaded;
                                                                  a reply that says only that
      else: every return found, filed by its content into the landing folder of its kind and month,
            registered with the message (one transaction), and only then moved to the processed folder
    the months touched are loaded (the returns' own load), meta_file linked to the messages,
    and every filed message gets its one reply.

A crash between storing and moving leaves the message in the inbox: the next pull finds its
Message-ID registered and only moves it. Two pulls at once: the second waits for the first's
advisory lock, then finds the inbox emptied. ``release``: a data engineer releases a held message
from the review folder (python -m ispeed pull-returns --release MESSAGE-ID).
"""

from __future__ import annotations

import getpass
import hashlib
import logging
from datetime import datetime
from email.utils import parsedate_to_datetime

from ispeed import paths
from ispeed.mailbox import reply, store
from ispeed.mailbox.extract import Extracted, MessageUnreadable, extract
from ispeed.mailbox.imap import Mailbox, MailboxUnreachable, NoConnection
from ispeed.mailbox.settings import mailbox_config
from ispeed.operations import notify
from ispeed.warehouse import connection as warehouse
from ispeed.warehouse import locks

log = logging.getLogger(__name__)

LOCK = "ispeed:mailbox:pull"


class ReleaseError(LookupError):
    """The message to release is not held in the review folder."""


class _Pull:
    def __init__(self, conn, box: Mailbox, cfg, ops):
        self.conn, self.box, self.cfg, self.ops = conn, box, cfg, ops
        self.cur = conn.cursor()
        self.refs: dict[str, str] = {}  # Message-ID -> the References to thread the reply under

    # ---------------------------------------------------------------- the ledger
    def seen(self, message_id: str) -> dict | None:
        self.cur.execute(paths.read_sql("mailbox/message_seen.sql"), {"message_id": message_id})
        rows = warehouse.fetch_dicts(self.cur)
        return rows[0] if rows else None

    def moved(self, uid: str, message_id: str, folder: str) -> None:
        self.box.move(uid, folder)
        self.cur.execute(paths.read_sql("mailbox/record_moved.sql"), {"message_id": message_id, "folder": folder})
        self.conn.commit()

    def record(self, found: Extracted | None, message_id: str, status: str, **extra) -> dict:
        row = {
            "message_id": message_id,
            "from_address": found.from_address if found else None,
            "from_name": found.from_name if found else None,
            "subject": found.subject if found else None,
            "sent_at": found.date if found else None,
            "status": status,
            "sender_codes": extra.get("sender_codes", []),
            "returns_for": extra.get("returns_for", []),
            "folder": extra.get("folder"),
            "error": extra.get("error"),
            "released_by": extra.get("released_by"),
        }
        return row

    # ---------------------------------------------------------------- one message
    def take(self, uid: str, *, released_by: str | None = None) -> dict:
        folders, limits = self.cfg.folders, self.cfg.limits
        if self.box.size(uid) > limits.max_message_bytes:
            raw = self.box.fetch_header(uid)
            return self.problem(uid, raw, f"the message is larger than {limits.max_message_bytes} bytes")
        msg = self.box.fetch(uid)
        try:
            found = extract(msg.raw, limits)
        except MessageUnreadable as exc:
            return self.problem(uid, msg.raw, str(exc))
        message_id = found.message_id or f"<{hashlib.sha256(msg.raw).hexdigest()}@ispeed.invalid>"
        if found.date is None and msg.internal_date:
            try:
                found.date = parsedate_to_datetime(msg.internal_date)
            except (TypeError, ValueError):
                pass
        out = {"message_id": message_id, "from": found.from_address, "subject": found.subject}
        seen = self.seen(message_id)
        if seen and not (released_by and seen["status"] == "held"):
            # taken before: a crash before the move, or a copy dragged back into the inbox
            target = seen["folder"] or folders.processed
            self.moved(uid, message_id, target)
            return out | {"status": "already_taken", "folder": target, "was": seen["status"]}
        self.refs[message_id] = found.references
        codes = self.registered(found.from_address)
        if found.auto_submitted or found.from_address in self.own_addresses():
            row = self.record(found, message_id, "no_return", folder=folders.processed, error="auto-submitted")
            store.register(self.cur, row, store.Filing(), {}, [])
            self.cur.execute(
                paths.read_sql("mailbox/claim_reply.sql"),
                {
                    "message_id": message_id,
                    "purpose": "outcome",
                    "recipients": [],
                    "subject": None,
                    "reply_message_id": None,
                    "status": "not_sent",
                    "details": '{"why": "an automatic message (Auto-Submitted, a bounce, a list): never answered"}',
                },
            )
            self.conn.commit()
            self.moved(uid, message_id, folders.processed)
            return out | {"status": "auto_submitted", "folder": folders.processed}
        filing = store.stage(self.conn, message_id, found, reply.reporting_month(found.date))
        strangers = sorted(set(filing.senders) - set(codes))
        if not released_by and (not codes or strangers):
            why = (
                f"{found.from_address} is not a registered contact of any sender"
                if not codes
                else f"{found.from_address} is registered for {', '.join(codes)}, not for {', '.join(strangers)}"
            )
            row = self.record(
                found, message_id, "held", sender_codes=codes, returns_for=filing.senders,
                folder=folders.review, error=why,
            )  # fmt: skip
            store.register(self.cur, row, store.Filing(), {}, [])
            self.conn.commit()
            store.discard(message_id)
            self.moved(uid, message_id, folders.review)
            context = self.context(found, message_id) | {"named": bool(strangers)}
            sent = reply.send_reply(
                self.cur, "unregistered", self.message(found, message_id), "unregistered", context,
                ops=self.ops, box=self.cfg, month=None,
            )  # fmt: skip
            self.conn.commit()
            return out | {"status": "held", "folder": folders.review, "why": why, "reply": sent["status"]}
        stored = store.file_into_landing(filing, message_id, found.date)
        status = "released" if released_by else ("filed" if filing.staged else "no_return")
        row = self.record(
            found, message_id, status, sender_codes=codes, returns_for=filing.senders,
            folder=folders.processed, released_by=released_by,
        )  # fmt: skip
        store.register(self.cur, row, filing, stored, found.refused)
        self.conn.commit()  # stored and registered: only now may the message leave the inbox
        self.moved(uid, message_id, folders.processed)
        return out | {
            "status": status,
            "folder": folders.processed,
            "files": [f"{p.parent.parent.name}/{p.parent.name}/{p.name}" for p in stored.values()],
            "refused": [r.name for r in found.refused],
        }

    def problem(self, uid: str, raw: bytes, error: str) -> dict:
        from ispeed.mailbox.alert import alert_problem

        folder = self.cfg.folders.problem
        message_id, header = _header_id(raw)
        self.cur.execute(
            paths.read_sql("mailbox/record_message.sql"),
            {
                "message_id": message_id, "from_address": header.get("from"), "from_name": None,
                "subject": header.get("subject"), "sent_at": None, "status": "problem", "sender_codes": [],
                "returns_for": [], "folder": folder, "error": error[:2000], "released_by": None,
            },
        )  # fmt: skip
        self.conn.commit()
        self.moved(uid, message_id, folder)
        alerted = alert_problem(message_id, header, error, folder, self.box.description, self.ops)
        return {"message_id": message_id, "status": "problem", "folder": folder, "error": error, "alert": alerted}

    # ---------------------------------------------------------------- helpers
    def registered(self, address: str) -> list[str]:
        return list(self.registered_kinds(address))

    def registered_kinds(self, address: str) -> dict[str, str]:
        """The senders the address is registered for: code -> dataset."""
        self.cur.execute(paths.read_sql("mailbox/registered_senders.sql"), {"address": address})
        return dict(self.cur.fetchall())

    def own_addresses(self) -> set[str]:
        return {self.ops.sender_address.lower(), self.cfg.address.lower()}

    def message(self, found: Extracted | None, message_id: str, row: dict | None = None) -> dict:
        refs = self.refs.get(message_id) or ""
        if found is not None:
            return {"message_id": message_id, "from_address": found.from_address, "references": refs}
        return {"message_id": message_id, "from_address": row["from_address"], "references": refs}

    def context(self, found_or_row, message_id: str) -> dict:
        get = (lambda k: getattr(found_or_row, k)) if isinstance(found_or_row, Extracted) else found_or_row.get
        return {
            "message_id": message_id,
            "from_address": get("from_address"),
            "from_name": get("from_name"),
            "original_subject": get("subject"),
            "sent_at": get("date") if isinstance(found_or_row, Extracted) else get("sent_at"),
            "issuer": notify.issuer(),
            "address": self.cfg.address,
        }

    def answer_filed(self) -> list[dict]:
        """The outcome reply of every filed message whose files have all been through a load."""
        self.cur.execute(paths.read_sql("mailbox/link_files_to_messages.sql"))
        self.conn.commit()
        self.cur.execute(paths.read_sql("mailbox/messages_awaiting_reply.sql"))
        done = []
        for m in warehouse.fetch_dicts(self.cur):
            files = reply.outcome_files(self.cur, m["message_id"])
            verdict = reply.verdict(files)
            month = next((f["month"] for f in files if f["month"]), None) or reply.reporting_month(m["sent_at"])
            templates = {f["dataset"]: f["month"] for f in files if f["outcome"] == "rejected" and f["dataset"]}
            if verdict == "no_return":
                kinds = set(self.registered_kinds(m["from_address"]).values()) or {"agency_returns"}
                templates = dict.fromkeys(kinds, month)
            context = self.context(m, m["message_id"]) | {"files": files, "verdict": verdict}
            sent = reply.send_reply(
                self.cur, "outcome", self.message(None, m["message_id"], m), "reply", context,
                ops=self.ops, box=self.cfg, month=month, template_months=templates,
            )  # fmt: skip
            self.conn.commit()
            done.append({"message_id": m["message_id"], "to": m["from_address"], "verdict": verdict} | sent)
        return done


def _header_id(raw: bytes) -> tuple[str, dict]:
    from email.parser import BytesHeaderParser

    from ispeed.mailbox.extract import decoded

    try:
        head = BytesHeaderParser().parsebytes(raw)
        found = {"from": decoded(head.get("From", "")) or None, "subject": decoded(head.get("Subject", "")) or None}
        message_id = str(head.get("Message-ID") or "").strip()
    except Exception:
        found, message_id = {}, ""
    return message_id or f"<{hashlib.sha256(raw).hexdigest()}@ispeed.invalid>", found


def pull_returns(*, release: str | None = None, released_by: str | None = None, where=None) -> dict:
    """Pull the mailbox once (see the module docstring). Returns what it did: the messages, the
    loads, the replies; ``skipped`` when Airflow has no connection. Raises MailboxUnreachable when
    the mailbox cannot be reached, ReleaseError when the message to release is not held."""
    from ispeed.returns.contract import KINDS
    from ispeed.returns.load import load_returns

    cfg, ops = mailbox_config(), notify.operations_config()
    out: dict = {"messages": [], "loads": [], "replies": [], "skipped": None, "at": datetime.now().isoformat()}
    conn = warehouse.connect(where)
    try:
        with locks.held(conn, LOCK):  # a second pull waits here, then finds the inbox emptied
            try:
                box = Mailbox.open(cfg.conn_id, cfg.folders)
            except NoConnection:
                log.warning("no Airflow connection %r: the returns mailbox is not pulled", cfg.conn_id)
                return out | {"skipped": f"no connection {cfg.conn_id}"}
            with box:
                pull = _Pull(conn, box, cfg, ops)
                if release:
                    uid = _held_uid(box, cfg.folders.review, release)
                    out["messages"].append(pull.take(uid, released_by=released_by or getpass.getuser()))
                for uid in box.uids(cfg.folders.inbox):
                    out["messages"].append(pull.take(uid))
            pull.cur.execute(paths.read_sql("mailbox/months_to_load.sql"))
            for dataset, month in pull.cur.fetchall():
                conn.commit()
                summary = load_returns(KINDS[dataset], month, where=where)
                out["loads"].append({"dataset": dataset, "month": summary.month, "files": len(summary.files)})
            out["replies"] = pull.answer_filed()
    finally:
        conn.close()
    return out


def _held_uid(box: Mailbox, folder: str, message_id: str) -> str:
    wanted = message_id.strip()
    wanted = wanted if wanted.startswith("<") else f"<{wanted}>"
    for uid in box.uids(folder):
        if _header_id(box.fetch_header(uid))[0] == wanted:
            return uid
    raise ReleaseError(f"no message {wanted} is held in the folder {folder!r} of {box.description}")


__all__ = ["MailboxUnreachable", "ReleaseError", "pull_returns"]
