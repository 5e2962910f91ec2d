"""Section I: the agencies' use of i-Speed in the month, from their monthly returns."""

from __future__ import annotations

from ispeed.report import fmt
from ispeed.report.data import AGENCY_COUNTS, MISSING, REJECTED, SUBMITTED
from ispeed.report.sections.builder import Builder
from ispeed.report.styles import BELOW_BG, GROUP_BG, HEADER_BG, esc, para, ruled_table


def section_agencies(b: Builder) -> list:
    s, d = b.s, b.d
    tot = d.agency_totals()
    out: list = [para("I. KẾT QUẢ CÀI ĐẶT, SỬ DỤNG CÔNG CỤ I-SPEED", s.h1)]
    missing = [a.agency_name for a in d.agencies if a.state == MISSING]
    rejected = [a for a in d.agencies if a.state == REJECTED]
    text = (
        f"Tổng số cơ quan, đơn vị thuộc diện báo cáo: <b>{fmt.number(tot['agencies'])}</b>; "
        f"đã báo cáo: <b>{fmt.number(tot['agencies_submitted'])}</b>; "
        f"chưa báo cáo: <b>{fmt.number(tot['agencies_missing'])}</b>; "
        f"báo cáo bị trả lại: <b>{fmt.number(tot['agencies_rejected'])}</b>."
    )
    out.append(para(text, s.body))
    if missing:
        out.append(para("Các cơ quan, đơn vị chưa báo cáo: " + "; ".join(esc(n) for n in missing) + ".", s.body))
    if rejected:
        out.append(
            para(
                "Các báo cáo bị trả lại: "
                + "; ".join(f"{esc(a.agency_name)}" + (f" ({esc(a.reason)})" if a.reason else "") for a in rejected)
                + ".",
                s.body,
            )
        )
    staff = tot["staff_total"]
    share = fmt.percent(tot["installed"] / staff) if staff else fmt.NONE
    out.append(
        para(
            f"Theo báo cáo của {fmt.number(tot['agencies_submitted'])} cơ quan, đơn vị: tổng số cán bộ, công chức, "
            f"viên chức <b>{fmt.number(staff)}</b> người; đã cài đặt công cụ i-Speed <b>{fmt.number(tot['installed'])}</b> "
            f"người (<b>{share}</b>); đã thực hiện đo <b>{fmt.number(tot['measured'])}</b> người với "
            f"<b>{fmt.number(tot['measurements'])}</b> lần đo; đã hướng dẫn <b>{fmt.number(tot['citizens_helped'])}</b> "
            f"người dân cài đặt, sử dụng; <b>{fmt.number(tot['team_members_active'])}</b> thành viên tổ công nghệ số "
            f"cộng đồng tham gia.",
            s.body,
        )
    )
    if not d.agencies:
        out.append(para("Chưa có cơ quan, đơn vị nào trong danh sách báo cáo của tháng.", s.body))
        return out
    out += b.caption_table("Kết quả cài đặt, sử dụng i-Speed theo cơ quan, đơn vị")
    header = b.header_row(
        "STT",
        "Cơ quan, đơn vị",
        "Tình trạng báo cáo",
        "Tổng số CBCCVC",
        "Đã cài đặt",
        "Đã đo",
        "Số lần đo",
        "Người dân được hướng dẫn",
        "Thành viên tổ CNSCĐ tham gia",
        "Ghi chú",
    )
    rows: list[list] = [header]
    style: list = []
    group = object()
    n = 0
    for a in d.agencies:
        if a.group and a.group != group:
            rows.append([para(f"<b><i>{esc(a.group)}</i></b>", s.cell_small)] + [""] * 9)
            style += [
                ("SPAN", (0, len(rows) - 1), (-1, len(rows) - 1)),
                ("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), GROUP_BG),
            ]
        group = a.group
        n += 1
        state = fmt.STATE_VI[a.state]
        note = a.note
        if a.state == REJECTED and a.reason:
            note = a.reason + (f"; {a.note}" if a.note else "")
        if a.state != SUBMITTED:
            state = f'<font color="#9B1C1C"><b>{state}</b></font>'
        rows.append(
            [para(str(n), s.cell_small_num), para(esc(a.agency_name), s.cell_small), para(state, s.cell_small)]
            + [b.num(getattr(a, k), style=s.cell_small_num) for k in AGENCY_COUNTS]
            + [para(esc(note), s.cell_small)]
        )
        if a.state != SUBMITTED:
            style.append(("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), BELOW_BG))
    rows.append(
        [
            "",
            para("<b>Tổng cộng</b>", s.cell_small),
            para(f"{fmt.number(tot['agencies_submitted'])}/{fmt.number(tot['agencies'])} đã báo cáo", s.cell_small),
        ]
        + [para(f"<b>{fmt.number(tot[k])}</b>", s.cell_small_num) for k in AGENCY_COUNTS]
        + [""]
    )
    style.append(("BACKGROUND", (0, -1), (-1, -1), HEADER_BG))
    out.append(ruled_table(b.font, rows, [8, 38, 16, 14, 13, 13, 14, 15, 15, 21], style))
    out.append(
        para(
            "Ghi chú: dòng nền đỏ là cơ quan, đơn vị chưa báo cáo hoặc có báo cáo bị trả lại; số liệu "
            "tổng cộng chỉ tính các báo cáo đã được chấp nhận.",
            s.note,
        )
    )
    return out
