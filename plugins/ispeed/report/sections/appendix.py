"""The annex of the PDF (PHỤ LỤC), after the signature: what is too long for the body, numbered in
this order among those the month has (layout.py decides, so the body points to the right one):

    units     the unit x operator table of section IV, when the month has more than
              units.MANY_UNITS units (114 xã, phường, đặc khu)
    agencies  every sender's return of section I, when there are layout.MANY_SENDERS or more
    below     every unit below the threshold and every remedy of section II.2, with the consecutive
              months below, when the body cannot hold them (layout.remedies_in_annex)
    vnnic     section III's table of VNNIC's figures per operator, in a compact month (method 2.0)
    other_networks  section III's table of the other network types (5G, Wi-Fi), in a compact month
    trend     section V's table of the monthly figures, in a compact month
    quality   section VI's tables, in a compact month (layout.compact: many units)
    method    section VII's full paragraph, in a compact month (the body holds its summary)

With 15 districts, 39 senders and a few remedies the body holds every table and there is no annex.
The .xlsx/.csv annex (annex.py) holds every row in any case."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, PageBreak

from ispeed.report import fmt
from ispeed.report.layout import annexes, below_rows
from ispeed.report.sections.agencies import agency_table
from ispeed.report.sections.builder import Builder
from ispeed.report.sections.compliance import other_networks_table, vnnic_table
from ispeed.report.sections.districts import unit_table
from ispeed.report.sections.method import method_paragraph
from ispeed.report.sections.quality import quality_tables
from ispeed.report.sections.remedies import below_table
from ispeed.report.sections.trend import trend_table
from ispeed.report.styles import esc, para
from ispeed.report.units import unit_words


def _caption(b: Builder, text: str) -> list:
    caption = para(text, b.s.caption)
    caption._is_caption = True
    return [CondPageBreak(35 * mm), caption]


def _lettered(b: Builder, n: int):
    """Captions "4a. ...", "4b. ..." for the tables of Phụ lục 4."""
    letters = iter("abcdefghijklmnopqrstuvwxyz")
    return lambda text: _caption(b, f"{n}{next(letters)}. {text}")


def section_appendix(b: Builder) -> list:
    d = b.d
    w = unit_words(d.month)
    month = fmt.month_vi(d.month)
    stat = fmt.STATISTIC_VI.get(d.method.statistic, d.method.statistic)
    parts: list = []
    for n, key in enumerate(annexes(d), start=1):
        if key == "units":
            title = f"Phụ lục {n}. Tốc độ tải xuống {stat} (Mbps) theo {w['units']} và doanh nghiệp, tháng {month}"
            parts += unit_table(b, _caption(b, title))
        elif key == "agencies":
            title = f"Phụ lục {n}. Kết quả cài đặt, sử dụng i-Speed theo cơ quan, đơn vị, tháng {month}"
            parts += agency_table(b, _caption(b, title))
        elif key == "below":
            title = (
                f"Phụ lục {n}. Các {w['units']} có tốc độ dưới {b.thr_text} Mbps và giải pháp khắc phục của "
                f"doanh nghiệp, tháng {month}"
            )
            parts += below_table(b, below_rows(d), _caption(b, title))
        elif key == "vnnic":
            title = (
                f"Phụ lục {n}. Đối chiếu với phương pháp thống kê của VNNIC (trung vị các mẫu đại diện), tháng {month}"
            )
            parts += vnnic_table(b, _caption(b, title))
        elif key == "other_networks":
            title = f"Phụ lục {n}. Tốc độ tải xuống các loại mạng khác theo doanh nghiệp, tháng {month}"
            parts += other_networks_table(b, _caption(b, title))
        elif key == "trend":
            stat = fmt.STATISTIC_VI.get(d.method.statistic, d.method.statistic)
            title = f"Phụ lục {n}. Tốc độ tải xuống {stat} (Mbps) theo doanh nghiệp và tháng"
            parts += trend_table(b, _caption(b, title))
        elif key == "quality":
            parts += _caption(b, f"Phụ lục {n}. Chất lượng dữ liệu, tháng {month}")
            parts += quality_tables(b, _lettered(b, n))
        else:
            parts += [
                *_caption(b, f"Phụ lục {n}. Phương pháp tổng hợp, đánh giá"),
                para(esc(method_paragraph(d)), b.s.body),
            ]
    if not parts:
        return []
    return [PageBreak(), para("PHỤ LỤC", b.s.h1), *parts]
