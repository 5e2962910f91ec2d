"""Section III: each operator's figure against the threshold and its verdict, table and chart, and
the other network types for reference."""

from __future__ import annotations

from ispeed.report import fmt
from ispeed.report.charts import CHART_H, CHART_LEAST_H, VERDICT_COLOURS, ChartFigure, compliance_chart
from ispeed.report.data import DOES_NOT_MEET, INSUFFICIENT_DATA, MEETS, OperatorCompliance
from ispeed.report.layout import annex_name
from ispeed.report.sections.builder import DIFFERS_MARK, Builder, method_2
from ispeed.report.styles import BELOW_MARK, CONTENT_W, INSUFFICIENT_MARK, STRADDLE_MARK, esc, para, ruled_table
from ispeed.report.units import province_kind, unit_words


def section_compliance(b: Builder) -> list:
    s, d, m = b.s, b.d, b.d.method
    net = fmt.network(m.network_type)
    stat = fmt.STATISTIC_VI.get(m.statistic, m.statistic)
    out: list = [para(f"III. KẾT QUẢ ĐO TỐC ĐỘ DỊCH VỤ {esc(net.upper())} THEO DOANH NGHIỆP", s.h1)]
    by = {
        v: [c.operator_name for c in d.compliance if c.verdict == v] for v in (MEETS, DOES_NOT_MEET, INSUFFICIENT_DATA)
    }
    tests = sum(c.tests for c in d.compliance)
    out.append(
        para(
            f"Trong tháng {fmt.month_vi(d.month)}, công cụ i-Speed ghi nhận <b>{fmt.number(tests)}</b> phép đo hợp lệ trên "
            f"mạng {esc(net)} tại {province_kind(d.report_date)}. So với mức tốc độ tải xuống {stat} tối thiểu {b.thr_text} Mbps: "
            + "; ".join(
                f"<b>{fmt.VERDICT_VI[v].lower()}</b>: {', '.join(esc(n) for n in names) if names else 'không có'}"
                for v, names in by.items()
            )
            + ".",
            s.body,
        )
    )
    straddles = [c for c in d.compliance if c.ci_straddles]
    out += b.caption_table(f"Tốc độ tải xuống dịch vụ {esc(net)} theo doanh nghiệp, tháng {fmt.month_vi(d.month)}")
    conf = fmt.percent(m.confidence, 0)
    rows: list[list] = [
        b.header_row(
            "Doanh nghiệp",
            "Số phép đo",
            "Số thiết bị",
            "Trung bình (Mbps)",
            f"Khoảng tin cậy {conf} (Mbps)",
            "Trung vị (Mbps)",
            "TB các mẫu đại diện (Mbps)" if method_2(d) else "TB theo thiết bị-ngày (Mbps)",
            f"Tỷ lệ phép đo ≥ {b.thr_text} Mbps",
            "Kết quả",
        )
    ]
    style: list = []
    stat_col = {"mean": 3, "median": 5, "device_day_mean": 6}.get(m.statistic, 3)
    for c in d.compliance:
        ci = _interval(b, c)
        verdict = (
            fmt.VERDICT_VI[c.verdict]
            + b.reason_mark(c)
            + (f" {STRADDLE_MARK}" if c.ci_straddles else "")
            + (f" {DIFFERS_MARK}" if c.vnnic_verdict_differs else "")
        )
        colour = VERDICT_COLOURS[c.verdict].hexval().replace("0x", "#")
        cells = [
            para(esc(c.operator_name), s.cell_small),
            b.num(c.tests, style=s.cell_small_num),
            b.num(c.devices, style=s.cell_small_num),
            para(b.mbps(c.mean_mbps), s.cell_small_num),
            para(ci, s.cell_small_num),
            para(b.mbps(c.median_mbps), s.cell_small_num),
            para(b.mbps(c.device_day_mean_mbps), s.cell_small_num),
            para(fmt.percent(c.share_at_or_above), s.cell_small_num),
            para(f'<font color="{colour}"><b>{verdict}</b></font>', s.cell_small),
        ]
        cells[stat_col] = b.speed_cell(c.figure_mbps, c.verdict, small=True)
        rows.append(cells)
        bg = b.mark_bg(c.verdict, c.figure_mbps, b.threshold)
        if bg is not None:
            style.append(("BACKGROUND", (stat_col, len(rows) - 1), (stat_col, len(rows) - 1), bg))
            style.append(("BACKGROUND", (8, len(rows) - 1), (8, len(rows) - 1), bg))
    out.append(ruled_table(b.font, rows, [27, 15, 14, 17, 27, 15, 17, 16, 22], style))
    notes = (
        f"Ghi chú: chỉ tiêu đánh giá là tốc độ tải xuống {stat} (cột in đậm có dấu); "
        f'<font color="#9B1C1C"><b>{BELOW_MARK}</b></font> ô nền đỏ: dưới {b.thr_text} Mbps; ' + _insufficient(b)
    )
    reasons = b.reasons_note(d.compliance)
    if reasons:
        notes += " " + reasons
    if straddles:
        notes += (
            f" {STRADDLE_MARK} Khoảng tin cậy chứa mức {b.thr_text} Mbps: kết luận cần hiểu thận trọng "
            f"({', '.join(esc(c.operator_name) for c in straddles)})."
        )
    differs = [c for c in d.compliance if c.vnnic_verdict_differs]
    if differs:
        notes += (
            f" {DIFFERS_MARK} Theo phương pháp của VNNIC (trung vị các mẫu đại diện), kết quả sẽ khác: "
            + "; ".join(
                f"{esc(c.operator_name)} {fmt.VERDICT_VI[c.vnnic_verdict].lower()} "
                f"({b.mbps(c.vnnic_median_mbps)} Mbps, {fmt.number(c.samples)} mẫu; theo chỉ tiêu {stat}: "
                f"{fmt.VERDICT_VI[c.verdict].lower()})"
                for c in differs
            )
            + "."
        )
    out.append(para(notes, s.note))
    annex = annex_name(d, "vnnic")
    if d.compliance and annex:
        out.append(
            para(
                "Kết quả đối chiếu với phương pháp thống kê của VNNIC (trung vị các mẫu đại diện) theo từng doanh "
                f"nghiệp được nêu tại {annex}.",
                s.body,
            )
        )
    elif d.compliance:
        out += vnnic_table(b, b.caption_table(_vnnic_title(b)))
    if d.compliance:
        out.append(
            ChartFigure(
                b.caption_figure(
                    f"Tốc độ tải xuống {stat} dịch vụ {esc(net)} theo doanh nghiệp so với mức {b.thr_text} Mbps"
                ),
                lambda h: compliance_chart(d, b.font, CONTENT_W, h),
                CHART_H,
                CHART_LEAST_H,
            )
        )
    annex = annex_name(d, "other_networks")
    if d.other_networks and annex:
        nets = ", ".join(dict.fromkeys(esc(fmt.network(c.network_type)) for c in d.other_networks))
        out.append(
            para(
                f"Kết quả đo trên các loại mạng khác ({nets}; để tham khảo, không đánh giá theo mức tối thiểu) "
                f"được nêu tại {annex}.",
                s.body,
            )
        )
    elif d.other_networks:
        out.append(para("Các loại mạng khác (để tham khảo, không đánh giá theo mức tối thiểu)", s.h3))
        out += other_networks_table(b, b.caption_table("Tốc độ tải xuống các loại mạng khác theo doanh nghiệp"))
    return out


def _insufficient(b: Builder) -> str:
    return f"{INSUFFICIENT_MARK} ô nền xám: chưa đủ số liệu ({b.floors_text()})."


def _vnnic_title(b: Builder) -> str:
    return f"Đối chiếu với phương pháp thống kê của VNNIC (trung vị các mẫu đại diện), tháng {fmt.month_vi(b.d.month)}"


def vnnic_table(b: Builder, caption: list) -> list:
    """The operators' figures by VNNIC's method (the median of the representative samples) beside
    the report's verdict, so that the Department can reconcile its figures with those the Ministry
    sees. A month of method 1.0 has none: a sentence says so."""
    s, d, m = b.s, b.d, b.d.method
    if not method_2(d):
        return [
            para(
                f"Số liệu tháng này được tổng hợp theo phương pháp {esc(m.method_version)}, chưa có số liệu đối chiếu "
                "theo phương pháp thống kê của VNNIC (trung vị các mẫu đại diện).",
                s.body,
            )
        ]
    stat = fmt.STATISTIC_VI.get(m.statistic, m.statistic)
    out = list(caption)
    rows: list[list] = [
        b.header_row(
            "Doanh nghiệp",
            "Số mẫu đại diện",
            "Trung bình các mẫu đại diện (Mbps)",
            "Trung vị các mẫu đại diện (Mbps)",
            "Kết quả theo phương pháp của VNNIC",
            f"Kết quả theo chỉ tiêu {stat} của báo cáo",
        )
    ]
    style: list = []
    for c in d.compliance:
        mark = f" {DIFFERS_MARK}" if c.vnnic_verdict_differs else ""
        vnnic = fmt.VERDICT_VI[c.vnnic_verdict] if c.vnnic_verdict else fmt.NONE
        rows.append(
            [
                para(esc(c.operator_name) + mark, s.cell_small),
                b.num(c.samples, style=s.cell_small_num),
                para(b.mbps(c.device_day_mean_mbps), s.cell_small_num),
                b.speed_cell(c.vnnic_median_mbps, c.vnnic_verdict, small=True),
                para(f"<b>{vnnic}</b>{mark}", s.cell_small),
                para(fmt.VERDICT_VI[c.verdict] + mark, s.cell_small),
            ]
        )
        bg = b.mark_bg(c.vnnic_verdict, c.vnnic_median_mbps, b.threshold) if c.vnnic_verdict else None
        if bg is not None:
            style.append(("BACKGROUND", (3, len(rows) - 1), (3, len(rows) - 1), bg))
    out.append(ruled_table(b.font, rows, [34, 20, 26, 26, 30, 30], style))
    out.append(
        para(
            f"Ghi chú: mẫu đại diện là các phép đo của một thiết bị tại một {unit_words(d.month)['unit']} trong một ngày, "
            f"tính là một mẫu; VNNIC đánh giá khi có ít nhất {fmt.number(m.vnnic_min_samples)} mẫu đại diện và "
            f'trung vị các mẫu từ {b.thr_text} Mbps trở lên; dưới số mẫu này ghi "Chưa đủ số liệu". Kết quả của báo cáo '
            f"theo chỉ tiêu {stat} các phép đo (văn bản 2138/BTTTT-CVT)"
            + (
                f"; {DIFFERS_MARK}: kết quả theo hai phương pháp khác nhau."
                if any(c.vnnic_verdict_differs for c in d.compliance)
                else "."
            ),
            s.note,
        )
    )
    return out


def _interval(b: Builder, c: OperatorCompliance) -> str:
    """The confidence interval of the mean as printed: 'low – high', each bound on its side of the
    threshold (the straddle flag compares ci_low < threshold <= ci_high), or '-' without one."""
    return fmt.NONE if c.ci_low_mbps is None else f"{b.mbps(c.ci_low_mbps)} – {b.mbps(c.ci_high_mbps)}"


def other_networks_table(b: Builder, caption: list) -> list:
    """The other network types (5G, Wi-Fi) per operator, for reference, without a verdict."""
    s, d, m = b.s, b.d, b.d.method
    conf = fmt.percent(m.confidence, 0)
    out = list(caption)
    rows = [
        b.header_row(
            "Doanh nghiệp",
            "Loại mạng",
            "Số phép đo",
            "Số thiết bị",
            "Trung bình (Mbps)",
            f"Khoảng tin cậy {conf} (Mbps)",
            "Trung vị (Mbps)",
            f"Tỷ lệ ≥ {b.thr_text} Mbps",
        )
    ]
    for c in d.other_networks:
        ci = _interval(b, c)
        rows.append(
            [
                para(esc(c.operator_name), s.cell_small),
                para(esc(fmt.network(c.network_type)), s.cell_small_c),
                b.num(c.tests, style=s.cell_small_num),
                b.num(c.devices, style=s.cell_small_num),
                para(b.mbps(c.mean_mbps), s.cell_small_num),
                para(ci, s.cell_small_num),
                para(b.mbps(c.median_mbps), s.cell_small_num),
                para(fmt.percent(c.share_at_or_above), s.cell_small_num),
            ]
        )
    out.append(ruled_table(b.font, rows, [30, 16, 18, 16, 20, 30, 18, 20], []))
    return out
