"""ReportData -> the PDF the Department signs, and its annex (.xlsx and .csv) beside it.

    render_report(data, out_dir)   the PDF and the annex in a folder -> RenderedReport (artefact.py)
    render_pdf(data, path)         the PDF alone -> (its number of pages, the signature's box)
    report_summary(data)           the few figures the email repeats, and the summary's sentences
                                   ("headline": what page 1 says, as plain text lines)

The layout is that of a Vietnamese administrative report (Nghị định 30/2020/NĐ-CP, Phụ lục I):
issuing body top left with a short rule under it, the national name and motto top right with a
rule, the number line and the place-and-date line (italic), the title BÁO CÁO with its subject,
"Kính gửi: ...", the basis, the summary (TÓM TẮT KẾT QUẢ), the numbered sections ending with the
assessment and proposals, and at the end "Nơi nhận:" bottom left and the signature block bottom
right, with a blank space where the digital signature goes (RenderedReport.signature_box: the PDF
rendered here is the draft that ispeed.signing signs). Every text that comes from data or
configuration is escaped for reportlab's Paragraph markup, so a note such as "<font size=200>"
prints as written.

The parts: styles.py (the page, colours and marks, paragraph styles, ruled tables), sections/ (the
head, the seven sections and the signature block, a module each), document.py (their order),
canvas.py (the numbered footer), annex.py and annex_files.py (the annex), artefact.py (what a render
leaves behind: RenderedReport, the folder and the files' names).

Deterministic: reportlab runs with ``invariant=1`` (no creation time, fixed document id), the date
printed is ReportData.report_date, and the annex is re-packed with fixed timestamps -- the same
data renders to the same bytes.
"""

from __future__ import annotations

import time
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate

from ispeed import __version__
from ispeed.report import fmt
from ispeed.report.annex import annex_tables
from ispeed.report.annex_files import write_csvs, write_xlsx
from ispeed.report.artefact import RenderedReport, file_stem, report_folder
from ispeed.report.canvas import numbered_canvas
from ispeed.report.data import DOES_NOT_MEET, MISSING, REJECTED, ReportData
from ispeed.report.document import story
from ispeed.report.fonts import register_fonts
from ispeed.report.headline import headline
from ispeed.report.sections.builder import Builder
from ispeed.report.sections.head import subject_line
from ispeed.report.settings import ReportConfig, report_config
from ispeed.report.styles import MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP
from ispeed.warehouse.ledger import sha256_of

# Where the other rooms import them from (delivery.py, tasks.py, devtools/bench.py).
__all__ = [
    "RenderedReport",
    "file_stem",
    "render_pdf",
    "render_report",
    "report_folder",
    "report_summary",
]


def render_pdf(
    data: ReportData, path: Path, cfg: ReportConfig | None = None
) -> tuple[int, tuple[int, float, float, float, float] | None]:
    """Write the PDF; returns its number of pages and where the signature's blank space is: (page
    from 1, x1, y1, x2, y2) in PDF points from the page's bottom left (None if it was not drawn)."""
    cfg = cfg or report_config(data.month)
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
    footer = f"Báo cáo tháng {fmt.month_vi(data.month)} - {cfg.issuer.full_name}"
    builder = Builder(data, cfg, font)
    doc.build(story(builder), canvasmaker=numbered_canvas(footer, font))
    return doc.page, builder.signature.get("box")


def render_report(data: ReportData, out_dir: Path) -> RenderedReport:
    """The month's PDF and its annex (.xlsx and one .csv per table) in ``out_dir`` (created if
    needed; files of the same month are replaced). Same data and configuration, same bytes."""
    started = time.perf_counter()
    cfg = report_config(data.month)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / file_stem(data.month)
    pdf = stem.with_suffix(".pdf")
    tmp = pdf.with_name(pdf.name + ".tmp")
    pages, signature_box = render_pdf(data, tmp, cfg)
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
        pdf_sha256=sha256_of(pdf),
        xlsx_sha256=sha256_of(xlsx),
        fingerprint=data.fingerprint(),
        pages=pages,
        seconds=round(time.perf_counter() - started, 3),
        summary=report_summary(data, cfg),
        signature_box=signature_box,
    )


def _reason_vi(c, m) -> str | None:
    """Why an operator has not enough data, in words (texts.yaml insufficient_reasons), or None."""
    from ispeed.report.sections.builder import reason_words

    if c.verdict != "insufficient_data" or not c.insufficient_reason:
        return None
    return reason_words(c.insufficient_reason, m)


def report_summary(data: ReportData, cfg: ReportConfig | None = None) -> dict:
    """The few figures the email repeats, already formatted the Vietnamese way (JSON-able, so that it
    travels with RenderedReport through XCom). ``headline``: the sentences of the PDF's summary on
    page 1 (TÓM TẮT KẾT QUẢ), plain text, one a line, for the approval request and the mail."""
    cfg = cfg or report_config(data.month)
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
                "figure": fmt.mbps(c.figure_mbps, m.threshold_mbps),
                "tests": fmt.number(c.tests),
                "verdict": c.verdict,
                "verdict_vi": fmt.VERDICT_VI[c.verdict],
                "reason_vi": _reason_vi(c, m),
                # VNNIC's figure (median of the representative samples) and verdict, method 2.0
                "vnnic_figure": fmt.mbps(c.vnnic_median_mbps, m.threshold_mbps),
                "vnnic_samples": fmt.number(c.samples),
                "vnnic_verdict_vi": fmt.VERDICT_VI[c.vnnic_verdict] if c.vnnic_verdict else fmt.NONE,
                "vnnic_differs": c.vnnic_verdict_differs,
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
        "headline": [line.text for line in headline(data)],
    }
