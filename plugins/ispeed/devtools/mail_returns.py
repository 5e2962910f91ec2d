"""Sample returns sent as mail, for the demo and the tests: each sender's files of a month (as
generate_returns wrote them) in a message from the sender's registered address (agencies.csv,
operators.csv), dated by the file's time, in the forms offices really use: a plain attachment, a
.zip, a forwarded message (message/rfc822), a Vietnamese file name encoded by RFC 2231 or by RFC
2047.

    mails = sample_mails(landing_root, month)        # [(sender code, raw bytes)], oldest first
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from ispeed.months import LOCAL_TZ, month_label
from ispeed.returns.agencies import agencies_in

FORMS = ("attachment", "zip", "forwarded", "rfc2047", "rfc2231")
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def contacts(month: date) -> dict[str, str]:
    """Sender code -> its first registered address."""
    from ispeed.warehouse.reference import contact_addresses, read_reference

    out = {a.agency_code: contact_addresses(a.contact_email)[0] for a in agencies_in(month) if a.contact_email}
    for o in read_reference().operators:
        if o.get("contact_email"):
            out[o["operator_code"]] = contact_addresses(o["contact_email"])[0]
    return out


def _attach(msg: EmailMessage, name: str, data: bytes, form: str) -> None:
    maintype, subtype = XLSX if name.endswith(".xlsx") else ("text", "csv")
    if form == "zip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(name, data)
        msg.add_attachment(buf.getvalue(), maintype="application", subtype="zip", filename=f"{Path(name).stem}.zip")
        return
    if form in ("rfc2047", "rfc2231"):
        name = f"Báo cáo i-Speed tháng - {name}"
    if maintype == "text":
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    else:
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    if form == "rfc2047":  # as older mail programs write it: encoded words inside the quoted name
        part = list(msg.iter_attachments())[-1]
        encoded = Header(name, "utf-8").encode(maxlinelen=998).replace("\n", "")
        del part["Content-Disposition"]
        part["Content-Disposition"] = f'attachment; filename="{encoded}"'


def message(code: str, sender: str, to: str, files: list[Path], form: str, sent: datetime, n: int) -> bytes:
    """One sender's mail carrying ``files``, in ``form``."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = f"Báo cáo i-Speed - {code}"
    msg["Date"] = format_datetime(sent)
    msg["Message-ID"] = f"<{code.lower()}.{sent:%Y%m%d%H%M}.{n}@{sender.split('@')[1]}>"
    msg.set_content(f"Kính gửi Sở,\n{code} gửi báo cáo tháng.\n")
    if form == "forwarded":
        inner = EmailMessage(policy=policy.SMTP)
        inner["From"] = f"van.thu@{sender.split('@')[1]}"
        inner["To"] = sender
        inner["Subject"] = f"Báo cáo i-Speed {code}"
        inner["Date"] = format_datetime(sent)
        inner.set_content("Gửi anh/chị báo cáo để chuyển Sở.")
        for f in files:
            _attach(inner, f.name, f.read_bytes(), "attachment")
        msg.replace_header("Subject", f"Fwd: Báo cáo i-Speed {code}")
        msg.add_attachment(inner)
    else:
        for f in files:
            _attach(msg, f.name, f.read_bytes(), form)
    return msg.as_bytes()


def sample_mails(landing_root: Path, month: date, to: str = "baocao.ispeed@example.org") -> list[tuple[str, bytes]]:
    """Every return file of the month under ``landing_root`` as mail from its sender, oldest first,
    the forms in turn (FORMS)."""
    addresses = contacts(month)
    files = [
        p
        for kind in ("agency_returns", "operator_returns")
        for p in (landing_root / kind / month_label(month)).iterdir()
    ]
    files.sort(key=lambda p: (p.stat().st_mtime, p.name))
    mails = []
    for n, path in enumerate(files):
        code = next(
            (c for c in sorted(addresses, key=len, reverse=True) if path.name.upper().startswith(c.upper())), None
        )
        if code is None:  # "VNPT-VinaPhone_...": the operator's other spelling
            code = {"VNPT": "VINAPHONE"}.get(path.name.split("-")[0].upper(), path.name.split("_")[0].upper())
        sent = datetime.fromtimestamp(path.stat().st_mtime, LOCAL_TZ)
        sender = addresses.get(code, f"{code.lower()}@unknown.example.org")
        mails.append((code, message(code, sender, to, [path], FORMS[n % len(FORMS)], sent, n)))
    return mails


def demo(month: date, port: int) -> int:
    """The demo's mail path (make demo): a month of sample returns written aside, a local IMAP
    server started, each sender's returns delivered to it as mail, the mailbox pulled once as the
    DAG ispeed_returns_mailbox would (filed, loaded, answered: the replies in the outbox without
    smtp_default), then pulled again (nothing new), and the server stopped."""
    import logging
    import os
    import shutil

    from ispeed import paths, tasks
    from ispeed.devtools.generate_returns import generate_month_returns
    from ispeed.devtools.imap_server import ImapServer
    from ispeed.mailbox.settings import mailbox_config
    from ispeed.mailbox.status import format_pull

    logging.getLogger("ispeed").setLevel(logging.ERROR)  # one line per reply written to the outbox is noise here
    aside = paths.data_dir() / "demo" / "mail-returns"
    shutil.rmtree(aside, ignore_errors=True)
    generate_month_returns(month, aside, seed=7)
    with ImapServer(port, "baocao.ispeed", "demo-mat-khau") as server:
        os.environ["AIRFLOW_CONN_ISPEED_RETURNS_MAILBOX"] = server.connection_json()
        mails = sample_mails(aside, month, to=mailbox_config().address)
        for _, raw in mails:
            server.deliver(raw)
        print(f"   {len(mails)} mails from the senders' registered addresses delivered to 127.0.0.1:{port}")
        print("\n".join("   " + line for line in format_pull(tasks.pull_returns()).splitlines()[:1]))
        again = tasks.pull_returns()
        print(f"   pulled again: {len(again['messages'])} new message(s), {len(again['replies'])} reply(ies)")
        print(
            f"   folders: INBOX {len(server.messages())}, iSpeed-Processed {len(server.messages('iSpeed-Processed'))}"
        )
    return 0


if __name__ == "__main__":
    import argparse

    from ispeed.months import parse_month

    parser = argparse.ArgumentParser(prog="python -m ispeed.devtools.mail_returns")
    parser.add_argument("--month", required=True)
    parser.add_argument("--port", type=int, default=14300)
    args = parser.parse_args()
    raise SystemExit(demo(parse_month(args.month), args.port))
