"""The report's deadline (docs/operations.md, "The report's deadline"; the DAG ispeed_monitoring).

    check_report_deadline(now)    alert when the previous month's report is late

From ``deadline.day`` (the 15th) at ``deadline.hour`` (17:00), while the previous month has no
'delivered' row in ispeed.meta_delivery: one alert a day to the data engineers (ispeed.meta_alert,
dedup_key 'YYYY-MM:<day>') with the month's delivery attempts and its last run summary. It takes
the time as an argument (nothing here calls now()), so that a test or a backfill can replay a day.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from typing import Any

from ispeed import paths
from ispeed.months import month_label, previous_month
from ispeed.operations import notify
from ispeed.operations.reminders import ReminderError
from ispeed.warehouse import connection as warehouse

log = logging.getLogger(__name__)

#: how many of the month's delivery attempts the alert lists (newest first)
ATTEMPTS_SHOWN = 5


def report_deadline(month: date, cfg) -> datetime:
    """When the report of ``month`` is due: deadline.day of the next month at deadline.hour, local."""
    from ispeed.months import next_month

    due = next_month(month)
    return datetime(due.year, due.month, cfg.deadline_day, cfg.deadline_hour, tzinfo=cfg.tz)


def check_report_deadline(
    now: datetime, *, config=None, run_id: str | None = None, raise_on_failure: bool = True
) -> dict:
    """At ``now`` (timezone-aware), alert the data engineers when the previous month's report is past
    its deadline and not delivered; at most once a day. Returns what it found and did."""
    from ispeed.delivery import month_delivered, month_deliveries
    from ispeed.operations.alerts import send_alert

    cfg = config or notify.operations_config()
    if now.tzinfo is None:
        raise ValueError("now must carry its time zone")
    local = now.astimezone(cfg.tz)
    month = previous_month(local.date())
    deadline = report_deadline(month, cfg)
    out: dict[str, Any] = {
        "month": month_label(month),
        "now": local.isoformat(timespec="minutes"),
        "deadline": deadline.isoformat(timespec="minutes"),
    }
    if local < deadline:
        return out | {"status": "before_deadline"}
    with warehouse.connection() as conn, conn.cursor() as cur:
        delivered = month_delivered(cur, month)
        if delivered:
            return out | {"status": "delivered", "delivered_at": delivered["delivered_at"].isoformat()}
        history = month_deliveries(cur, month)
        cur.execute(paths.read_sql("operations/latest_run_summary.sql"), {"month": month})
        summary = cur.fetchone()  # run_id, text, updated_at
    late_by = local - deadline
    info = {
        "dag_id": "ispeed_monitoring",
        "task_id": "check_report_deadline",
        "run_id": run_id,
        "month": month.isoformat(),
        "deadline": deadline.isoformat(),
        "now": local.isoformat(),
        "late_hours": round(late_by.total_seconds() / 3600, 1),
        "deliveries": [
            {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in d.items()}
            for d in history[::-1][:ATTEMPTS_SHOWN]
        ],
        "last_summary": summary[1] if summary else None,
        "last_summary_run": summary[0] if summary else None,
    }
    mail = notify.render_mail(
        "alerts",
        "report_deadline",
        {"info": info, "month": month, "deadline": deadline, "now": local, "issuer": notify.issuer(month)},
    )
    dedup_key = f"{month_label(month)}:{local.date().isoformat()}"
    msg_id = cfg.message_id("alert", "report_deadline", month_label(month), local.date().isoformat())
    with warehouse.connection() as conn, conn.cursor() as cur:
        cur.execute(
            paths.read_sql("operations/claim_alert.sql"),
            {
                "kind": "report_deadline",
                "dedup_key": dedup_key,
                "month": month,
                "dag_id": info["dag_id"],
                "task_id": info["task_id"],
                "run_id": run_id,
                "recipients": cfg.data_engineer_addresses,
                "subject": mail.subject,
                "message_id": msg_id,
                "details": json.dumps(info, ensure_ascii=False, default=str),
            },
        )
        claimed = cur.fetchone()
    if claimed is None:
        return out | {"status": "already_alerted_today"}
    result = send_alert(
        "report_deadline",
        mail,
        info=info,
        month=month,
        msg_id=msg_id,
        config=cfg,
        headers={"X-ISpeed-Month": month_label(month)},
        dedup_key=dedup_key,
        alert_id=claimed[0],
    )
    out |= {
        "status": "alerted" if result.ok else "failed",
        "delivery": result.status,
        "message_id": result.message_id,
        "outbox_path": result.outbox_path,
        "send_error": result.error,
    }
    if not result.ok and raise_on_failure:
        raise ReminderError(f"the deadline alert of {month_label(month)} could not be sent: {result.error}")
    return out
