"""The report's page and type: A4 with the margins of Nghị định 30/2020, the colours and marks of
the tables, the paragraph styles, ruled tables, and the escaping of text for reportlab's markup."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Table, TableStyle

from ispeed.report.fonts import FontFamily

PAGE_W, PAGE_H = A4
# Nghị định 30/2020: top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 30 * mm, 15 * mm, 20 * mm, 22 * mm
CONTENT_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT

BELOW_BG = colors.HexColor("#F8D7DA")  # cell below the threshold
BELOW_HEX = "#9B1C1C"
INSUFFICIENT_BG = colors.HexColor("#E6E6E6")  # cell without enough data
HEADER_BG = colors.HexColor("#EDEFF3")
GROUP_BG = colors.HexColor("#F7F7F7")
BELOW_MARK = "▼"
INSUFFICIENT_MARK = "○"
STRADDLE_MARK = "†"


def esc(text: Any) -> str:
    """Text from data or configuration, safe inside Paragraph markup; newlines become line breaks."""
    if text is None:
        return ""
    return escape(str(text)).replace("\r\n", "\n").replace("\n", "<br/>")


class Styles:
    """The paragraph styles of the report, in the report's fonts."""

    def __init__(self, font: FontFamily):
        self.font = font
        base = {"fontName": font.regular, "textColor": colors.black}
        # Nghị định 30/2020: the text 13-14 pt, lines at least single spaced (Times New Roman's single
        # spacing is 1.15 times the size), paragraphs at least 6 pt apart.
        self.body = ParagraphStyle(
            "body", fontSize=13, leading=15, alignment=TA_JUSTIFY, firstLineIndent=10 * mm, spaceAfter=6, **base
        )
        self.body_left = ParagraphStyle("body_left", parent=self.body, firstLineIndent=0, alignment=TA_LEFT)
        self.h1 = ParagraphStyle(
            "h1",
            parent=self.body,
            fontName=font.bold,
            firstLineIndent=0,
            spaceBefore=8,
            spaceAfter=4,
            alignment=TA_LEFT,
            keepWithNext=1,
        )
        self.h2 = ParagraphStyle("h2", parent=self.h1, fontSize=13, spaceBefore=6, firstLineIndent=10 * mm)
        self.h3 = ParagraphStyle("h3", parent=self.h2, fontName=font.bold_italic)
        self.caption = ParagraphStyle(
            "caption",
            parent=self.body,
            fontName=font.bold_italic,
            fontSize=11,
            leading=13.5,
            alignment=TA_CENTER,
            firstLineIndent=0,
            spaceBefore=6,
            spaceAfter=3,
        )
        self.note = ParagraphStyle(
            "note",
            parent=self.body,
            fontName=font.italic,
            fontSize=10,
            leading=12,
            firstLineIndent=0,
            alignment=TA_LEFT,
            spaceAfter=2,
        )
        self.cell = ParagraphStyle("cell", fontSize=9, leading=10.8, alignment=TA_LEFT, **base)
        self.cell_num = ParagraphStyle("cell_num", parent=self.cell, alignment=TA_RIGHT)
        self.cell_c = ParagraphStyle("cell_c", parent=self.cell, alignment=TA_CENTER)
        self.cell_head = ParagraphStyle("cell_head", parent=self.cell, fontName=font.bold, alignment=TA_CENTER)
        self.cell_small = ParagraphStyle("cell_small", parent=self.cell, fontSize=8, leading=9.6)
        self.cell_small_num = ParagraphStyle("cell_small_num", parent=self.cell_small, alignment=TA_RIGHT)
        self.cell_small_c = ParagraphStyle("cell_small_c", parent=self.cell_small, alignment=TA_CENTER)
        self.cell_small_head = ParagraphStyle(
            "cell_small_head", parent=self.cell_small, fontName=font.bold, alignment=TA_CENTER
        )
        # the document's head and end in the sizes of Nghị định 30/2020, Phụ lục I (Liberation Serif has
        # Times New Roman's metrics): cơ quan chủ quản and ban hành 12 pt, quốc hiệu 12 pt bold, tiêu ngữ
        # 13 pt bold, số 13 pt, địa danh and ngày 13 pt italic, tên loại 14 pt bold, trích yếu 13 pt bold,
        # kính gửi 13 pt, chức vụ and tên người ký 13 pt bold, "Nơi nhận:" 12 pt bold italic, its lines 11 pt.
        self.org_parent = ParagraphStyle("org_parent", fontSize=12, leading=15, alignment=TA_CENTER, **base)
        self.org_name = ParagraphStyle("org_name", parent=self.org_parent, fontName=font.bold)
        self.nation = ParagraphStyle("nation", parent=self.org_parent, fontName=font.bold)
        self.motto = ParagraphStyle("motto", parent=self.org_parent, fontName=font.bold, fontSize=13, leading=16)
        self.number = ParagraphStyle("number", parent=self.org_parent, fontSize=13, leading=16)
        self.date_line = ParagraphStyle(
            "date_line", parent=self.org_parent, fontName=font.italic, fontSize=13, leading=16
        )
        self.title = ParagraphStyle(
            "title", parent=self.org_parent, fontName=font.bold, fontSize=14, leading=18, spaceBefore=14
        )
        self.subject = ParagraphStyle("subject", parent=self.org_parent, fontName=font.bold, fontSize=13, leading=17)
        self.recipient = ParagraphStyle(
            "recipient", parent=self.org_parent, fontSize=13, leading=17, spaceBefore=6, spaceAfter=6
        )
        self.dist_head = ParagraphStyle(
            "dist_head", fontName=font.bold_italic, fontSize=12, leading=14, textColor=colors.black
        )
        self.dist = ParagraphStyle("dist", fontName=font.regular, fontSize=11, leading=13, textColor=colors.black)
        self.sign = ParagraphStyle("sign", parent=self.org_parent, fontName=font.bold, fontSize=13, leading=16)


def para(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(text, style)


def grid_style(font: FontFamily, header_rows: int = 1) -> list:
    return [
        ("FONTNAME", (0, 0), (-1, -1), font.regular),  # for plain-string cells; reportlab's default is Helvetica
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#808080")),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), HEADER_BG),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
    ]


def ruled_table(font: FontFamily, rows: list[list], widths_mm: list[float], style: list, header_rows: int = 1) -> Table:
    """A ruled table across the text width (widths are relative), header rows repeated on every page."""
    scale = CONTENT_W / (sum(widths_mm) * mm)
    t = Table(
        rows, colWidths=[w * mm * scale for w in widths_mm], repeatRows=header_rows, hAlign="CENTER", spaceAfter=4
    )
    t.setStyle(TableStyle(grid_style(font, header_rows) + style))
    return t
