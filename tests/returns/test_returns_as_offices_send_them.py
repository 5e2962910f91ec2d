"""Returns as offices really send them (issue 14, items 11 to 15), loaded into a real PostgreSQL:
an absurd number, a note between agencies, an unquoted "1,250" in a CSV, a rejected file whose
sender is named only in its file name or its cells, and messages a clerk can act on. Each ends in
a correct read or a rejection that says what, where and what to do, checked from the warehouse."""

import os
from datetime import date, datetime
from pathlib import Path

import openpyxl

from ispeed import returns
from ispeed.months import LOCAL_TZ
from ispeed.returns import template
from ispeed.returns.contract import AGENCY_RETURN, OPERATOR_RETURN
from ispeed.returns.load import landing_folder

from conftest import query

OCT = date(2024, 10, 1)
SENT = datetime(2024, 11, 3, 9, tzinfo=LOCAL_TZ).timestamp()


def tally(code: str, total=100, installed=80, measured=60, measurements=150, **extra) -> dict:
    return {
        "agency_code": code,
        "month": "2024-10",
        "staff_total": total,
        "staff_installed": installed,
        "staff_measured": measured,
        "staff_measurements": measurements,
        "citizens_helped": 20,
        "cdt_members": 0,
        **extra,
    }


def _land(path: Path, sent: float = SENT) -> Path:
    os.utime(path, (sent, sent))
    return path


def agency_workbook(*rows: dict):
    wb = template.agency_workbook(OCT)
    template.fill_agency_return(wb, rows)
    return wb


def agency_file(name: str, *rows: dict, wb=None, sent: float = SENT) -> Path:
    wb = wb or agency_workbook(*rows)
    return _land(template.save_workbook(wb, landing_folder(AGENCY_RETURN, OCT) / name), sent)


def files(db, dataset: str = "agency_returns") -> dict[str, tuple]:
    rows = query(
        db,
        "select file_name, status, rows_read, rows_loaded, rows_quarantined, error from ispeed.meta_file"
        " where dataset = %s",
        (dataset,),
    )
    return {r[0]: r[1:] for r in rows}


def quarantine(db, file_name: str) -> list[tuple]:
    return query(
        db,
        "select q.line_no, q.column_name, q.rule, q.message from ispeed.fact_quarantine q"
        " join ispeed.meta_file f using (file_id) where f.file_name = %s order by q.line_no",
        (file_name,),
    )


def states(db) -> dict[str, str]:
    return dict(query(db, "select agency_code, state from ispeed.v_agency_return_status where month = %s", (OCT,)))


def facts(db) -> list[tuple]:
    return query(db, "select agency_code, staff_total, source_row from ispeed.fact_agency_return order by 1")


def test_an_absurd_staff_total_rejects_that_file_only_and_the_month_still_loads(db, data_dir):
    agency_file("SYT_2024-10.xlsx", tally("SYT", total="3.000.000.000"))
    agency_file("STP_2024-10.xlsx", tally("STP", total=120))
    summary = returns.load_agency_returns(OCT)

    message = (
        'Ô D7 (Tổng số CBCCVC): "3.000.000.000" quá lớn, không thể là số liệu của một tháng '
        "(tối đa 2.147.483.647); hãy kiểm tra lại số đã nhập"
    )
    assert quarantine(db, "SYT_2024-10.xlsx") == [(7, "D7", "staff_total_within_range", message)]
    status, read, loaded, quarantined, error = files(db)["SYT_2024-10.xlsx"]
    assert (status, read, loaded, quarantined) == ("rejected", 1, 0, 1) and message in error
    assert files(db)["STP_2024-10.xlsx"][:3] == ("loaded", 1, 1)
    assert facts(db) == [("STP", 120, 7)]
    assert (states(db)["SYT"], states(db)["STP"]) == ("rejected", "submitted")
    assert summary["validation"]["unexpected"]["staff_total_within_range"] == 1

    # a re-run succeeds, and the corrected file is accepted
    returns.load_agency_returns(OCT)
    agency_file("SYT_2024-10_sua.xlsx", tally("SYT", total=300), sent=SENT + 3600)
    returns.load_agency_returns(OCT)
    assert facts(db) == [("STP", 120, 7), ("SYT", 300, 7)]
    assert states(db)["SYT"] == "submitted"


def test_an_absurd_investment_rejects_the_operator_return_naming_the_cell(db, data_dir):
    wb = template.operator_workbook(OCT)
    row = {"district": "303", "generation": "4G", "sites_in_service": 10, "investment_vnd": "9.000.000.000.000.000"}
    template.fill_operator_return(wb, "Viettel", OCT, [row])
    _land(template.save_workbook(wb, landing_folder(OPERATOR_RETURN, OCT) / "Viettel_2024-10.xlsx"))
    returns.load_operator_returns(OCT)

    ((line, cell, rule, message),) = quarantine(db, "Viettel_2024-10.xlsx")
    assert (line, rule) == (7, "investment_vnd_within_range")
    assert message.startswith(f'Ô {cell} (Vốn đầu tư trong tháng (đồng)): "9.000.000.000.000.000" quá lớn')
    assert query(db, "select count(*) from ispeed.fact_operator_return") == [(0,)]


def test_a_note_between_agencies_does_not_end_the_table(db, data_dir):
    wb = agency_workbook(tally("SYT", total=100), tally("STP", total=999), tally("SNV", total=300))
    ws = wb["Báo cáo"]
    for c in range(1, 11):
        ws.cell(row=8, column=c).value = None
    ws["A8"] = "Ghi chú: số liệu của các phòng chuyên môn được tổng hợp đến ngày 31/10"
    ws["A12"] = "Lưu ý: số lần đo lấy từ ứng dụng i-Speed"
    ws["B14"] = "Người lập biểu"
    ws["F14"] = "Thủ trưởng đơn vị"
    ws["F18"] = "Nguyễn Văn A"
    agency_file("tong-hop.xlsx", wb=wb)
    returns.load_agency_returns(OCT)

    assert facts(db) == [("SNV", 300, 9), ("SYT", 100, 7)]
    assert files(db)["tong-hop.xlsx"][:4] == ("loaded", 2, 2, 0)
    (skipped,) = query(db, "select header_map -> 'skipped_rows' from ispeed.meta_file")[0]
    assert skipped["note row"] == [8, 12]
    assert skipped["signature block (end of table)"] == [14]
    assert skipped["below the signature block"] == [18]


def test_figures_below_the_signature_block_are_not_silently_left_unread(db, data_dir):
    wb = agency_workbook(tally("SYT"))
    ws = wb["Báo cáo"]
    ws["B9"] = "Người lập biểu"
    for c, v in enumerate(["SNV", None, "10/2024", 300, 200, 100, 400, 0, 0], start=1):
        ws.cell(row=11, column=c, value=v)
    agency_file("SYT_2024-10.xlsx", wb=wb)
    returns.load_agency_returns(OCT)

    status, read, loaded, quarantined, error = files(db)["SYT_2024-10.xlsx"]
    assert (status, loaded) == ("rejected", 0)
    assert error == (
        "Tệp SYT_2024-10.xlsx: trang 'Báo cáo', dòng 11 có số liệu nhưng nằm dưới phần ký tên (dòng 9), "
        "nơi bảng đã kết thúc; hãy chuyển các dòng này lên trên phần ký tên, trong bảng, rồi gửi lại."
    )
    assert states(db)["SYT"] == "rejected"
    assert facts(db) == []


CSV_HEADER = (
    "Mã cơ quan,Tên cơ quan,Tháng báo cáo,Tổng số CBCCVC,Số CBCCVC đã cài đặt i-Speed,"
    "Số CBCCVC đã đo ít nhất 1 lần,Số lần đo của CBCCVC,Số người dân được hỗ trợ cài đặt,"
    "Số thành viên Tổ công nghệ số cộng đồng tham gia,Ghi chú"
)


def test_an_unquoted_thousands_comma_in_a_csv_rejects_the_row_naming_it(db, data_dir):
    path = landing_folder(AGENCY_RETURN, OCT) / "SYT_2024-10.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        CSV_HEADER + "\nSYT,Sở Y tế,10/2024,1,250,1000,900,2000,20,0,\nSTP,Sở Tư pháp,10/2024,100,80,60,150,0,0,\n",
        encoding="utf-8",
    )
    _land(path)
    returns.load_agency_returns(OCT)

    message = (
        "Dòng 2 có 11 ô, nhiều hơn 10 cột của dòng tiêu đề: có lẽ một số có dấu phẩy ngăn cách hàng nghìn "
        "(như 1,250) không được đặt trong ngoặc kép nên các ô sau nó bị lệch sang phải; hãy ghi số không có "
        "dấu phân cách (1250), hoặc lưu lại tệp bằng Excel rồi gửi"
    )
    rows = quarantine(db, "SYT_2024-10.csv")
    assert rows[0] == (2, "A2", "row_fits_header", message)  # and nothing about the shifted cells
    assert [r[:3] for r in rows[1:]] == [(3, None, "return_rejected")]
    status, read, loaded, quarantined, error = files(db)["SYT_2024-10.csv"]
    assert (status, read, loaded, quarantined) == ("rejected", 2, 0, 2)
    assert "có 1 lỗi" in error and message in error
    assert facts(db) == []


def test_the_sender_of_an_unreadable_file_is_found_anywhere_in_its_name_or_in_its_cells(db, data_dir):
    folder = landing_folder(AGENCY_RETURN, OCT)
    folder.mkdir(parents=True, exist_ok=True)
    for name, cells in [
        ("Báo cáo i-Speed T10-2024 - Sở Nội vụ.xlsx", ["Báo cáo tháng 10"]),
        ("bao-cao-thang-10.xlsx", ["Kính gửi: Sở Y tế", "Cơ quan báo cáo: Sở Tư pháp", "Số liệu tháng 10"]),
    ]:
        wb = openpyxl.Workbook()
        for cell in cells:
            wb.active.append([cell])
        wb.save(folder / name)
        _land(folder / name)
    returns.load_agency_returns(OCT)

    st = states(db)
    assert (st["SNV"], st["STP"], st["SYT"]) == ("rejected", "rejected", "missing")
    errors = dict(query(db, "select agency_code, error from ispeed.v_agency_return_status where state = 'rejected'"))
    assert errors["SNV"].startswith("Tệp Báo cáo i-Speed T10-2024 - Sở Nội vụ.xlsx: không tìm thấy dòng tiêu đề")
    assert errors["STP"].startswith("Tệp bao-cao-thang-10.xlsx: không tìm thấy dòng tiêu đề")


def test_a_short_code_is_not_found_inside_a_word_of_the_file_name(db, data_dir):
    folder = landing_folder(AGENCY_RETURN, OCT)
    folder.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    wb.active.append(["Không có gì"])
    wb.save(folder / "snvxyz-thang10.xlsx")
    _land(folder / "snvxyz-thang10.xlsx")
    returns.load_agency_returns(OCT)
    assert "rejected" not in states(db).values()


def test_a_month_wrong_above_the_table_is_listed_once_naming_the_sheet(db, data_dir):
    wb = template.operator_workbook(OCT)
    rows = [{"district": d, "generation": "4G", "sites_in_service": 10} for d in ("303", "304", "305")]
    template.fill_operator_return(wb, "Viettel", date(2024, 9, 1), rows)
    _land(template.save_workbook(wb, landing_folder(OPERATOR_RETURN, OCT) / "Viettel_2024-10.xlsx"))
    returns.load_operator_returns(OCT)

    status, read, loaded, quarantined, error = files(db, "operator_returns")["Viettel_2024-10.xlsx"]
    assert (status, read, quarantined) == ("rejected", 3, 3)
    visible = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
    where = ", trang 'Báo cáo'" if len(visible) > 1 else ""
    assert error.startswith(f"Tệp Viettel_2024-10.xlsx{where}: báo cáo bị từ chối vì có 1 lỗi")
    assert error.count("ghi tháng 09/2024") == 1
    assert len(visible) > 1  # the template has its instructions beside the return: the sheet is named


def _two_row_heading_sheet(ws, staff_group: str = "Số CBCCVC") -> None:
    """Headings on rows 5 and 6: the identity columns merged down over both rows, the staff's
    columns under one group heading merged across them."""
    for col, text in (("A", "Mã cơ quan"), ("B", "Tên cơ quan"), ("C", "Tháng báo cáo"), ("H", "Ghi chú")):
        ws[f"{col}5"] = text
        ws.merge_cells(f"{col}5:{col}6")
    ws["D5"] = staff_group
    ws.merge_cells("D5:G5")
    for col, text in zip("DEFG", ("Tổng số", "Đã cài đặt i-Speed", "Đã đo ít nhất 1 lần", "Số lần đo")):
        ws[f"{col}6"] = text
    ws["I5"] = "Số người dân được hỗ trợ cài đặt"
    ws["J5"] = "Số thành viên Tổ công nghệ số cộng đồng tham gia"
    ws.merge_cells("I5:I6")
    ws.merge_cells("J5:J6")


def test_a_heading_on_two_merged_rows_is_read(db, data_dir):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "BC thang 10"
    ws["A1"] = "BÁO CÁO KẾT QUẢ TRIỂN KHAI I-SPEED THÁNG 10/2024"
    _two_row_heading_sheet(ws)
    for c, v in enumerate(["SYT", "Sở Y tế", "10/2024", 120, 100, 90, 300, "Đủ", 45, 0], start=1):
        ws.cell(row=7, column=c, value=v)
    path = landing_folder(AGENCY_RETURN, OCT) / "SYT_2024-10.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    _land(path)
    returns.load_agency_returns(OCT)

    assert query(
        db,
        "select agency_code, staff_total, staff_installed, staff_measured, staff_measurements, citizens_helped,"
        " note, source_row from ispeed.fact_agency_return",
    ) == [("SYT", 120, 100, 90, 300, 45, "Đủ", 7)]
    ((header,),) = query(db, "select header_map from ispeed.meta_file")
    assert header["header_row"] == 6 and header["columns"]["staff_installed"] == "E: Số CBCCVC Đã cài đặt i-Speed"


def test_a_two_row_heading_that_cannot_be_read_is_named_as_the_problem(db, data_dir):
    wb = openpyxl.Workbook()
    _two_row_heading_sheet(wb.active, staff_group="Nhân sự")
    for c, v in enumerate(["SYT", "Sở Y tế", "10/2024", 120, 100, 90, 300, None, 45, 0], start=1):
        wb.active.cell(row=7, column=c, value=v)
    path = landing_folder(AGENCY_RETURN, OCT) / "SYT_2024-10.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    _land(path)
    returns.load_agency_returns(OCT)

    (error,) = [f[4] for f in files(db).values()]
    assert error.startswith(
        "Tệp SYT_2024-10.xlsx: trang 'Sheet', dòng 5-6 là dòng tiêu đề cột (tiêu đề hai dòng) nhưng"
    )
    assert "thiếu cột bắt buộc: Tổng số CBCCVC" in error
    assert states(db)["SYT"] == "rejected"


def test_a_percentage_and_a_hidden_row_are_shown_as_the_clerk_sees_them(db, data_dir):
    wb = agency_workbook(tally("SYT"), tally("STP"))
    ws = wb["Báo cáo"]
    ws["F7"] = 0.85
    ws["F7"].number_format = "0%"
    ws["D8"] = -5
    ws.row_dimensions[8].hidden = True
    agency_file("tong-hop_2024-10.xlsx", wb=wb)
    returns.load_agency_returns(OCT)

    rows = quarantine(db, "tong-hop_2024-10.xlsx")
    assert rows[0] == (
        7,
        "F7",
        "staff_measured_is_whole_number",
        'Ô F7 (Số CBCCVC đã đo ít nhất 1 lần): "85 %" không phải là số (ghi số nguyên, ví dụ 1234 hoặc 1.234)',
    )
    assert rows[1][:3] == (8, "D8", "staff_total_not_negative")
    assert rows[1][3].split("; ")[0] == (
        "Ô D8 (Tổng số CBCCVC): -5 là số âm (số liệu phải từ 0 trở lên) (dòng 8 đang bị ẩn: chọn các dòng quanh "
        "nó, nhấp chuột phải, Unhide/Bỏ ẩn)"
    )
