"""Section II.2: the units below the threshold and the operators' remedies, each under the unit's
name valid in the month, with how many consecutive months the operator has been below there.

With few rows (layout.MAX_BODY_REMEDIES) the body lists them all. With more (Hải Phòng's 114 xã,
phường, đặc khu: some 200 remedies) the body holds the counts per operator and the units below the
threshold for layout.PERSISTENT_MONTHS months or more, each with its remedy (at most
layout.MAX_BODY_PERSISTENT of them); every row is in the Phụ lục (appendix.py) and in the .xlsx/.csv
annex (2b_remedies, 4_districts)."""

from __future__ import annotations

from ispeed.report import fmt
from ispeed.report.layout import (
    MAX_BODY_PERSISTENT,
    PERSISTENT_MONTHS,
    BelowRow,
    annex_name,
    below_rows,
    operator_order,
    persistent,
    remedies_in_annex,
)
from ispeed.report.sections.builder import Builder
from ispeed.report.styles import BELOW_HEX, HEADER_BG, esc, para, ruled_table
from ispeed.report.units import unit_name, unit_words


def below_table(b: Builder, rows: list[BelowRow], caption: list) -> list:
    """The rows with their figure, consecutive months below, remedy and due date, and the note."""
    s, d = b.s, b.d
    w = unit_words(d.month)
    header = b.header_row(
        "STT",
        "Doanh nghiệp",
        w["Units"],
        "Tốc độ (Mbps)",
        f"Số tháng liên tiếp dưới {b.thr_text} Mbps",
        "Giải pháp khắc phục",
        "Thời hạn",
    )
    out: list[list] = [header]
    for i, r in enumerate(rows, start=1):
        x, remedy = r.result, r.remedy
        months = x.months_below if r.below else None
        out.append(
            [
                para(str(i), s.cell_small_num),
                para(esc(r.operator_name), s.cell_small),
                para(esc(unit_name(d.month, r.area_code, r.area_name)), s.cell_small),
                b.speed_cell(x.figure_mbps, x.verdict, small=True) if x else para(fmt.NONE, s.cell_small_c),
                para(fmt.number(months) if months else fmt.NONE, s.cell_small_c),
                para(esc(remedy.remedy), s.cell_small)
                if remedy
                else para(f'<font color="{BELOW_HEX}"><i>Chưa có giải pháp</i></font>', s.cell_small),
                para(fmt.date_short(remedy.due_date) if remedy else fmt.NONE, s.cell_small_c),
            ]
        )
    table = ruled_table(b.font, out, [8, 24, 30, 15, 16, 56, 17], [])
    note = para(
        f"Ghi chú: số tháng liên tiếp: số tháng liền nhau, tính đến tháng {fmt.month_vi(d.month)}, doanh nghiệp có "
        f"tốc độ dưới {b.thr_text} Mbps tại {w['unit']}; tốc độ: chỉ tiêu đánh giá của tháng "
        f"(▼ dưới {b.thr_text} Mbps, ○ chưa đủ số liệu).",
        s.note,
    )
    return [*caption, table, note]


def _counts_table(b: Builder, rows: list[BelowRow]) -> list:
    s, d = b.s, b.d
    w = unit_words(d.month)
    names: dict[str, str] = {}
    for code in operator_order(d):
        for r in rows:
            if r.operator_code == code:
                names.setdefault(code, r.operator_name)
    header = b.header_row(
        "Doanh nghiệp",
        f"Số {w['unit']} dưới {b.thr_text} Mbps",
        "Số giải pháp đã báo cáo",
        f"Dưới {b.thr_text} Mbps, chưa có giải pháp",
        f"Dưới {b.thr_text} Mbps từ {PERSISTENT_MONTHS} tháng liên tiếp",
    )
    table: list[list] = [header]

    def line(label: str, mine: list[BelowRow], bold: bool) -> list:
        values = (
            sum(1 for r in mine if r.below),
            sum(1 for r in mine if r.remedy),
            sum(1 for r in mine if r.below and not r.remedy),
            sum(1 for r in mine if r.below and (r.result.months_below or 1) >= PERSISTENT_MONTHS),
        )
        wrap = (lambda t: f"<b>{t}</b>") if bold else (lambda t: t)
        return [para(wrap(esc(label)), s.cell_small)] + [para(wrap(fmt.number(v)), s.cell_small_num) for v in values]

    for code, name in names.items():
        table.append(line(name, [r for r in rows if r.operator_code == code], False))
    table.append(line("Tổng cộng", rows, True))
    caption = b.caption_table(
        f"Số {w['units']} dưới {b.thr_text} Mbps và giải pháp khắc phục theo doanh nghiệp", ref="remedies"
    )
    return [*caption, ruled_table(b.font, table, [40, 26, 26, 30, 34], [("BACKGROUND", (0, -1), (-1, -1), HEADER_BG)])]


def section_remedies(b: Builder) -> list:
    s, d = b.s, b.d
    w = unit_words(d.month)
    out: list = [para(f"2. Giải pháp khắc phục tại các {w['units']} có tốc độ dưới {b.thr_text} Mbps", s.h2)]
    rows = below_rows(d)
    if not rows:
        out.append(para(f"Không có {w['unit']} nào có tốc độ dưới {b.thr_text} Mbps cần giải pháp khắc phục.", s.body))
        return out
    if not remedies_in_annex(d):
        caption = b.caption_table(
            f"Giải pháp của doanh nghiệp tại các {w['units']} dưới {b.thr_text} Mbps",
            ref="persistent" if persistent(d) else None,
        )
        return out + below_table(b, rows, caption)
    annex = annex_name(d, "below")
    n_below = sum(1 for r in rows if r.below)
    out.append(
        para(
            f"Có <b>{fmt.number(n_below)}</b> trường hợp (doanh nghiệp tại {w['unit']}) có tốc độ dưới "
            f"{b.thr_text} Mbps; các doanh nghiệp đã báo cáo <b>{fmt.number(len(d.remedies))}</b> giải pháp khắc "
            f"phục. Danh sách đầy đủ tại {annex} và tệp phụ lục kèm theo (.xlsx, .csv).",
            s.body,
        )
    )
    out += _counts_table(b, rows)
    lasting = persistent(d)
    if not lasting:
        out.append(
            para(
                f"Không có {w['unit']} nào có tốc độ dưới {b.thr_text} Mbps từ {PERSISTENT_MONTHS} tháng liên tiếp "
                "trở lên.",
                s.body,
            )
        )
        return out
    by_key = {(r.operator_code, r.area_code): r for r in rows}
    shown = [by_key[(x.operator_code, x.area_code)] for x in lasting[:MAX_BODY_PERSISTENT]]
    caption = b.caption_table(
        f"Các trường hợp có tốc độ dưới {b.thr_text} Mbps từ {PERSISTENT_MONTHS} tháng liên tiếp trở lên "
        "và giải pháp khắc phục",
        ref="persistent",
    )
    out += below_table(b, shown, caption)
    if len(lasting) > len(shown):
        out.append(
            para(
                f"Bảng trên nêu {fmt.number(len(shown))}/{fmt.number(len(lasting))} trường hợp có số tháng liên tiếp "
                f"nhiều nhất và tốc độ thấp nhất; các trường hợp còn lại tại {annex}.",
                s.note,
            )
        )
    return out
