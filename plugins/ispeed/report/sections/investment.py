"""Section II: the operators' investment in the month, and their remedies for the units of the
month (districts, or xã, phường, đặc khu) below the threshold (remedies.py)."""

from __future__ import annotations

from ispeed.report import fmt
from ispeed.report.data import REJECTED, SUBMITTED
from ispeed.report.sections.builder import Builder
from ispeed.report.sections.remedies import section_remedies
from ispeed.report.styles import BELOW_BG, HEADER_BG, esc, para, ruled_table


def section_investment(b: Builder) -> list:
    s, d = b.s, b.d
    out: list = [
        para("II. ĐẦU TƯ NÂNG CAO CHẤT LƯỢNG DỊCH VỤ CỦA CÁC DOANH NGHIỆP VIỄN THÔNG", s.h1),
        para("1. Hạ tầng mạng và vốn đầu tư trong tháng", s.h2),
    ]
    submitted = [o for o in d.investments if o.state == SUBMITTED]
    not_in = [o for o in d.investments if o.state != SUBMITTED]
    total_vnd = sum(o.investment_vnd or 0 for o in submitted)
    out.append(
        para(
            f"Có <b>{fmt.number(len(submitted))}/{fmt.number(len(d.investments))}</b> doanh nghiệp gửi báo cáo tình "
            f"hình đầu tư trong tháng; tổng vốn đầu tư được báo cáo <b>{fmt.million_vnd(total_vnd)}</b> triệu đồng; "
            f"phát sóng mới <b>{fmt.number(sum(o.sites_commissioned or 0 for o in submitted))}</b> trạm, nâng cấp "
            f"<b>{fmt.number(sum(o.sites_upgraded_4g or 0 for o in submitted))}</b> trạm 4G và "
            f"<b>{fmt.number(sum(o.sites_upgraded_5g or 0 for o in submitted))}</b> trạm 5G.",
            s.body,
        )
    )
    if not_in:
        out.append(
            para(
                "Doanh nghiệp chưa báo cáo hoặc có báo cáo bị trả lại: "
                + "; ".join(
                    f"{esc(o.operator_name)} ({fmt.STATE_VI[o.state].lower()}"
                    + (f": {esc(o.reason)}" if o.reason else "")
                    + ")"
                    for o in not_in
                )
                + ".",
                s.body,
            )
        )
    if d.investments:
        out += b.caption_table("Hạ tầng và vốn đầu tư của doanh nghiệp trong tháng")
        rows: list[list] = [
            b.header_row(
                "STT",
                "Doanh nghiệp",
                "Tình trạng báo cáo",
                "Trạm 4G đang phát sóng",
                "Trạm 5G đang phát sóng",
                "Trạm phát sóng mới",
                "Trạm nâng cấp 4G",
                "Trạm nâng cấp 5G",
                "Vốn đầu tư (triệu đồng)",
                "Ghi chú",
            )
        ]
        style: list = []
        for i, o in enumerate(d.investments, start=1):
            state = fmt.STATE_VI[o.state]
            if o.state != SUBMITTED:
                state = f'<font color="#9B1C1C"><b>{state}</b></font>'
            note = o.reason if o.state == REJECTED and o.reason else o.note
            rows.append(
                [
                    para(str(i), s.cell_small_num),
                    para(esc(o.operator_name), s.cell_small),
                    para(state, s.cell_small),
                    b.num(o.sites_in_service_4g, style=s.cell_small_num),
                    b.num(o.sites_in_service_5g, style=s.cell_small_num),
                    b.num(o.sites_commissioned, style=s.cell_small_num),
                    b.num(o.sites_upgraded_4g, style=s.cell_small_num),
                    b.num(o.sites_upgraded_5g, style=s.cell_small_num),
                    para(fmt.million_vnd(o.investment_vnd), s.cell_small_num),
                    para(esc(note), s.cell_small),
                ]
            )
            if o.state != SUBMITTED:
                style.append(("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), BELOW_BG))
        rows.append(
            [
                "",
                para("<b>Tổng cộng</b>", s.cell_small),
                "",
                para(f"<b>{fmt.number(sum(o.sites_in_service_4g or 0 for o in submitted))}</b>", s.cell_small_num),
                para(f"<b>{fmt.number(sum(o.sites_in_service_5g or 0 for o in submitted))}</b>", s.cell_small_num),
                para(f"<b>{fmt.number(sum(o.sites_commissioned or 0 for o in submitted))}</b>", s.cell_small_num),
                para(f"<b>{fmt.number(sum(o.sites_upgraded_4g or 0 for o in submitted))}</b>", s.cell_small_num),
                para(f"<b>{fmt.number(sum(o.sites_upgraded_5g or 0 for o in submitted))}</b>", s.cell_small_num),
                para(f"<b>{fmt.million_vnd(total_vnd)}</b>", s.cell_small_num),
                "",
            ]
        )
        style.append(("BACKGROUND", (0, -1), (-1, -1), HEADER_BG))
        out.append(ruled_table(b.font, rows, [8, 26, 17, 15, 15, 15, 15, 15, 19, 20], style))

    return out + section_remedies(b)
