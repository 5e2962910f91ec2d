"""Filing a message's files: each into the landing folder of its kind and month, read from the file
itself (classify.py), and the message with its files registered in the warehouse, in one
transaction, before the message is moved out of the inbox.

A file is written whole or not at all (a temporary name, then a rename) and keeps the mail's date as
its file time: a later return of the same sender replaces an earlier one by file time, so a
corrected file sent by mail wins as it would had it been saved by hand. A name already taken in the
landing folder by other content gets the message's tag; the same content under the same name is
the same file (a pull that crashed after storing it, taking the message again).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ispeed import paths
from ispeed.mailbox.classify import Classified, classify
from ispeed.mailbox.extract import Extracted
from ispeed.warehouse import ledger


@dataclass
class Staged:
    name: str
    path: Path  # in the incoming folder, until filed
    sha256: str
    size: int
    what: Classified


@dataclass
class Filing:
    staged: list[Staged] = field(default_factory=list)

    @property
    def senders(self) -> list[str]:
        return sorted({s for f in self.staged for s in f.what.senders})

    @property
    def touched(self) -> set[tuple[str, date]]:
        return {(f.what.kind.dataset, f.what.month) for f in self.staged}


def tag(message_id: str) -> str:
    return hashlib.sha256(message_id.encode()).hexdigest()[:10]


def incoming_folder(message_id: str) -> Path:
    return paths.data_dir() / "mailbox" / "incoming" / tag(message_id)


def _write(path: Path, data: bytes, when: datetime | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    if when is not None:
        os.utime(tmp, (when.timestamp(), when.timestamp()))
    tmp.replace(path)


def stage(conn, message_id: str, found: Extracted, reporting_month: date) -> Filing:
    """Write the message's files to its incoming folder and read what each is."""
    folder = incoming_folder(message_id)
    filing = Filing()
    used: set[str] = set()
    for f in found.files:
        name = f.name
        while name.lower() in used:  # two attachments of one message with one name
            stem, dot, suffix = name.rpartition(".")
            name = f"{stem} (2).{suffix}" if dot else f"{name} (2)"
        used.add(name.lower())
        path = folder / name
        _write(path, f.data, found.date)
        filing.staged.append(
            Staged(name, path, hashlib.sha256(f.data).hexdigest(), len(f.data), classify(conn, path, reporting_month))
        )
    return filing


def file_into_landing(filing: Filing, message_id: str, when: datetime | None) -> dict[str, Path]:
    """Move each staged file into the landing folder of its kind and month; returns name -> path."""
    stored: dict[str, Path] = {}
    for f in filing.staged:
        folder = ledger.landing_folder(f.what.kind.dataset, f.what.month)
        folder.mkdir(parents=True, exist_ok=True)
        dest = folder / f.name
        if dest.exists() and ledger.sha256_of(dest) != f.sha256:
            stem, dot, suffix = f.name.rpartition(".")
            dest = folder / (f"{stem} ({tag(message_id)}).{suffix}" if dot else f"{f.name} ({tag(message_id)})")
        os.replace(f.path, dest)
        if when is not None:
            os.utime(dest, (when.timestamp(), when.timestamp()))
        stored[f.name] = dest
    return stored


def register(cur, message: dict, filing: Filing, stored: dict[str, Path], refused: list) -> None:
    """The message and its files in the warehouse (the caller's transaction)."""
    cur.execute(paths.read_sql("mailbox/record_message.sql"), message)
    for f in filing.staged:
        cur.execute(
            paths.read_sql("mailbox/record_mail_file.sql"),
            {
                "message_id": message["message_id"],
                "file_name": f.name,
                "stored_path": str(stored[f.name]),
                "dataset": f.what.kind.dataset,
                "month": f.what.month,
                "sha256": f.sha256,
                "size_bytes": f.size,
                "refused": None,
            },
        )
    for r in refused:
        cur.execute(
            paths.read_sql("mailbox/record_mail_file.sql"),
            {
                "message_id": message["message_id"],
                "file_name": r.name,
                "stored_path": None,
                "dataset": None,
                "month": None,
                "sha256": "",
                "size_bytes": None,
                "refused": r.reason,
            },
        )


def discard(message_id: str) -> None:
    """The incoming folder of a message that was not filed (held, or a problem)."""
    folder = incoming_folder(message_id)
    if folder.is_dir():
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()
