"""Section I: the agencies' use of i-Speed in the month, from their monthly returns."""

from __future__ import annotations

from ispeed.report import fmt
from ispeed.report.data import AGENCY_COUNTS, AGENCY_GROUPS, MISSING, REJECTED, SUBMITTED
from ispeed.report.layout import MANY_SENDERS, MAX_NAMED, annex_name
from ispeed.report.sections.builder import Builder
from ispeed.report.styles import BELOW_BG, GROUP_BG, HEADER_BG, esc, para, ruled_table

__all__ = ["MANY_SENDERS", "MAX_NAMED", "agency_table", "group_table", "many_senders", "section_agencies"]


def many_senders(b: Builder) -> bool:
    """From MANY_SENDERS senders (114 UBND xã, phường, đặc khu and the departments) the body holds
    the totals per group, the Phụ lục (appendix.py) and the .xlsx/.csv every sender."""
    return len(b.d.agencies) >= MANY_SENDERS


def _named(b: Builder, label: str, agencies: list, with_reason: bool) -> list:
    """The senders named in a sentence; more than MAX_NAMED are counted per group, with where the
    list is: the Phụ lục, or the table that follows in the body."""
    if not agencies:
        return []
    if len(agencies) > MAX_NAMED:
        groups: dict[str, int] = {}
        for a in agencies:
            groups[a.group or AGENCY_GROUPS["other"]] = groups.get(a.group or AGENCY_GROUPS["other"], 0) + 1
        per = "; ".join(f"{esc(g)}: {fmt.number(n)}" for g, n in groups.items())
        where = annex_name(b.d, "agencies") or f"Bảng {b.table_no + 1}"
        text = f"{label}: <b>{fmt.number(len(agencies))}</b> ({per}); danh sách tại {where}."
        return [para(text, b.s.body)]
    names = "; ".join(
        esc(a.agency_name) + (f" ({esc(a.reason)})" if with_reason and a.reason else "") for a in agencies
    )
    return [para(f"{label}: {names}.", b.s.body)]


def section_agencies(b: Builder) -> list:
    s, d = b.s, b.d
    tot = d.agency_totals()
    out: list = [para("I. KẾT QUẢ CÀI ĐẶT, SỬ DỤNG CÔNG CỤ I-SPEED", s.h1)]
    missing = [a for a in d.agencies if a.state == MISSING]
    rejected = [a for a in d.agencies if a.state == REJECTED]
    text = (
        f"Tổng số cơ quan, đơn vị thuộc diện báo cáo: <b>{fmt.number(tot['agencies'])}</b>; "
        f"đã báo cáo: <b>{fmt.number(tot['agencies_submitted'])}</b>; "
        f"chưa báo cáo: <b>{fmt.number(tot['agencies_missing'])}</b>; "
        f"báo cáo bị trả lại: <b>{fmt.number(tot['agencies_rejected'])}</b>."
    )
    out.append(para(text, s.body))
    out += _named(b, "Các cơ quan, đơn vị chưa báo cáo", missing, False)
    out += _named(b, "Các báo cáo bị trả lại", rejected, True)
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
    if many_senders(b):
        return out + group_table(b)
    return out + agency_table(b, b.caption_table("Kết quả cài đặt, sử dụng i-Speed theo cơ quan, đơn vị"))


def group_table(b: Builder) -> list:
    """The totals per group of senders (many senders): every sender is in the annex."""
    s, d = b.s, b.d
    groups: dict[str, list] = {}
    for a in d.agencies:
        groups.setdefault(a.group or AGENCY_GROUPS["other"], []).append(a)
    rows: list[list] = [
        b.header_row(
            "Nhóm cơ quan, đơn vị",
            "Số cơ quan, đơn vị",
            "Đã báo cáo",
            "Chưa báo cáo",
            "Bị trả lại",
            "Tổng số CBCCVC",
            "Đã cài đặt",
            "Đã đo",
            "Số lần đo",
            "Người dân được hướng dẫn",
            "Thành viên tổ CNSCĐ tham gia",
        )
    ]

    def line(label: str, members: list, bold: bool) -> list:
        submitted = [a for a in members if a.state == SUBMITTED]
        values = [len(members)] + [sum(1 for a in members if a.state == st) for st in (SUBMITTED, MISSING, REJECTED)]
        values += [sum(getattr(a, k) or 0 for a in submitted) for k in AGENCY_COUNTS]
        wrap = (lambda t: f"<b>{t}</b>") if bold else (lambda t: t)
        return [para(wrap(esc(label)), s.cell_small)] + [para(wrap(fmt.number(v)), s.cell_small_num) for v in values]

    for group, members in groups.items():
        rows.append(line(group, members, False))
    rows.append(line("Tổng cộng", d.agencies, True))
    caption = b.caption_table("Kết quả cài đặt, sử dụng i-Speed theo nhóm cơ quan, đơn vị")
    table = ruled_table(
        b.font, rows, [36, 13, 13, 13, 13, 14, 13, 12, 13, 14, 13], [("BACKGROUND", (0, -1), (-1, -1), HEADER_BG)]
    )
    note = para(
        "Ghi chú: số liệu chỉ tính các báo cáo đã được chấp nhận; kết quả của từng cơ quan, đơn vị được nêu "
        f"tại {annex_name(d, 'agencies')} và tệp phụ lục kèm theo (.xlsx, .csv).",
        s.note,
    )
    return [*caption, table, note]


def agency_table(b: Builder, caption: list) -> list:
    """Every sender, grouped, with its state and counts (the body's with few senders, the annex's with many)."""
    s, d = b.s, b.d
    tot = d.agency_totals()
    out = list(caption)
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
            if (a.months_missing or 1) >= 2:
                state += f" ({fmt.number(a.months_missing)} tháng liên tiếp)"
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
            "Ghi chú: dòng nền đỏ là cơ quan, đơn vị chưa báo cáo hoặc có báo cáo bị trả lại (trong ngoặc: số "
            "tháng liên tiếp chưa có báo cáo được chấp nhận); số liệu tổng cộng chỉ tính các báo cáo đã được chấp nhận.",
            s.note,
        )
    )
    return out
