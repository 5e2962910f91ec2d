"""Section IV: the figure of each operator in each unit of the month: the districts (quận, huyện)
before 2025-07, the communes (xã, phường, đặc khu) after (report/units.py).

Up to units.MANY_UNITS units (15 districts) the body holds the unit x operator table; with more
(114 communes) it holds, per operator, how many units meet, do not meet or lack data, and the
units below the threshold ranked worst first (at most layout.MAX_BODY_RANKED; more: the lowest in
a sentence, every one in the Phụ lục with its remedy); the full table goes in the Phụ lục
(appendix.py) and the .xlsx/.csv. The tests counted for the province without a valid unit (geography.UNASSIGNED)
are printed as "chưa xác định xã/phường" with their count, never judged."""

from __future__ import annotations

from ispeed import geography
from ispeed.report import fmt
from ispeed.report.data import DOES_NOT_MEET, INSUFFICIENT_DATA, MEETS, DistrictResult
from ispeed.report.layout import MAX_BODY_RANKED, annex_name, units_in_annex
from ispeed.report.sections.builder import Builder, method_2
from ispeed.report.styles import HEADER_BG, esc, para, ruled_table
from ispeed.report.units import unit_name, unit_words


def operators(b: Builder) -> dict[str, str]:
    """code -> name of the operators of the breakdown, in the order of the compliance table."""
    d = b.d
    ops: dict[str, str] = {}
    for c in d.compliance:
        ops.setdefault(c.operator_code, c.operator_name)
    for x in d.districts:
        ops.setdefault(x.operator_code, x.operator_name)
    return {k: v for k, v in ops.items() if any(x.operator_code == k for x in d.districts)}


def units_of(b: Builder) -> dict[str, str]:
    """code -> name (valid in the month) of the units with a row, in the data's order."""
    areas: dict[str, str] = {}
    for x in b.d.districts:
        if not x.unassigned:
            areas.setdefault(x.area_code, unit_name(b.d.month, x.area_code, x.area_name))
    return areas


def unit_table(b: Builder, caption: list) -> list:
    """The unit x operator table (the body's with few units, the annex's with many), with its
    caption flowables and legend; the unassigned tests as a last row, counts only."""
    s, d, m = b.s, b.d, b.d.method
    w = unit_words(d.month)
    ops, areas = operators(b), units_of(b)
    cell = {(x.area_code, x.operator_code): x for x in d.districts}
    vnnic = method_2(d)
    rows: list[list] = [
        [b.head("STT", s.cell_small_head), b.head(w["Units"], s.cell_small_head)]
        + [b.head(esc(n), s.cell_small_head) for n in ops.values()]
    ]
    style: list = []
    for i, (acode, aname) in enumerate(areas.items(), start=1):
        row = [para(str(i), s.cell_small_num), para(esc(aname), s.cell_small)]
        for j, ocode in enumerate(ops, start=2):
            x = cell.get((acode, ocode))
            if x is None:
                row.append(para(fmt.NONE, s.cell_small_c))
                continue
            below = f"VNNIC: {b.mbps(x.vnnic_median_mbps)} ({fmt.number(x.samples)})" if vnnic else ""
            row.append(
                b.speed_cell(x.figure_mbps, x.verdict, tests=x.tests, small=True, reason=b.reason_mark(x), below=below)
            )
            bg = b.mark_bg(x.verdict, x.figure_mbps, b.threshold)
            if bg is not None:
                style.append(("BACKGROUND", (j, i), (j, i), bg))
        rows.append(row)
    if any(x.unassigned for x in d.districts):
        row = ["", para(f"<i>{esc(w['Unassigned'])}</i>", s.cell_small)]
        for ocode in ops:
            x = cell.get((geography.UNASSIGNED, ocode))
            row.append(para(f"({fmt.number(x.tests)})" if x else fmt.NONE, s.cell_small_num))
        rows.append(row)
        style.append(("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), HEADER_BG))
    n = len(ops)
    out = [*caption, ruled_table(b.font, rows, [8, 30] + [max(14.0, 127.0 / max(n, 1))] * n, style)]
    out.append(b.legend(b.floors_text(area=True)))
    notes = []
    if vnnic:
        notes.append(
            'Dòng chữ nghiêng "VNNIC": trung vị các mẫu đại diện theo phương pháp thống kê của VNNIC (trong '
            f"ngoặc: số mẫu đại diện; VNNIC đánh giá khi có ít nhất {fmt.number(m.vnnic_min_samples)} mẫu)."
        )
    reasons = b.reasons_note([x for x in d.districts if not x.unassigned], area=True)
    if reasons:
        notes.append(reasons)
    if notes:
        out.append(para(" ".join(notes), s.note))
    return out


def unassigned_sentence(b: Builder) -> list:
    """How many tests count for the province without a valid unit, per operator."""
    rows = [x for x in b.d.districts if x.unassigned]
    if not rows:
        return []
    w = unit_words(b.d.month)
    total = sum(x.tests for x in rows)
    per = "; ".join(f"{esc(x.operator_name)}: {fmt.number(x.tests)}" for x in rows)
    return [
        para(
            f"Có <b>{fmt.number(total)}</b> phép đo {esc(w['unassigned'])} ({per}): các phép đo này được tính vào "
            f"kết quả chung của {esc(geography.province(b.d.report_date).full_name)} (mục III), không được đánh giá "
            f"theo {esc(w['unit'])}.",
            b.s.body,
        )
    ]


def _counts_table(b: Builder, ops: dict[str, str], units_total: int) -> list:
    s, d = b.s, b.d
    w = unit_words(d.month)
    rows: list[list] = [
        b.header_row(
            "STT", "Doanh nghiệp", f"Số {w['unit']} có số liệu", "Đạt", "Không đạt", "Chưa đủ số liệu", w["Unassigned"]
        )
    ]
    for i, (ocode, oname) in enumerate(ops.items(), start=1):
        mine = [x for x in d.districts if x.operator_code == ocode and not x.unassigned]
        by = {v: sum(1 for x in mine if x.verdict == v) for v in (MEETS, DOES_NOT_MEET, INSUFFICIENT_DATA)}
        lacking = by[INSUFFICIENT_DATA] + max(0, units_total - len(mine))
        unassigned = sum(x.tests for x in d.districts if x.operator_code == ocode and x.unassigned)
        rows.append(
            [
                para(str(i), s.cell_small_num),
                para(esc(oname), s.cell_small),
                b.num(len(mine), style=s.cell_small_num),
                b.num(by[MEETS], style=s.cell_small_num),
                b.num(by[DOES_NOT_MEET], style=s.cell_small_num),
                b.num(lacking, style=s.cell_small_num),
                para(f"{fmt.number(unassigned)} phép đo", s.cell_small_num),
            ]
        )
    caption = b.caption_table(f"Số {w['units']} đạt, không đạt, chưa đủ số liệu theo doanh nghiệp")
    return [*caption, ruled_table(b.font, rows, [8, 34, 24, 18, 18, 24, 40], [])]


def _ranked(below: list[DistrictResult]) -> list[DistrictResult]:
    return sorted(below, key=lambda x: (x.figure_mbps if x.figure_mbps is not None else 0.0, x.area_code))


def _worst_sentence(b: Builder, below: list[DistrictResult]):
    """More units below the threshold than the body ranks: the MAX_BODY_RANKED lowest in a sentence,
    every one in the Phụ lục with its remedy."""
    d = b.d
    worst = _ranked(below)[:MAX_BODY_RANKED]
    named = "; ".join(
        f"{esc(unit_name(d.month, x.area_code, x.area_name))} ({esc(x.operator_name)}, {b.mbps(x.figure_mbps)} Mbps)"
        for x in worst
    )
    return para(
        f"Các trường hợp có tốc độ thấp nhất: {named}. Danh sách đầy đủ {fmt.number(len(below))} trường hợp dưới "
        f"{b.thr_text} Mbps, từ thấp đến cao theo doanh nghiệp, và giải pháp khắc phục tại {annex_name(d, 'below')}.",
        b.s.body,
    )


def _ranked_table(b: Builder, below: list[DistrictResult]) -> list:
    """The units below the threshold, worst first (at most MAX_BODY_RANKED of them)."""
    s, d = b.s, b.d
    w = unit_words(d.month)
    vnnic = method_2(d)
    ranked = _ranked(below)
    head = ["Thứ tự", w["Units"], "Doanh nghiệp", "Tốc độ (Mbps)", "Số phép đo"]
    if vnnic:
        head += ["Trung vị các mẫu đại diện (VNNIC, Mbps)", "Số mẫu đại diện"]
    rows: list[list] = [b.header_row(*head)]
    for i, x in enumerate(ranked, start=1):
        row = [
            para(str(i), s.cell_small_num),
            para(esc(unit_name(d.month, x.area_code, x.area_name)), s.cell_small),
            para(esc(x.operator_name), s.cell_small),
            para(b.mbps(x.figure_mbps), s.cell_small_num),
            b.num(x.tests, style=s.cell_small_num),
        ]
        if vnnic:
            row += [para(b.mbps(x.vnnic_median_mbps), s.cell_small_num), b.num(x.samples, style=s.cell_small_num)]
        rows.append(row)
    caption = b.caption_table(f"Các {w['units']} có tốc độ dưới {b.thr_text} Mbps, từ thấp đến cao")
    widths = [14, 62, 40, 25, 25] + ([28, 22] if vnnic else [])
    return [*caption, ruled_table(b.font, rows, widths, [])]


def section_districts(b: Builder) -> list:
    s, d, m = b.s, b.d, b.d.method
    w = unit_words(d.month)
    out: list = [para(f"IV. KẾT QUẢ ĐO THEO {w['UNITS']}", s.h1)]
    if not d.districts:
        out.append(para(f"Không có số liệu theo {w['units']} trong tháng.", s.body))
        return out
    ops, areas = operators(b), units_of(b)
    judged = [x for x in d.districts if not x.unassigned]
    below = [x for x in judged if x.verdict == DOES_NOT_MEET]
    insufficient = [x for x in judged if x.verdict == INSUFFICIENT_DATA]
    out.append(
        para(
            f"Trên <b>{fmt.number(len(areas))}</b> {w['units']} và <b>{fmt.number(len(ops))}</b> doanh nghiệp: "
            f"<b>{fmt.number(len(below))}</b> trường hợp (doanh nghiệp tại {w['unit']}) có tốc độ dưới {b.thr_text} Mbps, "
            f"<b>{fmt.number(len(insufficient))}</b> trường hợp chưa đủ số liệu để đánh giá.",
            s.body,
        )
    )
    stat = fmt.STATISTIC_VI.get(m.statistic, m.statistic)
    if not units_in_annex(d):
        out += unit_table(
            b, b.caption_table(f"Tốc độ tải xuống {stat} (Mbps) theo {w['units']} và doanh nghiệp", ref="units")
        )
        return out + unassigned_sentence(b)
    units_total = max(len(areas), len(geography.areas_in(d.month)))
    out.append(
        para(
            f"Tháng {fmt.month_vi(d.month)} có {fmt.number(units_total)} {w['units']}; kết quả theo từng "
            f"{w['unit']} và doanh nghiệp được nêu tại {annex_name(d, 'units')} và tệp phụ lục kèm theo (.xlsx, .csv).",
            s.body,
        )
    )
    out += _counts_table(b, ops, units_total)
    if below and len(below) <= MAX_BODY_RANKED:
        out += _ranked_table(b, below)
    elif below:
        out.append(_worst_sentence(b, below))
    else:
        out.append(para(f"Không có {w['unit']} nào có tốc độ dưới {b.thr_text} Mbps.", s.body))
    return out + unassigned_sentence(b)
