"""The report's story: its sections in print order (sections/), with small tables kept on one
page with their caption and note.

The body opens with the answer (TÓM TẮT KẾT QUẢ, after the basis) and ends with the assessment and
proposals (VIII), then the closing line, "Nơi nhận:" and the signature block; the long lists follow
in the PHỤ LỤC (layout.py decides which)."""

from __future__ import annotations

from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, Table

from ispeed.report.sections.agencies import section_agencies
from ispeed.report.sections.appendix import section_appendix
from ispeed.report.sections.assessment import section_assessment
from ispeed.report.sections.builder import Builder
from ispeed.report.sections.compliance import section_compliance
from ispeed.report.sections.districts import section_districts
from ispeed.report.sections.head import closing, document_head
from ispeed.report.sections.investment import section_investment
from ispeed.report.sections.method import section_method
from ispeed.report.sections.quality import section_quality
from ispeed.report.sections.summary import section_summary
from ispeed.report.sections.trend import section_trend
from ispeed.report.styles import CONTENT_W, MARGIN_BOTTOM, MARGIN_TOP, PAGE_H

#: The parts of the document in print order; tables and figures are numbered in this order.
SECTIONS = (
    document_head,
    section_summary,
    section_agencies,
    section_investment,
    section_compliance,
    section_districts,
    section_trend,
    section_quality,
    section_method,
    section_assessment,
    closing,
    section_appendix,
)


def story(builder: Builder) -> list:
    """Every flowable of the document, in order (the builder numbers the tables and figures, and
    records where the signature's space falls once the document is built)."""
    flowables: list = []
    for section in SECTIONS:
        flowables += section(builder)
    return keep_headings(keep_small_tables(keep_with_closing(flowables)))


def keep_with_closing(story: list) -> list:
    """The closing line and the signature block (head.closing, kept together) take the body's last
    paragraph with them to the next page when they do not fit: a page never holds the signature
    alone."""
    out: list = []
    for f in story:
        if getattr(f, "_is_closing", False) and out and isinstance(out[-1], Paragraph):
            f = KeepTogether([out.pop(), *f._content])
        out.append(f)
    return out


SMALL_TABLE_ROWS = 8


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


#: The text frame's height (A4 less the margins), the most a CondPageBreak may ask for.
FRAME_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM
#: Lines of a paragraph that must follow its heading on the same page.
LINES_AFTER_HEADING = 3


def _height(f) -> float:
    """The height ``f`` takes across the text width (a KeepTogether: its content's)."""
    if isinstance(f, KeepTogether):
        return sum(_height(c) for c in f._content)
    _, h = f.wrap(CONTENT_W, FRAME_H)
    return h + f.getSpaceBefore() + f.getSpaceAfter()


def _is_heading(f) -> bool:
    return isinstance(f, Paragraph) and bool(getattr(f.style, "keepWithNext", 0))


def keep_headings(story: list) -> list:
    """A heading (and the headings right under it) stays on the page of what follows it, as the
    styles' keepWithNext asks, without moving a long paragraph whole: before the headings, a
    CondPageBreak asks for their height plus LINES_AFTER_HEADING lines of the paragraph that
    follows (or the whole of a table or figure kept together). reportlab's own keepWithNext keeps
    the heading with all of its next paragraph and can leave half a page empty."""
    out: list = []
    i = 0
    while i < len(story):
        if not _is_heading(story[i]):
            out.append(story[i])
            i += 1
            continue
        j = i
        while j < len(story) and _is_heading(story[j]):
            j += 1
        need = sum(_height(h) for h in story[i:j])
        k, cond = j, 0.0
        while k < len(story) and isinstance(story[k], CondPageBreak):
            cond = max(cond, story[k].height)
            k += 1
        if k < len(story):
            nxt = story[k]
            if isinstance(nxt, Paragraph):
                first = min(_height(nxt), nxt.style.leading * LINES_AFTER_HEADING + nxt.getSpaceBefore())
            else:
                first = _height(nxt)
            need += max(first, cond)
        out.append(CondPageBreak(min(need, FRAME_H)))
        for h in story[i:j]:
            h.keepWithNext = 0
            out.append(h)
        i = j
    return out
