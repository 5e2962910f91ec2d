"""The annex of the PDF (Phụ lục), after the signature: what is too long for the body.

    Phụ lục 1  the unit x operator table of section IV, when the month has more than
               units.MANY_UNITS units (114 xã, phường, đặc khu)
    Phụ lục 2  every sender's return of section I, when there are agencies.MANY_SENDERS or more

With 15 districts and 39 senders the body holds both tables and there is no annex. The .xlsx/.csv
annex (annex.py) holds every row in any case."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, PageBreak

from ispeed.report import fmt
from ispeed.report.sections.agencies import agency_table, many_senders
from ispeed.report.sections.builder import Builder
from ispeed.report.sections.districts import unit_table, units_of
from ispeed.report.styles import para
from ispeed.report.units import many_units, unit_words


def _caption(b: Builder, text: str) -> list:
    caption = para(text, b.s.caption)
    caption._is_caption = True
    return [CondPageBreak(35 * mm), caption]


def section_appendix(b: Builder) -> list:
    d = b.d
    parts: list = []
    if d.districts and many_units(len(units_of(b))):
        w = unit_words(d.month)
        stat = fmt.STATISTIC_VI.get(d.method.statistic, d.method.statistic)
        parts += unit_table(
            b,
            _caption(
                b,
                f"Phụ lục 1. Tốc độ tải xuống {stat} (Mbps) theo {w['units']} và doanh nghiệp, "
                f"tháng {fmt.month_vi(d.month)}",
            ),
        )
    if d.agencies and many_senders(b):
        parts += agency_table(
            b,
            _caption(
                b, f"Phụ lục 2. Kết quả cài đặt, sử dụng i-Speed theo cơ quan, đơn vị, tháng {fmt.month_vi(d.month)}"
            ),
        )
    if not parts:
        return []
    return [PageBreak(), para("PHỤ LỤC", b.s.h1), *parts]
