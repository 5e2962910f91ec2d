"""The agency-return template of a month: one row per agency from row 7, Excel's checks of the
counts, the instructions, and the codes of the agencies that must report for the month on the list
sheet (see template.py; agencies.agencies_in: the UBND quận/huyện until 2025-06-30, the UBND xã,
phường, đặc khu from 2025-07-01)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from ispeed.returns.agencies import agencies_in
from ispeed.returns.contract import AGENCY_RETURN
from ispeed.returns.grid import column_letter
from ispeed.returns.template_parts import (
    COMMON_EN,
    COMMON_VI,
    DATA_SHEET,
    LIST_SHEET,
    cell_value,
    fixed_properties,
    format_rows,
    headings,
    help_sheet,
    number_checks,
    styles,
    title,
    validation,
)

AGENCY_ROWS = 50  # rows of the agency sheet that carry formats and checks


KINDS_VI = {
    "department": "Sở, ngành",
    "district_committee": "UBND quận, huyện",
    "commune_committee": "UBND xã, phường, đặc khu",
    "media": "Báo chí, truyền thông",
    "other": "Khác",
}


def agency_workbook(month: date | None = None):
    """A new agency-return template (an openpyxl Workbook) for the agencies that must report for
    ``month`` (default: this month)."""
    import openpyxl

    month = (month or date.today()).replace(day=1)

    kind = AGENCY_RETURN
    layout = kind.names
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    s = styles()
    title(ws, kind, len(layout))
    ws["A3"] = (
        "Mỗi cơ quan điền một dòng, bắt đầu từ dòng 7. Hướng dẫn ở trang 'Hướng dẫn'; "
        "mã các cơ quan ở trang 'Danh mục'."
    )
    ws["A3"].alignment = s["wrap"]
    last_col = column_letter(len(layout) - 1)
    ws.merge_cells(f"A3:{last_col}3")
    ws[f"{last_col}5"] = "Đơn vị tính: người; lần"
    ws[f"{last_col}5"].alignment = s["right"]
    first, last = kind.header_row + 1, kind.header_row + AGENCY_ROWS
    headings(ws, kind, layout, kind.header_row)
    format_rows(ws, layout, kind, first, last)
    agencies = agencies_in(month)
    letter = {name: column_letter(i) for i, name in enumerate(layout)}
    validation(
        ws,
        "list",
        f"{letter['agency_code']}{first}:{letter['agency_code']}{last}",
        "Chọn mã cơ quan trong danh sách (trang 'Danh mục').",
        "Mã cơ quan không có trong danh sách ở trang 'Danh mục'.",
        formula1=f"'{LIST_SHEET}'!$A$2:$A${len(agencies) + 1}",
    )
    validation(
        ws,
        "date",
        f"{letter['month']}{first}:{letter['month']}{last}",
        "Tháng báo cáo, dạng MM/YYYY (ví dụ 10/2024).",
        "Tháng báo cáo phải là một tháng, dạng MM/YYYY.",
        operator="greaterThanOrEqual",
        formula1="DATE(2024,1,1)",
    )
    heading = {n: kind.column(n).heading_vi for n in layout}
    number_checks(ws, letter["staff_total"], first, last, heading["staff_total"])
    number_checks(ws, letter["staff_installed"], first, last, heading["staff_installed"], at_most=letter["staff_total"])
    number_checks(
        ws, letter["staff_measured"], first, last, heading["staff_measured"], at_most=letter["staff_installed"]
    )
    number_checks(
        ws, letter["staff_measurements"], first, last, heading["staff_measurements"], at_least=letter["staff_measured"]
    )
    number_checks(ws, letter["citizens_helped"], first, last, heading["citizens_helped"])
    number_checks(ws, letter["cdt_members"], first, last, heading["cdt_members"])
    ws.freeze_panes = f"A{first}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1

    example = "SKHCN_2026-03.xlsx"
    help_sheet(
        wb,
        kind,
        layout,
        [t.format(example=example) for t in COMMON_VI],
        [t.format(example=example) for t in COMMON_EN],
    )
    lists = wb.create_sheet(LIST_SHEET)
    for c, text in enumerate(["Mã cơ quan", "Tên cơ quan", "Loại", "Mã địa bàn"]):
        lists.cell(row=1, column=c + 1, value=text).font = s["bold"]
    for r, a in enumerate(agencies, start=2):
        for c, value in enumerate([a.agency_code, a.name_vi, KINDS_VI[a.kind], a.area_code]):
            lists.cell(row=r, column=c + 1, value=value)
    for letter_, width in zip("ABCD", (16, 44, 26, 14)):
        lists.column_dimensions[letter_].width = width
    fixed_properties(wb)
    return wb


def fill_agency_return(wb, rows: Iterable[dict[str, Any]]) -> None:
    """Write return rows (canonical column -> value) from row 7 of the agency template. A month
    given as a date or 'YYYY-MM' is written as the month's first day (shown MM/YYYY)."""
    ws = wb[DATA_SHEET]
    positions = {name: i + 1 for i, name in enumerate(AGENCY_RETURN.names)}
    for r, row in enumerate(rows, start=AGENCY_RETURN.header_row + 1):
        for name, value in row.items():
            ws.cell(row=r, column=positions[name], value=cell_value(name, value))
