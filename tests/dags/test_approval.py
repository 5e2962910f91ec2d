"""The report's approval before it leaves (issue 24, docs/approval.md), through Airflow: the monthly
DAG under dag.test(), waiting in Airflow 3.3's ``awaiting_input`` state, answered from another
thread the way ``python -m ispeed approve`` answers (Airflow's own HITL records and resume), a real
SMTP server receiving what leaves, the warehouse's records.

dag.test() has no scheduler: the deadline's sweep is the scheduler's own function, called here."""

from __future__ import annotations

import hashlib
import logging
import shutil
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from ispeed.approval.respond import respond
from ispeed.devtools.generate import generate_month
from ispeed.measurements import load as measurements

from conftest import query

DAGS = Path(__file__).resolve().parents[2] / "dags"
CONFIG = Path(__file__).resolve().parents[2] / "include" / "config"
MONTH = date(2024, 12, 1)
RUN_AT = datetime(2025, 1, 15, 0, 0, tzinfo=UTC)  # the scheduled run of 15 January 2025, 07:00 in Viet Nam
MINISTRY = "cuc.vienthong@mic.example.org"  # report.yaml's recipient on a report dated before 2025-03
APPROVER = "pgd.skhcn@haiphong.example.org"


@pytest.fixture
def monthly_dag():
    # one per test: dag.test(run_conf=...) leaves the conf's values in the DAG object's params
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS)).dags["ispeed_monthly_report"]


@pytest.fixture
def asking(monkeypatch, db, data_dir, smtp):
    """A month of data, the approval required, and the real SMTP server."""
    monkeypatch.setenv("ISPEED_APPROVAL_MODE", "required")
    generate_month(MONTH, 3000, measurements.landing_folder(MONTH), seed=5)
    return smtp


def answer_when_asked(db, action, *, timeout: float = 240.0) -> dict:
    """In a thread: wait for the month's request in ispeed.meta_report_approval, then ``action(row)``."""
    seen: dict = {}

    def run():
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = query(db, "select run_id from ispeed.meta_report_approval where status = 'requested'")
            if rows:
                seen["run_id"] = rows[0][0]
                time.sleep(0.5)  # the task parks itself after it recorded the request
                try:
                    seen["result"] = action(rows[0][0])
                except Exception as exc:  # surfaced by the test's assertions, once the run is unblocked
                    seen["error"] = exc
                    respond(MONTH, approve=False, by="pgd.skhcn", reason=f"test failed: {exc}", run_id=rows[0][0])
                return
            time.sleep(0.3)
        seen["error"] = TimeoutError("no approval was requested")

    threading.Thread(target=run, daemon=True).start()
    return seen


def states(run) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in run.get_task_instances()}


def approvals(db) -> list[tuple]:
    return query(
        db, "select status, why_not_asked, decided_by, reason from ispeed.meta_report_approval order by approval_id"
    )


def test_approved_the_report_leaves_once_signed_and_the_approver_was_told(
    monthly_dag, asking, db, tmp_path, monkeypatch
):
    from ispeed.signing import make_demo_certificate, verify_pdf

    p12, password = make_demo_certificate(tmp_path / "cert", common_name="Nguyễn Văn A", organization="Sở KH&CN")
    monkeypatch.setenv("ISPEED_SIGNING_P12", str(p12))
    monkeypatch.setenv("ISPEED_SIGNING_PASSWORD_FILE", str(password))
    seen = answer_when_asked(db, lambda run_id: respond(MONTH, approve=True, by="pgd.skhcn", run_id=run_id))
    run = monthly_dag.test(logical_date=RUN_AT)
    assert "error" not in seen, seen
    assert run.state == "success", states(run)
    assert states(run)["approve_report"] == "success" and states(run)["deliver_report"] == "success"
    # the approver's mail came first, with the summary and the link to the request
    [request] = asking.to(APPROVER)
    text = request.get_body(preferencelist=("plain",)).get_content()
    assert "Đề nghị phê duyệt báo cáo tháng 12/2024" in str(request["Subject"])
    assert "/dags/ispeed_monthly_report/runs/" in text and "/tasks/approve_report/required_actions" in text
    assert "Viettel" in text or "VIETTEL" in text
    # then exactly one mail to the Ministry, with the signed PDF, whose sha256 the mail states
    [report] = asking.to(MINISTRY)
    assert str(report["Date"]).endswith("+0700")  # Viet Nam's time, for the officials who read it
    [pdf] = [a for a in report.iter_attachments() if a.get_content_type() == "application/pdf"]
    body = report.get_body(preferencelist=("plain",)).get_content()
    assert hashlib.sha256(pdf.get_payload(decode=True)).hexdigest() in body
    sent = tmp_path / pdf.get_filename()
    sent.write_bytes(pdf.get_payload(decode=True))
    check = verify_pdf(sent, trust=None)
    assert check.intact and check.valid and check.covers_whole_file, check.message
    assert "Nguyễn Văn A" in check.signer
    [(signed_by, draft)] = query(
        db, "select signed_by, draft_sha256 from ispeed.meta_report where signed_by is not null"
    )
    assert "Nguyễn Văn A" in signed_by and draft is not None
    assert approvals(db) == [("approved", None, "pgd.skhcn", None)]
    assert query(db, "select status from ispeed.meta_delivery") == [("delivered",)]


def test_rejected_nothing_leaves_and_the_data_engineers_are_told(monthly_dag, asking, db):
    reason = "Số liệu VNPT thiếu 3 xã, đề nghị kiểm tra lại"
    seen = answer_when_asked(
        db, lambda run_id: respond(MONTH, approve=False, by="pgd.skhcn", reason=reason, run_id=run_id)
    )
    run = monthly_dag.test(logical_date=RUN_AT)
    assert "error" not in seen, seen
    got = states(run)
    assert got["approve_report"] == "success"
    assert got["sign_report"] == "skipped" and got["deliver_report"] == "skipped"
    assert asking.to(MINISTRY) == []
    assert query(db, "select count(*) from ispeed.meta_delivery") == [(0,)]
    assert approvals(db) == [("rejected", None, "pgd.skhcn", reason)]
    from ispeed.operations.status import format_status, month_status

    assert "report approval: rejected by pgd.skhcn on " in format_status(month_status(MONTH))
    [(kind, subject)] = query(db, "select kind, subject from ispeed.meta_alert where kind = 'report_rejected'")
    assert "rejected by pgd.skhcn" in subject
    [alert] = asking.to("tran.thi.lan.dataeng@haiphong.example.org")
    assert reason in alert.get_body(preferencelist=("plain",)).get_content()


def test_no_decision_by_the_deadline_alerts_and_sends_nothing(monthly_dag, asking, db, tmp_path, monkeypatch):
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    text = (config / "approval.yaml").read_text(encoding="utf-8")
    (config / "approval.yaml").write_text(text.replace("late_wait_hours: 24", "late_wait_hours: 0.0005"))
    monkeypatch.setenv("ISPEED_CONFIG_DIR", str(config))
    monkeypatch.setattr("ispeed.paths.CONFIG_DIR", config)

    def scheduler_sweep(_run_id):
        from airflow.jobs.scheduler_job_runner import SchedulerJobRunner

        time.sleep(2.5)  # past the 1.8 s the request waits
        SchedulerJobRunner.check_awaiting_input_timeouts(SimpleNamespace(log=logging.getLogger("sweep")))

    seen = answer_when_asked(db, scheduler_sweep)
    run = monthly_dag.test(logical_date=RUN_AT)
    assert "error" not in seen, seen
    got = states(run)
    assert got["approve_report"] == "failed" and got["deliver_report"] == "upstream_failed"
    assert asking.to(MINISTRY) == []
    assert [a[0] for a in approvals(db)] == ["timed_out"]
    [(error, run_type)] = query(
        db,
        "select details->>'error_lines', details->>'run_type' from ispeed.meta_alert where task_id = 'approve_report'",
    )
    assert "by its deadline" in error
    assert run_type == "manual"  # as a data engineer says it, not 'DagRunType.MANUAL'


def test_a_backfill_neither_waits_nor_mails(monthly_dag, asking, db):
    from test_backfill import backfill_runs

    with backfill_runs():
        run = monthly_dag.test(logical_date=RUN_AT)
    assert run.state == "success", states(run)
    assert states(run)["sign_report"] == "success"  # passed the draft through, unsigned
    assert approvals(db) == [("not_asked", "backfill", None, None)]
    assert asking.mails == []
    assert query(db, "select status from ispeed.meta_delivery") == [("skipped",)]
    # nor does a run that does not mail
    run = monthly_dag.test(logical_date=RUN_AT, run_conf={"send_report": "no"})
    assert run.state == "success", states(run)
    assert [a[:2] for a in approvals(db)] == [("not_asked", "backfill"), ("not_asked", "not_sending")]
    assert asking.mails == []
    # and its unapproved draft cannot be mailed by hand either (nor by a backfill with send_report=yes:
    # the same check, in deliver_report)
    from ispeed.__main__ import main

    assert main(["deliver", "--month", "2024-12"]) == 1
    assert asking.mails == [] and query(db, "select count(*) from ispeed.meta_delivery where status <> 'skipped'") == [
        (0,)
    ]


@pytest.fixture
def api_server(tmp_path):
    """Airflow's api-server on 127.0.0.1, on the tests' metadata database, with two users of the
    simple auth manager: the approver of approval.yaml (pgd.skhcn) and someone else."""
    import json
    import os
    import subprocess
    import urllib.request

    from conftest import free_port

    passwords = tmp_path / "passwords.json"
    passwords.write_text(json.dumps({"pgd.skhcn": "duyet-bao-cao", "someone.else": "khong-duoc"}))
    port = free_port()
    env = os.environ | {
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "pgd.skhcn:admin,someone.else:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
    }
    log = (tmp_path / "api-server.log").open("w")
    proc = subprocess.Popen(
        ["airflow", "api-server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/v2/monitor/health", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"the api-server stopped: {(tmp_path / 'api-server.log').read_text()[-2000:]}")
            time.sleep(1)
    else:
        pytest.fail("the api-server did not answer within 2 minutes")
    yield url
    import signal

    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)
    log.close()


def test_the_rest_api_approves_for_an_assigned_approver_only(monthly_dag, asking, db, api_server, monkeypatch):
    from ispeed.approval import ApprovalError

    def through_the_api(run_id):
        monkeypatch.setenv("ISPEED_AIRFLOW_USERNAME", "someone.else")
        monkeypatch.setenv("ISPEED_AIRFLOW_PASSWORD", "khong-duoc")
        with pytest.raises(ApprovalError, match="HTTP 403"):  # not an approver of approval.yaml
            respond(MONTH, approve=True, by="someone.else", api_url=api_server, run_id=run_id)
        monkeypatch.setenv("ISPEED_AIRFLOW_USERNAME", "pgd.skhcn")
        monkeypatch.setenv("ISPEED_AIRFLOW_PASSWORD", "duyet-bao-cao")
        return respond(MONTH, approve=True, by="pgd.skhcn", api_url=api_server, run_id=run_id)

    seen = answer_when_asked(db, through_the_api)
    run = monthly_dag.test(logical_date=RUN_AT)
    assert "error" not in seen, seen
    assert run.state == "success", states(run)
    assert states(run)["deliver_report"] == "success"
    # the api-server recorded who answered: the approver's Airflow user
    assert approvals(db) == [("approved", None, "pgd.skhcn", None)]
    assert len(asking.to(MINISTRY)) == 1


def test_the_deadline_is_the_15th_at_16_00_unless_too_little_time_is_left(tmp_path, monkeypatch):
    from ispeed import approval
    from ispeed.config import ConfigError
    from ispeed.months import LOCAL_TZ

    cfg = approval.approval_config()
    on_time = approval.approval_deadline(date(2026, 11, 1), datetime(2026, 12, 15, 7, 0, tzinfo=LOCAL_TZ), cfg)
    assert on_time == datetime(2026, 12, 15, 16, 0, tzinfo=LOCAL_TZ)
    late = datetime(2026, 12, 15, 15, 30, tzinfo=LOCAL_TZ)  # a re-run after a rejection at 15:30
    assert approval.approval_deadline(date(2026, 11, 1), late, cfg) == datetime(2026, 12, 16, 15, 30, tzinfo=LOCAL_TZ)
    # asking nobody is not an approval
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    text = (config / "approval.yaml").read_text(encoding="utf-8")
    (config / "approval.yaml").write_text(
        text[: text.index("approvers:")] + "approvers: []\n" + text[text.index("deadline:") :]
    )
    monkeypatch.setattr("ispeed.paths.CONFIG_DIR", config)
    monkeypatch.setenv("ISPEED_APPROVAL_MODE", "required")
    with pytest.raises(ConfigError, match="no approver is named"):
        approval.approval_config()


def test_a_backfill_told_to_send_cannot_send_an_unapproved_report(monthly_dag, asking, db):
    from test_backfill import backfill_runs

    with backfill_runs({"send_report": "yes"}):
        run = monthly_dag.test(logical_date=RUN_AT)
    got = states(run)
    assert got["approve_report"] == "success" and got["deliver_report"] == "failed"  # at once: no retries
    assert approvals(db) == [("not_asked", "backfill", None, None)]
    assert asking.mails == [] or all(MINISTRY not in rcpt for _, rcpt, _, _ in asking.mails)
    assert query(db, "select count(*) from ispeed.meta_delivery") == [(0,)]
    [(error,)] = query(db, "select details->>'error_lines' from ispeed.meta_alert where task_id = 'deliver_report'")
    assert "was not approved" in error


def test_automatic_delivery_must_be_confirmed_before_a_run_mails_by_itself(tmp_path, monkeypatch):
    from ispeed import approval
    from ispeed.config import ConfigError

    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    text = (config / "approval.yaml").read_text(encoding="utf-8").replace("mode: required", "mode: automatic")
    (config / "approval.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setattr("ispeed.paths.CONFIG_DIR", config)
    monkeypatch.delenv("ISPEED_APPROVAL_MODE", raising=False)
    with pytest.raises(ConfigError, match="go_live: true"):
        approval.approval_config()  # a first unattended run would fail here, and alert, before any mail
    (config / "approval.yaml").write_text(text.replace("go_live: false", "go_live: true"), encoding="utf-8")
    assert approval.approval_config().mode == approval.AUTOMATIC
