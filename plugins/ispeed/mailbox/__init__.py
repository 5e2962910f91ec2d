"""Returns that arrive by mail (issue 25; docs/mailbox.md): the Department's mailbox pulled over
IMAP (the Airflow connection ``ispeed_returns_mailbox``), every return in every message filed by
its content into the landing folders, loaded by the returns' own load, and every sender answered
once, in Vietnamese, threaded.

    pull_returns(release=None) -> dict     one pull (python -m ispeed pull-returns [--release ID])
    mailbox_config()                       include/config/mailbox.yaml

    settings.py   the configuration: connection, folders, window, limits
    imap.py       the IMAP commands the pull needs, through the provider's ImapHook
    extract.py    every return of a message: attachments, .zip, forwarded messages, names decoded
    classify.py   a file's kind, month and senders, read by the returns' own reader
    store.py      into the landing folder, and into the ledger (meta_mail_message, meta_mail_file)
    reply.py      the one reply per message (meta_mail_reply), through ispeed.mail
    alert.py      the data engineers' alert for a message that cannot be read
    pull.py       one pull: lock, inbox, loads, replies
    status.py     per sender of a month: its messages and our replies (python -m ispeed status)

Light on import: the DAG file imports this package at parse time.
"""

from __future__ import annotations


def pull_returns(*, release: str | None = None, released_by: str | None = None, **kwargs) -> dict:
    """One pull of the returns mailbox; see ispeed.mailbox.pull."""
    from ispeed.mailbox.pull import pull_returns as _pull

    return _pull(release=release, released_by=released_by, **kwargs)


def mailbox_config():
    from ispeed.mailbox.settings import mailbox_config as _config

    return _config()


__all__ = ["mailbox_config", "pull_returns"]
