"""Section VI: the data quality of the month's loads: files and rows per source, quarantined rows by
rule, rejected files and returns."""

from __future__ import annotations

from ispeed.report import fmt
from ispeed.report.sections.builder import Builder, report_texts
from ispeed.report.styles import esc, para, ruled_table


def rule_label(rule: str, message: str) -> str:
    return (report_texts().get("rules") or {}).get(rule) or message or rule


def section_quality(b: Builder) -> list:
    s, d = b.s, b.d
    q = d.data_quality
    out: list = [para("VI. CHẤT LƯỢNG DỮ LIỆU", s.h1)]
    meas = q.dataset("measurements")
    if meas:
        out.append(
            para(
                f"Dữ liệu đo i-Speed của tháng: đọc <b>{fmt.number(meas.rows_read)}</b> dòng từ "
                f"{fmt.number(meas.files_loaded)} tệp; đưa vào tổng hợp <b>{fmt.number(meas.rows_loaded)}</b> dòng; "
                f"loại <b>{fmt.number(meas.rows_quarantined)}</b> dòng không hợp lệ; bỏ <b>{fmt.number(meas.rows_duplicate)}</b> "
                f"dòng trùng lặp; <b>{fmt.number(meas.files_rejected)}</b> tệp bị từ chối, "
                f"{fmt.number(meas.files_duplicate)} tệp trùng với tệp đã nạp.",
                s.body,
            )
        )
        c = q.collapsed
        if c.conflicting_rows:
            # the same measurement id again with other values (a corrected re-export): docs/corrections.md
            settled = (
                f"{fmt.number(c.unsettled_ids)} mã giữ giá trị đã nạp trước; muốn lấy giá trị của tệp mới nhất "
                "thì nạp lại dữ liệu của tháng (reload)."
                if c.unsettled_ids
                else "đã lấy giá trị của tệp mới nhất (nạp lại dữ liệu của tháng)."
            )
            out.append(
                para(
                    f"Trong số dòng trùng lặp, <b>{fmt.number(c.conflicting_rows)}</b> dòng lặp lại mã phép đo "
                    f"của {fmt.number(c.conflicting_ids)} phép đo nhưng với giá trị khác (xung đột): {settled}",
                    s.body,
                )
            )
    else:
        out.append(para("Chưa có tệp dữ liệu đo i-Speed nào được ghi nhận cho tháng này.", s.body))
    if q.datasets:
        out += b.caption_table("Tệp và dòng dữ liệu theo nguồn")
        rows: list[list] = [
            b.header_row(
                "Nguồn dữ liệu",
                "Tệp đã nạp",
                "Tệp bị từ chối",
                "Tệp trùng",
                "Dòng đọc được",
                "Dòng đưa vào tổng hợp",
                "Dòng bị loại",
                "Dòng trùng",
            )
        ]
        for x in q.datasets:
            rows.append(
                [para(esc(fmt.DATASET_VI.get(x.dataset, x.dataset)), s.cell_small)]
                + [
                    b.num(v, style=s.cell_small_num)
                    for v in (
                        x.files_loaded,
                        x.files_rejected,
                        x.files_duplicate,
                        x.rows_read,
                        x.rows_loaded,
                        x.rows_quarantined,
                        x.rows_duplicate,
                    )
                ]
            )
        out.append(ruled_table(b.font, rows, [40, 16, 16, 14, 20, 22, 18, 18], []))
    if q.quarantine:
        out += b.caption_table("Dòng dữ liệu bị loại theo lý do")
        rows = [b.header_row("Nguồn dữ liệu", "Lý do", "Quy tắc kiểm tra", "Số dòng", "Tỷ lệ")]
        read = {x.dataset: x.rows_read for x in q.datasets}
        for x in q.quarantine:
            share = fmt.percent(x.rows / read[x.dataset], 2) if read.get(x.dataset) else fmt.NONE
            rows.append(
                [
                    para(esc(fmt.DATASET_VI.get(x.dataset, x.dataset)), s.cell_small),
                    para(esc(rule_label(x.rule, x.message)), s.cell_small),
                    para(esc(x.rule), s.cell_small),
                    b.num(x.rows, style=s.cell_small_num),
                    para(share, s.cell_small_num),
                ]
            )
        out.append(ruled_table(b.font, rows, [34, 58, 36, 18, 18], []))
    if q.files_rejected:
        out += b.caption_table("Tệp bị từ chối")
        rows = [b.header_row("Nguồn dữ liệu", "Tệp", "Lý do")]
        for f in q.files_rejected:
            rows.append(
                [
                    para(esc(fmt.DATASET_VI.get(f.dataset, f.dataset)), s.cell_small),
                    para(esc(f.file_name), s.cell_small),
                    para(esc(f.reason), s.cell_small),
                ]
            )
        out.append(ruled_table(b.font, rows, [34, 44, 86], []))
    else:
        out.append(para("Không có tệp nào bị từ chối.", s.body))
    rr = d.returns_rejected
    if rr:
        kinds = {"agency": "cơ quan, đơn vị", "operator": "doanh nghiệp"}
        out.append(
            para(
                "Báo cáo bị trả lại: "
                + "; ".join(
                    f"{esc(who)} ({kinds[k]})" + (f": {esc(reason)}" if reason else "") for k, who, reason in rr
                )
                + ".",
                s.body,
            )
        )
    return out
