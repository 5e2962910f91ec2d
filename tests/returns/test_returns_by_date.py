"""Returns follow the month's units and senders (issue 13): an operator's return for 2025-09 is
per xã, phường, đặc khu, and one that names an abolished district is rejected with a message
saying so; the agencies' returns of 2026 come from the UBND of the communes."""

import os
from datetime import date, datetime

from ispeed import returns
from ispeed.months import LOCAL_TZ
from ispeed.returns import template
from ispeed.returns.contract import AGENCY_RETURN, OPERATOR_RETURN
from ispeed.returns.load import landing_folder

from conftest import query

SEP_2025 = date(2025, 9, 1)
HEADER = "Nhà mạng,Tháng báo cáo,Xã/phường/đặc khu,Công nghệ,Số trạm đang phát sóng,Số trạm mới,Số trạm nâng cấp,Vốn đầu tư\n"


def _landed(kind, month: date, name: str, text: str) -> None:
    folder = landing_folder(kind, month)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    when = datetime(month.year, month.month + 1, 3, 9, tzinfo=LOCAL_TZ).timestamp()
    os.utime(folder / name, (when, when))


def test_an_operator_return_for_september_2025_is_per_commune(db, data_dir):
    wb = template.operator_workbook(SEP_2025)
    rows = [
        {"district": "10525", "generation": "4G", "sites_in_service": 31, "sites_commissioned": 2, "sites_upgraded": 1},
        {
            "district": "Phường Hồng Bàng",
            "generation": "4G",
            "sites_in_service": 40,
            "sites_commissioned": 0,
            "sites_upgraded": 3,
        },
        {
            "district": "Đặc khu Cát Hải",
            "generation": "5G",
            "sites_in_service": 4,
            "sites_commissioned": 1,
            "sites_upgraded": 0,
        },
    ]
    template.fill_operator_return(wb, "Viettel", SEP_2025, rows)
    template.save_workbook(wb, landing_folder(OPERATOR_RETURN, SEP_2025) / "Viettel_2025-09.xlsx")
    _landed(
        OPERATOR_RETURN,
        SEP_2025,
        "MobiFone_2025-09.csv",
        HEADER + "MobiFone,09/2025,P. Hải Dương,4G,12,1,0,0\nMobiFone,09/2025,ĐK. Bạch Long Vĩ,4G,1,0,0,0\n",
    )
    loaded = returns.load_operator_returns(SEP_2025)
    assert (loaded["rows_loaded"], loaded["rows_quarantined"]) == (5, 0), query(
        db, "select column_name, rule, message from ispeed.fact_quarantine"
    )
    areas = query(
        db,
        "select operator_code, a.name_vi, f.sites_in_service from ispeed.fact_operator_return f"
        " join ispeed.dim_area a using (area_code) where f.month = %s order by 1, 2",
        (SEP_2025,),
    )
    assert ("VIETTEL", "Hải Dương", 31) in areas and ("VIETTEL", "Hồng Bàng", 40) in areas
    assert ("MOBIFONE", "Hải Dương", 12) in areas and len(areas) == 5


def test_an_operator_return_for_september_2025_naming_an_abolished_district_is_rejected(db, data_dir):
    _landed(
        OPERATOR_RETURN,
        SEP_2025,
        "Viettel_2025-09.csv",
        HEADER
        + "Viettel,09/2025,Phường Lê Chân,4G,20,0,0,0\n"
        + "Viettel,09/2025,Quận Lê Chân,4G,12,1,0,0\n"
        + "Viettel,09/2025,Phường Không Có,4G,8,0,0,0\n",
    )
    returns.load_operator_returns(SEP_2025)
    problems = query(
        db,
        "select column_name, rule, message from ispeed.fact_quarantine"
        " where dataset = 'operator_returns' and column_name is not null order by line_no",
    )
    assert [p[:2] for p in problems] == [("C3", "district_known"), ("C4", "district_known")]
    assert problems[0][2] == (
        'Ô C3 (Xã/phường/đặc khu): "Quận Lê Chân" (Quận Lê Chân) không còn từ 01/07/2025 (từ 01/7/2025 không còn '
        "cấp quận, huyện): hãy ghi xã, phường, đặc khu của thành phố Hải Phòng nơi có trạm (xem trang 'Danh mục' "
        "của biểu mẫu)"
    )
    assert problems[1][2] == (
        'Ô C4 (Xã/phường/đặc khu): "Phường Không Có" không phải xã, phường, đặc khu của thành phố Hải Phòng '
        "(từ 01/7/2025)"
    )
    assert query(db, "select count(*) from ispeed.fact_operator_return") == [(0,)]
    assert (
        dict(query(db, "select operator_code, state from ispeed.operator_return_status(%s)", (SEP_2025,)))["VIETTEL"]
        == "rejected"
    )


def test_a_2024_return_naming_a_commune_says_the_month_is_reported_by_district(db, data_dir):
    oct_2024 = date(2024, 10, 1)
    _landed(
        OPERATOR_RETURN,
        oct_2024,
        "Viettel_2024-10.csv",
        HEADER.replace("Xã/phường/đặc khu", "Quận/huyện") + "Viettel,10/2024,Đặc khu Cát Hải,4G,12,1,0,0\n",
    )
    returns.load_operator_returns(oct_2024)
    (message,) = query(db, "select message from ispeed.fact_quarantine where column_name = 'C2'")[0]
    assert message == (
        'Ô C2 (Quận/huyện): "Đặc khu Cát Hải" (Đặc khu Cát Hải) chỉ có từ 01/07/2025: báo cáo tháng 10/2024 ghi '
        "theo quận, huyện của thành phố Hải Phòng khi đó (xem trang 'Danh mục' của biểu mẫu)"
    )


def test_a_commune_committee_return_of_2026_is_submitted(db, data_dir):
    mar = date(2026, 3, 1)
    wb = template.agency_workbook(mar)
    row = {
        "agency_code": "UBND-10525",
        "agency_name": "UBND phường Hải Dương",
        "month": mar,
        "staff_total": 60,
        "staff_installed": 55,
        "staff_measured": 50,
        "staff_measurements": 140,
        "citizens_helped": 900,
        "cdt_members": 35,
    }
    template.fill_agency_return(wb, [row, dict(row, agency_code="", agency_name="UBND xã Cẩm Giàng", staff_total=70)])
    template.save_workbook(wb, landing_folder(AGENCY_RETURN, mar) / "UBND-10525_2026-03.xlsx")
    loaded = returns.load_agency_returns(mar)
    assert (loaded["rows_loaded"], loaded["rows_quarantined"]) == (2, 0), query(
        db, "select column_name, rule, message from ispeed.fact_quarantine"
    )
    assert query(db, "select agency_code, staff_total from ispeed.fact_agency_return order by 1") == [
        ("UBND-10525", 60),
        ("UBND-10903", 70),
    ]
    states = dict(query(db, "select agency_code, state from ispeed.agency_return_status(%s)", (mar,)))
    assert states["UBND-10525"] == "submitted" and states["UBND-10888"] == "missing" and len(states) == 131
    assert "UBND-LC" not in states and "STTTT" not in states
