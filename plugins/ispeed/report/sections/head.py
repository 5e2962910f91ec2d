"""The head of the document (issuing body, national name and motto, number, place and date, title,
subject, recipient, basis) and its end (closing line, "Nơi nhận:", signature block), as Nghị định
30/2020/NĐ-CP, Phụ lục I lays them out.

The rendered PDF is a draft that is signed digitally afterwards (ispeed.signing, PAdES): the
signature block leaves a blank space between the signer's title and name (SIGNATURE_W x
SIGNATURE_H) and records where it fell on the page (SignatureSpace), for the signer to draw its
stamp there. Nothing claims a signature in the draft: report.yaml's signatory.signed_mark is the
stamp's text, never printed here."""

from __future__ import annotations

from datetime import date

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, HRFlowable, KeepTogether, Spacer, Table, TableStyle

from ispeed.report import fmt
from ispeed.report.sections.builder import Builder
from ispeed.report.settings import ReportConfig
from ispeed.report.styles import CONTENT_W, esc, para

#: The blank space for the digital signature's stamp, between the signer's title and name.
SIGNATURE_W, SIGNATURE_H = 60 * mm, 22 * mm


class SignatureSpace(Flowable):
    """A blank SIGNATURE_W x SIGNATURE_H space that records, when drawn, its page (from 1) and its
    corners in PDF points from the page's bottom left: ``record["box"] = (page, x1, y1, x2, y2)``.
    reportlab draws a flowable once, where it lands, so the record is the final position."""

    def __init__(self, record: dict, width: float = SIGNATURE_W, height: float = SIGNATURE_H):
        super().__init__()
        self.width, self.height = width, height
        self.record = record

    def wrap(self, avail_width, avail_height):
        return self.width, self.height

    def draw(self):
        x1, y1 = self.canv.absolutePosition(0, 0)
        x2, y2 = self.canv.absolutePosition(self.width, self.height)
        self.record["box"] = (self.canv.getPageNumber(), *(round(v, 2) for v in (x1, y1, x2, y2)))


def subject_line(cfg: ReportConfig, month: date) -> str:
    return cfg.document.subject.format(month=fmt.month_vi(month))


def document_number_line(cfg: ReportConfig, number: str | None) -> str:
    """'Số: 125/BC-STTTT', or with the number left blank for the clerk: 'Số:      /BC-STTTT'."""
    filled = cfg.document.number_pattern.format(number=number if number else "\u00a0" * 8)
    return f"Số: {filled}"


def document_head(b: Builder) -> list:
    s, cfg = b.s, b.cfg
    # The head may reach 5 mm into each side margin, as the decree's own model does.
    head_w = CONTENT_W + 10 * mm
    left_w, right_w = head_w * 0.45, head_w * 0.55
    org_name_w = max(stringWidth(line, b.font.bold, s.org_name.fontSize) for line in cfg.issuer.name.split("\n"))
    motto_w = stringWidth(cfg.nation_motto, b.font.bold, s.motto.fontSize)
    left = [
        para(esc(cfg.issuer.parent), s.org_parent),
        para(esc(cfg.issuer.name), s.org_name),
        HRFlowable(
            width=org_name_w * 0.4, thickness=0.7, color=colors.black, spaceBefore=3, spaceAfter=0, hAlign="CENTER"
        ),
    ]
    right = [
        para(esc(cfg.nation_name), s.nation),
        para(esc(cfg.nation_motto), s.motto),
        HRFlowable(width=motto_w, thickness=0.7, color=colors.black, spaceBefore=2, spaceAfter=0, hAlign="CENTER"),
    ]
    number = para(esc(document_number_line(cfg, b.d.document_number)), s.number)
    when = para(esc(fmt.date_line(cfg.document.place, b.d.report_date)), s.date_line)
    head = Table([[left, right], [number, when]], colWidths=[left_w, right_w], hAlign="CENTER")
    head.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), b.font.regular),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 1), (-1, 1), 6),
            ]
        )
    )
    subject = subject_line(cfg, b.d.month)
    return [
        head,
        para(esc(cfg.document.type), s.title),
        para(esc(subject), s.subject),
        HRFlowable(
            width=CONTENT_W * 0.22, thickness=0.7, color=colors.black, spaceBefore=5, spaceAfter=2, hAlign="CENTER"
        ),
        para(f"Kính gửi: {esc(cfg.document.recipient)}", s.recipient),
        para(esc(cfg.document.basis.format(month=fmt.month_vi(b.d.month))), s.body),
    ]


def closing(b: Builder) -> list:
    s, cfg = b.s, b.cfg
    out: list = []
    closing_line = [para(esc(cfg.document.closing), s.body)] if cfg.document.closing else []
    dist = [para("Nơi nhận:", s.dist_head)] + [
        para(esc(line if line.lstrip().startswith("-") else f"- {line}"), s.dist) for line in cfg.document.distribution
    ]
    sig = cfg.signatory
    sign: list = []
    if sig.authority:
        sign.append(para(esc(sig.authority), s.sign))
    sign.append(para(esc(sig.title), s.sign))
    sign += [Spacer(1, 2 * mm), SignatureSpace(b.signature), Spacer(1, 2 * mm)]
    sign.append(para(esc(sig.name), s.sign))
    block = Table([[dist, sign]], colWidths=[CONTENT_W * 0.55, CONTENT_W * 0.45])
    block.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), b.font.regular),
                ("ALIGN", (1, 0), (1, 0), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    end = KeepTogether(closing_line + [block])  # the signature never stands alone on a page
    end._is_closing = True  # document.py keeps the last paragraph of the body with it
    out.append(end)
    return out
