"""The report's two charts, drawn with reportlab's own graphics so that they go into the PDF as
vectors (sharp at any zoom, text searchable) and come out the same bytes every time.

- compliance_chart: a bar per operator (the figure the verdict compares), its 95% interval as a
  whisker, coloured by verdict, against a dashed line at the threshold;
- trend_chart: the figure of each operator over the 12 months ending at the reporting month, a
  gap where a month has no figure, hollow markers where a month had too few tests, and a dotted
  line before July 2025 when the trend spans it (the territory changed: units.territory_change).

Colours are the Okabe-Ito palette (readable by colour-blind readers); series also differ by marker
shape, so a black-and-white print still tells them apart.

ChartFigure puts a chart under its caption and gives it the height left on the page, between a
least and a full height, instead of moving it whole to the next page (the text keeps its size; the
plot is lower).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph

from ispeed.report import fmt
from ispeed.report.data import DOES_NOT_MEET, INSUFFICIENT_DATA, MEETS, ReportData
from ispeed.report.fonts import FontFamily
from ispeed.report.units import territory_change

VERDICT_COLOURS = {
    MEETS: colors.HexColor("#2E7D32"),
    DOES_NOT_MEET: colors.HexColor("#C62828"),
    INSUFFICIENT_DATA: colors.HexColor("#9E9E9E"),
}
#: text in the verdict's colour (the grey of the bars is too light for text)
VERDICT_TEXT_COLOURS = {**VERDICT_COLOURS, INSUFFICIENT_DATA: colors.HexColor("#555555")}
THRESHOLD_COLOUR = colors.HexColor("#B71C1C")
GRID = colors.HexColor("#D0D0D0")
SERIES_COLOURS = [
    colors.HexColor(c) for c in ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
]
MARKERS = ("circle", "square", "triangle", "diamond", "triangle_down")
#: A chart's height under its caption (ChartFigure), and the least it may take at the foot of a page.
CHART_H, CHART_LEAST_H = 175.0, 135.0


def _drawing(width: float, height: float, font: FontFamily) -> Drawing:
    """A Drawing whose default font is ours (reportlab's default, Helvetica, would otherwise be
    added to the PDF's fonts, unused)."""
    d = Drawing(width, height)
    d.initialFontName = font.regular
    d.initialFontSize = 8
    return d


def nice_max(value: float) -> tuple[float, float]:
    """An axis top at or above ``value`` and a tick step giving 4 to 8 ticks."""
    value = max(value, 1.0)
    magnitude = 10 ** math.floor(math.log10(value))
    for mult in (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10):
        step = mult * magnitude
        if value / step <= 7:
            return math.ceil(value / step - 1e-9) * step, step
    return value, value / 5  # pragma: no cover


def _axis(
    g: Group, font: FontFamily, x0: float, y0: float, width: float, height: float, top: float, step: float, unit: str
) -> None:
    ticks = int(round(top / step))
    for i in range(ticks + 1):
        v = i * step
        y = y0 + height * v / top
        g.add(Line(x0, y, x0 + width, y, strokeColor=GRID if i else colors.black, strokeWidth=0.4 if i else 0.8))
        g.add(
            String(
                x0 - 4, y - 3, fmt.number(v, 0 if step >= 1 else 1), fontName=font.regular, fontSize=7, textAnchor="end"
            )
        )
    g.add(Line(x0, y0, x0, y0 + height, strokeColor=colors.black, strokeWidth=0.8))
    label = String(0, 0, unit, fontName=font.regular, fontSize=7, textAnchor="middle")
    rotated = Group(label)
    rotated.translate(x0 - 30, y0 + height / 2)
    rotated.rotate(90)
    g.add(rotated)


def _threshold(
    g: Group,
    font: FontFamily,
    x0: float,
    y0: float,
    width: float,
    height: float,
    top: float,
    threshold: float,
    label: bool = True,
) -> None:
    y = y0 + height * threshold / top
    g.add(Line(x0, y, x0 + width, y, strokeColor=THRESHOLD_COLOUR, strokeWidth=1.2, strokeDashArray=[5, 3]))
    if label:
        g.add(
            String(
                x0 + width - 2,
                y + 3,
                f"Ngưỡng {fmt.number(threshold, 0 if threshold == int(threshold) else 1)} Mbps",
                fontName=font.bold,
                fontSize=7,
                fillColor=THRESHOLD_COLOUR,
                textAnchor="end",
            )
        )


def _legend_box(g: Group, font: FontFamily, x: float, y: float, colour, text: str) -> float:
    g.add(Rect(x, y, 8, 8, fillColor=colour, strokeColor=None))
    g.add(String(x + 11, y + 1, text, fontName=font.regular, fontSize=7))
    return x + 11 + stringWidth(text, font.regular, 7) + 14


def _fit(slot: float, text: str, font_name: str, size: float) -> list[str]:
    """``text`` on one line if it fits 95% of ``slot`` points, else on two, split at the space that
    balances them best."""
    if stringWidth(text, font_name, size) <= slot * 0.95 or " " not in text:
        return [text]
    words = text.split(" ")
    splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    return list(min(splits, key=lambda p: max(stringWidth(q, font_name, size) for q in p)))


def compliance_chart(data: ReportData, font: FontFamily, width: float, height: float = 165) -> Drawing:
    """Bars of the 4G figure per operator against the threshold (section 3)."""
    d = _drawing(width, height, font)
    g = Group()
    rows = data.compliance
    threshold = data.method.threshold_mbps
    x0 = 42.0
    slot = (width - x0 - 10) / max(len(rows), 1)
    # Under each bar its name and verdict, one line each, or two where one would not fit the slot.
    label_lines = max(
        (
            len(_fit(slot, r.operator_name, font.regular, 7.5))
            + len(_fit(slot, fmt.VERDICT_VI[r.verdict], font.italic, 6.5))
            for r in rows
        ),
        default=2,
    )
    y0 = 42.0 + 8.0 * (label_lines - 2)
    plot_w, plot_h = width - x0 - 10, height - y0 - 14
    peak = max([threshold] + [v for r in rows for v in (r.figure_mbps, r.ci_high_mbps) if v is not None])
    top, step = nice_max(peak * 1.08)
    stat = fmt.STATISTIC_VI.get(data.method.statistic, data.method.statistic)
    _axis(g, font, x0, y0, plot_w, plot_h, top, step, f"Tốc độ tải xuống {stat} (Mbps)")
    bar_w = min(46.0, slot * 0.55)
    for i, r in enumerate(rows):
        cx = x0 + slot * (i + 0.5)
        colour = VERDICT_COLOURS.get(r.verdict or INSUFFICIENT_DATA, VERDICT_COLOURS[INSUFFICIENT_DATA])
        if r.figure_mbps is not None:
            h = plot_h * r.figure_mbps / top
            g.add(Rect(cx - bar_w / 2, y0, bar_w, h, fillColor=colour, strokeColor=None))
            label_y = y0 + h + 3
            if r.ci_low_mbps is not None and r.ci_high_mbps is not None and data.method.statistic == "mean":
                lo, hi = (y0 + plot_h * v / top for v in (r.ci_low_mbps, r.ci_high_mbps))
                g.add(Line(cx, lo, cx, hi, strokeColor=colors.black, strokeWidth=0.8))
                g.add(Line(cx - 4, lo, cx + 4, lo, strokeColor=colors.black, strokeWidth=0.8))
                g.add(Line(cx - 4, hi, cx + 4, hi, strokeColor=colors.black, strokeWidth=0.8))
                label_y = max(label_y, hi + 3)
            g.add(
                String(
                    cx, label_y, fmt.mbps(r.figure_mbps, threshold), fontName=font.bold, fontSize=7, textAnchor="middle"
                )
            )
        else:
            for k, line in enumerate(reversed(_fit(slot, "không có số liệu", font.italic, 6.5))):
                g.add(String(cx, y0 + 4 + 8 * k, line, fontName=font.italic, fontSize=6.5, textAnchor="middle"))
        # Names and verdicts that would run into the next slot's take two lines.
        y = y0 - 10
        for line in _fit(slot, r.operator_name, font.regular, 7.5):
            g.add(String(cx, y, line, fontName=font.regular, fontSize=7.5, textAnchor="middle"))
            y -= 8.5
        for line in _fit(slot, fmt.VERDICT_VI[r.verdict], font.italic, 6.5):
            colour = VERDICT_TEXT_COLOURS.get(r.verdict or INSUFFICIENT_DATA)
            g.add(String(cx, y, line, fontName=font.italic, fontSize=6.5, textAnchor="middle", fillColor=colour))
            y -= 7.5
    _threshold(g, font, x0, y0, plot_w, plot_h, top, threshold)
    x = x0
    for verdict in (MEETS, DOES_NOT_MEET, INSUFFICIENT_DATA):
        x = _legend_box(g, font, x, 4, VERDICT_COLOURS[verdict], fmt.VERDICT_VI[verdict])
    if data.method.statistic == "mean":
        g.add(Line(x, 8, x + 10, 8, strokeColor=colors.black, strokeWidth=0.8))
        g.add(Line(x, 4, x, 12, strokeColor=colors.black, strokeWidth=0.8))
        g.add(Line(x + 10, 4, x + 10, 12, strokeColor=colors.black, strokeWidth=0.8))
        g.add(
            String(
                x + 14,
                5,
                f"Khoảng tin cậy {fmt.percent(data.method.confidence, 0)} của giá trị trung bình",
                fontName=font.regular,
                fontSize=7,
            )
        )
    d.add(g)
    return d


def _marker(kind: str, x: float, y: float, colour, hollow: bool, size: float = 2.6):
    fill = colors.white if hollow else colour
    if kind == "circle":
        return Circle(x, y, size, fillColor=fill, strokeColor=colour, strokeWidth=0.9)
    if kind == "square":
        return Rect(x - size, y - size, 2 * size, 2 * size, fillColor=fill, strokeColor=colour, strokeWidth=0.9)
    if kind == "triangle":
        pts = [x - size * 1.1, y - size, x + size * 1.1, y - size, x, y + size * 1.2]
    elif kind == "triangle_down":
        pts = [x - size * 1.1, y + size, x + size * 1.1, y + size, x, y - size * 1.2]
    else:  # diamond
        pts = [x, y - size * 1.3, x + size * 1.3, y, x, y + size * 1.3, x - size * 1.3, y]
    return Polygon(pts, fillColor=fill, strokeColor=colour, strokeWidth=0.9)


def series_order(data: ReportData) -> list[tuple[str, str]]:
    """(code, name) of the operators in the trend, in the order of the compliance table, then any other."""
    seen: dict[str, str] = {}
    for r in data.compliance:
        seen.setdefault(r.operator_code, r.operator_name)
    for p in data.trend:
        seen.setdefault(p.operator_code, p.operator_name)
    present = {p.operator_code for p in data.trend}
    return [(c, n) for c, n in seen.items() if c in present]


def trend_chart(data: ReportData, font: FontFamily, width: float, height: float = 170) -> Drawing:
    """The figure per operator over the trend months (section 5)."""
    d = _drawing(width, height, font)
    g = Group()
    months: list[date] = data.trend_months()
    threshold = data.method.threshold_mbps
    operators = series_order(data)
    legend_rows = math.ceil((len(operators) + 1) / 4)  # + the threshold's entry
    x0, y0 = 42.0, 26.0 + 11 * legend_rows
    plot_w, plot_h = width - x0 - 12, height - y0 - 10
    values = [p.figure_mbps for p in data.trend if p.figure_mbps is not None]
    top, step = nice_max(max([threshold, *values]) * 1.08)
    stat = fmt.STATISTIC_VI.get(data.method.statistic, data.method.statistic)
    _axis(g, font, x0, y0, plot_w, plot_h, top, step, f"Tốc độ tải xuống {stat} (Mbps)")
    slot = plot_w / len(months)
    xs = {m: x0 + slot * (i + 0.5) for i, m in enumerate(months)}
    for m, x in xs.items():
        g.add(Line(x, y0, x, y0 - 3, strokeColor=colors.black, strokeWidth=0.6))
        g.add(
            String(
                x,
                y0 - 11,
                f"{m.month:02d}/{m.year % 100:02d}",
                fontName=font.regular,
                fontSize=6.5,
                textAnchor="middle",
            )
        )
    _threshold(g, font, x0, y0, plot_w, plot_h, top, threshold, label=False)
    change = territory_change(months)
    if change is not None:
        cx = xs[change[0]] - slot / 2
        g.add(
            Line(
                cx, y0, cx, y0 + plot_h, strokeColor=colors.HexColor("#555555"), strokeWidth=0.8, strokeDashArray=[1, 2]
            )
        )
        g.add(
            String(
                cx + 2,
                y0 + plot_h - 8,
                f"Từ {change[0].month:02d}/{change[0].year}: địa giới mới",
                fontName=font.italic,
                fontSize=6.5,
                fillColor=colors.HexColor("#555555"),
            )
        )
    for k, (code, name) in enumerate(operators):
        colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
        marker = MARKERS[k % len(MARKERS)]
        points = {p.month: p for p in data.trend if p.operator_code == code}
        run: list[float] = []
        for m in months + [None]:  # None closes the last run
            p = points.get(m) if m else None
            if p is not None and p.figure_mbps is not None:
                run += [xs[m], y0 + plot_h * p.figure_mbps / top]
                continue
            if len(run) >= 4:
                g.add(PolyLine(run, strokeColor=colour, strokeWidth=1.3))
            run = []
        for m in months:
            p = points.get(m)
            if p is not None and p.figure_mbps is not None:
                g.add(_marker(marker, xs[m], y0 + plot_h * p.figure_mbps / top, colour, not p.sufficient_data))
        lx = x0 + (k % 4) * (plot_w / 4)
        ly = 4 + 11 * (legend_rows - 1 - k // 4)
        g.add(Line(lx, ly + 3, lx + 16, ly + 3, strokeColor=colour, strokeWidth=1.3))
        g.add(_marker(marker, lx + 8, ly + 3, colour, False))
        g.add(String(lx + 20, ly, name, fontName=font.regular, fontSize=7))
    k = len(operators)
    lx, ly = x0 + (k % 4) * (plot_w / 4), 4 + 11 * (legend_rows - 1 - k // 4)
    g.add(Line(lx, ly + 3, lx + 16, ly + 3, strokeColor=THRESHOLD_COLOUR, strokeWidth=1.2, strokeDashArray=[5, 3]))
    g.add(
        String(
            lx + 20,
            ly,
            f"Mức tối thiểu {fmt.number(threshold, 0 if threshold == int(threshold) else 1)} Mbps",
            fontName=font.bold,
            fontSize=7,
            fillColor=THRESHOLD_COLOUR,
        )
    )
    d.add(g)
    return d


class ChartFigure(Flowable):
    """A figure: its caption, and under it the chart ``draw(height)`` drawn across the text width,
    ``height`` points high, or less, down to ``least``, when less is left on the page (reportlab
    then draws it where it is instead of on the next page)."""

    def __init__(self, caption: Paragraph, draw: Callable[[float], Drawing], height: float, least: float):
        super().__init__()
        self.caption, self.chart, self.full, self.least = caption, draw, height, least
        self.chart_h = height

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        self.caption_h = self.caption.wrap(avail_width, avail_height)[1] + self.caption.getSpaceAfter()
        room = avail_height - self.caption_h
        self.chart_h = self.full if room >= self.full or room < self.least else room
        self.height = self.caption_h + self.chart_h
        return self.width, self.height

    def getSpaceBefore(self):
        return self.caption.getSpaceBefore()

    def draw(self):
        self.caption.drawOn(self.canv, 0, self.chart_h + self.caption.getSpaceAfter())
        drawing = self.chart(self.chart_h)
        drawing.drawOn(self.canv, (self.width - drawing.width) / 2, 0)
