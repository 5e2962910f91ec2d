"""Section VII: how the figures were compiled and judged, from include/templates/report/method.txt.j2;
in a month whose body must stay short (layout.compact) the body holds the summary of
method_short.txt.j2 and the full paragraph goes to the Phụ lục (appendix.py)."""

from __future__ import annotations

from ispeed import paths
from ispeed.report import fmt
from ispeed.report.data import ReportData
from ispeed.report.layout import annex_name
from ispeed.report.sections.builder import Builder
from ispeed.report.styles import esc, para
from ispeed.report.units import province_kind, unit_words


def method_paragraph(data: ReportData, template: str = "method.txt.j2") -> str:
    """Section 7's paragraph, from include/templates/report/method.txt.j2 (plain text), or its
    summary (method_short.txt.j2)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(paths.TEMPLATES_DIR / "report")),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )
    m = data.method
    return (
        env.get_template(template)
        .render(
            month=fmt.month_vi(data.month),
            network=fmt.network(m.network_type),
            statistic=fmt.STATISTIC_VI.get(m.statistic, m.statistic),
            threshold=fmt.number(m.threshold_mbps, 0 if m.threshold_mbps == int(m.threshold_mbps) else 1),
            min_tests=fmt.number(m.min_tests),
            min_devices=fmt.number(m.min_devices),
            area_min_tests=fmt.number(m.area_min_tests),
            area_min_devices=fmt.number(m.area_min_devices),
            min_effective_devices=fmt.number(m.min_effective_devices),
            area_min_effective_devices=fmt.number(m.area_min_effective_devices),
            # with N effective devices one device's share s of the tests satisfies s^2 <= 1/N: the most
            # a device can hold (about 18% for 30)
            max_device_share=fmt.percent((1 / m.min_effective_devices) ** 0.5 if m.min_effective_devices else 1, 0),
            vnnic_min_samples=fmt.number(m.vnnic_min_samples),
            confidence=fmt.percent(m.confidence, 0),
            method_version=m.method_version,
            province_kind=province_kind(data.report_date),
            units=unit_words(data.month)["units"],
            unit=unit_words(data.month)["unit"],
        )
        .strip()
    )


def section_method(b: Builder) -> list:
    out = [para("VII. PHƯƠNG PHÁP TỔNG HỢP, ĐÁNH GIÁ", b.s.h1)]
    annex = annex_name(b.d, "method")
    if annex is None:
        return out + [para(esc(method_paragraph(b.d)), b.s.body)]
    text = method_paragraph(b.d, "method_short.txt.j2") + f" Phương pháp chi tiết được nêu tại {annex}."
    return out + [para(esc(text), b.s.body)]
