"""What a pull did, in words (``python -m ispeed pull-returns``). Per sender of a month, the message
its return came in and our reply are in ``python -m ispeed status`` (ispeed.operations.status)."""

from __future__ import annotations


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
