"""Section VI: the data quality of the month's loads: files and rows per source, quarantined rows by
rule, rejected files and returns. In a month whose body must stay short (layout.compact) the body
holds the sentences and the tables go to the Phụ lục (appendix.py)."""

from __future__ import annotations

from collections.abc import Callable

from ispeed import geography
from ispeed.report import fmt
from ispeed.report.data import ReportData
from ispeed.report.layout import annex_name
from ispeed.report.sections.builder import Builder, report_texts
from ispeed.report.styles import esc, para, ruled_table
from ispeed.report.units import province_kind, unit_words


def rule_label(rule: str, message: str, data: ReportData | None = None) -> str:
    """A quarantine rule in the reader's words (texts.yaml ``rules``), in the month's geography: its
    {unit} / {Unit} / {units} / {Units} are the month's ("Xã, phường không xác định" from 2025-07,
    "Quận, huyện không xác định" before), {province_kind} "thành phố" / "tỉnh". A rule not listed
    there: the pipeline's own message."""
    label = (report_texts().get("rules") or {}).get(rule)
    if not label:
        return message or rule
    if data is None:
        return label
    words = unit_words(data.month)
    values = {k: words[k] for k in ("unit", "Unit", "units", "Units")}
    values["province_kind"] = province_kind(data.report_date)
    return geography.fill(label, values)


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
    else:
        out.append(para("Chưa có tệp dữ liệu đo i-Speed nào được ghi nhận cho tháng này.", s.body))
    annex = annex_name(d, "quality")
    if annex:
        returned = len(d.returns_rejected)
        out.append(
            para(
                f"Số tệp bị từ chối (mọi nguồn dữ liệu): <b>{fmt.number(len(q.files_rejected))}</b>; số báo cáo bị trả lại: "
                f"<b>{fmt.number(returned)}</b>{' (mục I, II)' if returned else ''}. Các dòng trùng lặp, số liệu theo "
                f"nguồn dữ liệu, các dòng bị loại theo lý do và các tệp bị từ chối được nêu tại {annex}.",
                s.body,
            )
        )
        return out
    return out + quality_tables(b, b.caption_table)


def _conflicts(b: Builder) -> list:
    """The same measurement id again with other values (a corrected re-export): docs/corrections.md."""
    c = b.d.data_quality.collapsed
    if not c.conflicting_rows:
        return []
    settled = (
        f"{fmt.number(c.unsettled_ids)} mã giữ giá trị đã nạp trước; muốn lấy giá trị của tệp mới nhất "
        "thì nạp lại dữ liệu của tháng (reload)."
        if c.unsettled_ids
        else "đã lấy giá trị của tệp mới nhất (nạp lại dữ liệu của tháng)."
    )
    return [
        para(
            f"Trong số dòng trùng lặp, <b>{fmt.number(c.conflicting_rows)}</b> dòng lặp lại mã phép đo "
            f"của {fmt.number(c.conflicting_ids)} phép đo nhưng với giá trị khác (xung đột): {settled}",
            b.s.body,
        )
    ]


def quality_tables(b: Builder, caption: Callable[[str], list]) -> list:
    """What section VI details: the conflicting duplicates, the tables of files and rows per source,
    rows set aside by rule and rejected files, and the rejected returns; ``caption(text)`` gives each
    table its caption (the body's "Bảng n." or the Phụ lục's)."""
    s, d = b.s, b.d
    q = d.data_quality
    out: list = _conflicts(b) if q.dataset("measurements") else []
    if q.datasets:
        out += caption("Tệp và dòng dữ liệu theo nguồn")
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
        out += caption("Dòng dữ liệu bị loại theo lý do")
        rows = [b.header_row("Nguồn dữ liệu", "Lý do", "Quy tắc kiểm tra", "Số dòng", "Tỷ lệ")]
        read = {x.dataset: x.rows_read for x in q.datasets}
        for x in q.quarantine:
            share = fmt.percent(x.rows / read[x.dataset], 2) if read.get(x.dataset) else fmt.NONE
            rows.append(
                [
                    para(esc(fmt.DATASET_VI.get(x.dataset, x.dataset)), s.cell_small),
                    para(esc(rule_label(x.rule, x.message, d)), s.cell_small),
                    para(esc(x.rule), s.cell_small),
                    b.num(x.rows, style=s.cell_small_num),
                    para(share, s.cell_small_num),
                ]
            )
        out.append(ruled_table(b.font, rows, [34, 58, 36, 18, 18], []))
    if q.files_rejected:
        out += caption("Tệp bị từ chối")
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
    return out + _returns_rejected(b)


def _returns_rejected(b: Builder) -> list:
    s, d = b.s, b.d
    out: list = []
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
