"""Reading hand-filled returns, without a warehouse: numbers and months as people type them, the
header found under title rows, and files that cannot be read rejected with a message that names
the file and the problem (never a traceback)."""

import re
import zipfile
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest

from ispeed.returns.contract import AGENCY_RETURN, OPERATOR_RETURN
from ispeed.returns.read import ReturnFileRejected, read_return
from ispeed.returns.values import FRACTION, NOT_A_NUMBER, parse_day, parse_month, parse_whole_number


@pytest.mark.parametrize(
    "typed, value",
    [
        ("1234", 1234),
        ("1.234", 1234),
        ("1,234", 1234),
        ("1 234", 1234),
        ("1\u00a0234", 1234),
        ("1.250.000.000", 1_250_000_000),
        ("1,250,000,000", 1_250_000_000),
        ("1.250.000.000 đồng", 1_250_000_000),
        ("120 người", 120),
        ("120,0", 120),
        ("120.00", 120),
        ("1.234,00", 1234),
        (" 7 ", 7),
        ("-5", -5),
        (120.0, 120),
        (7, 7),
    ],
)
def test_whole_numbers_as_people_type_them(typed, value):
    assert parse_whole_number(typed).value == value


@pytest.mark.parametrize(
    "typed, problem",
    [
        ("12,5", FRACTION),
        ("12.34", FRACTION),
        ("1.234,5", FRACTION),
        (12.5, FRACTION),
        ("abc", NOT_A_NUMBER),
        ("1.23.4", NOT_A_NUMBER),
        ("1,2 tỷ", NOT_A_NUMBER),
    ],
)
def test_what_is_not_a_whole_number_is_refused_not_rounded(typed, problem):
    number = parse_whole_number(typed)
    assert (number.value, number.problem) == (None, problem)


@pytest.mark.parametrize(
    "typed",
    [
        "10/2024",
        "10-2024",
        "10.2024",
        "2024-10",
        "Tháng 10/2024",
        "T10/2024",
        "tháng 10 năm 2024",
        "01/10/2024",
        datetime(2024, 10, 1),
        10.2024,
    ],
)
def test_the_month_as_people_write_it(typed):
    assert parse_month(typed) == "2024-10"


@pytest.mark.parametrize(
    "typed, day",
    [
        ("31/12/2024", date(2024, 12, 31)),
        ("2024-12-31", date(2024, 12, 31)),
        ("ngày 31 tháng 12 năm 2024", date(2024, 12, 31)),
        ("12/2024", date(2024, 12, 31)),
        ("31/02/2024", None),
        ("quý 4", None),
    ],
)
def test_due_dates(typed, day):
    assert parse_day(typed) == day


def _save(wb, path: Path) -> Path:
    wb.save(path)
    return path


def test_a_hand_made_sheet_is_read_below_its_title_rows(tmp_path):
    """Merged title rows, English headings in another order, a row of column numbers, numbers
    typed as text with thousands separators, a total row, blank rows and a signature block."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "October"
    ws["A1"] = "UBND HUYỆN THỦY NGUYÊN"
    ws.merge_cells("A1:E1")
    ws["A2"] = "i-Speed monthly return"
    ws.merge_cells("A2:J2")
    headings = [
        "No.",
        "Agency name",
        "Month",
        "Staff total",
        "Installed",
        "Measured",
        "Measurements",
        "Citizens helped",
        "CDT members",
        "Notes",
    ]
    for c, h in enumerate(headings, start=1):
        ws.cell(row=4, column=c, value=h)
        ws.cell(row=5, column=c, value=f"({c})")
    for c, v in enumerate(
        [1, "UBND huyện Thủy Nguyên", "10/2024", "1.234", "1,100", " 900 ", "2.700", "5.424", 312, None], start=1
    ):
        ws.cell(row=6, column=c, value=v)
    ws["B7"] = "Tổng cộng"
    ws["D7"] = 1234
    ws["B11"] = "Người lập biểu"
    ws["G11"] = "CHỦ TỊCH"
    sheet = read_return(_save(wb, tmp_path / "UBND-TN_2024-10.xlsx"), AGENCY_RETURN)
    assert (sheet.sheet, sheet.header_row) == ("October", 4)
    assert [r.row for r in sheet.rows] == [6]
    row = sheet.rows[0]
    assert row.values["agency_name"] == "UBND huyện Thủy Nguyên" and row.values["staff_total"] == "1.234"
    assert row.cells["staff_installed"] == "E6"
    assert [
        parse_whole_number(row.values[k]).value
        for k in ("staff_total", "staff_installed", "staff_measured", "staff_measurements", "citizens_helped")
    ] == [1234, 1100, 900, 2700, 5424]
    assert sheet.skipped["column numbers"] == [5] and sheet.skipped["total row"] == [7]
    assert "No." in sheet.ignored


def test_fields_above_the_table_apply_to_every_row(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "Nhà mạng: Viettel"
    ws["A2"] = "Tháng báo cáo"
    ws["C2"] = "10/2024"
    for c, h in enumerate(
        ["Quận/huyện", "Số trạm đang phát sóng", "Số trạm mới", "Số trạm nâng cấp", "Vốn đầu tư"], start=1
    ):
        ws.cell(row=4, column=c, value=h)
    ws.append(["Hồng Bàng", 10, 1, 0, "1.500.000.000"])
    ws.append(["Lê Chân", 12, None, None, None])
    sheet = read_return(_save(wb, tmp_path / "v.xlsx"), OPERATOR_RETURN)
    assert [r.values["operator"] for r in sheet.rows] == ["Viettel", "Viettel"]
    assert [r.cells["month"] for r in sheet.rows] == ["C2", "C2"]
    assert sheet.fields == {"operator": "A1", "month": "C2"}


def _with_cached_values(data: bytes, cached: dict[str, str]) -> bytes:
    """Give formula cells the values Excel would have saved with them (openpyxl writes none)."""
    src, out = zipfile.ZipFile(BytesIO(data)), BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = body.decode()
                for ref, value in cached.items():
                    text = re.sub(
                        rf'(<c r="{ref}"[^>]*>\s*<f>[^<]*</f>)\s*(<v\s*/>|<v></v>)?', rf"\g<1><v>{value}</v>", text
                    )
                body = text.encode()
            dst.writestr(info, body)
    return out.getvalue()


def test_formulas_are_read_through_their_saved_values(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        [
            "Mã cơ quan",
            "Tháng báo cáo",
            "Tổng số CBCCVC",
            "Số CBCCVC đã cài đặt",
            "Số CBCCVC đã đo",
            "Số lần đo",
            "Số người dân được hỗ trợ",
            "Số thành viên Tổ CNSCĐ",
        ]
    )
    ws.append(["SYT", "10/2024", "=40+60", "=C2-10", 50, 80, 0, 0])
    buf = BytesIO()
    wb.save(buf)
    path = tmp_path / "SYT.xlsx"
    path.write_bytes(_with_cached_values(buf.getvalue(), {"C2": "100"}))
    row = read_return(path, AGENCY_RETURN).rows[0]
    assert row.values["staff_total"] == 100  # the value Excel saved
    assert row.values["staff_installed"] == "=C2-10"  # no saved value: reported as a formula, not as empty
    assert parse_whole_number(row.values["staff_installed"]).problem == "formula"


def _ole_file(path: Path, streams: list[str]) -> Path:
    """Bytes that look like an OLE2 compound file naming the given streams."""
    body = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 504
        + b"".join(s.encode("utf-16-le") + b"\x00\x00" for s in streams)
    )
    path.write_bytes(body + b"\x00" * 1024)
    return path


@pytest.mark.parametrize(
    "name, make, words",
    [
        ("empty.xlsx", lambda p: p.write_bytes(b""), "tệp rỗng"),
        ("locked.xlsx", lambda p: _ole_file(p, ["EncryptionInfo", "EncryptedPackage"]), "đặt mật khẩu"),
        ("old.xls", lambda p: _ole_file(p, ["Workbook"]), "Excel 97-2003 (.xls)"),
        ("scan.pdf", lambda p: p.write_bytes(b"%PDF-1.7\n..."), "tệp PDF"),
        ("broken.xlsx", lambda p: p.write_bytes(b"PK\x03\x04" + b"\x00" * 200), "bị hỏng"),
        ("page.xlsx", lambda p: p.write_text("<!DOCTYPE html><html><body>Lỗi 404</body></html>"), "trang web"),
        (
            "letter.txt",
            lambda p: p.write_text("Kính gửi Sở Thông tin và Truyền thông\nBáo cáo tháng 10\n"),
            "không phải CSV",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_rejected_with_a_message(tmp_path, name, make, words):
    path = tmp_path / name
    make(path)
    with pytest.raises(ReturnFileRejected) as err:
        read_return(path, AGENCY_RETURN)
    assert str(err.value).startswith(f"Tệp {name}: ") and words in str(err.value)


def test_a_sheet_without_the_headings_is_rejected_saying_what_is_missing(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Danh sách cán bộ"])
    ws.append(["Mã cơ quan", "Tên cơ quan", "Tổng số CBCCVC"])  # a header without the other columns
    ws.append(["SYT", "Sở Y tế", 100])
    with pytest.raises(ReturnFileRejected) as err:
        read_return(_save(wb, tmp_path / "SYT.xlsx"), AGENCY_RETURN)
    message = str(err.value)
    assert "dòng 2" in message and "thiếu cột bắt buộc" in message and "Số CBCCVC đã cài đặt i-Speed" in message

    wb = openpyxl.Workbook()
    wb.active.append(["Kính gửi Sở TT&TT"])
    wb.active.append(["Đơn vị đã hoàn thành cài đặt"])
    with pytest.raises(ReturnFileRejected, match="không tìm thấy dòng tiêu đề cột"):
        read_return(_save(wb, tmp_path / "note.xlsx"), AGENCY_RETURN)


def test_csv_with_semicolons_and_a_bom_or_utf16_tabs(tmp_path):
    header = "Mã cơ quan;Tháng báo cáo;Tổng số CBCCVC;Số CBCCVC đã cài đặt;Số CBCCVC đã đo;Số lần đo;Số người dân được hỗ trợ;Số thành viên Tổ CNSCĐ"
    path = tmp_path / "SYT.csv"
    path.write_text(header + "\nSYT;10/2024;1.234;1.000;900;2.000;;\n\n\n", encoding="utf-8-sig")
    sheet = read_return(path, AGENCY_RETURN)
    assert [(r.row, r.values["staff_total"], r.cells["staff_total"]) for r in sheet.rows] == [(2, "1.234", "C2")]
    path.write_text(header.replace(";", "\t") + "\nSYT\t10/2024\t100\t90\t80\t70\t\t\n", encoding="utf-16")
    assert read_return(path, AGENCY_RETURN).rows[0].values["staff_installed"] == "90"
