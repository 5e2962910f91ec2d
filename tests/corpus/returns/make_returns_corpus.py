"""The returns corpus: agencies' returns as offices really send them (issue 14, items 11 to 15), one
file per case of cases.yaml in this folder.

    PYTHONPATH=plugins .venv/bin/python tests/corpus/returns/make_returns_corpus.py [FOLDER]

writes every file into FOLDER (default: tests/corpus/returns/files/, not committed) for a person
to open in Excel. The test (tests/returns/test_returns_corpus.py) writes them at test time into
the month's landing folder: an .xlsx carries the time it was written, so it cannot be committed
byte for byte. Every builder is a function of the path it writes, named in cases.yaml by `build`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl

from ispeed.returns import template

HERE = Path(__file__).resolve().parent
MONTH = date(2024, 10, 1)
COLUMNS = ["agency_code", "agency_name", "month", "staff_total", "staff_installed", "staff_measured"]
COLUMNS += ["staff_measurements", "citizens_helped", "cdt_members", "note"]


def tally(code: str, total=100, installed=80, measured=60, measurements=150, citizens=20, members=0) -> dict:
    return dict(zip(COLUMNS, [code, None, "2024-10", total, installed, measured, measurements, citizens, members]))


def _template(path: Path, *rows: dict, edit: Callable | None = None) -> None:
    wb = template.agency_workbook(MONTH)
    template.fill_agency_return(wb, [{k: v for k, v in r.items() if v is not None} for r in rows])
    if edit:
        edit(wb["Báo cáo"])
    template.save_workbook(wb, path)


def out_of_range(path: Path) -> None:
    """A staff total of three billion: a typing mistake that once crashed the month's load."""
    _template(path, tally("SYT", total="3.000.000.000"))


def note_between_agencies(path: Path) -> None:
    """A "Ghi chú" row between two agencies and a "Lưu ý" below them, then the signature block."""

    def edit(ws):
        for c in range(1, 11):
            ws.cell(row=8, column=c).value = None
        ws["A8"] = "Ghi chú: Sở Xây dựng gửi số liệu tạm tính, sẽ bổ sung"
        ws["A11"] = "Lưu ý: số lần đo lấy từ ứng dụng i-Speed"
        ws["B13"] = "Người lập biểu"
        ws["F13"] = "Thủ trưởng đơn vị"

    _template(path, tally("SCT", total=210), tally("SCT"), tally("SXD", total=95), edit=edit)


def figures_below_the_signature(path: Path) -> None:
    """A row with figures under the signature block: it cannot be left unread."""

    def edit(ws):
        ws["B9"] = "Người lập biểu"
        for c, v in enumerate(["BQLKKT", None, "10/2024", 300, 200, 100, 400, 0, 0], start=1):
            ws.cell(row=11, column=c, value=v)

    _template(path, tally("SGDDT"), edit=edit)


CSV_HEADER = (
    "Mã cơ quan,Tên cơ quan,Tháng báo cáo,Tổng số CBCCVC,Số CBCCVC đã cài đặt i-Speed,"
    "Số CBCCVC đã đo ít nhất 1 lần,Số lần đo của CBCCVC,Số người dân được hỗ trợ cài đặt,"
    "Số thành viên Tổ công nghệ số cộng đồng tham gia,Ghi chú"
)


def unquoted_thousands(path: Path) -> None:
    """A CSV whose "1,250" was written without quotes: row 2 has 11 cells under 10 headings."""
    path.write_text(
        CSV_HEADER
        + "\nSTP,Sở Tư pháp,10/2024,1,250,1000,900,2000,20,0,\nSTC,Sở Tài chính,10/2024,100,80,60,150,0,0,\n",
        encoding="utf-8",
    )


def _unreadable(path: Path, *cells: str) -> None:
    wb = openpyxl.Workbook()
    for cell in cells:
        wb.active.append([cell])
    wb.save(path)


def sender_in_the_name(path: Path) -> None:
    """No heading at all; the sender is named at the end of the file's name."""
    _unreadable(path, "Báo cáo tháng 10")


def sender_in_the_cells(path: Path) -> None:
    """No heading; the sender is named in a cell, the recipient in another."""
    _unreadable(path, "Kính gửi: Sở Khoa học và Công nghệ", "Cơ quan báo cáo: Sở Ngoại vụ", "Số liệu tháng 10")


def _two_row_heading(ws, group: str) -> None:
    for col, text in (("A", "Mã cơ quan"), ("B", "Tên cơ quan"), ("C", "Tháng báo cáo"), ("H", "Ghi chú")):
        ws[f"{col}5"] = text
        ws.merge_cells(f"{col}5:{col}6")
    ws["D5"] = group
    ws.merge_cells("D5:G5")
    for col, text in zip("DEFG", ("Tổng số", "Đã cài đặt i-Speed", "Đã đo ít nhất 1 lần", "Số lần đo")):
        ws[f"{col}6"] = text
    ws["I5"], ws["J5"] = "Số người dân được hỗ trợ cài đặt", "Số thành viên Tổ công nghệ số cộng đồng tham gia"
    ws.merge_cells("I5:I6")
    ws.merge_cells("J5:J6")


def _two_row_file(path: Path, code: str, group: str) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "BÁO CÁO KẾT QUẢ TRIỂN KHAI I-SPEED THÁNG 10/2024"
    _two_row_heading(ws, group)
    for c, v in enumerate([code, None, "10/2024", 120, 100, 90, 300, "Đủ", 45, 0], start=1):
        ws.cell(row=7, column=c, value=v)
    wb.save(path)


def two_row_heading(path: Path) -> None:
    """ "Số CBCCVC" merged over "Tổng số", "Đã cài đặt i-Speed", ... on the row below."""
    _two_row_file(path, "TTTP", "Số CBCCVC")


def two_row_heading_unreadable(path: Path) -> None:
    """A group heading that names nothing of the return ("Nhân sự" over "Tổng số", ...)."""
    _two_row_file(path, "VPUBND", "Nhân sự")


def percent_and_hidden_row(path: Path) -> None:
    """85 % typed in a count, and a hidden row with a negative staff total."""

    def edit(ws):
        ws["F7"] = 0.85
        ws["F7"].number_format = "0%"
        ws["D8"] = -5
        ws.row_dimensions[8].hidden = True

    _template(path, tally("UBND-HB"), tally("UBND-NQ"), edit=edit)


def month_wrong_above_the_table(path: Path) -> None:
    """The month given once above the table, wrong: one problem, listed once for three rows; the
    workbook has a second sheet, so the sheet is named."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Số liệu"
    ws["A2"], ws["B2"] = "Tháng báo cáo:", "09/2024"
    heads = ["Mã cơ quan", "Tổng số CBCCVC", "Số CBCCVC đã cài đặt i-Speed", "Số CBCCVC đã đo ít nhất 1 lần"]
    heads += ["Số lần đo của CBCCVC", "Số người dân được hỗ trợ cài đặt", "Số thành viên Tổ CNSCĐ"]
    ws.append([])
    ws.append(heads)
    for code in ("UBND-LC", "UBND-HA", "UBND-KA"):
        ws.append([code, 100, 80, 60, 150, 0, 0])
    wb.create_sheet("Ghi chú")["A1"] = "Số liệu tổng hợp từ các phòng"
    wb.save(path)


BUILD: dict[str, Callable[[Path], None]] = {
    f.__name__: f
    for f in (
        out_of_range,
        note_between_agencies,
        figures_below_the_signature,
        unquoted_thousands,
        sender_in_the_name,
        sender_in_the_cells,
        two_row_heading,
        two_row_heading_unreadable,
        percent_and_hidden_row,
        month_wrong_above_the_table,
    )
}


def write(folder: Path, cases: list[dict]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for case in cases:
        BUILD[case["build"]](folder / case["file"])
        out.append(folder / case["file"])
    return out


if __name__ == "__main__":
    import yaml

    spec = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))
    for p in write(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "files", spec["cases"]):
        print(p)
