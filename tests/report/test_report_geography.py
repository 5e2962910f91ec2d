"""The report follows the month's geography and the configured province (issue 13): 15 districts
before 2025-07, 114 xã, phường, đặc khu after (counts and a ranking in the body, every unit in the
annex), the tests without a valid unit, remedies per unit, the trend across 2025-07, 130+ senders,
and another province's names by one setting."""

from __future__ import annotations

import re
from datetime import date

import pytest

from ispeed import geography
from ispeed.report import fmt, render_report
from ispeed.report.data import DOES_NOT_MEET, INSUFFICIENT_DATA, MEETS, DistrictResult, ReportData, ReportDataError
from ispeed.report.settings import report_config
from ispeed.report.units import territory_change

from fixtures.report_data import sample_report_data

NOVEMBER = date(2026, 11, 1)  # reported on 15 December 2026: 114 units of today's Hải Phòng


def pdf_text(path) -> str:
    """All the PDF's text, whitespace collapsed."""
    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(path).pages).split())


def section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


@pytest.fixture(scope="module")
def communes() -> ReportData:
    return sample_report_data(NOVEMBER)


@pytest.fixture(scope="module")
def communes_rendered(communes, tmp_path_factory):
    return render_report(communes, tmp_path_factory.mktemp("communes"))


@pytest.fixture(scope="module")
def communes_text(communes_rendered) -> str:
    return pdf_text(communes_rendered.pdf_path)


def test_the_sample_month_has_the_cities_114_units_and_tests_without_one(communes):
    units = {x.area_code for x in communes.districts if not x.unassigned}
    assert len(units) == 114 and units == {a.code for a in geography.areas_in(NOVEMBER)}
    assert [x.verdict for x in communes.districts if x.unassigned] == [None] * 5
    assert len(communes.agencies) == 136


def test_114_units_give_counts_per_operator_and_the_units_below_the_threshold_ranked(communes, communes_text):
    text = communes_text
    assert "IV. KẾT QUẢ ĐO THEO XÃ, PHƯỜNG, ĐẶC KHU" in text and "THEO QUẬN, HUYỆN" not in text
    body = section(text, "IV. KẾT QUẢ ĐO THEO", "V. DIỄN BIẾN")
    assert "Trên 114 xã, phường, đặc khu và 5 doanh nghiệp" in body
    # per operator: units with figures, meeting, not meeting, lacking data, tests without a unit
    for i, c in enumerate(communes.compliance, start=1):
        mine = [x for x in communes.districts if x.operator_code == c.operator_code and not x.unassigned]
        meets, below, lacking = (
            sum(1 for x in mine if x.verdict == v) for v in (MEETS, DOES_NOT_MEET, INSUFFICIENT_DATA)
        )
        [unassigned] = [x.tests for x in communes.districts if x.operator_code == c.operator_code and x.unassigned]
        row = f"{i} {c.operator_name} 114 {meets} {below} {lacking} {fmt.number(unassigned)} phép đo"
        assert row in body, row
    # the three lowest units under their names of the month, worst first; every one in Phụ lục 3
    names = {a.code: a.full_name for a in geography.areas_in(NOVEMBER)}
    below = sorted((x for x in communes.districts if x.verdict == DOES_NOT_MEET), key=lambda x: x.figure_mbps)
    assert len(below) > 3
    worst = "; ".join(
        f"{names[x.area_code]} ({x.operator_name}, {fmt.mbps(x.figure_mbps, 40)} Mbps)" for x in below[:3]
    )
    assert f"Các trường hợp có tốc độ thấp nhất: {worst}." in body
    assert f"Danh sách đầy đủ {len(below)} trường hợp dưới 40 Mbps, từ thấp đến cao theo doanh nghiệp" in body
    assert "tại Phụ lục 3" in body
    # not a 114-row table: the body names only the three lowest units
    assert len(re.findall(r"(?:Phường|Xã|Đặc khu) \w", body)) == 3
    # the tests counted for the city without a valid unit: their count, never a verdict
    total = sum(x.tests for x in communes.districts if x.unassigned)
    assert f"Có {fmt.number(total)} phép đo chưa xác định xã/phường" in body
    assert "tính vào kết quả chung của thành phố Hải Phòng" in body


def test_every_unit_is_in_the_annex_of_the_pdf_and_of_the_spreadsheet(communes, communes_rendered, communes_text):
    from openpyxl import load_workbook

    annex = communes_text[communes_text.index("PHỤ LỤC", communes_text.index("Nơi nhận:")) :]
    assert "Phụ lục 1. Tốc độ tải xuống trung bình (Mbps) theo xã, phường, đặc khu và doanh nghiệp" in annex
    rows = re.findall(r"(\d+) ((?:Phường|Xã|Đặc khu) [^○▼\d(]+?) [○▼\d]", annex[: annex.index("Phụ lục 2.")])
    assert [int(n) for n, _ in rows] == list(range(1, 115))
    assert {name for _, name in rows} == {a.full_name for a in geography.areas_in(NOVEMBER)}
    per_op = " ".join(f"({fmt.number(x.tests)})" for x in communes.districts if x.unassigned)
    assert f"Chưa xác định xã/phường {per_op}" in annex

    sheet = load_workbook(communes_rendered.xlsx_path)["4_districts"]
    header = [c.value for c in sheet[1]]
    cells = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert {r["area_code"] for r in cells} == {a.code for a in geography.areas_in(NOVEMBER)} | {geography.UNASSIGNED}
    assert len(cells) == 5 * 115
    unassigned = [r for r in cells if r["area_code"] == geography.UNASSIGNED]
    assert {r["area_name"] for r in unassigned} == {"Chưa xác định xã/phường"}
    assert {r["verdict"] for r in unassigned} == {None}


def test_remedies_are_given_per_unit_under_its_name_of_the_month(communes, communes_text):
    """The body counts them per operator and lists the units below 40 Mbps for 3 months or more with
    their remedy; Phụ lục 3 lists every unit below 40 Mbps and every remedy, per operator, worst first."""
    body = section(communes_text, "2. Giải pháp khắc phục tại các xã, phường, đặc khu có tốc độ dưới 40 Mbps", "III.")
    names = {a.code: a.full_name for a in geography.areas_in(NOVEMBER)}
    below = [x for x in communes.districts if x.verdict == DOES_NOT_MEET]
    assert communes.remedies and len(below) == len(communes.remedies)
    for c in communes.compliance:
        mine = [x for x in below if x.operator_code == c.operator_code]
        if mine:
            lasting = sum(1 for x in mine if x.months_below >= 3)
            assert f"{c.operator_name} {len(mine)} {len(mine)} 0 {lasting}" in body
    remedies = {(r.operator_code, r.area_code): r for r in communes.remedies}
    lasting = sorted(
        (x for x in below if x.months_below >= 3), key=lambda x: (-x.months_below, x.figure_mbps, x.operator_code)
    )
    assert lasting
    for k, x in enumerate(lasting, start=1):
        r = remedies[(x.operator_code, x.area_code)]
        row = f"{k} {x.operator_name} {names[x.area_code]} ▼ {fmt.mbps(x.figure_mbps, 40)} {x.months_below} {r.remedy}"
        assert row in body, row
    assert "từ 3 tháng liên tiếp trở lên" in body and "Phụ lục 3" in body
    annex = communes_text[communes_text.index("Phụ lục 3. Các xã, phường, đặc khu có tốc độ dưới 40 Mbps") :]
    annex = annex[: annex.index("Phụ lục 4.")]
    order = {c.operator_code: i for i, c in enumerate(communes.compliance)}
    rows = sorted(below, key=lambda x: (order[x.operator_code], x.figure_mbps))
    positions = []
    for k, x in enumerate(rows, start=1):
        r = remedies[(x.operator_code, x.area_code)]
        row = f"{k} {x.operator_name} {names[x.area_code]} ▼ {fmt.mbps(x.figure_mbps, 40)} {x.months_below} {r.remedy}"
        assert row in annex, row
        positions.append(annex.index(row))
    assert positions == sorted(positions)


def test_136_senders_are_totalled_by_group_in_the_body_and_listed_in_the_annex(communes, communes_text):
    body = section(communes_text, "I. KẾT QUẢ CÀI ĐẶT", "II. ĐẦU TƯ")
    groups: dict[str, list] = {}
    for a in communes.agencies:
        groups.setdefault(a.group, []).append(a)
    assert list(groups) == [
        "Sở, ban, ngành thành phố",
        "Ủy ban nhân dân các xã, phường, đặc khu",
        "Cơ quan báo chí, truyền thông",
    ]
    for group, members in groups.items():
        counts = [len(members)] + [
            sum(1 for a in members if a.state == s) for s in ("submitted", "missing", "rejected")
        ]
        assert f"{group} {' '.join(fmt.number(n) for n in counts)}" in body, group
    missing = [a for a in communes.agencies if a.state == "missing"]
    assert len(missing) > 10
    assert f"Các cơ quan, đơn vị chưa báo cáo: {len(missing)} (" in body and "danh sách tại Phụ lục 2" in body
    assert not any(a.agency_name in body for a in missing if a.agency_name.startswith("UBND"))
    annex = communes_text[communes_text.index("Phụ lục 2. Kết quả cài đặt") :]
    for a in communes.agencies:
        assert a.agency_name in annex, a.agency_name
    assert "Tổng cộng 122/136 đã báo cáo" in annex


def test_a_month_of_2024_keeps_the_15_district_table_and_no_annex(tmp_path):
    data = sample_report_data(date(2024, 10, 1))
    text = pdf_text(render_report(data, tmp_path).pdf_path)
    assert "IV. KẾT QUẢ ĐO THEO QUẬN, HUYỆN" in text and "XÃ, PHƯỜNG" not in text
    body = section(text, "Tốc độ tải xuống trung bình (Mbps) theo quận, huyện và doanh nghiệp", "V. DIỄN BIẾN")
    names = list(dict.fromkeys(x.area_name for x in data.districts))
    assert len(names) == 15
    positions = [body.index(f"{i} {name} ") for i, name in enumerate(names, start=1)]
    assert positions == sorted(positions)
    assert "chưa xác định" not in text and "PHỤ LỤC" not in text
    assert "Giải pháp của doanh nghiệp tại các quận, huyện dưới 40 Mbps" in text
    assert "Các cơ quan, đơn vị chưa báo cáo: Sở Du lịch; UBND huyện Bạch Long Vĩ." in text


def test_a_trend_across_july_2025_marks_the_change_of_territory(tmp_path):
    text = pdf_text(render_report(sample_report_data(date(2025, 9, 1)), tmp_path).pdf_path)
    trend = section(text, "V. DIỄN BIẾN", "VI. CHẤT LƯỢNG")
    assert "Từ 07/2025: địa giới mới" in trend  # the chart's marker
    assert "Từ tháng 7/2025 số liệu của thành phố Hải Phòng bao gồm địa bàn tỉnh Hải Dương (cũ)." in trend
    later = [date(2026, m, 1) for m in range(1, 13)]  # July 2025 outside the months shown
    assert territory_change(later) is None
    assert territory_change([date(2025, 7, 1), date(2025, 8, 1)]) is None  # the first month: no change inside


def test_a_province_with_nothing_merged_says_its_units_changed(monkeypatch):
    monkeypatch.setenv("ISPEED_PROVINCE", "22")
    months = [date(2025, m, 1) for m in range(1, 13)]
    _, sentence = territory_change(months)
    assert sentence.startswith("Từ tháng 7/2025 số liệu của tỉnh Quảng Ninh được tổng hợp theo xã, phường, đặc khu")
    cfg = report_config(NOVEMBER)
    assert cfg.issuer.full_name == "Sở Khoa học và Công nghệ tỉnh Quảng Ninh"
    assert cfg.issuer.parent == "ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NINH"
    assert "UBND tỉnh (để báo cáo);" in cfg.document.distribution
    assert "Ủy ban nhân dân tỉnh Quảng Ninh, Sở Khoa học và Công nghệ tỉnh Quảng Ninh báo cáo" in cfg.document.basis


def test_another_province_by_one_setting_renders_its_own_names(monkeypatch, tmp_path):
    monkeypatch.setenv("ISPEED_PROVINCE", "48")
    data = sample_report_data(NOVEMBER)
    text = pdf_text(render_report(data, tmp_path).pdf_path)
    for expected in (
        "ỦY BAN NHÂN DÂN THÀNH PHỐ ĐÀ NẴNG",
        "Đà Nẵng, ngày 15 tháng 12 năm 2026",
        "chỉ đạo của Ủy ban nhân dân thành phố Đà Nẵng, Sở Khoa học và Công nghệ thành phố Đà Nẵng báo cáo",
        "Sở Khoa học và Công nghệ thành phố Đà Nẵng trân trọng báo cáo",
        "Báo cáo tháng 11/2026 - Sở Khoa học và Công nghệ thành phố Đà Nẵng",
    ):
        assert expected in text, expected
    assert "Hải Phòng" not in text
    units = geography.areas_in(NOVEMBER)
    assert {x.area_code for x in data.districts if not x.unassigned} == {a.code for a in units}
    assert f"Trên {len(units)} xã, phường, đặc khu" in text
    cfg = report_config(NOVEMBER)
    assert cfg.email.sender == "Sở KH&CN Đà Nẵng <baocao.skhcn@danang.example.org>"
    assert cfg.keywords == ("i-Speed", "4G", "Đà Nẵng", "báo cáo tháng")
    # a report of 2024: the Sở of Information and Communications of Đà Nẵng
    old = report_config(date(2024, 10, 1))
    assert old.issuer.full_name == "Sở Thông tin và Truyền thông Đà Nẵng"
    assert old.document.closing == "Sở Thông tin và Truyền thông Đà Nẵng trân trọng báo cáo./."


def test_the_unassigned_row_has_no_verdict_and_every_unit_has_one():
    def data(*rows):
        return ReportData(date(2026, 11, 1), date(2026, 12, 15), districts=list(rows))

    unassigned = DistrictResult("VIETTEL", "Viettel", geography.UNASSIGNED, "unassigned", 120, 30, 41.0, 41.0, None)
    data(unassigned).validate()
    with pytest.raises(ReportDataError, match="unassigned row has no verdict"):
        data(DistrictResult("VIETTEL", "Viettel", geography.UNASSIGNED, "x", 120, 30, 41.0, 41.0, MEETS)).validate()
    with pytest.raises(ReportDataError, match="10525"):
        data(DistrictResult("VIETTEL", "Viettel", "10525", "Hải Dương", 400, 40, 41.0, 41.0, None)).validate()
