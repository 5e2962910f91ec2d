"""Monitoring and alerting (issue 6): the failure alert, the freshness reminders (đôn đốc), the
report's deadline and the run summary, against a real PostgreSQL, a real SMTP server (aiosmtpd on
127.0.0.1) or the outbox, and the monthly DAG through Airflow (dag.test())."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import uuid
from datetime import UTC, date, datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path

import openpyxl
import psycopg2
import psycopg2.extensions
import pytest

from ispeed import tasks
from ispeed.devtools.generate import generate_month
from ispeed.devtools.generate_returns import generate_month_returns
from ispeed.months import LOCAL_TZ
from ispeed.operations import alerts, monitoring, notify, summary
from ispeed.warehouse import connection as warehouse

from conftest import free_port, query
from fixtures.smtp import use_smtp

DAGS = Path(__file__).resolve().parents[2] / "dags"
OCT = date(2024, 10, 1)
ENGINEERS = ["dataeng.ispeed@haiphong.example.org", "tran.thi.lan.dataeng@haiphong.example.org"]


def bodies(msg) -> tuple[str, str]:
    return msg.get_body(preferencelist=("plain",)).get_content(), msg.get_body(preferencelist=("html",)).get_content()


def eml(path) -> object:
    return BytesParser(policy=policy.default).parsebytes(Path(path).read_bytes())


# ---------------------------------------------------------------- the failure alert
class FakeTI:
    """What the Task SDK's RuntimeTaskInstance offers the callback (the attributes it reads)."""

    def __init__(
        self, task_id="load_measurements", xcom=None, log_url="http://airflow.example.org/dags/x/runs/r/tasks/t"
    ):
        self.dag_id, self.task_id, self.run_id = (
            "ispeed_monthly_report",
            task_id,
            "scheduled__2025-01-15T00:00:00+00:00",
        )
        self.try_number, self.max_tries, self.map_index, self.hostname = 3, 2, -1, "worker-1"
        self._xcom, self.log_url = xcom, log_url

    def xcom_pull(self, task_ids=None, **_):
        assert task_ids == "reporting_month"
        return self._xcom


class FakeRun:
    def __init__(self, logical_date=datetime(2025, 1, 15, 0, 0, tzinfo=UTC), run_type="scheduled"):
        self.logical_date, self.run_after, self.run_type, self.dag_id = (
            logical_date,
            logical_date,
            run_type,
            "ispeed_monthly_report",
        )


def raised(exc: Exception) -> Exception:
    try:
        raise exc
    except Exception as caught:
        return caught


def failure_context(**over) -> dict:
    ctx = {
        "ti": FakeTI(xcom="2024-12"),
        "dag_run": FakeRun(),
        "params": {"reporting_month": None},
        "exception": raised(
            RuntimeError(
                "1 file(s) of 2024-12 rejected (the other files were loaded): "
                "Tệp page.csv: là một trang HTML, không phải tệp CSV\nsecond line\nthird line"
            )
        ),
    }
    return ctx | over


def test_the_month_comes_from_the_param_the_xcom_or_the_logical_date():
    assert alerts.run_month(failure_context(params={"reporting_month": "2024-06"})) == date(2024, 6, 1)
    assert alerts.run_month(failure_context(ti=FakeTI(xcom="2024-11"))) == date(2024, 11, 1)
    # no XCom (reporting_month itself failed): the month before the run of 15/01/2025 in Viet Nam
    assert alerts.run_month(failure_context(ti=FakeTI(task_id="reporting_month"))) == date(2024, 12, 1)
    assert alerts.run_month({}) is None


def test_a_failed_task_alerts_the_data_engineers_by_mail(smtp, db):
    alerts.on_task_failure(failure_context())
    [(sender, rcpt, msg, _)] = smtp.mails
    assert sender == "ispeed-monitor@haiphong.example.org" and sorted(rcpt) == sorted(ENGINEERS)
    assert msg["Subject"].startswith("[i-Speed ALERT] ispeed_monthly_report.load_measurements failed (2024-12): ")
    text, html = bodies(msg)
    for body in (text, html):
        for expected in (
            "ispeed_monthly_report",
            "load_measurements",
            "scheduled__2025-01-15T00:00:00+00:00",
            "2024-12",
            "RuntimeError: 1 file(s) of 2024-12 rejected",
            "second line",
            "http://airflow.example.org/dags/x/runs/r/tasks/t",
            "worker-1",
        ):
            assert expected in body, expected
    assert "test_monitoring.py" in text  # where it was raised
    [(kind, month, task, try_number, status, mid, details)] = query(
        db, "select kind, month, task_id, try_number, status, message_id, details from ispeed.meta_alert"
    )
    assert (kind, month, task, try_number, status) == (
        "task_failure",
        date(2024, 12, 1),
        "load_measurements",
        3,
        "sent",
    )
    assert mid == msg["Message-ID"] and details["log_url"] == "http://airflow.example.org/dags/x/runs/r/tasks/t"


def test_without_a_connection_the_alert_goes_to_the_outbox(db, data_dir, monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_SMTP_DEFAULT", raising=False)
    alerts.on_task_failure(failure_context())
    [path] = (data_dir / "outbox" / "alerts" / "2024-12").glob("*.eml")
    msg = eml(path)
    assert "load_measurements" in msg["Subject"] and "rejected" in bodies(msg)[0]
    assert query(db, "select status, outbox_path from ispeed.meta_alert") == [("written_to_outbox", str(path))]


def test_a_failing_alert_never_raises(db, monkeypatch, caplog):
    # the mail server is down: recorded as failed, nothing raised
    use_smtp(monkeypatch, free_port())
    alerts.on_task_failure(failure_context())
    [(status, error)] = query(db, "select status, error from ispeed.meta_alert")
    assert status == "failed" and "refused" in error.lower()
    # the warehouse is down too, the context is nonsense, the configuration is broken: still nothing raised
    monkeypatch.setenv("ISPEED_WAREHOUSE_URI", f"postgresql://nobody@127.0.0.1:{free_port()}/none?connect_timeout=2")
    alerts.on_task_failure(failure_context())
    alerts.on_task_failure({"ti": object(), "exception": "not even an exception"})

    def broken():
        raise ValueError("operations.yaml is broken")

    monkeypatch.setattr(notify, "operations_config", broken)
    alerts.on_task_failure(failure_context())
    assert "could not be sent or recorded" in caplog.text


def test_the_alert_html_escapes_the_error():
    ctx = failure_context(exception=raised(ValueError('<img src=x onerror="alert(1)"> in Tệp <b>x</b>.csv')))
    info = alerts.failure_info(ctx)
    mail = notify.render_mail("alerts", "task_failure", {"info": info, "month": date(2024, 12, 1)})
    assert "<img" not in mail.html and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in mail.html
    assert '<img src=x onerror="alert(1)">' in mail.text


# ---------------------------------------------------------------- freshness (đôn đốc)
def contacts() -> dict[str, str]:
    """agency code -> contact: agencies.csv's and the generated UBND's (returns.agencies)."""
    from ispeed.returns.agencies import read_agencies

    return {a.agency_code: a.contact_email for a in read_agencies()}


@pytest.fixture(scope="module")
def october_template(pg_admin_params, tmp_path_factory):
    """October 2024 as it stands on 10 November, built once per module as a template database: the
    sample returns (three agencies missing, one rejected, Gmobile missing) and far fewer
    measurements than usual, loaded as the monitoring DAG's load tasks load them (the monthly
    tasks' own functions), on a day when the loads are due."""
    name = "tpl_" + uuid.uuid4().hex[:12]
    with contextlib.closing(psycopg2.connect(**pg_admin_params)) as admin:
        admin.autocommit = True
        admin.cursor().execute(f'create database "{name}"')
    data = tmp_path_factory.mktemp("october") / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ISPEED_WAREHOUSE_URI", psycopg2.extensions.make_dsn(**{**pg_admin_params, "dbname": name}))
        mp.setenv("ISPEED_DATA_DIR", str(data))
        tasks.prepare_warehouse()
        expected = generate_month_returns(OCT, data / "landing", seed=7)
        generate_month(OCT, 400, data / "landing" / "ispeed" / "2024-10", seed=3)
        cfg = dataclasses.replace(notify.operations_config(), min_measurements=1000)
        assert monitoring.loads_due(date(2024, 11, 10), config=cfg)["due"]
        measurements = tasks.load_measurements(OCT, run_id="monitoring-test")
        assert tasks.load_agency_returns(OCT, run_id="monitoring-test") and measurements["rows_loaded"] > 350
        tasks.load_operator_returns(OCT, run_id="monitoring-test")
    with contextlib.closing(psycopg2.connect(**pg_admin_params)) as admin:
        admin.autocommit = True  # Great Expectations' engine may still hold a connection
        admin.cursor().execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = %s", (name,))
    yield name, expected, cfg
    with contextlib.closing(psycopg2.connect(**pg_admin_params)) as admin:
        admin.autocommit = True
        admin.cursor().execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture
def october(october_template, pg_admin_params, data_dir, monkeypatch):
    """A copy of the October template as this test's warehouse: (expected states, config, connection)."""
    template, expected, cfg = october_template
    name = "t_" + uuid.uuid4().hex[:12]
    with contextlib.closing(psycopg2.connect(**pg_admin_params)) as admin:
        admin.autocommit = True
        admin.cursor().execute(f'create database "{name}" template "{template}"')
    params = {**pg_admin_params, "dbname": name}
    monkeypatch.setenv("ISPEED_WAREHOUSE_URI", psycopg2.extensions.make_dsn(**params))
    conn = warehouse.connect(warehouse.Target(params, "october"))
    conn.autocommit = True
    yield expected, dataclasses.replace(cfg, outbox=notify.operations_config().outbox), conn  # this test's data dir
    conn.close()
    with contextlib.closing(psycopg2.connect(**pg_admin_params)) as admin:
        admin.autocommit = True
        admin.cursor().execute(f'drop database if exists "{name}" with (force)')


def test_expected_measurements_is_the_larger_of_the_floor_and_a_share_of_recent_months():
    cfg = dataclasses.replace(
        notify.operations_config(), min_measurements=5000, fraction_of_recent_mean=0.6, recent_months=3
    )
    months = [date(2024, m, 1) for m in range(4, 11)]
    counts = list(zip(months, [90_000, 0, 20_000, 30_000, 40_000, 0, 17_000]))
    e = monitoring.expected_measurements(counts, date(2024, 10, 1), cfg)
    # the last three months with data before October: June, July, August (September loaded nothing)
    assert (e["recent_mean"], e["expected"], e["short"]) == (30_000.0, 18_000, True)
    assert (
        monitoring.expected_measurements(
            counts[:1] + [(date(2024, 10, 1), 4_000)],
            date(2024, 10, 1),
            dataclasses.replace(cfg, fraction_of_recent_mean=0.01),
        )["expected"]
        == 5000
    )
    assert not monitoring.expected_measurements([(date(2024, 10, 1), 6000)], date(2024, 10, 1), cfg)["short"]


def test_the_loads_are_due_from_the_reminder_day_until_the_report_is_delivered(db, data_dir, monkeypatch):
    def no_second_prepare():
        raise AssertionError("loads_due must not prepare the warehouse (the run did)")

    monkeypatch.setattr(tasks, "prepare_warehouse", no_second_prepare)
    generate_month(OCT, 50, data_dir / "landing" / "ispeed" / "2024-10", seed=3)  # arrived, not loaded
    cfg = notify.operations_config()
    assert monitoring.loads_due(date(2024, 11, 9), config=cfg) == {
        "month": "2024-10",
        "today": "2024-11-09",
        "due": False,
        "reason": "before the reminder day (10)",
    }
    due = monitoring.loads_due(date(2024, 11, 10), config=cfg)
    assert (due["month"], due["today"], due["due"]) == ("2024-10", "2024-11-10", True)
    assert "2024-10" in due["reason"] and "not delivered" in due["reason"]
    off = dataclasses.replace(cfg, load_before_check=False)
    assert monitoring.loads_due(date(2024, 11, 12), config=off)["reason"] == "freshness.load_before_check is false"
    # the outbox is not a delivery; a delivered report ends the loads of the month
    query(
        db,
        "insert into ispeed.meta_delivery (month, sequence, attempt, mode, status, pdf_sha256, outbox_path)"
        " values ('2024-10-01', 1, 1, 'outbox', 'written_to_outbox', 'x', '/tmp/x.eml') returning 1",
    )
    assert monitoring.loads_due(date(2024, 11, 12), config=cfg)["due"]
    query(
        db,
        "insert into ispeed.meta_delivery (month, sequence, attempt, mode, status, pdf_sha256, delivered_at)"
        " values ('2024-10-01', 1, 1, 'smtp', 'delivered', 'x', now()) returning 1",
    )
    assert monitoring.loads_due(date(2024, 11, 12), config=cfg) | {"today": None} == {
        "month": "2024-10",
        "today": None,
        "due": False,
        "reason": "the report of 2024-10 was delivered",
    }
    assert monitoring.loads_due(date(2024, 12, 10), config=cfg)["due"]  # November's window
    # it only says whether: nothing was loaded
    assert query(db, "select count(*) from ispeed.meta_load") == [(0,)]


def test_reminders_go_to_each_late_sender_in_vietnamese_once_a_day(october, smtp):
    expected, cfg, db = october
    missing, [rejected] = (
        expected["agency_returns"]["expected"]["missing"],
        expected["agency_returns"]["expected"]["rejected"],
    )
    emails = contacts()

    before = monitoring.check_freshness(date(2024, 11, 9), config=cfg)
    assert "before the reminder day" in before["skipped"] and smtp.mails == []

    result = monitoring.check_freshness(date(2024, 11, 10), config=cfg, run_id="r-10")
    sent = {r["code"]: r for r in result["reminders"]}
    assert set(sent) == {*missing, rejected, "GMOBILE"}
    assert all(r["status"] == "sent" for r in sent.values())
    assert result["measurements"]["short"] and result["measurements"]["expected"] == 1000
    assert len(smtp.mails) == len(sent) + 1  # and the data engineers' digest

    for code in missing:
        [msg] = smtp.to(emails[code])
        text, html = bodies(msg)
        assert (
            msg["Subject"].startswith("[Đôn đốc] ")
            and "chưa gửi báo cáo" in msg["Subject"]
            and "10/2024" in msg["Subject"]
        )
        assert "chưa nhận được báo cáo tháng 10/2024" in text and "trước ngày 15/11/2024" in text
        # the reminder names the address to send the return to: the returns mailbox (mailbox.yaml)
        assert "Kính gửi: " in text and "baocao.ispeed@haiphong.example.org" in text
        assert msg["Reply-To"] == "baocao.ispeed@haiphong.example.org"
        assert [a.get_filename() for a in msg.iter_attachments()] == ["agency_return_template.xlsx"]
        assert "chưa nhận được báo cáo tháng 10/2024" in html
    # the template attached is October 2024's: its list holds that month's senders, the UBND quận/huyện
    [attached] = list(smtp.to(emails[missing[0]])[0].iter_attachments())
    lists = openpyxl.load_workbook(io.BytesIO(attached.get_content()))["Danh mục"]
    codes = [r[0].value for r in lists.iter_rows(min_row=2)]
    assert len(codes) == 39 and {"UBND-HB", "STTTT"} <= set(codes) and "UBND-10525" not in codes
    [msg] = smtp.to(emails[rejected])
    text, html = bodies(msg)
    assert "chưa hợp lệ" in msg["Subject"]
    assert "có lỗi" in text and "Ô E7" in text and "lớn hơn Tổng số CBCCVC" in text  # the wrong cell, quoted
    assert "sửa các ô nêu trên rồi gửi lại cả tệp" in text
    assert list(msg.iter_attachments()) == []
    [msg] = smtp.to("baocao.haiphong@gmobile.example.org")  # contact_email of operators.csv
    assert "Gmobile" in msg["Subject"] and "hạ tầng" in msg["Subject"]
    assert [a.get_filename() for a in msg.iter_attachments()] == ["operator_return_template.xlsx"]
    assert all("phong.bcvt.skhcn@haiphong.example.org" in m["Cc"] for _, _, m, _ in smtp.mails if m["Cc"])
    [digest] = smtp.to(ENGINEERS[0])
    text, _ = bodies(digest)
    assert "too few measurements" in digest["Subject"] and "TOO FEW" in text
    assert "agencies:  " in text and f"{rejected}" in text and "GMOBILE" in text

    # the same day again: nothing more
    again = monitoring.check_freshness(date(2024, 11, 10), config=cfg)
    assert {r["status"] for r in again["reminders"]} == {"already_today"}
    assert again["data_engineers"]["status"] == "already_today"
    assert len(smtp.mails) == len(sent) + 1
    # the next day: again
    monitoring.check_freshness(date(2024, 11, 11), config=cfg)
    assert len(smtp.mails) == 2 * (len(sent) + 1)
    rows = query(
        db,
        "select sent_on, kind, recipient_code, reason, status, email from ispeed.meta_reminder"
        " where month = '2024-10-01' order by sent_on, kind, recipient_code",
    )
    assert len(rows) == 2 * (len(sent) + 1) and {r[4] for r in rows} == {"sent"}
    assert (date(2024, 11, 10), "agency_return", rejected, "rejected", "sent", [emails[rejected]]) in rows
    assert (
        date(2024, 11, 10),
        "operator_return",
        "GMOBILE",
        "missing",
        "sent",
        ["baocao.haiphong@gmobile.example.org"],
    ) in rows

    # once the report is delivered, no more reminders
    query(
        db,
        "insert into ispeed.meta_delivery (month, sequence, attempt, mode, status, pdf_sha256, delivered_at)"
        " values ('2024-10-01', 1, 1, 'smtp', 'delivered', 'x', now()) returning 1",
    )
    assert "delivered" in monitoring.check_freshness(date(2024, 11, 12), config=cfg)["skipped"]
    assert len(smtp.mails) == 2 * (len(sent) + 1)


def test_a_failed_reminder_is_recorded_and_tried_again_the_same_day(october, monkeypatch, smtp):
    _, cfg, db = october
    down = free_port()
    use_smtp(monkeypatch, down)
    with pytest.raises(monitoring.ReminderError, match="could not be sent"):
        monitoring.check_freshness(date(2024, 11, 10), config=cfg)
    assert {s for (s,) in query(db, "select status from ispeed.meta_reminder")} == {"failed"}
    use_smtp(monkeypatch, smtp.port)
    result = monitoring.check_freshness(date(2024, 11, 10), config=cfg)
    assert {r["status"] for r in result["reminders"]} == {"sent"}
    assert {(s, a) for s, a in query(db, "select status, attempts from ispeed.meta_reminder")} == {("sent", 2)}


def test_without_a_connection_reminders_go_to_the_outbox_and_html_is_escaped(october, data_dir, monkeypatch):
    _, cfg, db = october
    monkeypatch.delenv("AIRFLOW_CONN_SMTP_DEFAULT", raising=False)
    # an agency whose name and rejection came from a file: markup must not reach the HTML
    query(
        db,
        "update ispeed.dim_agency set name_vi = '<b>Sở</b> <script>x()</script>', contact_email = null"
        " where agency_code = (select agency_code from ispeed.agency_return_status('2024-10-01')"
        " where state = 'missing' order by agency_code limit 1) returning 1",
    )
    result = monitoring.check_freshness(date(2024, 11, 10), config=cfg)
    statuses = [r["status"] for r in result["reminders"]]
    assert statuses.count("no_address") == 1 and statuses.count("written_to_outbox") == len(statuses) - 1
    files = sorted((data_dir / "outbox" / "reminders" / "2024-10").glob("*.eml"))
    assert len(files) == len(statuses)  # the senders with an address, and the digest
    digest = eml(next(f for f in files if "data_engineers" in f.name))
    text, html = bodies(digest)
    assert "No contact address for 1 sender(s)" in text
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert query(db, "select count(*) from ispeed.meta_reminder where status = 'no_address'") == [(1,)]


# ---------------------------------------------------------------- the report's deadline
def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 11, day, hour, minute, tzinfo=LOCAL_TZ)


def test_the_deadline_alert_comes_after_the_hour_once_a_day_until_delivered(smtp, db):
    assert monitoring.check_report_deadline(local(15, 16, 59))["status"] == "before_deadline"
    assert monitoring.check_report_deadline(local(14, 20))["status"] == "before_deadline"
    assert smtp.mails == []
    first = monitoring.check_report_deadline(local(15, 17), run_id="scheduled__2024-11-15T10:00:00+00:00")
    assert (first["status"], first["month"], first["deadline"]) == ("alerted", "2024-10", "2024-11-15T17:00+07:00")
    [(_, rcpt, msg, _raw)] = smtp.mails
    assert sorted(rcpt) == sorted(ENGINEERS)
    assert "The report for 10/2024 is not delivered" in msg["Subject"]
    text, _ = bodies(msg)
    assert "due 15/11/2024 17:00" in text and "none: the monthly DAG has not reached deliver_report" in text
    assert monitoring.check_report_deadline(local(15, 17, 30))["status"] == "already_alerted_today"
    assert monitoring.check_report_deadline(local(16, 8))["status"] == "alerted"
    assert len(smtp.mails) == 2
    assert query(db, "select kind, dedup_key, status from ispeed.meta_alert order by alert_id") == [
        ("report_deadline", "2024-10:2024-11-15", "sent"),
        ("report_deadline", "2024-10:2024-11-16", "sent"),
    ]
    # an outbox mail is not a delivery; a delivered one is
    query(
        db,
        "insert into ispeed.meta_delivery (month, sequence, attempt, mode, status, pdf_sha256, outbox_path)"
        " values ('2024-10-01', 1, 1, 'outbox', 'written_to_outbox', 'x', '/tmp/x.eml') returning 1",
    )
    assert monitoring.check_report_deadline(local(17, 8))["status"] == "alerted"
    assert "written_to_outbox" in bodies(smtp.mails[-1][2])[0]
    query(
        db,
        "insert into ispeed.meta_delivery (month, sequence, attempt, mode, status, pdf_sha256, delivered_at)"
        " values ('2024-10-01', 1, 1, 'smtp', 'delivered', 'x', now()) returning 1",
    )
    assert monitoring.check_report_deadline(local(17, 17))["status"] == "delivered"
    assert monitoring.check_report_deadline(local(18, 8))["status"] == "delivered"
    assert len(smtp.mails) == 3


# ---------------------------------------------------------------- the run summary
def test_the_run_summary_shows_files_rows_quarantines_verdicts_and_delivery(october):
    _, _, db = october
    run = "monitoring-test"  # the run that loaded October in the template
    tasks.compute_compliance(OCT, run_id=run)
    rendered = tasks.render_report(OCT, run_id=run)
    tasks.deliver_report(OCT, rendered, run_id=run, send=False)
    result = summary.summarize_run(
        OCT,
        run,
        task_states={"load_measurements": "success", "deliver_report": "success"},
        dag_id="ispeed_monthly_report",
    )
    [(text, stored)] = query(db, "select text, summary from ispeed.meta_run_summary where run_id = %s", (run,))
    print(text)
    assert text.count("\n") < 30  # one screen
    s = stored["datasets"]["measurements"]
    assert s["rows_read"] == 400 == s["rows_loaded"] + s["rows_quarantined"] + s["rows_duplicate"]
    assert f"{s['rows_read']:,}".replace(",", " ") in text and "measurements" in text
    assert "quarantined by rule: measurements." in text
    assert "returns, agencies: " in text and "1 rejected, 3 missing" in text and "GMOBILE" in text
    for op in ("VIETTEL", "VINAPHONE", "MOBIFONE", "VIETNAMOBILE", "GMOBILE"):
        assert op in text
    assert "verdicts (4G, mean download vs 40 Mbps)" in text
    assert "report: bao-cao-ispeed-2024-10.pdf" in text
    assert "delivery: skipped (this run); month NOT delivered yet" in text
    assert result["verdicts"] == {v["operator_code"]: v["verdict"] for v in stored["verdicts"]}
    # a run that loaded nothing (a re-run): its own loads are empty, the month is still described
    _, rerun = summary.run_summary(OCT, "manual__nothing")
    assert "no load by this run" in rerun and "computed by an earlier run" in rerun


# ---------------------------------------------------------------- through Airflow
@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def test_a_failing_task_of_the_monthly_dag_leaves_an_alert_and_a_summary(dagbag, db, data_dir, monkeypatch):
    from ispeed.measurements import load as measurements

    monkeypatch.delenv("AIRFLOW_CONN_SMTP_DEFAULT", raising=False)
    folder = measurements.landing_folder(date(2024, 6, 1))
    folder.mkdir(parents=True)
    (folder / "page.csv").write_text("<html><body>Service unavailable</body></html>")
    run = dagbag.dags["ispeed_monthly_report"].test(
        logical_date=datetime(2025, 1, 15, 0, 0, tzinfo=UTC), run_conf={"reporting_month": "2024-06"}
    )
    assert run.state == "failed"  # summarize_run succeeded, but does not make the run look successful
    [path] = (data_dir / "outbox" / "alerts" / "2024-06").glob("*.eml")
    msg = eml(path)
    assert msg["Subject"].startswith("[i-Speed ALERT] ispeed_monthly_report.load_measurements failed (2024-06)")
    text, _ = bodies(msg)
    assert "page.csv" in text and "HTML" in text and "AirflowFailException" in text
    assert "/dags/ispeed_monthly_report/runs/" in text and "/tasks/load_measurements" in text
    [(task, status, month)] = query(db, "select task_id, status, month from ispeed.meta_alert")
    assert (task, status, month) == ("load_measurements", "written_to_outbox", date(2024, 6, 1))
    [(run_id, text, stored)] = query(db, "select run_id, text, summary from ispeed.meta_run_summary")
    assert run_id == run.run_id
    assert stored["task_states"]["load_measurements"] == "failed"
    assert "1 failed" in text and "load_measurements" in text and "rejected page.csv" in text
