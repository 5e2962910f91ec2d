"""The .xlsx templates agencies and operators fill in, generated from the contract so that they stay
in step with it:

    python -m ispeed.returns.template            # writes include/templates/*.xlsx
    python -m ispeed.returns.template --check    # exit 1 when the committed files are out of date

Each template has the return sheet ("Báo cáo": title rows, Vietnamese headings on row 6, data from
row 7, drop-down lists and number checks where Excel can give them), an instructions sheet
("Hướng dẫn", Vietnamese and English, one line per column) and the lists the drop-downs use
("Danh mục": agencies, or districts and operators). The files are byte-for-byte reproducible
(fixed timestamps), so regenerating them changes nothing unless the contract or the reference
data changed.

The same functions fill a template by code (``fill_agency_return``, ``fill_operator_return``):
the sample-data generator and the tests use them.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ispeed import paths
from ispeed.returns.agencies import read_agencies
from ispeed.returns.contract import AGENCY_RETURN, COUNT, DATE, MONEY, MONTH, OPERATOR_RETURN, TEXT, ReturnKind
from ispeed.warehouse.reference import read_reference

DATA_SHEET = "Báo cáo"
HELP_SHEET = "Hướng dẫn"
LIST_SHEET = "Danh mục"
AGENCY_ROWS = 50  # rows of the agency sheet that carry formats and checks
FIXED_TIME = datetime(2024, 1, 1)  # in the files' properties, so that they are reproducible
DEPARTMENT = "Sở Thông tin và Truyền thông thành phố Hải Phòng"
GENERATIONS = ("4G", "5G")

_TITLE_FONT = {"bold": True, "size": 14}
_HEAD_FILL = "DDEBF7"


def _styles():
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="808080")
    return {
        "title": Font(**_TITLE_FONT),
        "italic": Font(italic=True),
        "bold": Font(bold=True),
        "head_fill": PatternFill("solid", fgColor=_HEAD_FILL),
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "wrap": Alignment(vertical="top", wrap_text=True),
        "right": Alignment(horizontal="right"),
    }


def _number_format(col_type: str) -> str:
    return {COUNT: "#,##0", MONEY: "#,##0", MONTH: "mm/yyyy", DATE: "dd/mm/yyyy", TEXT: "@"}.get(col_type, "@")


def _title(ws, kind: ReturnKind, width: int, note: str) -> None:
    s = _styles()
    last = _letter(width - 1)
    ws["A1"] = kind.title_vi
    ws["A1"].font, ws["A1"].alignment = s["title"], s["center"]
    ws.merge_cells(f"A1:{last}1")
    ws["A2"] = f"({kind.title_en}) — gửi {DEPARTMENT}"
    ws["A2"].font, ws["A2"].alignment = s["italic"], s["center"]
    ws.merge_cells(f"A2:{last}2")
    ws.row_dimensions[1].height = 24


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _headings(ws, kind: ReturnKind, layout: list[str | None], row: int) -> None:
    """Headings on ``row``: one per entry of ``layout`` (a canonical column, or None for STT)."""
    from openpyxl.comments import Comment

    s = _styles()
    for c, name in enumerate(layout):
        cell = ws.cell(row=row, column=c + 1)
        if name is None:
            cell.value, width = "STT", 6
        else:
            col = kind.column(name)
            cell.value, width = col.heading_vi, col.width
            comment = Comment(f"{col.heading_en}\n\n{col.help_vi}\n\n{col.help_en}", "ispeed-pipeline")
            comment.width, comment.height = 320, 160
            cell.comment = comment
        cell.font, cell.fill, cell.border, cell.alignment = s["bold"], s["head_fill"], s["border"], s["center"]
        ws.column_dimensions[_letter(c)].width = width
    ws.row_dimensions[row].height = 60


def _validation(ws, kind_: str, sqref: str, prompt: str, error: str, **kwargs) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    dv = DataValidation(
        type=kind_,
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorTitle="Giá trị không hợp lệ",
        error=error,
        promptTitle="Hướng dẫn",
        prompt=prompt,
        **kwargs,
    )
    dv.add(sqref)
    ws.add_data_validation(dv)


def _number_checks(
    ws,
    letter: str,
    first: int,
    last: int,
    heading: str,
    *,
    at_most: str | None = None,
    at_least: str | None = None,
    decimal: bool = False,
) -> None:
    """Excel's own check of a number column: whole (or any) number >= 0, <= or >= another column
    of the same row (relative references are relative to the first row of the range)."""
    kind_ = "decimal" if decimal else "whole"
    sqref = f"{letter}{first}:{letter}{last}"
    if at_most:
        _validation(
            ws,
            kind_,
            sqref,
            f"{heading}: số nguyên từ 0 đến giá trị ở cột {at_most}.",
            f"{heading} phải là số nguyên từ 0 đến giá trị ở cột {at_most} cùng dòng.",
            operator="between",
            formula1="0",
            formula2=f"{at_most}{first}",
        )
    elif at_least:
        _validation(
            ws,
            kind_,
            sqref,
            f"{heading}: số nguyên, không nhỏ hơn giá trị ở cột {at_least}.",
            f"{heading} phải là số nguyên không nhỏ hơn giá trị ở cột {at_least} cùng dòng.",
            operator="greaterThanOrEqual",
            formula1=f"{at_least}{first}",
        )
    else:
        _validation(
            ws,
            kind_,
            sqref,
            f"{heading}: số {'nguyên ' if not decimal else ''}từ 0 trở lên.",
            f"{heading} phải là số {'nguyên ' if not decimal else ''}từ 0 trở lên.",
            operator="greaterThanOrEqual",
            formula1="0",
        )


def _format_rows(ws, layout: list[str | None], kind: ReturnKind, first: int, last: int) -> None:
    s = _styles()
    for c, name in enumerate(layout):
        fmt = "0" if name is None else _number_format(kind.column(name).type)
        for r in range(first, last + 1):
            cell = ws.cell(row=r, column=c + 1)
            cell.border = s["border"]
            cell.number_format = fmt


def _help_sheet(wb, kind: ReturnKind, layout: list[str | None], general_vi: list[str], general_en: list[str]) -> None:
    s = _styles()
    ws = wb.create_sheet(HELP_SHEET)
    ws["A1"] = f"HƯỚNG DẪN ĐIỀN {kind.title_vi}"
    ws["A1"].font = s["title"]
    row = 3
    for line in general_vi:
        ws.cell(row=row, column=1, value=line).alignment = s["wrap"]
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=7)
        ws.row_dimensions[row].height = 30
        row += 1
    row += 1
    heads = [
        "Cột",
        "Tiêu đề (tiếng Việt)",
        "Heading (English)",
        "Nội dung và quy tắc",
        "What it holds",
        "Bắt buộc / Required",
        "Kiểu / Type",
    ]
    for c, text in enumerate(heads):
        cell = ws.cell(row=row, column=c + 1, value=text)
        cell.font, cell.fill, cell.border, cell.alignment = s["bold"], s["head_fill"], s["border"], s["center"]
    row += 1
    types = {
        COUNT: "số nguyên / whole number",
        MONEY: "số nguyên (đồng) / whole number (VND)",
        MONTH: "tháng MM/YYYY / month",
        DATE: "ngày DD/MM/YYYY / date",
        TEXT: "chữ / text",
    }
    for c, name in enumerate(layout):
        if name is None:
            continue
        col = kind.column(name)
        if col.required:
            required = "có / yes (để trống = 0)" if col.empty_is_zero else "có / yes"
        elif any(name in group for group in kind.one_of):
            required = "mã hoặc tên / code or name"
        else:
            required = "không / no"
        values = [
            _letter(c),
            col.heading_vi,
            col.heading_en,
            col.help_vi,
            col.help_en,
            required,
            types.get(col.type, "chữ hoặc mã / name or code"),
        ]
        for i, text in enumerate(values):
            cell = ws.cell(row=row, column=i + 1, value=text)
            cell.border, cell.alignment = s["border"], s["wrap"]
        row += 1
    row += 1
    ws.cell(row=row, column=1, value="English").font = s["bold"]
    row += 1
    for line in general_en:
        ws.cell(row=row, column=1, value=line).alignment = s["wrap"]
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=7)
        ws.row_dimensions[row].height = 30
        row += 1
    for letter, width in zip("ABCDEFG", (6, 30, 30, 50, 50, 18, 22)):
        ws.column_dimensions[letter].width = width


_COMMON_VI = [
    "Số liệu là số nguyên. Có thể gõ dấu chấm, dấu phẩy hoặc dấu cách để phân cách hàng nghìn: 1.234, 1,234 và 1 234 "
    "đều là một nghìn hai trăm ba mươi tư. Không ghi số thập phân.",
    "Tháng báo cáo ghi dạng MM/YYYY, ví dụ 10/2024; phải đúng tháng đang tổng hợp.",
    "Có thể gửi tệp này (.xlsx) hoặc tệp CSV có cùng các cột. Đặt tên tệp bắt đầu bằng mã đơn vị, ví dụ {example}.",
    'Báo cáo có lỗi sẽ bị từ chối cả tệp; thông báo nêu rõ ô sai và lý do, ví dụ: "Ô E7 (Số CBCCVC đã cài đặt i-Speed): '
    '120 lớn hơn Tổng số CBCCVC (100)". Sửa rồi gửi lại cả tệp.',
    "Gửi lại báo cáo trong cùng tháng thì báo cáo gửi sau thay thế báo cáo gửi trước.",
]
_COMMON_EN = [
    "Figures are whole numbers. A dot, comma or space may separate thousands: 1.234, 1,234 and 1 234 all mean 1234. "
    "No decimals.",
    "The reporting month is MM/YYYY, e.g. 10/2024, and must be the month being reported.",
    "Send this file (.xlsx) or a CSV with the same columns. Start the file name with your code, e.g. {example}.",
    "A return with an error is rejected as a whole; the message names the cell and the reason. Fix it and send the "
    "whole file again.",
    "A second return for the same month replaces the first.",
]


def agency_workbook():
    """A new agency-return template (an openpyxl Workbook)."""
    import openpyxl

    kind = AGENCY_RETURN
    layout = kind.names
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    s = _styles()
    _title(ws, kind, len(layout), "")
    ws["A3"] = (
        "Mỗi cơ quan điền một dòng, bắt đầu từ dòng 7. Hướng dẫn ở trang 'Hướng dẫn'; "
        "mã các cơ quan ở trang 'Danh mục'."
    )
    ws["A3"].alignment = s["wrap"]
    ws.merge_cells(f"A3:{_letter(len(layout) - 1)}3")
    last_col = _letter(len(layout) - 1)
    ws[f"{last_col}5"] = "Đơn vị tính: người; lần"
    ws[f"{last_col}5"].alignment = s["right"]
    first, last = kind.header_row + 1, kind.header_row + AGENCY_ROWS
    _headings(ws, kind, layout, kind.header_row)
    _format_rows(ws, layout, kind, first, last)
    agencies = [a for a in read_agencies() if a.valid_to is None]
    letter = {name: _letter(i) for i, name in enumerate(layout)}
    _validation(
        ws,
        "list",
        f"{letter['agency_code']}{first}:{letter['agency_code']}{last}",
        "Chọn mã cơ quan trong danh sách (trang 'Danh mục').",
        "Mã cơ quan không có trong danh sách ở trang 'Danh mục'.",
        formula1=f"'{LIST_SHEET}'!$A$2:$A${len(agencies) + 1}",
    )
    _validation(
        ws,
        "date",
        f"{letter['month']}{first}:{letter['month']}{last}",
        "Tháng báo cáo, dạng MM/YYYY (ví dụ 10/2024).",
        "Tháng báo cáo phải là một tháng, dạng MM/YYYY.",
        operator="greaterThanOrEqual",
        formula1="DATE(2024,1,1)",
    )
    heading = {n: kind.column(n).heading_vi for n in layout}
    _number_checks(ws, letter["staff_total"], first, last, heading["staff_total"])
    _number_checks(
        ws, letter["staff_installed"], first, last, heading["staff_installed"], at_most=letter["staff_total"]
    )
    _number_checks(
        ws, letter["staff_measured"], first, last, heading["staff_measured"], at_most=letter["staff_installed"]
    )
    _number_checks(
        ws, letter["staff_measurements"], first, last, heading["staff_measurements"], at_least=letter["staff_measured"]
    )
    _number_checks(ws, letter["citizens_helped"], first, last, heading["citizens_helped"])
    _number_checks(ws, letter["cdt_members"], first, last, heading["cdt_members"])
    ws.freeze_panes = f"A{first}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1

    example = "STTTT_2024-10.xlsx"
    _help_sheet(
        wb,
        kind,
        layout,
        [t.format(example=example) for t in _COMMON_VI],
        [t.format(example=example) for t in _COMMON_EN],
    )
    lists = wb.create_sheet(LIST_SHEET)
    for c, text in enumerate(["Mã cơ quan", "Tên cơ quan", "Loại", "Mã quận/huyện"]):
        lists.cell(row=1, column=c + 1, value=text).font = s["bold"]
    kinds_vi = {
        "department": "Sở, ngành",
        "district_committee": "UBND quận, huyện",
        "media": "Báo chí, truyền thông",
        "other": "Khác",
    }
    for r, a in enumerate(agencies, start=2):
        for c, value in enumerate([a.agency_code, a.name_vi, kinds_vi[a.kind], a.area_code]):
            lists.cell(row=r, column=c + 1, value=value)
    for letter_, width in zip("ABCD", (16, 44, 22, 14)):
        lists.column_dimensions[letter_].width = width
    _fixed_properties(wb)
    return wb


def _districts() -> list[tuple[str, str]]:
    """(code, name with its prefix) of the districts valid today, in code order."""
    prefix = {"quan": "Quận", "huyen": "Huyện", "thi_xa": "Thị xã", "thanh_pho": "Thành phố"}
    areas = [a for a in read_reference().areas if a["valid_to"] is None and a["level"] in prefix]
    return [
        (a["area_code"], f"{prefix[a['level']]} {a['name_vi']}") for a in sorted(areas, key=lambda a: a["area_code"])
    ]


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


def operator_workbook():
    """A new operator-return template (an openpyxl Workbook), one row per district and 4G/5G."""
    import openpyxl

    kind = OPERATOR_RETURN
    layout = OPERATOR_LAYOUT
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    s = _styles()
    _title(ws, kind, len(layout), "")
    operators = reporting_operators()
    districts = _districts()
    for r, label, _prompt in (
        (3, "Nhà mạng:", "Chọn nhà mạng."),
        (4, "Tháng báo cáo:", "Tháng báo cáo, dạng MM/YYYY."),
    ):
        ws.cell(row=r, column=1, value=label).font = s["bold"]
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=3)
        ws.cell(row=r, column=2).border = s["border"]
    ws["B4"].number_format = "mm/yyyy"
    _validation(
        ws,
        "list",
        "B3",
        "Chọn nhà mạng trong danh sách.",
        "Nhà mạng không có trong danh sách.",
        formula1='"' + ",".join(name for _, name in operators) + '"',
    )
    _validation(
        ws,
        "date",
        "B4",
        "Tháng báo cáo, dạng MM/YYYY (ví dụ 10/2024).",
        "Tháng báo cáo phải là một tháng, dạng MM/YYYY.",
        operator="greaterThanOrEqual",
        formula1="DATE(2024,1,1)",
    )
    ws["A5"] = (
        "Điền số liệu từng quận/huyện, từng công nghệ (4G, 5G) từ dòng 7; để trống dòng không có trạm. "
        "Hướng dẫn ở trang 'Hướng dẫn'."
    )
    ws.merge_cells("A5:H5")
    ws["J5"] = "Đơn vị tính: trạm; đồng"
    ws["J5"].alignment = s["right"]
    _headings(ws, kind, layout, kind.header_row)
    ws.column_dimensions["A"].width = 16  # the labels of B3 and B4 are in column A
    first = kind.header_row + 1
    last = first + len(districts) * len(GENERATIONS) - 1
    _format_rows(ws, layout, kind, first, last)
    r = first
    for _code, name in districts:
        for gen in GENERATIONS:
            ws.cell(row=r, column=1, value=r - first + 1)
            ws.cell(row=r, column=2, value=name)
            ws.cell(row=r, column=3, value=gen)
            r += 1
    letter = {name: _letter(i) for i, name in enumerate(layout) if name}
    _validation(
        ws,
        "list",
        f"{letter['district']}{first}:{letter['district']}{last}",
        "Chọn quận/huyện.",
        "Quận/huyện không có trong danh sách ở trang 'Danh mục'.",
        formula1=f"'{LIST_SHEET}'!$B$2:$B${len(districts) + 1}",
    )
    _validation(
        ws,
        "list",
        f"{letter['generation']}{first}:{letter['generation']}{last}",
        "4G hoặc 5G.",
        "Chỉ ghi 4G hoặc 5G.",
        formula1='"4G,5G"',
    )
    heading = {n: kind.column(n).heading_vi for n in layout if n}
    _number_checks(ws, letter["sites_in_service"], first, last, heading["sites_in_service"])
    _number_checks(
        ws, letter["sites_commissioned"], first, last, heading["sites_commissioned"], at_most=letter["sites_in_service"]
    )
    _number_checks(
        ws, letter["sites_upgraded"], first, last, heading["sites_upgraded"], at_most=letter["sites_in_service"]
    )
    _number_checks(ws, letter["investment_vnd"], first, last, heading["investment_vnd"], decimal=True)
    _validation(
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
        "Mỗi quận/huyện và mỗi công nghệ (4G, 5G) một dòng; dòng để trống số liệu được bỏ qua.",
        "Với quận/huyện có tốc độ tải xuống trung bình dưới 40 Mbps: ghi giải pháp khắc phục và thời hạn hoàn thành.",
        *[t.format(example=example) for t in _COMMON_VI],
    ]
    general_en = [
        "Put the operator in B3 and the month in B4 (or add Operator and Month columns to the table). One row per "
        "district and network (4G, 5G); rows without figures are skipped.",
        "For a district whose mean download speed is below 40 Mbps: give the remedy planned and its due date.",
        *[t.format(example=example) for t in _COMMON_EN],
    ]
    general_vi[4] = general_vi[4].replace(
        "Ô E7 (Số CBCCVC đã cài đặt i-Speed): 120 lớn hơn Tổng số CBCCVC (100)",
        "Ô E9 (Số trạm phát sóng mới trong tháng): 12 lớn hơn Số trạm đang phát sóng cuối tháng (10)",
    )
    _help_sheet(wb, kind, layout, general_vi, general_en)
    lists = wb.create_sheet(LIST_SHEET)
    for c, text in enumerate(["Mã quận/huyện", "Quận/huyện", "", "Nhà mạng"]):
        lists.cell(row=1, column=c + 1, value=text or None).font = s["bold"]
    for r, (code, name) in enumerate(districts, start=2):
        lists.cell(row=r, column=1, value=code)
        lists.cell(row=r, column=2, value=name)
    for r, (_, name) in enumerate(operators, start=2):
        lists.cell(row=r, column=4, value=name)
    for letter_, width in zip("ABCD", (14, 26, 4, 18)):
        lists.column_dimensions[letter_].width = width
    _fixed_properties(wb)
    return wb


def _fixed_properties(wb) -> None:
    wb.properties.creator = "ispeed-pipeline"
    wb.properties.title = wb.active.title
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME


# ---------------------------------------------------------------------------------------------
# filling a template by code (the sample-data generator, the tests)


def fill_agency_return(wb, rows: Iterable[dict[str, Any]]) -> None:
    """Write return rows (canonical column -> value) from row 7 of the agency template. A month
    given as a date or 'YYYY-MM' is written as the month's first day (shown MM/YYYY)."""
    ws = wb[DATA_SHEET]
    positions = {name: i + 1 for i, name in enumerate(AGENCY_RETURN.names)}
    for r, row in enumerate(rows, start=AGENCY_RETURN.header_row + 1):
        for name, value in row.items():
            ws.cell(row=r, column=positions[name], value=_cell_value(name, value))


def fill_operator_return(wb, operator: str, month: date, rows: Iterable[dict[str, Any]]) -> None:
    """Fill the operator template: the operator's name in B3, the month in B4, and each row's
    figures on the template row of its district (name or code) and network (4G/5G)."""
    ws = wb[DATA_SHEET]
    ws["B3"] = operator
    ws["B4"] = datetime(month.year, month.month, 1)
    districts = dict(_districts())
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
                ws.cell(row=r, column=positions[name], value=_cell_value(name, value))


def _cell_value(name: str, value: Any) -> Any:
    if name == "month" and isinstance(value, str) and re.match(r"^\d{4}-\d{2}$", value):
        return datetime(int(value[:4]), int(value[5:7]), 1)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


def save_workbook(wb, path: Path) -> Path:
    """Save with fixed timestamps, so that the same workbook always gives the same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(workbook_bytes(wb))
    return path


def workbook_bytes(wb) -> bytes:
    raw = io.BytesIO()
    wb.save(raw)  # sets the 'modified' property to now (and a new Workbook's 'created'): put back below
    out = io.BytesIO()
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    data,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, data)
    return out.getvalue()


def write_templates(folder: Path | None = None) -> list[Path]:
    """Write agency_return_template.xlsx and operator_return_template.xlsx into ``folder``
    (default include/templates/). Returns their paths."""
    folder = folder or paths.TEMPLATES_DIR
    return [
        save_workbook(agency_workbook(), folder / AGENCY_RETURN.template_name),
        save_workbook(operator_workbook(), folder / OPERATOR_RETURN.template_name),
    ]


def stale_templates(folder: Path | None = None) -> list[Path]:
    """The committed templates whose bytes differ from what the code generates now."""
    folder = folder or paths.TEMPLATES_DIR
    stale = []
    for kind, build in ((AGENCY_RETURN, agency_workbook), (OPERATOR_RETURN, operator_workbook)):
        path = folder / kind.template_name
        if not path.is_file() or path.read_bytes() != workbook_bytes(build()):
            stale.append(path)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ispeed.returns.template", description="write the monthly-return templates (.xlsx)"
    )
    parser.add_argument("--out", type=Path, help="folder (default include/templates/)")
    parser.add_argument("--check", action="store_true", help="only check that the committed templates are up to date")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_templates(args.out)
        for path in stale:
            print(f"out of date: {path} (run: python -m ispeed.returns.template)", file=sys.stderr)
        return 1 if stale else 0
    for path in write_templates(args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
