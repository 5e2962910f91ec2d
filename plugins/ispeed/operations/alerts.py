"""Alerts to the data engineers (docs/operations.md, "Alerts").

``on_task_failure`` is the ``on_failure_callback`` of every task of the monthly and the monitoring
DAG (their ``default_args``): an instance of TaskFailureNotifier, an Airflow notifier built as the
smtp provider's SmtpNotifier is (a BaseNotifier whose ``notify(context)`` sends). Airflow calls it
once a task has failed for good (after its retries; a retry calls ``on_retry_callback``, which we
leave alone). It mails the data engineers of include/config/operations.yaml: DAG, task, run,
reporting month, try, the error's first lines and the link to the task's log; and records the
alert in ``ispeed.meta_alert``.

It never raises: an alert that cannot be sent or recorded is logged and swallowed, so that the
task's own error stays the one Airflow shows. (Airflow would catch it too, but a callback that
raises leaves a confusing second traceback in the log.)

Why not SmtpNotifier itself: it sends a single HTML body through the hook's retrying
``send_email_smtp``, without recording anything; this notifier uses the same connection
(``smtp_default``) through ispeed.mail, sends plain text and HTML, writes to the outbox when there
is no connection, and keeps a record. Its texts are include/templates/alerts/task_failure.*.

Light on import: the DAG files import it at parse time.
"""

from __future__ import annotations

import json
import logging
import traceback
from datetime import date, datetime
from typing import Any

from airflow.sdk import BaseNotifier

log = logging.getLogger(__name__)

#: how much of the error goes in the mail
ERROR_LINES = 12
ERROR_CHARS = 3000


# ---------------------------------------------------------------- what failed
def run_month(context: dict[str, Any]) -> date | None:
    """The reporting month of a run: the run's param ``reporting_month``, else the XCom of the
    ``reporting_month`` task, else the month before the run's logical date (or run_after) in Viet
    Nam (ispeed.months.reporting_month). None when none of these can be found."""
    from ispeed.months import parse_month, reporting_month

    params = context.get("params") or {}
    try:
        requested = params.get("reporting_month")
        if requested not in (None, ""):
            return parse_month(str(requested))
    except Exception:
        log.debug("param reporting_month unreadable", exc_info=True)
    ti = context.get("ti") or context.get("task_instance")
    if ti is not None and getattr(ti, "task_id", None) != "reporting_month":
        try:
            pulled = ti.xcom_pull(task_ids="reporting_month")
            if pulled:
                return parse_month(str(pulled))
        except Exception:
            log.debug("no XCom from reporting_month", exc_info=True)
    run = context.get("dag_run")
    when = None
    if run is not None:
        when = getattr(run, "logical_date", None) or getattr(run, "run_after", None)
    when = when or context.get("logical_date")
    if when is None:
        return None
    try:
        return reporting_month(when)
    except Exception:
        log.debug("no month from %r", when, exc_info=True)
        return None


def run_type_name(run_type) -> str | None:
    """'manual', 'scheduled', 'backfill', ...: a DagRunType's value (str() of the enum on Python 3.11
    gives 'DagRunType.MANUAL')."""
    if run_type in (None, ""):
        return None
    return str(getattr(run_type, "value", run_type))


def error_lines(exc: BaseException | str | None, *, lines: int = ERROR_LINES, chars: int = ERROR_CHARS) -> list[str]:
    """The first lines of the error: its type and message (and what caused it), then where it was
    raised. Passwords in connection strings are masked."""
    from ispeed.mail import mask_secrets

    if exc is None:
        return ["(Airflow gave no exception: the task may have been killed, timed out or marked failed by hand)"]
    if isinstance(exc, str):
        text = exc
    else:
        text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        cause = exc.__cause__ or exc.__context__
        if cause is not None and str(cause) not in text:
            text += "\ncaused by " + "".join(traceback.format_exception_only(type(cause), cause)).strip()
        frames = traceback.extract_tb(exc.__traceback__) if exc.__traceback__ else []
        if frames:
            last = frames[-1]
            text += f"\n  at {last.filename}:{last.lineno} in {last.name}"
    out = mask_secrets(text).splitlines()[:lines]
    total = 0
    kept = []
    for line in out:
        if total + len(line) > chars:
            kept.append(line[: max(0, chars - total)] + " …")
            break
        kept.append(line)
        total += len(line)
    return kept


def failure_info(context: dict[str, Any]) -> dict[str, Any]:
    """What the alert says, from the callback's context (RuntimeTaskInstance and friends). Every
    field is read defensively: a missing one becomes None."""
    ti = context.get("ti") or context.get("task_instance")
    run = context.get("dag_run")

    def attr(obj, name):
        try:
            return getattr(obj, name, None) if obj is not None else None
        except Exception:
            return None

    dag_id = attr(ti, "dag_id") or attr(run, "dag_id") or attr(context.get("dag"), "dag_id")
    task_id = attr(ti, "task_id") or attr(context.get("task"), "task_id")
    run_id = attr(ti, "run_id") or context.get("run_id") or attr(run, "run_id")
    try:
        log_url = ti.log_url if ti is not None else None
    except Exception:
        log_url = None
    month = run_month(context)
    logical = attr(run, "logical_date") or context.get("logical_date")
    exc = context.get("exception")
    map_index = attr(ti, "map_index")
    return {
        "dag_id": dag_id,
        "task_id": task_id,
        "run_id": run_id,
        "run_type": run_type_name(attr(run, "run_type")),
        "logical_date": logical.isoformat() if isinstance(logical, datetime) else None,
        "month": month.isoformat() if month else None,
        "try_number": attr(ti, "try_number"),
        "max_tries": attr(ti, "max_tries"),
        "map_index": map_index if isinstance(map_index, int) and map_index >= 0 else None,
        "hostname": attr(ti, "hostname"),
        "error_type": type(exc).__name__ if isinstance(exc, BaseException) else None,
        "error_lines": error_lines(exc),
        "log_url": log_url,
        "at": datetime.now().astimezone().isoformat(timespec="seconds"),
    }


# ---------------------------------------------------------------- the notifier
class TaskFailureNotifier(BaseNotifier):
    """on_failure_callback: alert the data engineers (mail + ispeed.meta_alert). Calling it never
    raises; ``notify`` (what it calls) raises only when even the configuration cannot be read."""

    template_fields = ()  # the texts are include/templates/alerts/, rendered with the alert's own filters

    def __init__(self, *, config=None):
        super().__init__()
        self.config = config  # None: include/config/operations.yaml, read at each alert

    def notify(self, context: dict[str, Any]) -> None:
        result = send_task_failure_alert(context, config=self.config)
        log.info("failure alert: %s", result.get("status"))

    def __call__(self, *args) -> None:
        try:
            super().__call__(*args)
        except Exception:
            log.exception("the failure alert could not be sent or recorded (the task's own error is above)")


#: the one notifier of both DAGs (``default_args``)
on_task_failure = TaskFailureNotifier()


def send_task_failure_alert(context: dict[str, Any], *, config=None) -> dict:
    """Mail the data engineers about a failed task and record it. Returns what happened; raises
    only when even the configuration cannot be read (on_task_failure swallows that)."""
    from ispeed.operations import notify

    info = failure_info(context)
    cfg = config or notify.operations_config()
    month = date.fromisoformat(info["month"]) if info["month"] else None
    mail = notify.render_mail("alerts", "task_failure", {"info": info, "month": month})
    msg_id = cfg.message_id("alert", info["dag_id"], info["task_id"], info["run_id"], f"try{info['try_number']}")
    result = send_alert(
        "task_failure",
        mail,
        info=info,
        month=month,
        msg_id=msg_id,
        config=cfg,
        headers={
            "X-ISpeed-DAG": str(info["dag_id"]),
            "X-ISpeed-Task": str(info["task_id"]),
            "X-ISpeed-Month": info["month"] or "",
        },
    )
    out = {
        "status": result.status,
        "message_id": result.message_id,
        "outbox_path": result.outbox_path,
        "error": result.error,
    }
    if not result.ok:
        log.warning("failure alert for %s.%s not sent: %s", info["dag_id"], info["task_id"], result.error)
    return out


def send_alert(
    kind: str,
    mail,
    *,
    info: dict,
    month: date | None,
    msg_id: str,
    config,
    headers: dict[str, str],
    dedup_key: str | None = None,
    alert_id: int | None = None,
):
    """Mail an alert to the data engineers and record it (record_alert). Returns the mail's
    SendResult; never raises for a mail that could not be sent or recorded."""
    from ispeed.operations import notify

    result = notify.send_to_data_engineers(
        "alerts", mail, msg_id=msg_id, month=month, config=config, headers={"X-ISpeed-Alert": kind, **headers}
    )
    record_alert(kind, info=info, month=month, mail=mail, result=result, dedup_key=dedup_key, alert_id=alert_id)
    return result


def record_alert(
    kind: str,
    *,
    info: dict,
    month: date | None,
    mail,
    result,
    dedup_key: str | None = None,
    alert_id: int | None = None,
) -> int | None:
    """One row of ispeed.meta_alert (or complete the claimed row ``alert_id``). Logs and returns
    None when the warehouse cannot take it (it may be what failed)."""
    from ispeed import paths
    from ispeed.warehouse import connection as warehouse

    row = {
        "kind": kind,
        "dedup_key": dedup_key,
        "month": month,
        "dag_id": info.get("dag_id"),
        "task_id": info.get("task_id"),
        "run_id": info.get("run_id"),
        "try_number": info.get("try_number"),
        "recipients": result.recipients,
        "subject": mail.subject,
        "message_id": result.message_id,
        "status": result.status,
        "outbox_path": result.outbox_path,
        "error": result.error,
        "details": json.dumps(info, default=str, ensure_ascii=False),
        "alert_id": alert_id,
    }
    try:
        with warehouse.connection() as conn, conn.cursor() as cur:
            if alert_id is None:
                cur.execute(paths.read_sql("operations/insert_alert.sql"), row)
            else:
                cur.execute(paths.read_sql("operations/finish_alert.sql"), row)
            found = cur.fetchone()
            return found[0] if found else None
    except Exception:
        log.exception("the alert could not be recorded in ispeed.meta_alert")
        return None
