"""Answer a waiting approval from outside the UI: ``python -m ispeed approve`` (docs/approval.md).

    waiting_request(month)                    the month's open request (ispeed.meta_report_approval)
    respond(month, approve=..., by=..., ...)  approve or reject it

Two ways, the same effect:

- ``api_url`` given: Airflow's REST API, as a Department's own system would call it,
  ``PATCH /api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/approve_report/-1/hitlDetails``
  with a bearer token (``ISPEED_AIRFLOW_API_TOKEN``, or one asked of ``/auth/token`` with
  ``ISPEED_AIRFLOW_USERNAME`` and ``ISPEED_AIRFLOW_PASSWORD``). The api-server checks the user is an
  assignee.
- without it: on Airflow's metadata database, in this process, doing what that endpoint does
  (record the response on the request, resume the parked task). For a person at the scheduler's
  terminal, and for ``airflow dags test`` (the demo), which has no api-server.
"""

from __future__ import annotations

import os
from datetime import date

from ispeed.approval import ApprovalError, approval_config, month_approvals
from ispeed.months import month_label

DAG_ID = "ispeed_monthly_report"
TASK_ID = "approve_report"
APPROVE, REJECT = "Approve", "Reject"


def waiting_request(month: date) -> dict:
    """The month's newest request still waiting for a decision; ApprovalError when there is none."""
    for row in month_approvals(month):
        if row["status"] == "requested":
            return row
        if row["status"] != "not_asked":
            break
    raise ApprovalError(
        f"no report of {month_label(month)} is waiting for approval (ispeed.meta_report_approval): "
        "run the month first (python -m ispeed status --month shows its approvals)"
    )


def respond(
    month: date,
    *,
    approve: bool,
    by: str,
    reason: str | None = None,
    api_url: str | None = None,
    run_id: str | None = None,
) -> dict:
    """Approve or reject the month's waiting report (its newest request, or run ``run_id``'s)."""
    if not approve and not (reason or "").strip():
        raise ApprovalError("a rejection needs a reason (--reason): the data engineers must know what to fix")
    approvers = approval_config().approvers
    if not api_url and not any(by in (a.id, a.name) for a in approvers):  # the api-server checks its own users
        names = "; ".join(f"{a.id} ({a.name})" if a.id else a.name for a in approvers)
        raise ApprovalError(f"{by!r} is not an approver of include/config/approval.yaml: {names}")
    run_id = run_id or waiting_request(month)["run_id"]
    payload = {"chosen_options": [APPROVE if approve else REJECT], "params_input": {"reason": reason or ""}}
    if api_url:
        _respond_over_api(api_url, run_id, payload)
    else:
        _respond_on_metadata_db(run_id, payload, by)
    return {"month": month_label(month), "run_id": run_id, "decision": payload["chosen_options"][0], "by": by}


def _token(api_url: str) -> str:
    import requests

    token = os.environ.get("ISPEED_AIRFLOW_API_TOKEN")
    if token:
        return token
    user, password = os.environ.get("ISPEED_AIRFLOW_USERNAME"), os.environ.get("ISPEED_AIRFLOW_PASSWORD")
    if not (user and password):
        raise ApprovalError(
            "the REST API needs a token: set ISPEED_AIRFLOW_API_TOKEN, or ISPEED_AIRFLOW_USERNAME and "
            "ISPEED_AIRFLOW_PASSWORD of an approver's Airflow account"
        )
    answer = requests.post(f"{api_url}/auth/token", json={"username": user, "password": password}, timeout=30)
    if answer.status_code >= 300:
        raise ApprovalError(f"{api_url}/auth/token refused {user}: HTTP {answer.status_code} {answer.text[:200]}")
    return answer.json()["access_token"]


def _respond_over_api(api_url: str, run_id: str, payload: dict) -> None:
    import requests

    api_url = api_url.rstrip("/")
    url = f"{api_url}/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/{TASK_ID}/-1/hitlDetails"
    answer = requests.patch(url, json=payload, headers={"Authorization": f"Bearer {_token(api_url)}"}, timeout=30)
    if answer.status_code >= 300:
        raise ApprovalError(f"Airflow's REST API answered HTTP {answer.status_code} to {url}: {answer.text[:300]}")


def _respond_on_metadata_db(run_id: str, payload: dict, by: str) -> None:
    """What the REST endpoint does (airflow.api_fastapi.core_api.routes.public.hitl), on the
    metadata database this process is configured for."""
    from airflow._shared.timezones import timezone
    from airflow.models.hitl import HITLDetail
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.trigger import handle_event_submit
    from airflow.triggers.base import TriggerEvent
    from airflow.utils.session import create_session
    from airflow.utils.state import TaskInstanceState
    from sqlalchemy import select

    with create_session() as session:
        ti = session.scalar(
            select(TaskInstance)
            .where(
                TaskInstance.dag_id == DAG_ID,
                TaskInstance.run_id == run_id,
                TaskInstance.task_id == TASK_ID,
                TaskInstance.map_index == -1,
            )
            .with_for_update(of=TaskInstance)
        )
        detail = session.scalar(select(HITLDetail).where(HITLDetail.ti_id == ti.id)) if ti is not None else None
        if detail is None:
            raise ApprovalError(f"run {run_id} has no approval request in Airflow's metadata database")
        if detail.response_received:
            raise ApprovalError(f"run {run_id}'s report was already decided ({detail.chosen_options})")
        detail.responded_by = {"id": by, "name": by}
        detail.responded_at = timezone.utcnow()
        detail.chosen_options = payload["chosen_options"]
        detail.params_input = payload["params_input"]
        session.add(detail)
        if ti.state in (TaskInstanceState.AWAITING_INPUT, TaskInstanceState.DEFERRED):
            handle_event_submit(TriggerEvent(detail.as_resume_event_payload()), task_instance=ti, session=session)
