"""ReportData -> the PDF the Department signs, and its annex (.xlsx and .csv) beside it.

The layout is that of a Vietnamese administrative report (Nghị định 30/2020/NĐ-CP, Phụ lục I):
issuing body top left with a short rule under it, the national name and motto top right with a
rule, the number line and the place-and-date line (italic), the title BÁO CÁO with its subject,
"Kính gửi: ...", the numbered sections, and at the end "Nơi nhận:" bottom left and the signature
block bottom right. Every text that comes from data or configuration is escaped for reportlab's
Paragraph markup, so a note such as "<font size=200>" prints as written.

Deterministic: reportlab runs with ``invariant=1`` (no creation time, fixed document id), the date
printed is ReportData.report_date, and the annex is re-packed with fixed timestamps -- the same
data renders to the same bytes.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import yaml
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    CondPageBreak,
    HRFlowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from ispeed import __version__, paths
from ispeed.months import month_label
from ispeed.report import fmt
from ispeed.report.annex import annex_tables, write_csvs, write_xlsx
from ispeed.report.charts import VERDICT_COLOURS, compliance_chart, trend_chart
from ispeed.report.data import DOES_NOT_MEET, INSUFFICIENT_DATA, MEETS, MISSING, REJECTED, SUBMITTED, ReportData
from ispeed.report.fonts import FontFamily, register_fonts
from ispeed.report.settings import ReportConfig, report_config

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


@dataclass(frozen=True)
class RenderedReport:
    """What render_report wrote. ``as_dict``/``from_dict`` carry it through XCom."""

    month: date
    pdf_path: Path
    xlsx_path: Path
    csv_paths: tuple[Path, ...]
    pdf_sha256: str
    xlsx_sha256: str
    fingerprint: str  # ReportData.fingerprint(): the content, independent of the layout
    pages: int
    seconds: float = 0.0
    summary: dict = field(default_factory=dict)  # the email's figures (report_summary), JSON-able

    def as_dict(self) -> dict:
        d = asdict(self)
        d.update(
            month=month_label(self.month),
            pdf_path=str(self.pdf_path),
            xlsx_path=str(self.xlsx_path),
            csv_paths=[str(p) for p in self.csv_paths],
        )
        return d

    @classmethod
    def from_dict(cls, d: dict) -> RenderedReport:
        from ispeed.months import parse_month

        return cls(
            month=parse_month(d["month"]),
            pdf_path=Path(d["pdf_path"]),
            xlsx_path=Path(d["xlsx_path"]),
            csv_paths=tuple(Path(p) for p in d["csv_paths"]),
            pdf_sha256=d["pdf_sha256"],
            xlsx_sha256=d["xlsx_sha256"],
            fingerprint=d["fingerprint"],
            pages=int(d["pages"]),
            seconds=float(d.get("seconds", 0.0)),
            summary=dict(d.get("summary") or {}),
        )


def report_folder(month: date) -> Path:
    """Where a month's report goes by default: <data dir>/reports/YYYY-MM/."""
    return paths.data_dir() / "reports" / month_label(month)


def file_stem(month: date) -> str:
    return f"bao-cao-ispeed-{month_label(month)}"


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- text helpers
def esc(text: Any) -> str:
    """Text from data or configuration, safe inside Paragraph markup; newlines become line breaks."""
    if text is None:
        return ""
    return escape(str(text)).replace("\r\n", "\n").replace("\n", "<br/>")


@lru_cache(maxsize=1)
def _texts() -> dict:
    path = paths.TEMPLATES_DIR / "report" / "texts.yaml"
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def rule_label(rule: str, message: str) -> str:
    return (_texts().get("rules") or {}).get(rule) or message or rule


def method_paragraph(data: ReportData) -> str:
    """Section 7's paragraph, from include/templates/report/method.txt.j2 (plain text)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(paths.TEMPLATES_DIR / "report")),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )
    m = data.method
    return (
        env.get_template("method.txt.j2")
        .render(
            month=fmt.month_vi(data.month),
            network=fmt.network(m.network_type),
            statistic=fmt.STATISTIC_VI.get(m.statistic, m.statistic),
            threshold=fmt.number(m.threshold_mbps, 0 if m.threshold_mbps == int(m.threshold_mbps) else 1),
            min_tests=fmt.number(m.min_tests),
            min_devices=fmt.number(m.min_devices),
            area_min_tests=fmt.number(m.area_min_tests),
            area_min_devices=fmt.number(m.area_min_devices),
            confidence=fmt.percent(m.confidence, 0),
            method_version=m.method_version,
        )
        .strip()
    )


def subject_line(cfg: ReportConfig, month: date) -> str:
    return cfg.document.subject.format(month=fmt.month_vi(month))


def document_number_line(cfg: ReportConfig, number: str | None) -> str:
    """'Số: 125/BC-STTTT', or with the number left blank for the clerk: 'Số:      /BC-STTTT'."""
    filled = cfg.document.number_pattern.format(number=number if number else "\u00a0" * 8)
    return f"Số: {filled}"


# ---------------------------------------------------------------- styles
class _Styles:
    def __init__(self, font: FontFamily):
        self.font = font
        base = {"fontName": font.regular, "textColor": colors.black}
        self.body = ParagraphStyle(
            "body", fontSize=12, leading=16, alignment=TA_JUSTIFY, firstLineIndent=10 * mm, spaceAfter=4, **base
        )
        self.body_left = ParagraphStyle("body_left", parent=self.body, firstLineIndent=0, alignment=TA_LEFT)
        self.h1 = ParagraphStyle(
            "h1",
            parent=self.body,
            fontName=font.bold,
            firstLineIndent=0,
            spaceBefore=10,
            spaceAfter=4,
            alignment=TA_LEFT,
            keepWithNext=1,
        )
        self.h2 = ParagraphStyle("h2", parent=self.h1, fontSize=12, spaceBefore=6, firstLineIndent=10 * mm)
        self.h3 = ParagraphStyle("h3", parent=self.h2, fontName=font.bold_italic)
        self.caption = ParagraphStyle(
            "caption",
            parent=self.body,
            fontName=font.bold_italic,
            fontSize=10,
            leading=13,
            alignment=TA_CENTER,
            firstLineIndent=0,
            spaceBefore=6,
            spaceAfter=3,
        )
        self.note = ParagraphStyle(
            "note",
            parent=self.body,
            fontName=font.italic,
            fontSize=9,
            leading=11.5,
            firstLineIndent=0,
            alignment=TA_LEFT,
            spaceAfter=2,
        )
        self.cell = ParagraphStyle("cell", fontSize=8, leading=9.6, alignment=TA_LEFT, **base)
        self.cell_num = ParagraphStyle("cell_num", parent=self.cell, alignment=TA_RIGHT)
        self.cell_c = ParagraphStyle("cell_c", parent=self.cell, alignment=TA_CENTER)
        self.cell_head = ParagraphStyle("cell_head", parent=self.cell, fontName=font.bold, alignment=TA_CENTER)
        self.cell_small = ParagraphStyle("cell_small", parent=self.cell, fontSize=7, leading=8.4)
        self.cell_small_num = ParagraphStyle("cell_small_num", parent=self.cell_small, alignment=TA_RIGHT)
        self.cell_small_c = ParagraphStyle("cell_small_c", parent=self.cell_small, alignment=TA_CENTER)
        self.cell_small_head = ParagraphStyle(
            "cell_small_head", parent=self.cell_small, fontName=font.bold, alignment=TA_CENTER
        )
        # the document's head (Nghị định 30/2020, Phụ lục I)
        # DejaVu is about a fifth wider than the Times New Roman of Nghị định 30, hence 10.5-12 pt
        # where the decree says 12-14 pt: the lines keep the decree's proportions on the page.
        self.org_parent = ParagraphStyle("org_parent", fontSize=10.5, leading=13.5, alignment=TA_CENTER, **base)
        self.org_name = ParagraphStyle("org_name", parent=self.org_parent, fontName=font.bold)
        self.nation = ParagraphStyle("nation", parent=self.org_parent, fontName=font.bold)
        self.motto = ParagraphStyle("motto", parent=self.org_parent, fontName=font.bold, fontSize=11.5, leading=14.5)
        self.number = ParagraphStyle("number", parent=self.org_parent, fontSize=12, leading=15)
        self.date_line = ParagraphStyle(
            "date_line", parent=self.org_parent, fontName=font.italic, fontSize=12, leading=15
        )
        self.title = ParagraphStyle(
            "title", parent=self.org_parent, fontName=font.bold, fontSize=14, leading=18, spaceBefore=16
        )
        self.subject = ParagraphStyle("subject", parent=self.org_parent, fontName=font.bold, fontSize=13, leading=17)
        self.recipient = ParagraphStyle(
            "recipient", parent=self.org_parent, fontSize=13, leading=17, spaceBefore=8, spaceAfter=8
        )
        self.dist_head = ParagraphStyle(
            "dist_head", fontName=font.bold_italic, fontSize=12, leading=14, textColor=colors.black
        )
        self.dist = ParagraphStyle("dist", fontName=font.regular, fontSize=11, leading=13, textColor=colors.black)
        self.sign = ParagraphStyle("sign", parent=self.org_parent, fontName=font.bold, fontSize=12.5, leading=16)
        self.sign_mark = ParagraphStyle("sign_mark", parent=self.org_parent, fontName=font.italic, fontSize=12)


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(text, style)


def _grid_style(font: FontFamily, header_rows: int = 1) -> list:
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


def _table(font: FontFamily, rows: list[list], widths_mm: list[float], style: list, header_rows: int = 1) -> Table:
    """A ruled table across the text width (widths are relative), header rows repeated on every page."""
    scale = CONTENT_W / (sum(widths_mm) * mm)
    t = Table(
        rows, colWidths=[w * mm * scale for w in widths_mm], repeatRows=header_rows, hAlign="CENTER", spaceAfter=4
    )
    t.setStyle(TableStyle(_grid_style(font, header_rows) + style))
    return t


# ---------------------------------------------------------------- the document's parts
class _Builder:
    def __init__(self, data: ReportData, cfg: ReportConfig, font: FontFamily):
        self.d = data
        self.cfg = cfg
        self.font = font
        self.s = _Styles(font)
        self.table_no = 0
        self.figure_no = 0
        self.threshold = data.method.threshold_mbps
        self.thr_text = fmt.number(self.threshold, 0 if self.threshold == int(self.threshold) else 1)

    # --- helpers
    def caption_table(self, text: str) -> list:
        """The caption, on the page of the table's first rows (a table splits across pages with its
        header repeated; keeping it whole with its caption would leave half-empty pages)."""
        self.table_no += 1
        caption = _p(f"Bảng {self.table_no}. {text}", self.s.caption)
        caption._is_caption = True
        return [CondPageBreak(35 * mm), caption]

    def caption_figure(self, text: str) -> Paragraph:
        self.figure_no += 1
        return _p(f"Hình {self.figure_no}. {text}", self.s.caption)

    def head(self, text: str, style=None) -> Paragraph:
        return _p(f"<b>{text}</b>", style or self.s.cell_head)

    def num(self, value, decimals: int = 0, style=None) -> Paragraph:
        return _p(fmt.number(value, decimals), style or self.s.cell_num)

    def speed_cell(self, value, verdict: str | None, *, tests: int | None = None, small: bool = False):
        """A speed with its mark: ▼ below the threshold, ○ without enough data."""
        st_num = self.s.cell_small_num if small else self.s.cell_num
        text = fmt.mbps(value)
        if verdict == INSUFFICIENT_DATA:
            text = f"{INSUFFICIENT_MARK} {text}"
        elif value is not None and (verdict == DOES_NOT_MEET or (verdict is None and value < self.threshold)):
            text = f'<font color="{BELOW_HEX}"><b>{BELOW_MARK} {text}</b></font>'
        if tests is not None:
            text += f'<br/><font size="6.5">({fmt.number(tests)})</font>'
        return _p(text, st_num)

    @staticmethod
    def mark_bg(verdict: str | None, value, threshold: float):
        if verdict == INSUFFICIENT_DATA:
            return INSUFFICIENT_BG
        if verdict == DOES_NOT_MEET or (verdict is None and value is not None and value < threshold):
            return BELOW_BG
        return None

    def legend(self, insufficient: str) -> Paragraph:
        return _p(
            f'Ghi chú: <font color="#9B1C1C"><b>{BELOW_MARK}</b></font> ô nền đỏ: dưới {self.thr_text} Mbps; '
            f"{INSUFFICIENT_MARK} ô nền xám: chưa đủ số liệu để đánh giá ({insufficient}); "
            f"số trong ngoặc: số phép đo.",
            self.s.note,
        )

    # --- the head of the document
    def document_head(self) -> list:
        s, cfg = self.s, self.cfg
        # The head may reach 5 mm into each side margin, as the decree's own model does.
        head_w = CONTENT_W + 10 * mm
        left_w, right_w = head_w * 0.45, head_w * 0.55
        org_name_w = max(stringWidth(line, self.font.bold, s.org_name.fontSize) for line in cfg.issuer.name.split("\n"))
        motto_w = stringWidth(cfg.nation_motto, self.font.bold, s.motto.fontSize)
        left = [
            _p(esc(cfg.issuer.parent), s.org_parent),
            _p(esc(cfg.issuer.name), s.org_name),
            HRFlowable(
                width=org_name_w * 0.4, thickness=0.7, color=colors.black, spaceBefore=3, spaceAfter=0, hAlign="CENTER"
            ),
        ]
        right = [
            _p(esc(cfg.nation_name), s.nation),
            _p(esc(cfg.nation_motto), s.motto),
            HRFlowable(width=motto_w, thickness=0.7, color=colors.black, spaceBefore=2, spaceAfter=0, hAlign="CENTER"),
        ]
        number = _p(esc(document_number_line(cfg, self.d.document_number)), s.number)
        when = _p(esc(fmt.date_line(cfg.document.place, self.d.report_date)), s.date_line)
        head = Table([[left, right], [number, when]], colWidths=[left_w, right_w], hAlign="CENTER")
        head.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), self.font.regular),
                    ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 1), (-1, 1), 6),
                ]
            )
        )
        subject = subject_line(cfg, self.d.month)
        return [
            head,
            _p(esc(cfg.document.type), s.title),
            _p(esc(subject), s.subject),
            HRFlowable(
                width=CONTENT_W * 0.22, thickness=0.7, color=colors.black, spaceBefore=5, spaceAfter=2, hAlign="CENTER"
            ),
            _p(f"Kính gửi: {esc(cfg.document.recipient)}", s.recipient),
            _p(esc(cfg.document.basis.format(month=fmt.month_vi(self.d.month))), s.body),
        ]

    # --- (1) agencies
    def section_agencies(self) -> list:
        s, d = self.s, self.d
        tot = d.agency_totals()
        out: list = [_p("I. KẾT QUẢ CÀI ĐẶT, SỬ DỤNG CÔNG CỤ I-SPEED", s.h1)]
        missing = [a.agency_name for a in d.agencies if a.state == MISSING]
        rejected = [a for a in d.agencies if a.state == REJECTED]
        text = (
            f"Tổng số cơ quan, đơn vị thuộc diện báo cáo: <b>{fmt.number(tot['agencies'])}</b>; "
            f"đã báo cáo: <b>{fmt.number(tot['agencies_submitted'])}</b>; "
            f"chưa báo cáo: <b>{fmt.number(tot['agencies_missing'])}</b>; "
            f"báo cáo bị trả lại: <b>{fmt.number(tot['agencies_rejected'])}</b>."
        )
        out.append(_p(text, s.body))
        if missing:
            out.append(_p("Các cơ quan, đơn vị chưa báo cáo: " + "; ".join(esc(n) for n in missing) + ".", s.body))
        if rejected:
            out.append(
                _p(
                    "Các báo cáo bị trả lại: "
                    + "; ".join(f"{esc(a.agency_name)}" + (f" ({esc(a.reason)})" if a.reason else "") for a in rejected)
                    + ".",
                    s.body,
                )
            )
        staff = tot["staff_total"]
        share = fmt.percent(tot["installed"] / staff) if staff else fmt.NONE
        out.append(
            _p(
                f"Theo báo cáo của {fmt.number(tot['agencies_submitted'])} cơ quan, đơn vị: tổng số cán bộ, công chức, "
                f"viên chức <b>{fmt.number(staff)}</b> người; đã cài đặt công cụ i-Speed <b>{fmt.number(tot['installed'])}</b> "
                f"người (<b>{share}</b>); đã thực hiện đo <b>{fmt.number(tot['measured'])}</b> người với "
                f"<b>{fmt.number(tot['measurements'])}</b> lần đo; đã hướng dẫn <b>{fmt.number(tot['citizens_helped'])}</b> "
                f"người dân cài đặt, sử dụng; <b>{fmt.number(tot['team_members_active'])}</b> thành viên tổ công nghệ số "
                f"cộng đồng tham gia.",
                s.body,
            )
        )
        if not d.agencies:
            out.append(_p("Chưa có cơ quan, đơn vị nào trong danh sách báo cáo của tháng.", s.body))
            return out
        out += self.caption_table("Kết quả cài đặt, sử dụng i-Speed theo cơ quan, đơn vị")
        header = [
            self.head(h, s.cell_small_head)
            for h in (
                "STT",
                "Cơ quan, đơn vị",
                "Tình trạng báo cáo",
                "Tổng số CBCCVC",
                "Đã cài đặt",
                "Đã đo",
                "Số lần đo",
                "Người dân được hướng dẫn",
                "Thành viên tổ CNSCĐ tham gia",
                "Ghi chú",
            )
        ]
        rows: list[list] = [header]
        style: list = []
        group = object()
        n = 0
        for a in d.agencies:
            if a.group and a.group != group:
                rows.append([_p(f"<b><i>{esc(a.group)}</i></b>", s.cell_small)] + [""] * 9)
                style += [
                    ("SPAN", (0, len(rows) - 1), (-1, len(rows) - 1)),
                    ("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), GROUP_BG),
                ]
            group = a.group
            n += 1
            state = fmt.STATE_VI[a.state]
            note = a.note
            if a.state == REJECTED and a.reason:
                note = a.reason + (f"; {a.note}" if a.note else "")
            if a.state != SUBMITTED:
                state = f'<font color="#9B1C1C"><b>{state}</b></font>'
            rows.append(
                [_p(str(n), s.cell_small_num), _p(esc(a.agency_name), s.cell_small), _p(state, s.cell_small)]
                + [
                    self.num(getattr(a, k), style=s.cell_small_num)
                    for k in (
                        "staff_total",
                        "installed",
                        "measured",
                        "measurements",
                        "citizens_helped",
                        "team_members_active",
                    )
                ]
                + [_p(esc(note), s.cell_small)]
            )
            if a.state != SUBMITTED:
                style.append(("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), BELOW_BG))
        rows.append(
            [
                "",
                _p("<b>Tổng cộng</b>", s.cell_small),
                _p(f"{fmt.number(tot['agencies_submitted'])}/{fmt.number(tot['agencies'])} đã báo cáo", s.cell_small),
            ]
            + [
                _p(f"<b>{fmt.number(tot[k])}</b>", s.cell_small_num)
                for k in (
                    "staff_total",
                    "installed",
                    "measured",
                    "measurements",
                    "citizens_helped",
                    "team_members_active",
                )
            ]
            + [""]
        )
        style.append(("BACKGROUND", (0, -1), (-1, -1), HEADER_BG))
        out.append(_table(self.font, rows, [8, 38, 16, 14, 13, 13, 14, 15, 15, 21], style))
        out.append(
            _p(
                "Ghi chú: dòng nền đỏ là cơ quan, đơn vị chưa báo cáo hoặc có báo cáo bị trả lại; số liệu "
                "tổng cộng chỉ tính các báo cáo đã được chấp nhận.",
                s.note,
            )
        )
        return out

    # --- (2) operators' investment
    def section_investment(self) -> list:
        s, d = self.s, self.d
        out: list = [
            _p("II. ĐẦU TƯ NÂNG CAO CHẤT LƯỢNG DỊCH VỤ CỦA CÁC DOANH NGHIỆP VIỄN THÔNG", s.h1),
            _p("1. Hạ tầng mạng và vốn đầu tư trong tháng", s.h2),
        ]
        submitted = [o for o in d.investments if o.state == SUBMITTED]
        not_in = [o for o in d.investments if o.state != SUBMITTED]
        total_vnd = sum(o.investment_vnd or 0 for o in submitted)
        out.append(
            _p(
                f"Có <b>{fmt.number(len(submitted))}/{fmt.number(len(d.investments))}</b> doanh nghiệp gửi báo cáo tình "
                f"hình đầu tư trong tháng; tổng vốn đầu tư được báo cáo <b>{fmt.million_vnd(total_vnd)}</b> triệu đồng; "
                f"phát sóng mới <b>{fmt.number(sum(o.sites_commissioned or 0 for o in submitted))}</b> trạm, nâng cấp "
                f"<b>{fmt.number(sum(o.sites_upgraded_4g or 0 for o in submitted))}</b> trạm 4G và "
                f"<b>{fmt.number(sum(o.sites_upgraded_5g or 0 for o in submitted))}</b> trạm 5G.",
                s.body,
            )
        )
        if not_in:
            out.append(
                _p(
                    "Doanh nghiệp chưa báo cáo hoặc có báo cáo bị trả lại: "
                    + "; ".join(
                        f"{esc(o.operator_name)} ({fmt.STATE_VI[o.state].lower()}"
                        + (f": {esc(o.reason)}" if o.reason else "")
                        + ")"
                        for o in not_in
                    )
                    + ".",
                    s.body,
                )
            )
        if d.investments:
            out += self.caption_table("Hạ tầng và vốn đầu tư của doanh nghiệp trong tháng")
            rows: list[list] = [
                [
                    self.head(h, s.cell_small_head)
                    for h in (
                        "STT",
                        "Doanh nghiệp",
                        "Tình trạng báo cáo",
                        "Trạm 4G đang phát sóng",
                        "Trạm 5G đang phát sóng",
                        "Trạm phát sóng mới",
                        "Trạm nâng cấp 4G",
                        "Trạm nâng cấp 5G",
                        "Vốn đầu tư (triệu đồng)",
                        "Ghi chú",
                    )
                ]
            ]
            style: list = []
            for i, o in enumerate(d.investments, start=1):
                state = fmt.STATE_VI[o.state]
                if o.state != SUBMITTED:
                    state = f'<font color="#9B1C1C"><b>{state}</b></font>'
                note = o.reason if o.state == REJECTED and o.reason else o.note
                rows.append(
                    [
                        _p(str(i), s.cell_small_num),
                        _p(esc(o.operator_name), s.cell_small),
                        _p(state, s.cell_small),
                        self.num(o.sites_in_service_4g, style=s.cell_small_num),
                        self.num(o.sites_in_service_5g, style=s.cell_small_num),
                        self.num(o.sites_commissioned, style=s.cell_small_num),
                        self.num(o.sites_upgraded_4g, style=s.cell_small_num),
                        self.num(o.sites_upgraded_5g, style=s.cell_small_num),
                        _p(fmt.million_vnd(o.investment_vnd), s.cell_small_num),
                        _p(esc(note), s.cell_small),
                    ]
                )
                if o.state != SUBMITTED:
                    style.append(("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), BELOW_BG))
            rows.append(
                [
                    "",
                    _p("<b>Tổng cộng</b>", s.cell_small),
                    "",
                    _p(f"<b>{fmt.number(sum(o.sites_in_service_4g or 0 for o in submitted))}</b>", s.cell_small_num),
                    _p(f"<b>{fmt.number(sum(o.sites_in_service_5g or 0 for o in submitted))}</b>", s.cell_small_num),
                    _p(f"<b>{fmt.number(sum(o.sites_commissioned or 0 for o in submitted))}</b>", s.cell_small_num),
                    _p(f"<b>{fmt.number(sum(o.sites_upgraded_4g or 0 for o in submitted))}</b>", s.cell_small_num),
                    _p(f"<b>{fmt.number(sum(o.sites_upgraded_5g or 0 for o in submitted))}</b>", s.cell_small_num),
                    _p(f"<b>{fmt.million_vnd(total_vnd)}</b>", s.cell_small_num),
                    "",
                ]
            )
            style.append(("BACKGROUND", (0, -1), (-1, -1), HEADER_BG))
            out.append(_table(self.font, rows, [8, 26, 17, 15, 15, 15, 15, 15, 19, 20], style))

        out.append(_p(f"2. Giải pháp khắc phục tại các quận, huyện có tốc độ dưới {self.thr_text} Mbps", s.h2))
        if d.remedies:
            out += self.caption_table(f"Giải pháp của doanh nghiệp tại các quận, huyện dưới {self.thr_text} Mbps")
            rows = [
                [
                    self.head(h, s.cell_small_head)
                    for h in ("STT", "Doanh nghiệp", "Quận, huyện", "Giải pháp", "Thời hạn")
                ]
            ]
            for i, r in enumerate(d.remedies, start=1):
                rows.append(
                    [
                        _p(str(i), s.cell_small_num),
                        _p(esc(r.operator_name), s.cell_small),
                        _p(esc(r.area_name), s.cell_small),
                        _p(esc(r.remedy), s.cell_small),
                        _p(fmt.date_short(r.due_date), s.cell_small_c),
                    ]
                )
            out.append(_table(self.font, rows, [8, 28, 26, 80, 20], []))
        planned = {(r.operator_code, r.area_code) for r in d.remedies}
        unplanned = [
            x for x in d.districts if x.verdict == DOES_NOT_MEET and (x.operator_code, x.area_code) not in planned
        ]
        if unplanned:
            out.append(
                _p(
                    "Chưa có giải pháp khắc phục được báo cáo cho: "
                    + "; ".join(
                        f"{esc(x.operator_name)} tại {esc(x.area_name)} ({fmt.mbps(x.figure_mbps)} Mbps)"
                        for x in unplanned
                    )
                    + ".",
                    s.body,
                )
            )
        elif not d.remedies:
            out.append(
                _p(f"Không có quận, huyện nào có tốc độ dưới {self.thr_text} Mbps cần giải pháp khắc phục.", s.body)
            )
        return out

    # --- (3) compliance by operator
    def section_compliance(self) -> list:
        s, d, m = self.s, self.d, self.d.method
        net = fmt.network(m.network_type)
        stat = fmt.STATISTIC_VI.get(m.statistic, m.statistic)
        out: list = [_p(f"III. KẾT QUẢ ĐO TỐC ĐỘ DỊCH VỤ {esc(net.upper())} THEO DOANH NGHIỆP", s.h1)]
        by = {
            v: [c.operator_name for c in d.compliance if c.verdict == v]
            for v in (MEETS, DOES_NOT_MEET, INSUFFICIENT_DATA)
        }
        tests = sum(c.tests for c in d.compliance)
        out.append(
            _p(
                f"Trong tháng {fmt.month_vi(d.month)}, công cụ i-Speed ghi nhận <b>{fmt.number(tests)}</b> phép đo hợp lệ trên "
                f"mạng {esc(net)} tại thành phố. So với mức tốc độ tải xuống {stat} tối thiểu {self.thr_text} Mbps: "
                + "; ".join(
                    f"<b>{fmt.VERDICT_VI[v].lower()}</b>: {', '.join(esc(n) for n in names) if names else 'không có'}"
                    for v, names in by.items()
                )
                + ".",
                s.body,
            )
        )
        straddles = [c for c in d.compliance if c.ci_straddles]
        out += self.caption_table(
            f"Tốc độ tải xuống dịch vụ {esc(net)} theo doanh nghiệp, tháng {fmt.month_vi(d.month)}"
        )
        conf = fmt.percent(m.confidence, 0)
        rows: list[list] = [
            [
                self.head(h, s.cell_small_head)
                for h in (
                    "Doanh nghiệp",
                    "Số phép đo",
                    "Số thiết bị",
                    "Trung bình (Mbps)",
                    f"Khoảng tin cậy {conf} (Mbps)",
                    "Trung vị (Mbps)",
                    "TB theo thiết bị-ngày (Mbps)",
                    f"Tỷ lệ phép đo ≥ {self.thr_text} Mbps",
                    "Kết quả",
                )
            ]
        ]
        style: list = []
        stat_col = {"mean": 3, "median": 5, "device_day_mean": 6}.get(m.statistic, 3)
        for c in d.compliance:
            ci = fmt.NONE if c.ci_low_mbps is None else f"{fmt.mbps(c.ci_low_mbps)} – {fmt.mbps(c.ci_high_mbps)}"
            verdict = fmt.VERDICT_VI[c.verdict] + (f" {STRADDLE_MARK}" if c.ci_straddles else "")
            colour = VERDICT_COLOURS[c.verdict].hexval().replace("0x", "#")
            cells = [
                _p(esc(c.operator_name), s.cell_small),
                self.num(c.tests, style=s.cell_small_num),
                self.num(c.devices, style=s.cell_small_num),
                _p(fmt.mbps(c.mean_mbps), s.cell_small_num),
                _p(ci, s.cell_small_num),
                _p(fmt.mbps(c.median_mbps), s.cell_small_num),
                _p(fmt.mbps(c.device_day_mean_mbps), s.cell_small_num),
                _p(fmt.percent(c.share_at_or_above), s.cell_small_num),
                _p(f'<font color="{colour}"><b>{verdict}</b></font>', s.cell_small),
            ]
            cells[stat_col] = self.speed_cell(c.figure_mbps, c.verdict, small=True)
            rows.append(cells)
            bg = self.mark_bg(c.verdict, c.figure_mbps, self.threshold)
            if bg is not None:
                style.append(("BACKGROUND", (stat_col, len(rows) - 1), (stat_col, len(rows) - 1), bg))
                style.append(("BACKGROUND", (8, len(rows) - 1), (8, len(rows) - 1), bg))
        out.append(_table(self.font, rows, [27, 15, 14, 17, 27, 15, 17, 16, 22], style))
        notes = (
            f"Ghi chú: chỉ tiêu đánh giá là tốc độ tải xuống {stat} (cột in đậm có dấu); "
            f'<font color="#9B1C1C"><b>{BELOW_MARK}</b></font> ô nền đỏ: dưới {self.thr_text} Mbps; '
            f"{INSUFFICIENT_MARK} ô nền xám: chưa đủ số liệu (dưới {fmt.number(m.min_tests)} phép đo hoặc "
            f"{fmt.number(m.min_devices)} thiết bị)."
        )
        if straddles:
            notes += (
                f" {STRADDLE_MARK} Khoảng tin cậy chứa mức {self.thr_text} Mbps: kết luận cần hiểu thận trọng "
                f"({', '.join(esc(c.operator_name) for c in straddles)})."
            )
        out.append(_p(notes, s.note))
        if d.compliance:
            out.append(
                KeepTogether(
                    [
                        self.caption_figure(
                            f"Tốc độ tải xuống {stat} dịch vụ {esc(net)} theo doanh nghiệp so với mức {self.thr_text} Mbps"
                        ),
                        compliance_chart(d, self.font, CONTENT_W),
                    ]
                )
            )
        if d.other_networks:
            out.append(_p("Các loại mạng khác (để tham khảo, không đánh giá theo mức tối thiểu)", s.h3))
            out += self.caption_table("Tốc độ tải xuống các loại mạng khác theo doanh nghiệp")
            rows = [
                [
                    self.head(h, s.cell_small_head)
                    for h in (
                        "Doanh nghiệp",
                        "Loại mạng",
                        "Số phép đo",
                        "Số thiết bị",
                        "Trung bình (Mbps)",
                        f"Khoảng tin cậy {conf} (Mbps)",
                        "Trung vị (Mbps)",
                        f"Tỷ lệ ≥ {self.thr_text} Mbps",
                    )
                ]
            ]
            for c in d.other_networks:
                ci = fmt.NONE if c.ci_low_mbps is None else f"{fmt.mbps(c.ci_low_mbps)} – {fmt.mbps(c.ci_high_mbps)}"
                rows.append(
                    [
                        _p(esc(c.operator_name), s.cell_small),
                        _p(esc(fmt.network(c.network_type)), s.cell_small_c),
                        self.num(c.tests, style=s.cell_small_num),
                        self.num(c.devices, style=s.cell_small_num),
                        _p(fmt.mbps(c.mean_mbps), s.cell_small_num),
                        _p(ci, s.cell_small_num),
                        _p(fmt.mbps(c.median_mbps), s.cell_small_num),
                        _p(fmt.percent(c.share_at_or_above), s.cell_small_num),
                    ]
                )
            out.append(_table(self.font, rows, [30, 16, 18, 16, 20, 30, 18, 20], []))
        return out

    # --- (4) operator x district
    def section_districts(self) -> list:
        s, d, m = self.s, self.d, self.d.method
        out: list = [_p("IV. KẾT QUẢ ĐO THEO QUẬN, HUYỆN", s.h1)]
        if not d.districts:
            out.append(_p("Không có số liệu theo quận, huyện trong tháng.", s.body))
            return out
        ops: dict[str, str] = {}
        for c in d.compliance:
            ops.setdefault(c.operator_code, c.operator_name)
        for x in d.districts:
            ops.setdefault(x.operator_code, x.operator_name)
        ops = {k: v for k, v in ops.items() if any(x.operator_code == k for x in d.districts)}
        areas: dict[str, str] = {}
        for x in d.districts:
            areas.setdefault(x.area_code, x.area_name)
        cell = {(x.area_code, x.operator_code): x for x in d.districts}
        below = [x for x in d.districts if x.verdict == DOES_NOT_MEET]
        insufficient = [x for x in d.districts if x.verdict == INSUFFICIENT_DATA]
        out.append(
            _p(
                f"Trên <b>{fmt.number(len(areas))}</b> quận, huyện và <b>{fmt.number(len(ops))}</b> doanh nghiệp: "
                f"<b>{fmt.number(len(below))}</b> trường hợp (doanh nghiệp tại quận, huyện) có tốc độ dưới {self.thr_text} Mbps, "
                f"<b>{fmt.number(len(insufficient))}</b> trường hợp chưa đủ số liệu để đánh giá.",
                s.body,
            )
        )
        stat = fmt.STATISTIC_VI.get(m.statistic, m.statistic)
        out += self.caption_table(f"Tốc độ tải xuống {stat} (Mbps) theo quận, huyện và doanh nghiệp")
        rows: list[list] = [
            [self.head("STT", s.cell_small_head), self.head("Quận, huyện", s.cell_small_head)]
            + [self.head(esc(n), s.cell_small_head) for n in ops.values()]
        ]
        style: list = []
        for i, (acode, aname) in enumerate(areas.items(), start=1):
            row = [_p(str(i), s.cell_small_num), _p(esc(aname), s.cell_small)]
            for j, ocode in enumerate(ops, start=2):
                x = cell.get((acode, ocode))
                if x is None:
                    row.append(_p(fmt.NONE, s.cell_small_c))
                    continue
                row.append(self.speed_cell(x.figure_mbps, x.verdict, tests=x.tests, small=True))
                bg = self.mark_bg(x.verdict, x.figure_mbps, self.threshold)
                if bg is not None:
                    style.append(("BACKGROUND", (j, i), (j, i), bg))
            rows.append(row)
        n = len(ops)
        out.append(_table(self.font, rows, [8, 30] + [max(14.0, 127.0 / max(n, 1))] * n, style))
        out.append(
            self.legend(f"dưới {fmt.number(m.area_min_tests)} phép đo hoặc {fmt.number(m.area_min_devices)} thiết bị")
        )
        return out

    # --- (5) trend
    def section_trend(self) -> list:
        s, d, m = self.s, self.d, self.d.method
        stat = fmt.STATISTIC_VI.get(m.statistic, m.statistic)
        months = d.trend_months()
        out: list = [_p(f"V. DIỄN BIẾN TỐC ĐỘ {fmt.number(len(months))} THÁNG GẦN NHẤT", s.h1)]
        if not d.trend:
            out.append(_p("Chưa có số liệu các tháng trước.", s.body))
            return out
        out.append(
            _p(
                f"Tốc độ tải xuống {stat} dịch vụ {esc(fmt.network(m.network_type))} của từng doanh nghiệp từ tháng "
                f"{fmt.month_vi(months[0])} đến tháng {fmt.month_vi(months[-1])}; tháng không có số liệu để trống, "
                f"điểm rỗng là tháng chưa đủ số liệu.",
                s.body,
            )
        )
        out.append(
            KeepTogether(
                [
                    self.caption_figure(f"Diễn biến tốc độ tải xuống {stat} theo doanh nghiệp"),
                    trend_chart(d, self.font, CONTENT_W),
                ]
            )
        )
        from ispeed.report.charts import series_order

        out += self.caption_table(f"Tốc độ tải xuống {stat} (Mbps) theo tháng")
        rows: list[list] = [
            [self.head("Doanh nghiệp", s.cell_small_head)]
            + [self.head(f"{mo.month:02d}/{mo.year % 100:02d}", s.cell_small_head) for mo in months]
        ]
        style: list = []
        tiny = ParagraphStyle("tiny", parent=s.cell_small_num, fontSize=6.5, leading=8)
        for code, name in series_order(d):
            points = {p.month: p for p in d.trend if p.operator_code == code}
            row = [_p(esc(name), s.cell_small)]
            for j, mo in enumerate(months, start=1):
                p = points.get(mo)
                if p is None or p.figure_mbps is None:
                    row.append(_p(fmt.NONE, tiny))
                    continue
                verdict = INSUFFICIENT_DATA if not p.sufficient_data else None
                text = fmt.mbps(p.figure_mbps)
                if verdict is None and p.figure_mbps < self.threshold:
                    text = f"<b>{BELOW_MARK}{text}</b>"
                elif verdict:
                    text = f"{INSUFFICIENT_MARK}{text}"
                row.append(_p(text, tiny))
                bg = self.mark_bg(verdict, p.figure_mbps, self.threshold)
                if bg is not None:
                    style.append(("BACKGROUND", (j, len(rows)), (j, len(rows)), bg))
            rows.append(row)
        t = _table(self.font, rows, [25] + [11.7] * len(months), style)
        out.append(t)
        out.append(self.legend(f"dưới {fmt.number(m.min_tests)} phép đo hoặc {fmt.number(m.min_devices)} thiết bị"))
        return out

    # --- (6) data quality
    def section_quality(self) -> list:
        s, d = self.s, self.d
        q = d.data_quality
        out: list = [_p("VI. CHẤT LƯỢNG DỮ LIỆU", s.h1)]
        meas = q.dataset("measurements")
        if meas:
            out.append(
                _p(
                    f"Dữ liệu đo i-Speed của tháng: đọc <b>{fmt.number(meas.rows_read)}</b> dòng từ "
                    f"{fmt.number(meas.files_loaded)} tệp; đưa vào tổng hợp <b>{fmt.number(meas.rows_loaded)}</b> dòng; "
                    f"loại <b>{fmt.number(meas.rows_quarantined)}</b> dòng không hợp lệ; bỏ <b>{fmt.number(meas.rows_duplicate)}</b> "
                    f"dòng trùng lặp; <b>{fmt.number(meas.files_rejected)}</b> tệp bị từ chối, "
                    f"{fmt.number(meas.files_duplicate)} tệp trùng với tệp đã nạp.",
                    s.body,
                )
            )
        else:
            out.append(_p("Chưa có tệp dữ liệu đo i-Speed nào được ghi nhận cho tháng này.", s.body))
        if q.datasets:
            out += self.caption_table("Tệp và dòng dữ liệu theo nguồn")
            rows: list[list] = [
                [
                    self.head(h, s.cell_small_head)
                    for h in (
                        "Nguồn dữ liệu",
                        "Tệp đã nạp",
                        "Tệp bị từ chối",
                        "Tệp trùng",
                        "Dòng đọc được",
                        "Dòng đưa vào tổng hợp",
                        "Dòng bị loại",
                        "Dòng trùng",
                    )
                ]
            ]
            for x in q.datasets:
                rows.append(
                    [_p(esc(fmt.DATASET_VI.get(x.dataset, x.dataset)), s.cell_small)]
                    + [
                        self.num(v, style=s.cell_small_num)
                        for v in (
                            x.files_loaded,
                            x.files_rejected,
                            x.files_duplicate,
                            x.rows_read,
                            x.rows_loaded,
                            x.rows_quarantined,
                            x.rows_duplicate,
                        )
                    ]
                )
            out.append(_table(self.font, rows, [40, 16, 16, 14, 20, 22, 18, 18], []))
        if q.quarantine:
            out += self.caption_table("Dòng dữ liệu bị loại theo lý do")
            rows = [
                [
                    self.head(h, s.cell_small_head)
                    for h in ("Nguồn dữ liệu", "Lý do", "Quy tắc kiểm tra", "Số dòng", "Tỷ lệ")
                ]
            ]
            read = {x.dataset: x.rows_read for x in q.datasets}
            for x in q.quarantine:
                share = fmt.percent(x.rows / read[x.dataset], 2) if read.get(x.dataset) else fmt.NONE
                rows.append(
                    [
                        _p(esc(fmt.DATASET_VI.get(x.dataset, x.dataset)), s.cell_small),
                        _p(esc(rule_label(x.rule, x.message)), s.cell_small),
                        _p(esc(x.rule), s.cell_small),
                        self.num(x.rows, style=s.cell_small_num),
                        _p(share, s.cell_small_num),
                    ]
                )
            out.append(_table(self.font, rows, [34, 58, 36, 18, 18], []))
        if q.files_rejected:
            out += self.caption_table("Tệp bị từ chối")
            rows = [[self.head(h, s.cell_small_head) for h in ("Nguồn dữ liệu", "Tệp", "Lý do")]]
            for f in q.files_rejected:
                rows.append(
                    [
                        _p(esc(fmt.DATASET_VI.get(f.dataset, f.dataset)), s.cell_small),
                        _p(esc(f.file_name), s.cell_small),
                        _p(esc(f.reason), s.cell_small),
                    ]
                )
            out.append(_table(self.font, rows, [34, 44, 86], []))
        else:
            out.append(_p("Không có tệp nào bị từ chối.", s.body))
        rr = d.returns_rejected
        if rr:
            kinds = {"agency": "cơ quan, đơn vị", "operator": "doanh nghiệp"}
            out.append(
                _p(
                    "Báo cáo bị trả lại: "
                    + "; ".join(
                        f"{esc(who)} ({kinds[k]})" + (f": {esc(reason)}" if reason else "") for k, who, reason in rr
                    )
                    + ".",
                    s.body,
                )
            )
        return out

    # --- (7) method, closing, signature
    def section_method(self) -> list:
        return [_p("VII. PHƯƠNG PHÁP TỔNG HỢP, ĐÁNH GIÁ", self.s.h1), _p(esc(method_paragraph(self.d)), self.s.body)]

    def closing(self) -> list:
        s, cfg = self.s, self.cfg
        out: list = []
        closing = [_p(esc(cfg.document.closing), s.body)] if cfg.document.closing else []
        dist = [_p("Nơi nhận:", s.dist_head)] + [
            _p(esc(line if line.lstrip().startswith("-") else f"- {line}"), s.dist)
            for line in cfg.document.distribution
        ]
        sig = cfg.signatory
        sign: list = []
        if sig.authority:
            sign.append(_p(esc(sig.authority), s.sign))
        sign.append(_p(esc(sig.title), s.sign))
        if sig.signed_mark:
            sign += [Spacer(1, 6 * mm), _p(esc(sig.signed_mark), s.sign_mark), Spacer(1, 8 * mm)]
        else:
            sign.append(Spacer(1, 24 * mm))
        sign.append(_p(esc(sig.name), s.sign))
        block = Table([[dist, sign]], colWidths=[CONTENT_W * 0.55, CONTENT_W * 0.45])
        block.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), self.font.regular),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 6),
                ]
            )
        )
        out.append(KeepTogether(closing + [block]))  # the signature never stands alone on a page
        return out

    def story(self) -> list:
        return _keep_small_tables(
            self.document_head()
            + self.section_agencies()
            + self.section_investment()
            + self.section_compliance()
            + self.section_districts()
            + self.section_trend()
            + self.section_quality()
            + self.section_method()
            + self.closing()
        )


SMALL_TABLE_ROWS = 20


def _keep_small_tables(story: list) -> list:
    """A caption, a table of at most SMALL_TABLE_ROWS rows and the note under it stay on one page;
    longer tables split across pages (header repeated) right after their caption."""
    out: list = []
    i = 0
    while i < len(story):
        f = story[i]
        nxt = story[i + 1] if i + 1 < len(story) else None
        if getattr(f, "_is_caption", False) and isinstance(nxt, Table) and nxt._nrows <= SMALL_TABLE_ROWS:
            group = [f, nxt]
            i += 2
            if i < len(story) and isinstance(story[i], Paragraph) and story[i].style.name == "note":
                group.append(story[i])
                i += 1
            out.append(KeepTogether(group))
            continue
        out.append(f)
        i += 1
    return out


def _numbered_canvas(footer_left: str, font: FontFamily):
    """A canvas that writes 'Trang n/N' and the reporting month on every page once it knows N."""

    class NumberedCanvas(rl_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            self.saveState()
            self.setStrokeColor(colors.HexColor("#808080"))
            self.setLineWidth(0.4)
            y = MARGIN_BOTTOM - 8 * mm
            self.line(MARGIN_LEFT, y + 4 * mm, PAGE_W - MARGIN_RIGHT, y + 4 * mm)
            self.setFont(font.regular, 8.5)
            self.setFillColor(colors.HexColor("#333333"))
            self.drawString(MARGIN_LEFT, y, footer_left)
            self.drawRightString(PAGE_W - MARGIN_RIGHT, y, f"Trang {self._pageNumber}/{total}")
            self.restoreState()

    return NumberedCanvas


def render_pdf(data: ReportData, path: Path, cfg: ReportConfig | None = None) -> int:
    """Write the PDF; returns its number of pages."""
    cfg = cfg or report_config()
    data.validate()
    font = register_fonts(cfg.font)
    subject = subject_line(cfg, data.month)
    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"{cfg.document.type.capitalize()} {subject[:1].lower()}{subject[1:]}",
        author=cfg.issuer.full_name,
        subject=f"Báo cáo tháng {fmt.month_vi(data.month)} gửi {cfg.document.recipient}",
        creator=f"ispeed-pipeline {__version__}",
        keywords=list(cfg.keywords),
        invariant=1,
        lang="vi-VN",
        initialFontName=font.regular,
        initialFontSize=12,
        displayDocTitle=1,
    )
    builder = _Builder(data, cfg, font)
    footer = f"Báo cáo tháng {fmt.month_vi(data.month)} - {cfg.issuer.full_name}"
    doc.build(builder.story(), canvasmaker=_numbered_canvas(footer, font))
    return doc.page


def render_report(data: ReportData, out_dir: Path) -> RenderedReport:
    """The month's PDF and its annex (.xlsx and one .csv per table) in ``out_dir`` (created if
    needed; files of the same month are replaced). Same data and configuration, same bytes."""
    started = time.perf_counter()
    cfg = report_config()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / file_stem(data.month)
    pdf = stem.with_suffix(".pdf")
    tmp = pdf.with_name(pdf.name + ".tmp")
    pages = render_pdf(data, tmp, cfg)
    tmp.replace(pdf)  # a reader never sees half a PDF
    tables = annex_tables(data)
    xlsx = write_xlsx(
        data,
        stem.with_name(stem.name + "-phu-luc.xlsx"),
        tables,
        title=f"Phụ lục: {subject_line(cfg, data.month)}",
        author=cfg.issuer.full_name,
    )
    csvs = write_csvs(stem.with_name(stem.name + "-phu-luc"), tables)
    return RenderedReport(
        month=data.month,
        pdf_path=pdf,
        xlsx_path=xlsx,
        csv_paths=tuple(csvs),
        pdf_sha256=sha256_file(pdf),
        xlsx_sha256=sha256_file(xlsx),
        fingerprint=data.fingerprint(),
        pages=pages,
        seconds=round(time.perf_counter() - started, 3),
        summary=report_summary(data, cfg),
    )


def report_summary(data: ReportData, cfg: ReportConfig | None = None) -> dict:
    """The few figures the email repeats, already formatted the Vietnamese way (JSON-able, so that it
    travels with RenderedReport through XCom)."""
    cfg = cfg or report_config()
    m = data.method
    tot = data.agency_totals()
    return {
        "month": data.month_label,
        "month_vi": fmt.month_vi(data.month),
        "report_date": data.report_date.isoformat(),
        "subject_line": subject_line(cfg, data.month),
        "network": fmt.network(m.network_type),
        "statistic_vi": fmt.STATISTIC_VI.get(m.statistic, m.statistic),
        "threshold": fmt.number(m.threshold_mbps, 0 if m.threshold_mbps == int(m.threshold_mbps) else 1),
        "operators": [
            {
                "code": c.operator_code,
                "name": c.operator_name,
                "figure": fmt.mbps(c.figure_mbps),
                "tests": fmt.number(c.tests),
                "verdict": c.verdict,
                "verdict_vi": fmt.VERDICT_VI[c.verdict],
            }
            for c in data.compliance
        ],
        "agencies": {
            "total": tot["agencies"],
            "submitted": tot["agencies_submitted"],
            "missing": [a.agency_name for a in data.agencies if a.state == MISSING],
            "rejected": [a.agency_name for a in data.agencies if a.state == REJECTED],
        },
        "districts_below": sum(1 for x in data.districts if x.verdict == DOES_NOT_MEET),
    }
