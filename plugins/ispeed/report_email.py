"""The report's email: what it says and what it carries (docs/report.md, "Delivery").

Subject, plain text and HTML are the templates include/templates/report/email.{subject.txt,txt,html}
filled with the figures the rendered report carries (RenderedReport.summary); the message is
multipart/mixed: multipart/alternative (plain text, HTML), the PDF, the .xlsx annex, with the
headers that name the month and the PDF. ispeed.delivery decides when it is sent and records it;
ispeed.mail composes and sends it.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from ispeed import mail
from ispeed.months import month_label
from ispeed.report import RenderedReport
from ispeed.report.settings import ReportConfig


def _human_size(n: int) -> str:
    from ispeed.report import fmt

    return f"{fmt.number(n / 1024, 0)} KB" if n < 1024 * 1024 else f"{fmt.number(n / 1024 / 1024, 1)} MB"


def render_email(
    rendered: RenderedReport, cfg: ReportConfig, *, msg_id: str, sequence: int, attachments: tuple = ()
) -> mail.Mail:
    """Subject, plain text and HTML from include/templates/report/email.*. The HTML template is
    autoescaped: names and notes from the returns cannot inject markup."""
    from ispeed.report.charts import VERDICT_TEXT_COLOURS

    s = rendered.summary or {}
    files = [{"name": p.name, "size": _human_size(p.stat().st_size)} for p in (rendered.pdf_path, rendered.xlsx_path)]
    operators = [
        dict(op, colour=VERDICT_TEXT_COLOURS[op["verdict"]].hexval().replace("0x", "#"))
        for op in s.get("operators", [])
    ]
    context: dict[str, Any] = {
        "issuer": cfg.issuer.full_name,
        "issuer_short": cfg.issuer.short_name,
        "recipient": cfg.document.recipient,
        "month_vi": s.get("month_vi", f"{rendered.month.month:02d}/{rendered.month.year}"),
        "subject_line": s.get("subject_line", ""),
        "network": s.get("network", "4G"),
        "statistic_vi": s.get("statistic_vi", "trung bình"),
        "threshold": s.get("threshold", "40"),
        "operators": operators,
        "agencies": s.get("agencies", {"total": 0, "submitted": 0, "missing": [], "rejected": []}),
        "attachments": files,
        "pdf_sha256": rendered.pdf_sha256,
        "pages": rendered.pages,
        "message_id": msg_id,
        "sequence": sequence,
        "resend": sequence > 1,
    }
    return mail.render(mail.templates("report"), "email", context, attachments)


def build_message(
    rendered: RenderedReport, cfg: ReportConfig, *, msg_id: str, sequence: int, pdf_bytes: bytes, xlsx_bytes: bytes
) -> EmailMessage:
    """multipart/mixed: multipart/alternative (plain text, HTML), the PDF, the .xlsx annex."""
    files = (
        (rendered.pdf_path.name, pdf_bytes, "application", "pdf"),
        (rendered.xlsx_path.name, xlsx_bytes, *mail.XLSX_TYPE),
    )
    em = cfg.email
    return mail.compose(
        render_email(rendered, cfg, msg_id=msg_id, sequence=sequence, attachments=files),
        sender=em.sender,
        to=list(em.to),
        cc=list(em.cc),
        reply_to=em.reply_to,
        msg_id=msg_id,
        headers={
            "X-ISpeed-Report-Month": month_label(rendered.month),
            "X-ISpeed-Report-PDF-SHA256": rendered.pdf_sha256,
        },
    )
