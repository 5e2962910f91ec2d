"""Section V: each operator's figure over the last months (Method.trend_months), chart and table (the
table in the Phụ lục in a month whose body must stay short, layout.compact);
when they span July 2025 the chart marks it and a sentence under it says how the territory changed."""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle

from ispeed.report import fmt
from ispeed.report.charts import CHART_H, CHART_LEAST_H, ChartFigure, series_order, trend_chart
from ispeed.report.data import INSUFFICIENT_DATA
from ispeed.report.layout import annex_name
from ispeed.report.sections.builder import Builder
from ispeed.report.styles import BELOW_MARK, CONTENT_W, INSUFFICIENT_MARK, esc, para, ruled_table
from ispeed.report.units import territory_change


def section_trend(b: Builder) -> list:
    s, d, m = b.s, b.d, b.d.method
    stat = fmt.STATISTIC_VI.get(m.statistic, m.statistic)
    months = d.trend_months()
    out: list = [para(f"V. DIỄN BIẾN TỐC ĐỘ {fmt.number(len(months))} THÁNG GẦN NHẤT", s.h1)]
    if not d.trend:
        out.append(para("Chưa có số liệu các tháng trước.", s.body))
        return out
    out.append(
        para(
            f"Tốc độ tải xuống {stat} dịch vụ {esc(fmt.network(m.network_type))} của từng doanh nghiệp từ tháng "
            f"{fmt.month_vi(months[0])} đến tháng {fmt.month_vi(months[-1])}; tháng không có số liệu để trống, "
            f"điểm rỗng là tháng chưa đủ số liệu.",
            s.body,
        )
    )
    out.append(
        ChartFigure(
            b.caption_figure(f"Diễn biến tốc độ tải xuống {stat} theo doanh nghiệp"),
            lambda h: trend_chart(d, b.font, CONTENT_W, h),
            CHART_H,
            CHART_LEAST_H,
        )
    )
    change = territory_change(months)
    if change is not None:
        out.append(para(esc(change[1]), s.body))
    annex = annex_name(d, "trend")
    if annex:
        out.append(para(f"Số liệu của từng tháng được nêu tại {annex}.", s.body))
        return out
    return out + trend_table(b, b.caption_table(f"Tốc độ tải xuống {stat} (Mbps) theo tháng"))


def trend_table(b: Builder, caption: list) -> list:
    """The figure of each operator in each month of the trend, marked, with its legend."""
    s, d = b.s, b.d
    months = d.trend_months()
    out: list = list(caption)
    rows: list[list] = [
        [b.head("Doanh nghiệp", s.cell_small_head)]
        + [b.head(f"{mo.month:02d}/{mo.year % 100:02d}", s.cell_small_head) for mo in months]
    ]
    style: list = []
    tiny = ParagraphStyle("tiny", parent=s.cell_small_num, fontSize=6.5, leading=8)
    for code, name in series_order(d):
        points = {p.month: p for p in d.trend if p.operator_code == code}
        row = [para(esc(name), s.cell_small)]
        for j, mo in enumerate(months, start=1):
            p = points.get(mo)
            if p is None or p.figure_mbps is None:
                row.append(para(fmt.NONE, tiny))
                continue
            verdict = INSUFFICIENT_DATA if not p.sufficient_data else None
            text = b.mbps(p.figure_mbps)
            if verdict is None and p.figure_mbps < b.threshold:
                text = f"<b>{BELOW_MARK}{text}</b>"
            elif verdict:
                text = f"{INSUFFICIENT_MARK}{text}"
            row.append(para(text, tiny))
            bg = b.mark_bg(verdict, p.figure_mbps, b.threshold)
            if bg is not None:
                style.append(("BACKGROUND", (j, len(rows)), (j, len(rows)), bg))
        rows.append(row)
    t = ruled_table(b.font, rows, [25] + [11.7] * len(months), style)
    out.append(t)
    out.append(b.legend(b.floors_text()))
    return out
