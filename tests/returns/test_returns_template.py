"""The .xlsx templates agencies and operators fill in: generated from the contract, committed up to
date, readable by an official (Vietnamese headings, instructions, drop-downs, Excel's own checks),
and a template filled by code loads cleanly."""

from datetime import date

import openpyxl

from ispeed import paths, returns
from ispeed.returns import template
from ispeed.returns.contract import AGENCY_RETURN, OPERATOR_RETURN
from ispeed.returns.load import landing_folder

from conftest import query

OCT = date(2024, 10, 1)
MAR_2026 = date(2026, 3, 1)


def test_the_committed_templates_are_what_the_code_generates():
    stale = template.stale_templates()
    assert stale == [], f"regenerate with: python -m ispeed.returns.template ({stale})"


def _validations(ws) -> dict[str, tuple]:
    return {
        str(dv.sqref): (dv.type, dv.operator, dv.formula1, dv.formula2) for dv in ws.data_validations.dataValidation
    }


def test_the_agency_template_as_an_official_sees_it():
    wb = openpyxl.load_workbook(paths.TEMPLATES_DIR / AGENCY_RETURN.template_name)
    assert wb.sheetnames == ["Báo cáo", "Hướng dẫn", "Danh mục"]
    ws = wb["Báo cáo"]
    assert ws["A1"].value == "BÁO CÁO KẾT QUẢ TRIỂN KHAI ỨNG DỤNG i-SPEED"
    # addressed to the Department by name, its province filled in (report.yaml holds placeholders)
    assert ws["A2"].value.endswith("gửi Sở Khoa học và Công nghệ thành phố Hải Phòng"), ws["A2"].value
    assert [c.value for c in ws[6]] == [c.heading_vi for c in AGENCY_RETURN.columns]
    assert ws["E6"].value == "Số CBCCVC đã cài đặt i-Speed" and "Staff who installed i-Speed" in ws["E6"].comment.text
    checks = _validations(ws)
    assert checks["A7:A56"][0] == "list" and checks["A7:A56"][2] == "'Danh mục'!$A$2:$A$132"
    assert checks["E7:E56"] == ("whole", "between", "0", "D7")  # installed <= staff total, by Excel
    assert checks["F7:F56"] == ("whole", "between", "0", "E7")  # measured <= installed
    assert checks["D7:D56"] == ("whole", "greaterThanOrEqual", "0", None)
    assert checks["C7:C56"][0] == "date"
    help_text = [[c.value for c in row] for row in wb["Hướng dẫn"].iter_rows()]
    described = {row[1]: row[2] for row in help_text if row[0] and len(str(row[0])) == 1}
    assert described == {c.heading_vi: c.heading_en for c in AGENCY_RETURN.columns}
    # the committed template is this month's (after the reform): the UBND xã, phường, đặc khu
    codes = [r[0].value for r in wb["Danh mục"].iter_rows(min_row=2)]
    assert len(codes) == 131 and {"SKHCN", "UBND-10525", "UBND-11948", "BPTTH", "CTTDT"} <= set(codes)
    assert not {"STTTT", "UBND-HB", "BAO"} & set(codes)
    assert checks["A7:A56"][2] == "'Danh mục'!$A$2:$A$132"


def test_the_agency_template_of_a_month_lists_that_months_senders():
    lists = template.agency_workbook(OCT)["Danh mục"]
    rows = [(r[0].value, r[1].value, r[2].value, r[3].value) for r in lists.iter_rows(min_row=2)]
    assert len(rows) == 39
    assert ("UBND-HB", "UBND quận Hồng Bàng", "UBND quận, huyện", "303") in rows
    assert {"STTTT", "BAO", "DPTTH"} <= {r[0] for r in rows}
    rows = [
        (r[0].value, r[1].value, r[2].value)
        for r in template.agency_workbook(MAR_2026)["Danh mục"].iter_rows(min_row=2)
    ]
    assert ("UBND-10525", "UBND phường Hải Dương", "UBND xã, phường, đặc khu") in rows
    assert sum(r[2] == "UBND xã, phường, đặc khu" for r in rows) == 114


def test_the_operator_template_lists_every_unit_of_its_month_on_4g_and_5g():
    wb = openpyxl.load_workbook(paths.TEMPLATES_DIR / OPERATOR_RETURN.template_name)
    ws = wb["Báo cáo"]
    assert (ws["A3"].value, ws["A4"].value) == ("Nhà mạng:", "Tháng báo cáo:")
    assert ws["D6"].value == "Số trạm đang phát sóng cuối tháng"
    assert ws["B6"].value == "Xã/phường/đặc khu"
    rows = [(ws.cell(row=r, column=2).value, ws.cell(row=r, column=3).value) for r in range(7, 7 + 228)]
    assert ("Phường Hải Dương", "4G") in rows and ("Đặc khu Cát Hải", "5G") in rows and len(set(rows)) == 228
    checks = _validations(ws)
    assert checks["B3"][2] == '"Viettel,VinaPhone,MobiFone,Vietnamobile,Gmobile"'
    assert checks["B7:B234"][2] == "'Danh mục'!$B$2:$B$115"
    assert checks["C7:C234"][2] == '"4G,5G"'

    ws = template.operator_workbook(OCT)["Báo cáo"]
    assert ws["B6"].value == "Quận/huyện"
    rows = [(ws.cell(row=r, column=2).value, ws.cell(row=r, column=3).value) for r in range(7, 37)]
    assert rows[0] == ("Quận Hồng Bàng", "4G") and rows[1] == ("Quận Hồng Bàng", "5G")
    assert rows[-1] == ("Huyện Bạch Long Vĩ", "5G") and len(set(rows)) == 30
    assert ws.cell(row=37, column=2).value is None
    checks = _validations(ws)
    assert checks["E7:E36"] == ("whole", "between", "0", "D7")  # commissioned <= in service


def test_templates_filled_by_code_load_cleanly(db, data_dir):
    wb = template.agency_workbook(OCT)
    template.fill_agency_return(
        wb,
        [
            {
                "agency_code": "STTTT",
                "agency_name": "Sở Thông tin và Truyền thông",
                "month": OCT,
                "staff_total": 85,
                "staff_installed": 85,
                "staff_measured": 80,
                "staff_measurements": 412,
                "citizens_helped": 1250,
                "cdt_members": 0,
                "note": "Hướng dẫn tại Bộ phận một cửa",
            }
        ],
    )
    template.save_workbook(wb, landing_folder(AGENCY_RETURN, OCT) / "STTTT_2024-10.xlsx")
    wb = template.operator_workbook(OCT)
    rows = [
        {
            "district": code,
            "generation": gen,
            "sites_in_service": 40 + i,
            "sites_commissioned": i % 3,
            "sites_upgraded": i % 5,
            "investment_vnd": (i % 3) * 1_150_000_000,
        }
        for i, (code, gen) in enumerate(
            (c, g)
            for c in [
                "303",
                "304",
                "305",
                "306",
                "307",
                "308",
                "309",
                "311",
                "312",
                "313",
                "314",
                "315",
                "316",
                "317",
                "318",
            ]
            for g in ("4G", "5G")
        )
    ]
    template.fill_operator_return(wb, "Viettel", OCT, rows)
    template.save_workbook(wb, landing_folder(OPERATOR_RETURN, OCT) / "Viettel_2024-10.xlsx")

    agencies = returns.load_agency_returns(OCT)
    operators = returns.load_operator_returns(OCT)
    assert (agencies["rows_loaded"], agencies["rows_quarantined"]) == (1, 0)
    assert (operators["rows_loaded"], operators["rows_quarantined"]) == (30, 0)
    assert query(db, "select staff_measurements, citizens_helped, note from ispeed.fact_agency_return") == [
        (412, 1250, "Hướng dẫn tại Bộ phận một cửa")
    ]
    assert query(
        db,
        "select count(*), count(distinct area_code), sum(sites_in_service), sum(investment_vnd)"
        " from ispeed.fact_operator_return",
    ) == [(30, 15, sum(r["sites_in_service"] for r in rows), sum(r["investment_vnd"] for r in rows))]
