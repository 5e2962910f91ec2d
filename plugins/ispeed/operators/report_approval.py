"""approve_report: the monthly DAG's wait for a named approver (docs/approval.md).

An ApprovalOperator of Airflow's standard provider (human-in-the-loop), whose request is made at run
time from the rendered draft: its subject and body are the report's page-1 summary and where the PDF
is, its deadline that of include/config/approval.yaml, its assignees the approvers. In Airflow 3.3
the task then waits in the ``awaiting_input`` state (no worker slot, no triggerer) until

- **Approve** (UI, REST API or ``python -m ispeed approve``): it returns ``approved: True`` and the
  report is signed and delivered downstream;
- **Reject**, with a reason: the provider skips sign_report (and so deliver_report); the data
  engineers are told;
- **the deadline passes**: the scheduler's sweep resumes it with a timeout, it fails
  (ApprovalDeadlinePassed) and on_failure_callback alerts the data engineers. Nothing is sent.

A backfill, a run that does not mail, a month already delivered, and mode 'automatic' do not wait
(ispeed.approval.why_not_ask). Everything it decides is recorded in ispeed.meta_report_approval.
"""

from __future__ import annotations

from typing import Any

from airflow.providers.standard.operators.hitl import ApprovalOperator
from airflow.sdk import Param
from airflow.sdk.definitions.param import ParamsDict


class ReportApprovalOperator(ApprovalOperator):
    """Ask for the approval of the draft that ``rendered_task_id`` returned (RenderedReport.as_dict)."""

    def __init__(self, *, rendered_task_id: str = "render_report", **kwargs: Any) -> None:
        kwargs.setdefault("subject", "Phê duyệt báo cáo tháng")  # the month's own subject is set at run time
        # The form's one field. Airflow hands an operator of a DAG with params the DAG's own (source
        # "dag"), which the provider filters out: the reason is added to them as a task's param.
        given = kwargs.pop("params", None) or {}
        params = {key: given.get_param(key) if isinstance(given, ParamsDict) else given[key] for key in given}
        params["reason"] = Param(
            "",
            type="string",
            title="Lý do / ý kiến",
            description="Bắt buộc khi từ chối: điều cần sửa trước khi báo cáo được lập lại.",
            source="task",
        )
        kwargs["params"] = params
        super().__init__(**kwargs)
        self.rendered_task_id = rendered_task_id

    def _rendered(self, context) -> dict:
        rendered = context["ti"].xcom_pull(task_ids=self.rendered_task_id)
        if not rendered:
            raise ValueError(f"no draft from {self.rendered_task_id}: render the report first")
        return rendered

    def execute(self, context):
        from airflow.sdk.timezone import utcnow

        from ispeed import approval, tasks

        run = tasks.RunContext.current()
        rendered = self._rendered(context)
        why = tasks.why_not_ask_approval(run)
        if why:
            return approval.not_asked(run.month, run.run_id, rendered, why)
        try:
            link = self.generate_link_to_ui(
                task_instance=context["task_instance"], base_url=approval.approval_config().ui_base_url
            )
        except ValueError:  # no base URL anywhere: the mail says where to look instead
            link = None
        request = approval.open_request(run.month, rendered, run_id=run.run_id, link=link, now=utcnow())
        self.subject, self.body = request.subject, request.body
        self.response_timeout = request.timeout
        self.assigned_users = request.assigned_users
        return super().execute(context)

    def execute_complete(self, context, event: dict[str, Any]) -> Any:
        from ispeed import approval, tasks

        run = tasks.RunContext.current()
        rendered = self._rendered(context)
        if "error" in event:
            if event.get("error_type") == "timeout":
                approval.close_request(run.month, rendered, run_id=run.run_id, approved=None)  # raises
            return super().execute_complete(context=context, event=event)  # raises the provider's error
        # Recorded first: on a rejection the provider skips downstream by raising (Task SDK), so
        # nothing after its execute_complete would run.
        self.validate_chosen_options(event["chosen_options"])
        user = event.get("responded_by_user") or {}
        decided = approval.close_request(
            run.month,
            rendered,
            run_id=run.run_id,
            approved=event["chosen_options"][0] == self.APPROVE,
            by=user.get("name") or user.get("id"),
            at=event.get("responded_at"),
            reason=(event.get("params_input") or {}).get("reason"),
        )
        super().execute_complete(context=context, event=event)  # a rejection skips sign and deliver here
        return decided
