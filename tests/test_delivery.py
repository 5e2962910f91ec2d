"""The monthly report by email, exactly once: a real SMTP server (aiosmtpd) on localhost, the
smtp provider's connection from AIRFLOW_CONN_SMTP_DEFAULT, the records in the warehouse; and the
command line's report and deliver (with its dry run) on a month loaded through the command line."""

from __future__ import annotations

import dataclasses
import json
import shutil
import socket
from datetime import date
from email import policy
from email.parser import BytesParser
from email.utils import getaddresses
from pathlib import Path

import pytest

from ispeed import delivery, paths
from ispeed.__main__ import main
from ispeed.delivery import DeliveryError, deliver_report
from ispeed.mail import smtp_connection
from ispeed.report import AgencyReturn, render_report, report_folder
from ispeed.report.data import MISSING

from conftest import free_port, query
from fixtures.report_data import sample_report_data
from fixtures.smtp import Inbox, use_smtp

MONTH = date(2024, 10, 1)
TO = ["cuc.vienthong@mic.example.org"]
CC = ["vanphong.ubnd@haiphong.example.org", "phong.bcvt.stttt@haiphong.example.org"]


@pytest.fixture
def rendered(warehouse_db):
    return render_report(sample_report_data(MONTH), report_folder(MONTH))


def deliveries(db) -> list[tuple]:
    return query(
        db,
        "select sequence, attempt, mode, status, message_id, pdf_sha256, forced, recipients, cc,"
        " delivered_at is not null from ispeed.meta_delivery order by delivery_id",
    )


def parts(msg):
    """plain text, HTML, {attachment name: bytes}"""
    text = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    files = {a.get_filename(): a.get_payload(decode=True) for a in msg.iter_attachments()}
    return text, html, files


def test_a_report_of_today_goes_from_and_to_the_institutions_of_its_date(smtp, warehouse_db):
    # November 2026, reported on 15 December 2026: the Sở and the Ministry of Science and Technology
    november = date(2026, 11, 1)
    result = deliver_report(november, render_report(sample_report_data(november), report_folder(november)))
    assert result["status"] == "delivered"
    [(mail_from, rcpt, msg, _)] = smtp.mails
    assert mail_from == "baocao.skhcn@haiphong.example.org" and "cuc.vienthong@most.example.org" in rcpt
    assert msg["Subject"].startswith("Sở KH&CN Hải Phòng: Báo cáo") and msg["Subject"].endswith("tháng 11/2026")
    assert "Bộ Khoa học và Công nghệ" in parts(msg)[0]


def test_connection_lookup_works_outside_a_task(monkeypatch):
    use_smtp(monkeypatch, 2525)
    conn = smtp_connection("smtp_default")
    assert (conn.host, conn.port, conn.extra_dejson["disable_ssl"]) == ("127.0.0.1", 2525, True)
    assert smtp_connection("no_such_connection_here") is None


def test_the_mail_reaches_the_server_with_both_bodies_and_the_files(smtp, rendered, db):
    result = deliver_report(MONTH, rendered, run_id="scheduled__2024-11-15")
    assert result["status"] == "delivered" and result["sent"] is True
    [(mail_from, rcpt, msg, raw)] = smtp.mails
    assert mail_from == "baocao.stttt@haiphong.example.org"
    assert sorted(rcpt) == sorted(TO + CC)
    assert [a for _, a in getaddresses([msg["To"]])] == TO and [a for _, a in getaddresses([msg["Cc"]])] == CC
    assert msg["From"].addresses[0].display_name == "Sở TT&TT Hải Phòng"
    assert msg["Subject"] == (
        "Sở TT&TT Hải Phòng: Báo cáo kết quả sử dụng i-Speed và chất lượng dịch vụ 4G tháng 10/2024"
    )
    assert msg["Message-ID"] == result["message_id"]
    assert msg["Message-ID"].startswith(f"<ispeed-report.2024-10.{rendered.pdf_sha256[:16]}.1@")
    assert msg.get_content_type() == "multipart/mixed"
    text, html, files = parts(msg)
    for body in (text, html):
        assert "Kính gửi: " in body and "Bộ Thông tin và Truyền thông" in body
        assert "tháng 10/2024" in body and "Vietnamobile" in body and "Không đạt" in body
        assert rendered.pdf_sha256 in body
    assert "<table" in html and "<table" not in text
    assert files == {
        rendered.pdf_path.name: rendered.pdf_path.read_bytes(),
        rendered.xlsx_path.name: rendered.xlsx_path.read_bytes(),
    }
    assert b"s3cret-pass" not in raw
    assert smtp.logins == [(b"stttt", b"s3cret-pass")]  # the connection's login reached the server
    [(seq, attempt, mode, status, mid, sha, forced, to, cc, has_time)] = deliveries(db)
    assert (seq, attempt, mode, status, mid, sha, forced, to, cc, has_time) == (
        1,
        1,
        "smtp",
        "delivered",
        result["message_id"],
        rendered.pdf_sha256,
        False,
        TO,
        CC,
        True,
    )
    [(pdf_path, pdf_sha, fingerprint)] = query(
        db, "select pdf_path, pdf_sha256, content_fingerprint from ispeed.meta_report"
    )
    assert (pdf_path, pdf_sha, fingerprint) == (str(rendered.pdf_path), rendered.pdf_sha256, rendered.fingerprint)


def self_signed(folder) -> tuple[str, str]:
    """A certificate for 127.0.0.1 signed by itself: (certificate file, key file)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(cert_file), str(key_file)


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_tls_and_the_login_as_the_connection_sets_them(monkeypatch, rendered, db, tmp_path, mode):
    """The provider's settings: STARTTLS (``disable_ssl``, as for port 587) or SSL from the first
    byte (``disable_tls``, as for 465); the login only inside TLS (the server refuses it before);
    ``ssl_context: none`` for a self-signed certificate, which the default refuses."""
    import ssl

    from aiosmtpd.controller import Controller

    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(*self_signed(tmp_path))
    inbox = Inbox(free_port())
    # aiosmtpd offers AUTH only after its STARTTLS; under SSL from the first byte it must be told the session is safe
    server = (
        {"tls_context": tls, "require_starttls": True}
        if mode == "starttls"
        else {"ssl_context": tls, "auth_require_tls": False}
    )
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port, authenticator=inbox.authenticate, **server)
    controller.start()
    extra = {"disable_ssl": True} if mode == "starttls" else {"disable_tls": True}

    def connection(**more) -> str:
        return json.dumps(
            {
                "conn_type": "smtp",
                "host": "127.0.0.1",
                "port": inbox.port,
                "login": "stttt",
                "password": "s3cret-pass",
                "extra": extra | {"timeout": 5, "retry_limit": 0} | more,
            }
        )

    try:
        monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", connection())  # the certificate is checked
        with pytest.raises(DeliveryError, match="CERTIFICATE_VERIFY_FAILED"):
            deliver_report(MONTH, rendered, run_id="r1")
        monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", connection(ssl_context="none"))
        assert deliver_report(MONTH, rendered, run_id="r1")["status"] == "delivered"
    finally:
        controller.stop()
    assert len(inbox.mails) == 1 and inbox.logins == [(b"stttt", b"s3cret-pass")]
    assert [r[3] for r in deliveries(db)] == ["failed", "delivered"]


def test_the_connection_in_uri_form_as_docker_compose_sets_it(monkeypatch, smtp, rendered):
    monkeypatch.setenv(
        "AIRFLOW_CONN_SMTP_DEFAULT",
        f"smtp://stttt:s3cret-pass@127.0.0.1:{smtp.port}?disable_ssl=true&disable_tls=true&timeout=5",
    )
    assert deliver_report(MONTH, rendered)["status"] == "delivered"
    assert len(smtp.mails) == 1 and smtp.logins == [(b"stttt", b"s3cret-pass")]


def test_a_month_is_sent_once_unless_forced(smtp, rendered, db):
    first = deliver_report(MONTH, rendered, run_id="r1")
    again = deliver_report(MONTH, rendered, run_id="r2")
    assert again["status"] == "already_delivered" and again["sent"] is False
    assert again["message_id"] == first["message_id"]
    assert len(smtp.mails) == 1
    forced = deliver_report(MONTH, rendered, run_id="r3", force=True)
    assert forced["status"] == "delivered" and forced["sequence"] == 2
    assert len(smtp.mails) == 2
    assert forced["message_id"] != first["message_id"] and forced["message_id"].endswith(
        f".{rendered.pdf_sha256[:16]}.2@haiphong.example.org>"
    )
    assert smtp.mails[1][2]["Subject"].startswith("[Gửi lại] ")
    assert "bản gửi lại (lần 2)" in parts(smtp.mails[1][2])[0]
    assert deliver_report(MONTH, rendered, run_id="r4")["status"] == "already_delivered"
    assert len(smtp.mails) == 2
    assert [(s, st, f) for s, _, _, st, _, _, f, *_ in deliveries(db)] == [
        (1, "delivered", False),
        (2, "delivered", True),
    ]


def test_smtp_down_raises_and_records_no_delivery_then_the_retry_sends(monkeypatch, rendered, db, smtp):
    use_smtp(monkeypatch, free_port())  # nobody listens there
    with pytest.raises(DeliveryError, match="did not accept") as info:
        deliver_report(MONTH, rendered, run_id="r1")
    assert "s3cret-pass" not in str(info.value)
    [(seq, attempt, mode, status, failed_id, *_rest, has_time)] = deliveries(db)
    assert (seq, attempt, mode, status, has_time) == (1, 1, "smtp", "failed", False)
    assert query(db, "select count(*) from ispeed.meta_delivery where status = 'delivered'") == [(0,)]
    [(error,)] = query(db, "select error from ispeed.meta_delivery")
    assert "Connection refused" in error or "ConnectionRefused" in error

    # Airflow retries the task; the server is back: the same sending, the same Message-ID
    use_smtp(monkeypatch, smtp.port)
    result = deliver_report(MONTH, rendered, run_id="r1")
    assert result["status"] == "delivered" and result["attempt"] == 2 and result["message_id"] == failed_id
    assert len(smtp.mails) == 1
    assert [r[3] for r in deliveries(db)] == ["failed", "delivered"]


def test_smtp_that_never_answers_times_out_and_records_no_delivery(monkeypatch, rendered, db):
    """A server that accepts the TCP connection and then says nothing (a hung relay): the
    connection's timeout ends the attempt; the record says failed, never delivered."""
    import threading
    import time

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    accepted = []
    threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True).start()
    monkeypatch.setenv(
        "AIRFLOW_CONN_SMTP_DEFAULT",
        json.dumps(
            {
                "conn_type": "smtp",
                "host": "127.0.0.1",
                "port": listener.getsockname()[1],
                "extra": {"disable_ssl": True, "disable_tls": True, "timeout": 2, "retry_limit": 0},
            }
        ),
    )
    start = time.monotonic()
    try:
        with pytest.raises(DeliveryError):
            deliver_report(MONTH, rendered, run_id="r-timeout")
    finally:
        for conn, _ in accepted:
            conn.close()
        listener.close()
    assert time.monotonic() - start < 30
    assert [r[3] for r in deliveries(db)] == ["failed"]


def test_a_crash_after_the_server_accepted_resends_under_the_same_message_id(monkeypatch, smtp, rendered, db):
    real_finish = delivery._finish

    def crash_when_recording_success(cur, delivery_id, status, **kw):
        if status == "delivered":
            raise SystemExit("worker killed between the server's 250 and the record")
        return real_finish(cur, delivery_id, status, **kw)

    monkeypatch.setattr(delivery, "_finish", crash_when_recording_success)
    with pytest.raises(SystemExit):
        deliver_report(MONTH, rendered, run_id="r1")
    assert len(smtp.mails) == 1
    assert [r[3] for r in deliveries(db)] == ["sending"]  # unknown: neither delivered nor failed

    monkeypatch.setattr(delivery, "_finish", real_finish)
    result = deliver_report(MONTH, rendered, run_id="r1")
    assert result["status"] == "delivered" and result["attempt"] == 2
    assert len(smtp.mails) == 2
    assert smtp.mails[0][2]["Message-ID"] == smtp.mails[1][2]["Message-ID"] == result["message_id"]
    assert [r[3] for r in deliveries(db)] == ["sending", "delivered"]
    assert deliver_report(MONTH, rendered)["status"] == "already_delivered"


def test_a_backfill_renders_but_does_not_send(smtp, rendered, db):
    result = deliver_report(MONTH, rendered, run_id="backfill__2024-11-15", send=False)
    assert result["status"] == "skipped" and result["sent"] is False
    assert smtp.mails == []
    assert [(r[2], r[3]) for r in deliveries(db)] == [("none", "skipped")]
    # a later run that sends is the first sending
    sent = deliver_report(MONTH, rendered, run_id="manual")
    assert sent["status"] == "delivered" and sent["sequence"] == 1 and sent["attempt"] == 1
    assert len(smtp.mails) == 1


def test_without_an_smtp_connection_the_mail_goes_to_the_outbox(monkeypatch, rendered, db, data_dir):
    monkeypatch.delenv("AIRFLOW_CONN_SMTP_DEFAULT", raising=False)
    result = deliver_report(MONTH, rendered, run_id="demo")
    assert result["status"] == "written_to_outbox" and result["sent"] is False
    path = data_dir / "outbox" / "2024-10" / f"ispeed-report.2024-10.{rendered.pdf_sha256[:16]}.1.eml"
    assert result["outbox_path"] == str(path) and path.is_file()
    msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert msg["Message-ID"] == result["message_id"]
    assert "tháng 10/2024" in msg["Subject"]
    text, html, files = parts(msg)
    assert "Kính gửi: Bộ Thông tin và Truyền thông" in text
    assert files[rendered.pdf_path.name] == rendered.pdf_path.read_bytes()
    assert files[rendered.xlsx_path.name] == rendered.xlsx_path.read_bytes()
    [(status, outbox)] = query(db, "select status, outbox_path from ispeed.meta_delivery")
    assert (status, outbox) == ("written_to_outbox", str(path))
    # the outbox is not a delivery: a run with a mail server still sends
    assert deliver_report(MONTH, rendered)["status"] == "written_to_outbox"
    assert len(list(path.parent.glob("*.eml"))) == 1  # replaced, not piled up


def test_production_can_forbid_the_outbox(monkeypatch, rendered, tmp_path):
    monkeypatch.delenv("AIRFLOW_CONN_SMTP_DEFAULT", raising=False)
    folder = tmp_path / "config"
    shutil.copytree(paths.CONFIG_DIR, folder)
    cfg = folder / "report.yaml"
    cfg.write_text(
        cfg.read_text(encoding="utf-8").replace("outbox_when_no_connection: true", "outbox_when_no_connection: false"),
        encoding="utf-8",
    )
    monkeypatch.setattr(paths, "CONFIG_DIR", folder)
    with pytest.raises(DeliveryError, match="no Airflow connection 'smtp_default'"):
        deliver_report(MONTH, rendered)


def test_names_from_the_returns_are_escaped_in_the_html_mail(smtp, warehouse_db):
    data = sample_report_data(MONTH)
    data = dataclasses.replace(
        data,
        agencies=data.agencies
        + [AgencyReturn("EVIL", '<script>alert("x")</script><img src=x onerror=alert(1)>', MISSING)],
    )
    rendered = render_report(data, report_folder(MONTH))
    deliver_report(MONTH, rendered)
    text, html, _ = parts(smtp.mails[0][2])
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert '<script>alert("x")</script>' in text  # plain text is not HTML: written as is


def test_a_pdf_changed_after_rendering_is_not_sent(smtp, rendered):
    rendered.pdf_path.write_bytes(rendered.pdf_path.read_bytes() + b"%tampered\n")
    with pytest.raises(DeliveryError, match="changed after it was rendered"):
        deliver_report(MONTH, rendered)
    assert smtp.mails == []


def test_rendered_report_travels_through_xcom(rendered):
    from ispeed.report import RenderedReport

    d = rendered.as_dict()
    assert json.loads(json.dumps(d)) == d
    assert RenderedReport.from_dict(d) == rendered


# ---------------------------------------------------------------- the command line
def printed(capsys) -> dict[str, str]:
    """What the last command printed, as {label: value} for its "Label: value" lines, and "" -> the text."""
    text = capsys.readouterr().out
    lines = {}
    for line in text.splitlines():
        label, sep, value = line.partition(":")
        if sep and label and " " not in label.strip():
            lines.setdefault(label.strip(), value.strip())
    return lines | {"": text}


def test_the_command_line_renders_previews_and_delivers_a_month_once(smtp, db, capsys):
    month = "2024-12"
    for argv in (
        ["generate", "--month", month, "--rows", "3000", "--seed", "5"],
        ["generate-returns", "--month", month],
        ["load", "--month", month],
        ["compliance", "--month", month],
    ):
        assert main(argv) == 0
    capsys.readouterr()

    assert main(["report", "--month", month]) == 0
    out = printed(capsys)
    pdf, xlsx = Path(out["PDF"]), Path(out["annex"])
    assert pdf.name == "bao-cao-ispeed-2024-12.pdf" and pdf.read_bytes().startswith(b"%PDF")
    assert xlsx.name == "bao-cao-ispeed-2024-12-phu-luc.xlsx" and xlsx.is_file()
    assert query(db, "select pdf_path from ispeed.meta_report where month = '2024-12-01'") == [(str(pdf),)]

    # the dry run: what would be mailed to whom; nothing sent, nothing recorded
    assert main(["deliver", "--month", month, "--dry-run"]) == 0
    plan = printed(capsys)
    assert plan["From"] == "Sở TT&TT Hải Phòng <baocao.stttt@haiphong.example.org>"
    assert plan["To"] == ", ".join(TO) and plan["Cc"] == ", ".join(CC)
    assert plan["Subject"].endswith("chất lượng dịch vụ 4G tháng 12/2024")
    assert f"{pdf.name} ({pdf.stat().st_size:,} bytes)" in plan["Attachments"]
    assert f"{xlsx.name} ({xlsx.stat().st_size:,} bytes)" in plan["Attachments"]
    assert f"127.0.0.1:{smtp.port}" in plan["Via"] and "Not delivered yet: this mail would go." in plan[""]
    assert smtp.mails == [] and query(db, "select count(*) from ispeed.meta_delivery") == [(0,)]

    # the delivery sends what the dry run showed
    assert main(["deliver", "--month", month]) == 0
    [(_, rcpt, msg, _)] = smtp.mails
    message_id = plan["Message-ID"].split()[0]
    assert msg["Message-ID"] == message_id == printed(capsys)["Message-ID"]
    assert msg["Subject"] == plan["Subject"] and sorted(rcpt) == sorted(TO + CC)
    assert parts(msg)[2] == {pdf.name: pdf.read_bytes(), xlsx.name: xlsx.read_bytes()}
    assert "tháng 12/2024" in parts(msg)[0] and "phép đo) - " in parts(msg)[0]  # the figures of the rendered month
    assert query(db, "select status, message_id from ispeed.meta_delivery") == [("delivered", message_id)]

    # once delivered: the dry run says so, a second deliver sends nothing, --resend sends again
    assert main(["deliver", "--month", month, "--dry-run"]) == 0
    again = printed(capsys)
    assert "nothing would be sent without --resend" in again[""] and message_id in again[""]
    assert main(["deliver", "--month", month]) == 0
    assert "not sent again" in printed(capsys)[""] and len(smtp.mails) == 1
    assert main(["deliver", "--month", month, "--dry-run", "--resend"]) == 0
    resend = printed(capsys)
    assert "this mail would go (--resend)" in resend[""] and resend["Subject"].startswith("[Gửi lại] ")
    assert main(["deliver", "--month", month, "--resend"]) == 0
    assert len(smtp.mails) == 2 and smtp.mails[1][2]["Message-ID"] == resend["Message-ID"].split()[0]
    assert [s for (s,) in query(db, "select status from ispeed.meta_delivery order by delivery_id")] == [
        "delivered",
        "delivered",
    ]


def test_deliver_without_a_rendered_report_says_how_to_render_it(db, capsys):
    assert main(["deliver", "--month", "2024-12", "--dry-run"]) == 1
    assert "python -m ispeed report --month 2024-12" in capsys.readouterr().err
