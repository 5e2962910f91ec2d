"""The report's story: its sections in print order (sections/), with small tables kept on one
page with their caption and note."""

from __future__ import annotations

from reportlab.platypus import KeepTogether, Paragraph, Table

from ispeed.report.data import ReportData
from ispeed.report.fonts import FontFamily
from ispeed.report.sections.agencies import section_agencies
from ispeed.report.sections.appendix import section_appendix
from ispeed.report.sections.builder import Builder
from ispeed.report.sections.compliance import section_compliance
from ispeed.report.sections.districts import section_districts
from ispeed.report.sections.head import closing, document_head
from ispeed.report.sections.investment import section_investment
from ispeed.report.sections.method import section_method
from ispeed.report.sections.quality import section_quality
from ispeed.report.sections.trend import section_trend
from ispeed.report.settings import ReportConfig

#: The parts of the document in print order; tables and figures are numbered in this order.
SECTIONS = (
    document_head,
    section_agencies,
    section_investment,
    section_compliance,
    section_districts,
    section_trend,
    section_quality,
    section_method,
    closing,
    section_appendix,
)


def story(data: ReportData, cfg: ReportConfig, font: FontFamily) -> list:
    """Every flowable of the document, in order."""
    builder = Builder(data, cfg, font)
    flowables: list = []
    for section in SECTIONS:
        flowables += section(builder)
    return keep_small_tables(flowables)


SMALL_TABLE_ROWS = 20


def keep_small_tables(story: list) -> list:
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
