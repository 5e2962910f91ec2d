"""The data engineers' alert for a message that cannot be read (moved to the problem folder): once
per message (meta_alert's dedup_key), through the operations' alerts (ispeed.meta_alert)."""

from __future__ import annotations

import logging

from ispeed.mail import render, templates

log = logging.getLogger(__name__)


def alert_problem(message_id: str, header: dict, error: str, folder: str, mailbox: str, ops) -> str:
    """Mail and record the alert; returns its status. Never raises."""
    from ispeed.operations.alerts import send_alert

    try:
        context = {
            "message_id": message_id,
            "from_address": header.get("from"),
            "subject": header.get("subject"),
            "error": error,
            "folder": folder,
            "mailbox": mailbox,
        }
        mail = render(templates("mailbox"), "problem", context)
        result = send_alert(
            "mailbox_problem",
            mail,
            info={"task_id": "pull_returns", **context},
            month=None,
            msg_id=ops.message_id("mailbox-problem", message_id.strip("<>")[:80]),
            config=ops,
            headers={"X-ISpeed-Mailbox": "problem"},
            dedup_key=f"mailbox:{message_id}",
        )
        return result.status
    except Exception:
        log.exception("the alert for the problem message %s could not be sent", message_id)
        return "failed"
