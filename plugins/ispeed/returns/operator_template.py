"""The operator-return template of a month: the operator and month above the table, one row per
unit of the month (the districts until 2025-06-30, the communes, wards and special zones from
2025-07-01: units.month_units) and network (4G/5G) from row 7, Excel's checks, the instructions,
and the units and operators on the list sheet (see template.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from ispeed.returns.contract import GENERATIONS, OPERATOR_RETURN
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
from ispeed.returns.units import month_units, unit_words
from ispeed.warehouse.reference import read_reference


def reporting_operators() -> list[tuple[str, str]]:
    """(code, name) of the operators with their own network (operators.csv kind mno)."""
    ops = [o for o in read_reference().operators if o["kind"] == "mno" and o["valid_to"] is None]
    return [(o["operator_code"], o["name_en"].split(" (")[0]) for o in sorted(ops, key=lambda o: o["display_order"])]


OPERATOR_LAYOUT = [
    None,
    "district",
    "generation",
    "sites_in_service",
    "sites_commissioned",
    "sites_upgraded",
    "investment_vnd",
    "remedy",
    "remedy_due_date",
    "note",
]


def operator_workbook(month: date | None = None):
    """A new operator-return template (an openpyxl Workbook) for ``month`` (default: this month),
    one row per unit of the month and 4G/5G."""
    import openpyxl

    month = (month or date.today()).replace(day=1)
    words = unit_words(month)
    kind = OPERATOR_RETURN
    layout = OPERATOR_LAYOUT
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    s = styles()
    title(ws, kind, len(layout))
    operators = reporting_operators()
    districts = month_units(month)
    for r, label, _prompt in (
        (3, "Nhà mạng:", "Chọn nhà mạng."),
        (4, "Tháng báo cáo:", "Tháng báo cáo, dạng MM/YYYY."),
    ):
        ws.cell(row=r, column=1, value=label).font = s["bold"]
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=3)
        ws.cell(row=r, column=2).border = s["border"]
    ws["B4"].number_format = "mm/yyyy"
    validation(
        ws,
        "list",
        "B3",
        "Chọn nhà mạng trong danh sách.",
        "Nhà mạng không có trong danh sách.",
        formula1='"' + ",".join(name for _, name in operators) + '"',
    )
    validation(
        ws,
        "date",
        "B4",
        "Tháng báo cáo, dạng MM/YYYY (ví dụ 10/2024).",
        "Tháng báo cáo phải là một tháng, dạng MM/YYYY.",
        operator="greaterThanOrEqual",
        formula1="DATE(2024,1,1)",
    )
    ws["A5"] = (
        f"Điền số liệu từng {words.unit} của {words.province_full}, từng công nghệ (4G, 5G) từ dòng 7; "
        "để trống dòng không có trạm. "
        "Hướng dẫn ở trang 'Hướng dẫn'."
    )
    ws.merge_cells("A5:H5")
    ws["J5"] = "Đơn vị tính: trạm; đồng"
    ws["J5"].alignment = s["right"]
    headings(ws, kind, layout, kind.header_row)
    ws.cell(row=kind.header_row, column=layout.index("district") + 1, value=words.heading)
    ws.column_dimensions["A"].width = 16  # the labels of B3 and B4 are in column A
    first = kind.header_row + 1
    last = first + len(districts) * len(GENERATIONS) - 1
    format_rows(ws, layout, kind, first, last)
    r = first
    for _code, name in districts:
        for gen in GENERATIONS:
            ws.cell(row=r, column=1, value=r - first + 1)
            ws.cell(row=r, column=2, value=name)
            ws.cell(row=r, column=3, value=gen)
            r += 1
    letter = {name: column_letter(i) for i, name in enumerate(layout) if name}
    validation(
        ws,
        "list",
        f"{letter['district']}{first}:{letter['district']}{last}",
        f"Chọn {words.unit}.",
        f"{words.heading} không có trong danh sách ở trang 'Danh mục'.",
        formula1=f"'{LIST_SHEET}'!$B$2:$B${len(districts) + 1}",
    )
    validation(
        ws,
        "list",
        f"{letter['generation']}{first}:{letter['generation']}{last}",
        "4G hoặc 5G.",
        "Chỉ ghi 4G hoặc 5G.",
        formula1='"4G,5G"',
    )
    heading = {n: kind.column(n).heading_vi for n in layout if n}
    number_checks(ws, letter["sites_in_service"], first, last, heading["sites_in_service"])
    number_checks(
        ws, letter["sites_commissioned"], first, last, heading["sites_commissioned"], at_most=letter["sites_in_service"]
    )
    number_checks(
        ws, letter["sites_upgraded"], first, last, heading["sites_upgraded"], at_most=letter["sites_in_service"]
    )
    number_checks(ws, letter["investment_vnd"], first, last, heading["investment_vnd"], decimal=True)
    validation(
        ws,
        "date",
        f"{letter['remedy_due_date']}{first}:{letter['remedy_due_date']}{last}",
        "Ngày dự kiến hoàn thành, dạng DD/MM/YYYY.",
        "Thời hạn hoàn thành phải là một ngày.",
        operator="greaterThanOrEqual",
        formula1="DATE(2024,1,1)",
    )
    ws.freeze_panes = f"A{first}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1

    example = "Viettel_2024-10.xlsx"
    general_vi = [
        "Ghi nhà mạng ở ô B3 và tháng báo cáo ở ô B4 (hoặc thêm cột Nhà mạng, Tháng báo cáo vào bảng). "
        f"Mỗi {words.unit} và mỗi công nghệ (4G, 5G) một dòng; dòng để trống số liệu được bỏ qua.",
        f"Với {words.unit} có tốc độ tải xuống trung bình dưới 40 Mbps: ghi giải pháp khắc phục và thời hạn hoàn thành.",
        *[t.format(example=example) for t in COMMON_VI],
    ]
    general_en = [
        "Put the operator in B3 and the month in B4 (or add Operator and Month columns to the table). One row per "
        f"{'commune, ward or special zone' if words.communes else 'district'} and network (4G, 5G); rows without "
        "figures are skipped.",
        "For a unit whose mean download speed is below 40 Mbps: give the remedy planned and its due date.",
        *[t.format(example=example) for t in COMMON_EN],
    ]
    general_vi[4] = general_vi[4].replace(
        "Ô E7 (Số CBCCVC đã cài đặt i-Speed): 120 lớn hơn Tổng số CBCCVC (100)",
        "Ô E9 (Số trạm phát sóng mới trong tháng): 12 lớn hơn Số trạm đang phát sóng cuối tháng (10)",
    )
    help_sheet(wb, kind, layout, general_vi, general_en)
    lists = wb.create_sheet(LIST_SHEET)
    for c, text in enumerate([f"Mã {words.unit}", words.heading, "", "Nhà mạng"]):
        lists.cell(row=1, column=c + 1, value=text or None).font = s["bold"]
    for r, (code, name) in enumerate(districts, start=2):
        lists.cell(row=r, column=1, value=code)
        lists.cell(row=r, column=2, value=name)
    for r, (_, name) in enumerate(operators, start=2):
        lists.cell(row=r, column=4, value=name)
    for letter_, width in zip("ABCD", (14, 30, 4, 18)):
        lists.column_dimensions[letter_].width = width
    fixed_properties(wb)
    return wb


def fill_operator_return(wb, operator: str, month: date, rows: Iterable[dict[str, Any]]) -> None:
    """Fill the operator template: the operator's name in B3, the month in B4, and each row's
    figures on the template row of its unit (name or code) and network (4G/5G). The workbook is
    the template of the same month (operator_workbook(month))."""
    ws = wb[DATA_SHEET]
    ws["B3"] = operator
    ws["B4"] = datetime(month.year, month.month, 1)
    districts = dict(month_units(month))
    positions = {name: i + 1 for i, name in enumerate(OPERATOR_LAYOUT) if name}
    first = OPERATOR_RETURN.header_row + 1
    where = {
        (ws.cell(row=r, column=2).value, ws.cell(row=r, column=3).value): r
        for r in range(first, first + len(districts) * len(GENERATIONS))
    }
    for row in rows:
        district = districts.get(str(row["district"]), row["district"])
        r = where[(district, row.get("generation", "4G"))]
        for name, value in row.items():
            if name not in ("district", "generation"):
                ws.cell(row=r, column=positions[name], value=cell_value(name, value))
