"""The Must show of issue 25, against a real IMAP server (pymap) and a real SMTP server (aiosmtpd):
a month of returns by mail in every form, pulled twice; an unregistered address held; a crash
between storing and moving; a duplicate message; a corrected file re-sent; two pulls at once."""

from __future__ import annotations

import threading
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import pytest

from ispeed.devtools.mail_returns import message
from ispeed.mailbox import pull_returns
from ispeed.mailbox.imap import Mailbox
from ispeed.returns import return_status

from conftest import free_port, query

MONTH = date(2024, 10, 1)


@pytest.fixture(scope="module")
def imap_server():
    from ispeed.devtools.imap_server import ImapServer

    with ImapServer(free_port(), "hopthu", "mat-khau-thu") as server:
        yield server


@pytest.fixture
def mailbox(imap_server, monkeypatch):
    """The module's server, every folder emptied, and the connection set."""
    c = imap_server.client()
    try:
        _, folders = c.list()
        for line in folders or []:
            name = line.decode().rsplit(' "/" ', 1)[-1].strip('"')
            if c.select(f'"{name}"')[0] == "OK":
                c.uid("STORE", "1:*", "+FLAGS", "(\\Deleted)")
                c.expunge()
                c.close()
    finally:
        c.logout()
    monkeypatch.setenv("AIRFLOW_CONN_ISPEED_RETURNS_MAILBOX", imap_server.connection_json())
    return imap_server


@pytest.fixture(scope="module")
def month_files(tmp_path_factory) -> Path:
    """A month of sample returns (generate_returns), written once per module."""
    from ispeed.devtools.generate_returns import generate_month_returns

    root = tmp_path_factory.mktemp("returns")
    generate_month_returns(MONTH, root, seed=7)
    return root


@pytest.fixture
def sample_mails(month_files, data_dir):
    from ispeed.devtools.mail_returns import sample_mails

    return sample_mails(month_files, MONTH)


PROCESSED, REVIEW, PROBLEM = "iSpeed-Processed", "iSpeed-Review", "iSpeed-Problem"


def _replies(smtp) -> list:
    return [m for _, _, m, _ in smtp.mails if m["X-ISpeed-Reply"]]


def test_a_month_by_mail_pulled_twice_files_every_return_once_and_answers_each_message_once(
    mailbox, sample_mails, db, smtp, capsys
):
    from ispeed.__main__ import main

    for _, raw in sample_mails:
        mailbox.deliver(raw)
    no_return = EmailMessage()
    no_return["From"], no_return["Subject"] = "snv.ispeed@example.org", "Hỏi về biểu mẫu"
    no_return["Message-ID"], no_return["Date"] = "<hoi@example.org>", "Mon, 04 Nov 2024 09:00:00 +0700"
    no_return.set_content("Xin gửi lại biểu mẫu tháng 10.")
    mailbox.deliver(no_return.as_bytes())

    assert main(["pull-returns"]) == 0
    printed = capsys.readouterr().out
    assert main(["pull-returns"]) == 0  # the second pull finds nothing new

    n = len(sample_mails) + 1
    assert mailbox.messages("INBOX") == [] and len(mailbox.messages(PROCESSED)) == n
    # every return filed once, from its message, in the landing folder its content says
    files = query(db, "select file_name, status, mail_message_id, mail_from from ispeed.meta_file order by file_id")
    assert len(files) == len(sample_mails) and all(f[2] and f[3] for f in files)
    names = [f[0] for f in files]
    assert any(n.startswith("Báo cáo i-Speed tháng - ") for n in names)  # RFC 2047 and RFC 2231 names decoded
    assert sum(n.endswith(".csv") for n in names) == 3  # SNV, UBND-CH, Vietnamobile
    zipped = query(db, "select count(*) from ispeed.meta_mail_file where file_name like '%%_2024-10%%.xlsx'")
    assert zipped[0][0] >= len(sample_mails) // 5  # the members of the .zip attachments, by their own names
    by_state = {}
    for s in return_status(MONTH):
        by_state.setdefault(s["state"], set()).add(s["code"])
    assert by_state["rejected"] == {"SXD"}
    assert by_state["missing"] == {"UBND-BLV", "UBND-HA", "UBND-KA", "GMOBILE"}
    # one reply per message, threaded, in Vietnamese
    replies = _replies(smtp)
    assert len(replies) == n
    originals = {f"<{m['In-Reply-To'].strip('<>')}>" for m in replies}
    assert len(originals) == n and all(m["References"].endswith(m["In-Reply-To"]) for m in replies)
    sxd = next(m for m in replies if "sxd" in m["In-Reply-To"])
    text = sxd.get_body(("plain",)).get_content()
    assert "CHƯA TIẾP NHẬN" in text and "Ô E" in text  # the cell and what is wrong
    assert [a.get_filename() for a in sxd.iter_attachments()] == ["agency_return_template.xlsx"]
    syt = next(m for m in replies if "<syt." in m["In-Reply-To"])
    text = syt.get_body(("plain",)).get_content()
    assert "ĐÃ TIẾP NHẬN" in text and "tổng số CBCCVC" in text  # the figures read back
    hoi = next(m for m in replies if m["In-Reply-To"] == "<hoi@example.org>")
    assert "không có tệp báo cáo" in hoi.get_body(("plain",)).get_content()
    assert "Không có tệp báo cáo" in hoi["Subject"] and list(hoi.iter_attachments())
    assert f"{n} message(s)" in printed
    # status: per sender, the message, when, from which address, and our reply
    capsys.readouterr()
    assert main(["status", "--month", "2024-10", "--json"]) == 0
    import json

    mail = {m["code"]: m for m in json.loads(capsys.readouterr().out)["mail"]}
    assert mail["SXD"]["from"] == "sxd.ispeed@example.org" and mail["SXD"]["reply"] == "sent"
    assert mail["SYT"]["message_id"].startswith("<syt.") and mail["SYT"]["sent_at"].startswith("2024-11")
    assert main(["status", "--month", "2024-10"]) == 0
    assert "returns by mail (sender: message, when, from, our reply):" in capsys.readouterr().out


def test_an_unregistered_address_is_held_not_loaded_then_released(mailbox, month_files, db, smtp, capsys):
    from ispeed.__main__ import main

    syt = next(month_files.glob("agency_returns/2024-10/SYT_*.xlsx"))
    raw = message("SYT", "nguoi.la@gmail.example.com", "baocao@example.org", [syt], "attachment", _when(), 1)
    mailbox.deliver(raw)

    result = pull_returns()
    assert [m["status"] for m in result["messages"]] == ["held"]
    assert len(mailbox.messages(REVIEW)) == 1 and mailbox.messages("INBOX") == []
    assert query(db, "select count(*) from ispeed.meta_file") == [(0,)]  # not loaded
    [reply] = _replies(smtp)
    text = reply.get_body(("plain",)).get_content()
    assert "chưa được đăng ký" in text and "CBCCVC" not in text and not list(reply.iter_attachments())

    capsys.readouterr()
    assert main(["status", "--month", "2024-10"]) == 0
    assert "HELD for review" in capsys.readouterr().out

    assert main(["pull-returns", "--release", result["messages"][0]["message_id"]]) == 0
    assert query(db, "select status, mail_from from ispeed.meta_file") == [("loaded", "nguoi.la@gmail.example.com")]
    assert len(mailbox.messages(PROCESSED)) == 1 and mailbox.messages(REVIEW) == []
    assert len(_replies(smtp)) == 2  # the release's outcome, to the address the engineer vouched for


def test_a_crash_between_storing_and_moving_loses_nothing_and_doubles_nothing(
    mailbox, month_files, db, smtp, monkeypatch
):
    stp = next(month_files.glob("agency_returns/2024-10/STP_*.xlsx"))
    mailbox.deliver(message("STP", "stp.ispeed@example.org", "baocao@example.org", [stp], "zip", _when(), 2))
    real_move = Mailbox.move

    def crash(self, uid, folder):
        raise ConnectionResetError("the server went away")

    monkeypatch.setattr(Mailbox, "move", crash)
    try:
        pull_returns()
        raise AssertionError("the pull should have failed")
    except ConnectionResetError:
        pass
    assert len(mailbox.messages("INBOX")) == 1  # still there
    assert query(db, "select count(*), bool_and(moved_at is null) from ispeed.meta_mail_message") == [(1, True)]

    monkeypatch.setattr(Mailbox, "move", real_move)
    result = pull_returns()
    assert [m["status"] for m in result["messages"]] == ["already_taken"]
    assert mailbox.messages("INBOX") == [] and len(mailbox.messages(PROCESSED)) == 1
    assert query(db, "select file_name, status from ispeed.meta_file") == [("STP_2024-10.xlsx", "loaded")]
    assert len(_replies(smtp)) == 1


def test_a_message_copied_back_and_a_corrected_file_resent(mailbox, month_files, db, smtp, tmp_path):
    sxd = next(month_files.glob("agency_returns/2024-10/SXD_*.xlsx"))
    wrong = message("SXD", "sxd.ispeed@example.org", "baocao@example.org", [sxd], "attachment", _when(3), 3)
    mailbox.deliver(wrong)
    pull_returns()
    mailbox.deliver(wrong)  # someone copies it back into the inbox
    assert [m["status"] for m in pull_returns()["messages"]] == ["already_taken"]
    assert len(_replies(smtp)) == 1 and query(db, "select count(*) from ispeed.meta_file") == [(1,)]

    import openpyxl

    fixed = tmp_path / "SXD_2024-10.xlsx"
    wb = openpyxl.load_workbook(sxd)
    ws = wb["Báo cáo"]
    ws["E7"] = ws["D7"].value  # installs no more than the staff total
    wb.save(fixed)
    mailbox.deliver(message("SXD", "SXD.Ispeed@Example.org", "baocao@example.org", [fixed], "attachment", _when(6), 4))
    pull_returns()
    replies = _replies(smtp)
    assert len(replies) == 2 and "ĐÃ TIẾP NHẬN" in replies[1].get_body(("plain",)).get_content()
    assert {s["code"]: s["state"] for s in return_status(MONTH)}["SXD"] == "submitted"


def test_two_pulls_at_once_file_each_message_once(mailbox, month_files, db, smtp):
    for n, name in enumerate(("SCT", "SNV", "Viettel")):
        path = next(month_files.glob(f"*/2024-10/{name}_*"))
        code = name.upper()
        sender = "baocao.haiphong@viettel.example.org" if code == "VIETTEL" else f"{code.lower()}.ispeed@example.org"
        mailbox.deliver(message(code, sender, "baocao@example.org", [path], "attachment", _when(n), 10 + n))
    results, errors = [], []

    def pull():
        try:
            results.append(pull_returns())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=pull) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert sorted(len(r["messages"]) for r in results) == [0, 3]
    assert query(db, "select count(*), count(distinct sha256) from ispeed.meta_file") == [(3, 3)]
    assert len(_replies(smtp)) == 3


def test_a_message_that_cannot_be_read_goes_to_the_problem_folder_with_an_alert(mailbox, db, smtp):
    mailbox.deliver(b"Subject: no sender at all\r\nMessage-ID: <hong@x>\r\n\r\nnothing\r\n")
    result = pull_returns()
    assert [m["status"] for m in result["messages"]] == ["problem"]
    assert len(mailbox.messages(PROBLEM)) == 1
    assert query(db, "select kind, status from ispeed.meta_alert") == [("mailbox_problem", "sent")]


def _when(hours: int = 0):
    from datetime import datetime, timedelta

    from ispeed.months import LOCAL_TZ

    return datetime(2024, 11, 4, 8, tzinfo=LOCAL_TZ) + timedelta(hours=hours)
