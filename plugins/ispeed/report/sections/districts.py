"""Section IV: the figure of each operator in each district."""

from __future__ import annotations

from ispeed.report import fmt
from ispeed.report.data import DOES_NOT_MEET, INSUFFICIENT_DATA
from ispeed.report.sections.builder import Builder
from ispeed.report.styles import esc, para, ruled_table


def section_districts(b: Builder) -> list:
    s, d, m = b.s, b.d, b.d.method
    out: list = [para("IV. KẾT QUẢ ĐO THEO QUẬN, HUYỆN", s.h1)]
    if not d.districts:
        out.append(para("Không có số liệu theo quận, huyện trong tháng.", s.body))
        return out
    ops: dict[str, str] = {}
    for c in d.compliance:
        ops.setdefault(c.operator_code, c.operator_name)
    for x in d.districts:
        ops.setdefault(x.operator_code, x.operator_name)
    ops = {k: v for k, v in ops.items() if any(x.operator_code == k for x in d.districts)}
    areas: dict[str, str] = {}
    for x in d.districts:
        areas.setdefault(x.area_code, x.area_name)
    cell = {(x.area_code, x.operator_code): x for x in d.districts}
    below = [x for x in d.districts if x.verdict == DOES_NOT_MEET]
    insufficient = [x for x in d.districts if x.verdict == INSUFFICIENT_DATA]
    out.append(
        para(
            f"Trên <b>{fmt.number(len(areas))}</b> quận, huyện và <b>{fmt.number(len(ops))}</b> doanh nghiệp: "
            f"<b>{fmt.number(len(below))}</b> trường hợp (doanh nghiệp tại quận, huyện) có tốc độ dưới {b.thr_text} Mbps, "
            f"<b>{fmt.number(len(insufficient))}</b> trường hợp chưa đủ số liệu để đánh giá.",
            s.body,
        )
    )
    stat = fmt.STATISTIC_VI.get(m.statistic, m.statistic)
    out += b.caption_table(f"Tốc độ tải xuống {stat} (Mbps) theo quận, huyện và doanh nghiệp")
    rows: list[list] = [
        [b.head("STT", s.cell_small_head), b.head("Quận, huyện", s.cell_small_head)]
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
            row.append(b.speed_cell(x.figure_mbps, x.verdict, tests=x.tests, small=True))
            bg = b.mark_bg(x.verdict, x.figure_mbps, b.threshold)
            if bg is not None:
                style.append(("BACKGROUND", (j, i), (j, i), bg))
        rows.append(row)
    n = len(ops)
    out.append(ruled_table(b.font, rows, [8, 30] + [max(14.0, 127.0 / max(n, 1))] * n, style))
    out.append(b.legend(f"dưới {fmt.number(m.area_min_tests)} phép đo hoặc {fmt.number(m.area_min_devices)} thiết bị"))
    return out
