"""The summary on page 1, "TÓM TẮT KẾT QUẢ", after the basis: the answer of the month in four
sentences (headline.py), so that a reader has it before the details."""

from __future__ import annotations

from ispeed.report.headline import headline
from ispeed.report.sections.builder import Builder
from ispeed.report.styles import para


def section_summary(b: Builder) -> list:
    return [para("TÓM TẮT KẾT QUẢ", b.s.h1)] + [para("- " + line.markup(), b.s.body) for line in headline(b.d)]
