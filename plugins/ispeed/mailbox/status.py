"""What the mail path did, in words: a pull's summary (``python -m ispeed pull-returns``), and per
sender of a month the message its return came in and our reply (``python -m ispeed status``)."""

from __future__ import annotations

from datetime import date

from ispeed import paths
from ispeed.months import LOCAL_TZ
from ispeed.warehouse import connection as warehouse


def format_pull(result: dict) -> str:
    if result.get("skipped"):
        return f"returns mailbox not pulled: {result['skipped']} (configure it: docs/mailbox.md)"
    msgs = result["messages"]
    by: dict[str, int] = {}
    for m in msgs:
        by[m["status"]] = by.get(m["status"], 0) + 1
    lines = [
        f"{len(msgs)} message(s)" + (" (" + ", ".join(f"{n} {s}" for s, n in sorted(by.items())) + ")" if by else "")
    ]
    for m in msgs:
        what = ", ".join(m.get("files") or []) or m.get("why") or m.get("error") or ""
        lines.append(f"  {m['status']:<13} {m.get('from') or '-'} {m['message_id']}" + (f": {what}" if what else ""))
    for load in result["loads"]:
        lines.append(f"  loaded {load['dataset']} {load['month']}: {load['files']} file(s)")
    for r in result["replies"]:
        lines.append(f"  reply {r['status']:<17} to {r['to']} ({r['verdict']}) {r['message_id']}")
    return "\n".join(lines)


def mail_by_sender(month: date, conn=None) -> list[dict]:
    """Per sender with a return for ``month`` that came by mail: its latest return's message (from,
    when, subject, Message-ID), and our reply (status, when); and the month's held messages."""

    def read(c):
        with c.cursor() as cur:
            cur.execute(paths.read_sql("mailbox/month_mail_by_sender.sql"), {"month": month})
            return warehouse.fetch_dicts(cur)

    if conn is not None:
        return read(conn)
    with warehouse.connection() as own:
        return read(own)


def when(value) -> str:
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if value else "-"
