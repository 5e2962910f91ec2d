"""The monthly report's PDF and annex: Vietnamese text, embedded fonts, marks, escaping, annex
numbers, determinism; section 6 from the warehouse's registry."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import re
import time
from datetime import date
from pathlib import Path

import pytest

from ispeed.report import (
    AgencyReturn,
    DistrictResult,
    OperatorCompliance,
    ReportData,
    collect_data_quality,
    fmt,
    render_report,
)
from ispeed.report.data import DOES_NOT_MEET, INSUFFICIENT_DATA, MEETS, REJECTED, ReportDataError

from conftest import query
from fixtures.report_data import sample_report_data

MONTH = date(2024, 10, 1)


def pdf_text(path: Path) -> str:
    """All the PDF's text, whitespace collapsed (line breaks fall anywhere)."""
    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(path).pages).split())


def page_texts(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(path).pages]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def sample() -> ReportData:
    return sample_report_data(MONTH)


@pytest.fixture(scope="module")
def rendered(sample, tmp_path_factory):
    return render_report(sample, tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def text(rendered) -> str:
    return pdf_text(rendered.pdf_path)


def test_the_head_of_an_administrative_report_in_vietnamese(text):
    for expected in (
        "ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG",
        "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "/BC-STTTT",
        "Hải Phòng, ngày 15 tháng 11 năm 2024",
        "BÁO CÁO",
        "Kết quả cài đặt, sử dụng công cụ i-Speed và chất lượng dịch vụ truy nhập Internet di động 4G tháng 10/2024",
        "Kính gửi: Bộ Thông tin và Truyền thông",
        "Nơi nhận:",
        "- Như trên;",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Nguyễn Văn A",
    ):
        assert expected in text, expected
    # a draft: the digital signature comes later (ispeed.signing), nothing claims it here
    assert "(Đã ký)" not in text and "Đã ký" not in text
    # the summary, then the eight numbered sections, in order
    headings = [
        "TÓM TẮT KẾT QUẢ",
        "I. KẾT QUẢ CÀI ĐẶT",
        "II. ĐẦU TƯ NÂNG CAO",
        "III. KẾT QUẢ ĐO TỐC ĐỘ DỊCH VỤ 4G",
        "IV. KẾT QUẢ ĐO THEO QUẬN, HUYỆN",
        "V. DIỄN BIẾN TỐC ĐỘ 12 THÁNG",
        "VI. CHẤT LƯỢNG DỮ LIỆU",
        "VII. PHƯƠNG PHÁP",
        "VIII. ĐÁNH GIÁ CHUNG VÀ KIẾN NGHỊ, ĐỀ XUẤT",
    ]
    positions = [text.index(h) for h in headings]
    assert positions == sorted(positions)
    assert text.index("như sau:") < positions[0] and positions[-1] < text.index("trân trọng báo cáo./.")
    assert text.index("Kính gửi") < positions[0] < text.index("Nơi nhận:")


def test_operators_numbers_and_verdicts_come_from_the_data(sample, text):
    for c in sample.compliance:
        row = text[text.index("Bảng 4.") :]
        assert c.operator_name in row
        assert fmt.number(c.tests) in row and fmt.number(c.devices) in row
        assert fmt.mbps(c.mean_mbps) in row and fmt.mbps(c.median_mbps) in row
        assert f"{fmt.mbps(c.ci_low_mbps)} – {fmt.mbps(c.ci_high_mbps)}" in row
        assert fmt.percent(c.share_at_or_above) in row
    verdicts = {c.operator_name: c.verdict for c in sample.compliance}
    assert verdicts == {
        "Viettel": MEETS,
        "VinaPhone (VNPT)": MEETS,
        "MobiFone": MEETS,
        "Vietnamobile": DOES_NOT_MEET,
        "Gmobile": INSUFFICIENT_DATA,
    }
    assert "Không đạt" in text and "Đạt" in text and "Chưa đủ số liệu" in text
    assert "không đạt: Vietnamobile" in text
    assert "đạt: Viettel, VinaPhone (VNPT), MobiFone" in text
    # a row below the threshold carries the mark; the legend explains it
    vnm = next(c for c in sample.compliance if c.operator_code == "VIETNAMOBILE")
    assert f"▼ {fmt.mbps(vnm.figure_mbps)}" in text
    gm = next(c for c in sample.compliance if c.operator_code == "GMOBILE")
    assert f"○ {fmt.mbps(gm.figure_mbps)}" in text
    assert "ô nền đỏ: dưới 40 Mbps" in text and "ô nền xám: chưa đủ số liệu" in text
    # section 1 totals and the names of the missing and rejected returns
    tot = sample.agency_totals()
    assert f"đã cài đặt công cụ i-Speed {fmt.number(tot['installed'])} người" in text
    assert "Các cơ quan, đơn vị chưa báo cáo: Sở Du lịch; UBND huyện Bạch Long Vĩ." in text
    assert "Các báo cáo bị trả lại: Báo Hải Phòng" in text
    # section 2, 4, 6 and 7
    assert fmt.million_vnd(sum(o.investment_vnd or 0 for o in sample.investments)) in text
    for r in sample.remedies:
        assert r.remedy in text
    below = next(d for d in sample.districts if d.verdict == DOES_NOT_MEET)
    assert f"▼ {fmt.mbps(below.figure_mbps)} ({fmt.number(below.tests)})" in text
    meas = sample.data_quality.dataset("measurements")
    assert f"đọc {fmt.number(meas.rows_read)} dòng" in text and fmt.number(meas.rows_quarantined) in text
    assert "Quận, huyện không xác định" in text and "ispeed_2024-10_lan3.csv" in text
    assert "ít nhất 300 phép đo từ ít nhất 30 thiết bị" in text and "Phiên bản phương pháp: 2.0" in text


def test_pages_are_numbered_with_the_month_in_the_footer(rendered):
    pages = page_texts(rendered.pdf_path)
    assert len(pages) == rendered.pages and 4 <= rendered.pages <= 12
    for n, page in enumerate(pages, start=1):
        assert f"Trang {n}/{len(pages)}" in page
        assert "Báo cáo tháng 10/2024" in page
    # the signature block is on the last page, with the closing formula
    assert "Nguyễn Văn A" in pages[-1] and "trân trọng báo cáo./." in pages[-1]


def test_pdf_metadata(rendered):
    from pypdf import PdfReader

    meta = PdfReader(rendered.pdf_path).metadata
    assert meta.title.startswith("Báo cáo kết quả cài đặt, sử dụng công cụ i-Speed")
    assert meta.author == "Sở Thông tin và Truyền thông Hải Phòng"
    assert "10/2024" in meta.subject and "Bộ Thông tin và Truyền thông" in meta.subject


def test_fonts_are_embedded_truetype_subsets_and_never_a_base14_font(rendered):
    """Liberation Serif (Times New Roman's metrics, as Nghị định 30/2020 asks), from include/fonts/."""
    from pypdf import PdfReader

    fonts = {}
    for page in PdfReader(rendered.pdf_path).pages:
        for _, ref in (page["/Resources"].get("/Font") or {}).items():
            font = ref.get_object()
            fonts[str(font["/BaseFont"])] = font
    assert fonts
    for name, font in fonts.items():
        assert re.fullmatch(r"/[A-Z]{6}\+LiberationSerif(-Bold|-Italic|-BoldItalic)?", name), name
        assert font["/Subtype"] == "/TrueType"
        assert "/FontFile2" in font["/FontDescriptor"].get_object()  # the glyphs are in the file
        assert "/ToUnicode" in font  # text can be copied and searched
    assert not any("Helvetica" in n or "Times" in n for n in fonts)
    assert {n.split("+")[1] for n in fonts} == {
        "LiberationSerif",
        "LiberationSerif-Bold",
        "LiberationSerif-Italic",
        "LiberationSerif-BoldItalic",
    }


def test_the_same_data_renders_to_the_same_bytes(sample, rendered, tmp_path):
    again = render_report(dataclasses.replace(sample), tmp_path / "again")
    assert again.pdf_sha256 == rendered.pdf_sha256 == sha(again.pdf_path)
    assert again.xlsx_sha256 == rendered.xlsx_sha256
    assert [sha(p) for p in again.csv_paths] == [sha(p) for p in rendered.csv_paths]
    assert again.fingerprint == rendered.fingerprint == sample.fingerprint()
    changed = dataclasses.replace(sample, document_number="125")
    other = render_report(changed, tmp_path / "other")
    assert other.pdf_sha256 != rendered.pdf_sha256 and other.fingerprint != rendered.fingerprint
    assert "Số: 125/BC-STTTT" in pdf_text(other.pdf_path)


def test_renders_in_a_second_or_two(sample, tmp_path):
    started = time.perf_counter()
    render_report(sample, tmp_path)
    assert time.perf_counter() - started < 3.0


def test_text_from_the_returns_is_printed_as_written_never_as_markup(sample, tmp_path):
    data = dataclasses.replace(
        sample,
        agencies=[
            AgencyReturn(
                "X1",
                "<script>alert('x')</script> & Co",
                "submitted",
                10,
                5,
                4,
                8,
                2,
                0,
                note='<font size=200 color="red">HUGE</font>',
                group="<b>nhóm</b>",
            ),
            AgencyReturn("X2", "Sở <i>Thử</i>", REJECTED, reason="a < b > c & d"),
        ],
    )
    rendered = render_report(data, tmp_path)
    text = re.sub(r"\s+", "", pdf_text(rendered.pdf_path))  # a narrow column wraps the text anywhere
    for written in (
        "<script>alert('x')</script> & Co",
        '<font size=200 color="red">HUGE</font>',
        "<b>nhóm</b>",
        "Sở <i>Thử</i>",
        "a < b > c & d",
    ):
        assert re.sub(r"\s+", "", written) in text, written


def test_date_line_follows_the_decree_and_an_empty_month_still_renders(tmp_path):
    empty = ReportData(month=date(2025, 1, 1), report_date=date(2025, 2, 5))
    rendered = render_report(empty, tmp_path)
    text = pdf_text(rendered.pdf_path)
    assert "Hải Phòng, ngày 05 tháng 02 năm 2025" in text
    assert "tháng 01/2025" in text and "Kính gửi: Bộ Thông tin và Truyền thông" in text
    assert fmt.date_line("Hải Phòng", date(2024, 11, 15)) == "Hải Phòng, ngày 15 tháng 11 năm 2024"


def test_numbers_are_written_the_vietnamese_way():
    assert fmt.number(1234567) == "1.234.567"
    assert fmt.mbps(45.675) == "45,68" and fmt.mbps(None) == "-"
    assert fmt.percent(0.6345) == "63,5%"
    assert fmt.million_vnd(18_500_000_000) == "18.500"
    assert fmt.number(-1234.5, 1) == "-1.234,5"


def test_bad_data_is_refused_with_the_row_named(sample, tmp_path):
    bad = dataclasses.replace(sample, compliance=[dataclasses.replace(sample.compliance[0], verdict="ok")])
    with pytest.raises(ReportDataError, match="VIETTEL/4G: verdict 'ok'"):
        render_report(bad, tmp_path)


def test_numbers_from_postgresql_decimals_are_accepted():
    from decimal import Decimal

    row = OperatorCompliance(
        "V",
        "V",
        "4G",
        400,
        40,
        Decimal("41.2345"),
        Decimal("40.1"),
        Decimal("42.3"),
        Decimal("39"),
        None,
        Decimal("0.51"),
        Decimal("41.2345"),
        MEETS,
    )
    assert isinstance(row.mean_mbps, float) and row.mean_mbps == 41.2345
    d = DistrictResult(
        "V", "V", "303", "Hồng Bàng", Decimal(10), 3, Decimal("12.5"), Decimal("12.5"), INSUFFICIENT_DATA
    )
    assert d.figure_mbps == 12.5 and d.tests == 10 and isinstance(d.tests, int)


def test_the_annex_holds_the_same_numbers(sample, rendered):
    from openpyxl import load_workbook

    wb = load_workbook(rendered.xlsx_path)
    assert wb.sheetnames[0] == "0_about"
    assert {
        "1_agencies",
        "2a_operator_investment",
        "2b_remedies",
        "3_compliance",
        "4_districts",
        "5_trend",
        "6a_data_quality",
        "6b_quarantine",
        "6c_files_rejected",
        "6d_returns_rejected",
        "7_method",
    } <= set(wb.sheetnames)

    def sheet(name):
        rows = list(wb[name].iter_rows(values_only=True))
        return [dict(zip(rows[0], r)) for r in rows[1:]]

    comp = [r for r in sheet("3_compliance") if r["in_compliance_scope"]]
    assert [
        (
            r["operator_code"],
            r["tests"],
            r["devices"],
            r["mean_mbps"],
            r["ci_low_mbps"],
            r["ci_high_mbps"],
            r["median_mbps"],
            r["share_at_or_above_threshold"],
            r["verdict"],
        )
        for r in comp
    ] == [
        (
            c.operator_code,
            c.tests,
            c.devices,
            c.mean_mbps,
            c.ci_low_mbps,
            c.ci_high_mbps,
            c.median_mbps,
            c.share_at_or_above,
            c.verdict,
        )
        for c in sample.compliance
    ]
    assert all(r["month"] == "2024-10" and r["threshold_mbps"] == 40 for r in comp)
    other = [r for r in sheet("3_compliance") if not r["in_compliance_scope"]]
    assert len(other) == len(sample.other_networks) and {r["network_type"] for r in other} == {"5G", "WIFI"}
    agencies = sheet("1_agencies")
    assert [(a["agency_name"], a["state"], a["installed"]) for a in agencies] == [
        (a.agency_name, a.state, a.installed) for a in sample.agencies
    ]
    districts = sheet("4_districts")
    assert len(districts) == len(sample.districts)
    assert sum(d["tests"] for d in districts) == sum(d.tests for d in sample.districts)
    assert sheet("2b_remedies")[0]["due_date"].date() == sample.remedies[0].due_date
    assert len(sheet("5_trend")) == len(sample.trend)
    assert [r["rows"] for r in sheet("6b_quarantine")] == [q.rows for q in sample.data_quality.quarantine]

    # the CSV files: UTF-8 with a BOM, the same rows
    path = next(p for p in rendered.csv_paths if p.name.endswith("-3_compliance.csv"))
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [(r["operator_name"], float(r["mean_mbps"]), r["verdict"]) for r in rows[: len(sample.compliance)]] == [
        (c.operator_name, c.mean_mbps, c.verdict) for c in sample.compliance
    ]
    agencies_csv = next(p for p in rendered.csv_paths if p.name.endswith("-1_agencies.csv"))
    assert "UBND huyện Bạch Long Vĩ" in agencies_csv.read_text(encoding="utf-8-sig")


def test_annex_cells_that_look_like_formulas_stay_text(sample, tmp_path):
    from openpyxl import load_workbook

    data = dataclasses.replace(sample, agencies=[AgencyReturn("X", '=HYPERLINK("http://x")', "missing", note="-bad")])
    rendered = render_report(data, tmp_path)
    ws = load_workbook(rendered.xlsx_path)["1_agencies"]
    assert ws["C2"].value == '=HYPERLINK("http://x")' and ws["C2"].data_type == "s"
    text = next(p for p in rendered.csv_paths if p.name.endswith("-1_agencies.csv")).read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and "'-bad" in text


def test_data_quality_from_the_file_registry(db):
    month = date(2024, 10, 1)
    [(load_id,)] = query(
        db,
        "insert into ispeed.meta_load (dataset, month, status) values ('measurements', %s, 'succeeded')"
        " returning load_id",
        (month,),
    )
    query(
        db,
        "insert into ispeed.meta_load (dataset, month, status) values ('measurements', %s, 'failed') returning 1",
        (month,),
    )
    for name, status, read, loaded, quarantined, dup, error in [
        ("a.csv", "loaded", 1000, 960, 30, 10, None),
        ("b.csv", "loaded", 500, 495, 5, 0, None),
        ("old.csv", "replaced", 900, 900, 0, 0, None),
        ("copy.csv", "duplicate_file", 0, 0, 0, 0, "same content as a.csv"),
        ("utf16.csv", "rejected", 0, 0, 0, 0, "the file is encoded in UTF-16"),
    ]:
        query(
            db,
            "insert into ispeed.meta_file (dataset, month, file_name, source_path, size_bytes, sha256, status,"
            " error, rows_read, rows_loaded, rows_quarantined, rows_duplicate, load_id)"
            " values ('measurements', %s, %s, %s, 1, %s, %s, %s, %s, %s, %s, %s, %s) returning 1",
            (month, name, "/x/" + name, name, status, error, read, loaded, quarantined, dup, load_id),
        )
    query(
        db,
        "insert into ispeed.meta_file (dataset, month, file_name, source_path, size_bytes, sha256, status, error)"
        " values ('agency_returns', %s, 'so-x.xlsx', '/x', 1, 'h', 'rejected', 'thiếu cột') returning 1",
        (month,),
    )
    for rule, n in (("district_known", 20), ("operator_known", 15)):
        for i in range(n):
            query(
                db,
                "insert into ispeed.fact_quarantine (dataset, month, file_id, line_no, rule, failed_rules, message,"
                " raw_row, load_id) values ('measurements', %s, 1, %s, %s, array[%s], %s, '{}', %s) returning 1",
                (month, i, rule, rule, f"{rule} message", load_id),
            )
    # another month is not counted
    query(
        db,
        "insert into ispeed.meta_file (dataset, month, file_name, source_path, size_bytes, sha256, status)"
        " values ('measurements', '2024-09-01', 'sep.csv', '/x', 1, 's', 'rejected') returning 1",
    )

    dq = collect_data_quality(db, month)
    meas = dq.dataset("measurements")
    assert (meas.files_loaded, meas.files_rejected, meas.files_duplicate) == (2, 1, 1)
    assert (meas.rows_read, meas.rows_loaded, meas.rows_quarantined, meas.rows_duplicate) == (1500, 1455, 35, 10)
    assert meas.loads_failed == 1
    assert dq.dataset("agency_returns").files_rejected == 1
    assert [(q.rule, q.rows, q.message) for q in dq.quarantine] == [
        ("district_known", 20, "district_known message"),
        ("operator_known", 15, "operator_known message"),
    ]
    assert [(f.dataset, f.file_name, f.reason) for f in dq.files_rejected] == [
        ("measurements", "utf16.csv", "the file is encoded in UTF-16"),
        ("agency_returns", "so-x.xlsx", "thiếu cột"),
    ]
    assert collect_data_quality(db, date(2023, 1, 1)).datasets == []


@pytest.mark.parametrize(
    ("month", "issuer", "recipient", "number", "dated"),
    [
        # reported on 15 February 2025: the Ministry and the Sở of Information and Communications
        (date(2025, 1, 1), "SỞ THÔNG TIN VÀ TRUYỀN THÔNG", "Kính gửi: Bộ Thông tin và Truyền thông", "/BC-STTTT",
         "Hải Phòng, ngày 15 tháng 02 năm 2025"),
        # reported on 15 March 2025, after Nghị định 55/2025/NĐ-CP: the Ministry of Science and Technology
        (date(2025, 2, 1), "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "Kính gửi: Bộ Khoa học và Công nghệ (Cục Viễn thông)",
         "/BC-SKHCN", "Hải Phòng, ngày 15 tháng 3 năm 2025"),
        (date(2026, 11, 1), "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "Kính gửi: Bộ Khoa học và Công nghệ (Cục Viễn thông)",
         "/BC-SKHCN", "Hải Phòng, ngày 15 tháng 12 năm 2026"),
    ],
)  # fmt: skip
def test_the_report_bears_the_institutions_in_force_on_its_date(month, issuer, recipient, number, dated, tmp_path):
    text = pdf_text(render_report(sample_report_data(month), tmp_path).pdf_path)
    for expected in (issuer, recipient, number, dated):
        assert expected in text, expected
    gone = {"SỞ THÔNG TIN VÀ TRUYỀN THÔNG", "SỞ KHOA HỌC VÀ CÔNG NGHỆ"} - {issuer}
    assert not any(name in text for name in gone)
    if issuer == "SỞ KHOA HỌC VÀ CÔNG NGHỆ":
        assert "Bộ Thông tin và Truyền thông (nay là Bộ Khoa học và Công nghệ)" in text
        assert "Sở Khoa học và Công nghệ thành phố Hải Phòng trân trọng báo cáo" in text
