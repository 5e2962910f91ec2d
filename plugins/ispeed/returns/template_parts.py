"""The pieces both return templates are made of: styles, the title rows, the headings (with each
column's help as a comment), Excel's own checks (drop-downs, number ranges), cell formats, the
instructions sheet and the fixed properties that make the files reproducible."""

from __future__ import annotations

import re
from copy import copy
from datetime import date, datetime
from typing import Any

from ispeed import geography
from ispeed.config import load_yaml
from ispeed.returns.contract import COUNT, DATE, MONEY, MONTH, TEXT, ReturnKind
from ispeed.returns.grid import column_letter

DATA_SHEET = "Báo cáo"
HELP_SHEET = "Hướng dẫn"
LIST_SHEET = "Danh mục"
FIXED_TIME = datetime(2024, 1, 1)  # in the files' properties, so that they are reproducible

_TITLE_FONT = {"bold": True, "size": 14}
_HEAD_FILL = "DDEBF7"


def department() -> str:
    """Who receives the returns: the Department that issues the report, as it is named today
    (``issuer.full_name`` of include/config/report.yaml, its placeholders filled for the configured
    province: geography.names())."""
    return geography.fill(str(load_yaml("report")["issuer"]["full_name"]), geography.names())


def styles():
    """The templates' cell styles (openpyxl objects), by use."""
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


def title(ws, kind: ReturnKind, width: int) -> None:
    """The title rows 1 and 2, merged over the table's ``width`` columns."""
    s = styles()
    last = column_letter(width - 1)
    ws["A1"] = kind.title_vi
    ws["A1"].font, ws["A1"].alignment = s["title"], s["center"]
    ws.merge_cells(f"A1:{last}1")
    ws["A2"] = f"({kind.title_en}) — gửi {department()}"
    ws["A2"].font, ws["A2"].alignment = s["italic"], s["center"]
    ws.merge_cells(f"A2:{last}2")
    ws.row_dimensions[1].height = 24


def headings(ws, kind: ReturnKind, layout: list[str | None], row: int) -> None:
    """Headings on ``row``: one per entry of ``layout`` (a canonical column, or None for STT)."""
    from openpyxl.comments import Comment

    s = styles()
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
        ws.column_dimensions[column_letter(c)].width = width
    ws.row_dimensions[row].height = 60


def validation(ws, kind_: str, sqref: str, prompt: str, error: str, **kwargs) -> None:
    """Excel's own check of the cells ``sqref`` (a DataValidation of type ``kind_``), with its
    prompt and its error message."""
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


def number_checks(
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
        validation(
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
        validation(
            ws,
            kind_,
            sqref,
            f"{heading}: số nguyên, không nhỏ hơn giá trị ở cột {at_least}.",
            f"{heading} phải là số nguyên không nhỏ hơn giá trị ở cột {at_least} cùng dòng.",
            operator="greaterThanOrEqual",
            formula1=f"{at_least}{first}",
        )
    else:
        validation(
            ws,
            kind_,
            sqref,
            f"{heading}: số {'nguyên ' if not decimal else ''}từ 0 trở lên.",
            f"{heading} phải là số {'nguyên ' if not decimal else ''}từ 0 trở lên.",
            operator="greaterThanOrEqual",
            formula1="0",
        )


def format_rows(ws, layout: list[str | None], kind: ReturnKind, first: int, last: int) -> None:
    s = styles()
    for c, name in enumerate(layout):
        fmt = "0" if name is None else _number_format(kind.column(name).type)
        proto = ws.cell(row=first, column=c + 1)
        proto.border = s["border"]
        proto.number_format = fmt
        # the rest of the column shares the first cell's style: registering the same border and
        # format again cell by cell is what made a template slow (openpyxl compares styles)
        for r in range(first + 1, last + 1):
            ws.cell(row=r, column=c + 1)._style = copy(proto._style)


def help_sheet(wb, kind: ReturnKind, layout: list[str | None], general_vi: list[str], general_en: list[str]) -> None:
    s = styles()
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
            column_letter(c),
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


COMMON_VI = [
    "Số liệu là số nguyên. Có thể gõ dấu chấm, dấu phẩy hoặc dấu cách để phân cách hàng nghìn: 1.234, 1,234 và 1 234 "
    "đều là một nghìn hai trăm ba mươi tư. Không ghi số thập phân.",
    "Tháng báo cáo ghi dạng MM/YYYY, ví dụ 10/2024; phải đúng tháng đang tổng hợp.",
    "Có thể gửi tệp này (.xlsx) hoặc tệp CSV có cùng các cột. Đặt tên tệp bắt đầu bằng mã đơn vị, ví dụ {example}.",
    'Báo cáo có lỗi sẽ bị từ chối cả tệp; thông báo nêu rõ ô sai và lý do, ví dụ: "Ô E7 (Số CBCCVC đã cài đặt i-Speed): '
    '120 lớn hơn Tổng số CBCCVC (100)". Sửa rồi gửi lại cả tệp.',
    "Gửi lại báo cáo trong cùng tháng thì báo cáo gửi sau thay thế báo cáo gửi trước.",
]
COMMON_EN = [
    "Figures are whole numbers. A dot, comma or space may separate thousands: 1.234, 1,234 and 1 234 all mean 1234. "
    "No decimals.",
    "The reporting month is MM/YYYY, e.g. 10/2024, and must be the month being reported.",
    "Send this file (.xlsx) or a CSV with the same columns. Start the file name with your code, e.g. {example}.",
    "A return with an error is rejected as a whole; the message names the cell and the reason. Fix it and send the "
    "whole file again.",
    "A second return for the same month replaces the first.",
]


def fixed_properties(wb) -> None:
    wb.properties.creator = "ispeed-pipeline"
    wb.properties.title = wb.active.title
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME


def cell_value(name: str, value: Any) -> Any:
    """A value as a template cell holds it: a month 'YYYY-MM' or a date as a datetime."""
    if name == "month" and isinstance(value, str) and re.match(r"^\d{4}-\d{2}$", value):
        return datetime(int(value[:4]), int(value[5:7]), 1)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value
