"""The report answers first and stays short (issue 24): the summary on page 1 and in
report_summary()["headline"], a body of at most 6 pages for 114 units with the long lists in the
Phụ lục (the .xlsx/.csv annex keeps every row), the assessment and proposals from the templates, the
month's words, Liberation fonts only, and the blank signature space of the draft with its position;
the history the summary needs, read from the warehouse."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
import yaml
from method2_data import method_2_data

from ispeed import geography, paths
from ispeed.report import collect_report_data, fmt, render_report
from ispeed.report.artefact import RenderedReport
from ispeed.report.data import DOES_NOT_MEET, MEETS, MISSING, SUBMITTED, ReportData
from ispeed.report.render import report_summary
from ispeed.report.sections.assessment import ReportTemplateError

from conftest import query
from fixtures.report_data import demo_report_data, sample_report_data

OCT = date(2024, 10, 1)  # 15 districts, 37 senders: no Phụ lục
NOV = date(2026, 11, 1)  # 114 xã, phường, đặc khu, 136 senders
A4_W, A4_H = 595.2756, 841.8898
TEMPLATE = paths.TEMPLATES_DIR / "report" / "assessment.yaml"


def between(text: str, start: str, end: str) -> str:
    i = text.index(start)
    return text[i : text.index(end, i + len(start))]


def pdf_text(path: Path, first: int | None = None, last: int | None = None) -> str:
    """The text of the PDF (or of pages first..last), whitespace collapsed (pdftotext: fast)."""
    pages = ["-f", str(first), "-l", str(last or first)] if first else []
    out = subprocess.run(["pdftotext", *pages, str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


def page_1(path: Path) -> str:
    return pdf_text(path, 1)


def annex_page(path: Path) -> int | None:
    """The page (from 1) that opens with the heading PHỤ LỤC, None without one."""
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    pages = out.split("\f")
    return next((n for n, t in enumerate(pages, start=1) if t.lstrip().startswith("PHỤ LỤC")), None)


@pytest.fixture(scope="module")
def october() -> ReportData:
    return sample_report_data(OCT)


@pytest.fixture(scope="module")
def october_pdf(october, tmp_path_factory) -> RenderedReport:
    return render_report(october, tmp_path_factory.mktemp("october"))


@pytest.fixture(scope="module")
def demo() -> ReportData:
    return demo_report_data(NOV)


@pytest.fixture(scope="module")
def demo_pdf(demo, tmp_path_factory) -> RenderedReport:
    return render_report(demo, tmp_path_factory.mktemp("demo"))


# ---------------------------------------------------------------- page 1
@pytest.mark.parametrize("which", ["october", "demo"])
def test_page_1_gives_every_operators_verdict_and_figure(which, request):
    data, rendered = request.getfixturevalue(which), request.getfixturevalue(which + "_pdf")
    page1 = page_1(rendered.pdf_path)
    assert page1.index("như sau:") < page1.index("TÓM TẮT KẾT QUẢ")
    assert len(data.compliance) == 5
    for c in data.compliance:
        said = f"{c.operator_name} {fmt.mbps(c.figure_mbps, 40)} Mbps – {fmt.VERDICT_VI[c.verdict]}"
        assert said in page1, said
    assert {c.verdict for c in data.compliance} >= {MEETS, DOES_NOT_MEET}


def test_page_1_counts_units_below_says_who_did_not_report_and_what_changed(october, october_pdf, demo, demo_pdf):
    page1 = page_1(october_pdf.pdf_path)
    below = {
        c.operator_name: sum(
            1 for x in october.districts if x.operator_code == c.operator_code and x.verdict == DOES_NOT_MEET
        )
        for c in october.compliance
    }
    assert "Số quận, huyện có tốc độ dưới 40 Mbps (trên 15 quận, huyện): Viettel " in page1
    for name, n in below.items():
        assert f"{name} {n}" in page1
    assert (
        "34/37 cơ quan, đơn vị và 4/5 doanh nghiệp đã báo cáo; chưa báo cáo: Sở Du lịch; UBND huyện Bạch Long Vĩ "
        "và doanh nghiệp Gmobile; báo cáo bị trả lại: Báo Hải Phòng." in page1
    )
    # against September: MobiFone's verdict turned, and every operator's figure moved
    assert "So với tháng 09/2024: MobiFone chuyển từ Không đạt sang Đạt; tốc độ Viettel tăng" in page1
    sept = {p.operator_code: p.figure_mbps for p in october.trend if p.month == date(2024, 9, 1)}
    viettel = october.compliance[0]
    diff = fmt.number(abs(round(viettel.figure_mbps, 2) - round(sept["VIETTEL"], 2)), 2)
    assert f"tốc độ Viettel tăng {diff} Mbps, VinaPhone (VNPT) " in page1
    # 136 senders: the count and where the list is
    demo1 = page_1(demo_pdf.pdf_path)
    missing = sum(1 for a in demo.agencies if a.state == MISSING)
    assert f"chưa báo cáo: {missing} cơ quan, đơn vị (xem Phụ lục 2) và doanh nghiệp Gmobile" in demo1


def test_vnnics_figure_is_on_page_1_where_the_verdicts_differ(tmp_path):
    rendered = render_report(method_2_data(OCT), tmp_path)
    page1 = page_1(rendered.pdf_path)
    assert "MobiFone 39,99 Mbps – Không đạt (theo phương pháp của VNNIC: 40,00 Mbps – Đạt)" in page1
    assert page1.count("theo phương pháp của VNNIC") == 1


def test_the_headline_of_report_summary_is_page_1_in_plain_text(october, october_pdf):
    summary = october_pdf.summary
    assert {"month", "month_vi", "report_date", "operators", "agencies", "districts_below", "headline"} <= set(summary)
    headline = summary["headline"]
    assert len(headline) == 4 and all(isinstance(line, str) and line for line in headline)
    assert json.loads(json.dumps(summary, ensure_ascii=False)) == summary
    assert report_summary(october)["headline"] == headline
    page1 = page_1(october_pdf.pdf_path)
    for line in headline:
        assert "- " + " ".join(line.split()) in page1, line
        assert "<" not in line  # plain text, no markup
    assert headline[0].startswith("Tốc độ tải xuống trung bình dịch vụ 4G tháng 10/2024 so với mức tối thiểu 40 Mbps:")


def test_without_a_previous_month_the_summary_says_so(october, tmp_path):
    alone = dataclasses.replace(october, trend=[p for p in october.trend if p.month == OCT])
    said = "Chưa có số liệu tháng 09/2024 để so sánh với tháng trước."
    assert report_summary(alone)["headline"][-1] == said
    assert said in page_1(render_report(alone, tmp_path).pdf_path)


# ---------------------------------------------------------------- a short body, every row kept
@pytest.mark.parametrize("which", ["demo", "sample"])
def test_a_month_of_114_units_has_a_body_of_at_most_6_pages(which, demo_pdf, tmp_path):
    rendered = demo_pdf if which == "demo" else render_report(sample_report_data(NOV), tmp_path)
    start = annex_page(rendered.pdf_path)
    assert start is not None and start <= 7, start
    body = pdf_text(rendered.pdf_path, 1, start - 1)
    assert "Nơi nhận:" in body and "Nguyễn Văn A" in body and "VIII. ĐÁNH GIÁ CHUNG" in body
    assert rendered.signature_box[0] == start - 1


def test_the_phu_luc_and_the_annex_keep_every_row(demo, demo_pdf):
    from openpyxl import load_workbook

    assert len(demo.remedies) > 200  # as many as the demo's
    wb = load_workbook(demo_pdf.xlsx_path, read_only=True)
    assert wb["2b_remedies"].max_row - 1 == len(demo.remedies)
    assert wb["4_districts"].max_row - 1 == len(demo.districts)
    assert wb["1_agencies"].max_row - 1 == len(demo.agencies) == 136
    text = pdf_text(demo_pdf.pdf_path)
    annex = between(text, "Phụ lục 3. Các xã, phường, đặc khu có tốc độ dưới 40 Mbps", "Phụ lục 4.")
    below = [x for x in demo.districts if x.verdict == DOES_NOT_MEET]
    numbers = [int(n) for n in re.findall(r"(?:^| )(\d+) (?:Viettel|VinaPhone \(VNPT\)|MobiFone|Vietnamobile) ", annex)]
    assert numbers[: len(below)] == list(range(1, len(below) + 1))
    # the body lists the persistent units with their remedy, the rest is counted
    body = between(text, "2. Giải pháp khắc phục", "III.")
    lasting = [x for x in below if x.months_below >= 3]
    assert f"Tổng cộng {len(below)} {len(demo.remedies)} 0 {len(lasting)}" in body
    assert f"Bảng trên nêu 6/{len(lasting)} trường hợp" in body


# ---------------------------------------------------------------- the assessment
def _fill(text: str, **values) -> str:
    return text.format_map(values)


def test_the_assessment_is_written_from_the_templates(october, october_pdf):
    t = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
    text = pdf_text(october_pdf.pdf_path)
    section = between(text, "VIII. " + t["heading"], "trân trọng báo cáo./.")
    vnm = next(c for c in october.compliance if c.operator_code == "VIETNAMOBILE")
    item = _fill(
        t["items"]["operator_months_at_least"], operator="Vietnamobile", figure=fmt.mbps(vnm.figure_mbps, 40), months=12
    )
    base = {"statistic": "trung bình", "threshold": "40", "network": "4G", "unit": "quận, huyện"}
    assert "- " + _fill(t["findings"]["operators_below"], operators=item, count=1, **base) in section
    issuer, recipient = "Sở Thông tin và Truyền thông Hải Phòng", "Bộ Thông tin và Truyền thông"
    assert "- " + _fill(t["proposals"]["always"], issuer=issuer, recipient=recipient) in section
    assert section.index(t["findings_heading"]) < section.index(t["proposals_heading"])
    # the senders missing for 2 months or more, with their months
    named = [a for a in october.agencies if a.state != SUBMITTED and (a.months_missing or 1) >= 2]
    for a in named:
        assert f"{a.agency_name} ({a.months_missing} tháng)" in section
    # no sentence of the section is an empty list
    assert not re.search(r":\s*[.;]", section)


def test_an_edited_template_changes_the_report(october, tmp_path, monkeypatch):
    templates = tmp_path / "templates"
    shutil.copytree(paths.TEMPLATES_DIR, templates)
    path = templates / "report" / "assessment.yaml"
    t = yaml.safe_load(path.read_text(encoding="utf-8"))
    t["proposals"]["always"] = "Sở sẽ báo cáo {recipient} trước ngày 15 tháng {next_month}."
    t["findings"]["senders_missing_none"] = ""
    path.write_text(yaml.safe_dump(t, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(paths, "TEMPLATES_DIR", templates)
    text = pdf_text(render_report(october, tmp_path / "out").pdf_path)
    assert "- Sở sẽ báo cáo Bộ Thông tin và Truyền thông trước ngày 15 tháng 11/2024." in text
    assert "tiếp tục theo dõi, đôn đốc" not in text

    t["proposals"]["always"] = "Đề nghị {giam_doc} xem xét."
    path.write_text(yaml.safe_dump(t, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ReportTemplateError, match=r"proposals\.always: unknown placeholder \{giam_doc\}"):
        render_report(october, tmp_path / "bad")


def test_with_nothing_to_report_the_assessment_says_so_briefly(october, tmp_path):
    calm = dataclasses.replace(
        october,
        compliance=[
            dataclasses.replace(c, figure_mbps=45.0, mean_mbps=45.0, verdict=MEETS, vnnic_verdict=None)
            for c in october.compliance
        ],
        districts=[
            x if x.unassigned else dataclasses.replace(x, verdict=MEETS, figure_mbps=45.0, months_below=None)
            for x in october.districts
        ],
        remedies=[],
        agencies=[dataclasses.replace(a, state=SUBMITTED, months_missing=None) for a in october.agencies],
        investments=[dataclasses.replace(o, state=SUBMITTED, months_missing=None) for o in october.investments],
    )
    t = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
    text = pdf_text(render_report(calm, tmp_path).pdf_path)
    section = between(text, "VIII. ", "trân trọng báo cáo./.")
    base = {"statistic": "trung bình", "threshold": "40", "unit": "quận, huyện", "missing_months": 2}
    for key in ("operators_below_none", "units_persistent_none", "senders_missing_none"):
        assert _fill(t["findings"][key], persistent_months=3, **base) in section, key
    assert section.count("Đề nghị") == 0  # only the closing proposal
    assert not re.search(r":\s*[.;]", section)


# ---------------------------------------------------------------- the month's words
def test_a_month_of_communes_never_says_quan_huyen(demo_pdf, october_pdf):
    commune = pdf_text(demo_pdf.pdf_path)
    assert "quận, huyện" not in commune.lower() and "quận/huyện" not in commune.lower()
    assert "Xã, phường không xác định" in commune  # the quarantine rule, in Phụ lục 6
    district = pdf_text(october_pdf.pdf_path)
    assert "Quận, huyện không xác định" in district and "xã, phường" not in district.lower()
    assert district.lower().count("quận, huyện") > 5


# ---------------------------------------------------------------- fonts
@pytest.mark.parametrize("which", ["october_pdf", "demo_pdf"])
def test_pdffonts_lists_only_the_embedded_liberation_fonts(which, request):
    out = subprocess.run(
        ["pdffonts", str(request.getfixturevalue(which).pdf_path)], capture_output=True, text=True, check=True
    ).stdout
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    assert rows and "dejavu" not in out.lower()
    for row in rows:
        assert re.fullmatch(r"[A-Z]{6}\+LiberationSerif(-Bold|-Italic|-BoldItalic)?", row[0]), row
        assert row[1] == "TrueType" and row[-5:-2] == ["yes", "yes", "yes"], row  # embedded, subset, unicode


# ---------------------------------------------------------------- the signature's space
def _words(pdf: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    """(word, x1, y1, x2, y2) of a page, in PDF points from the bottom left."""
    html = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)
    return [(w, float(a), A4_H - float(d), float(c), A4_H - float(b)) for a, b, c, d, w in found]


@pytest.mark.parametrize("which", ["october_pdf", "demo_pdf"])
def test_the_signature_space_is_blank_between_the_title_and_the_name(which, request):
    rendered = request.getfixturevalue(which)
    page, x1, y1, x2, y2 = rendered.signature_box
    assert isinstance(page, int) and 1 <= page <= rendered.pages
    assert 0 < x1 < x2 < A4_W and 0 < y1 < y2 < A4_H
    assert abs((x2 - x1) - 60 * 72 / 25.4) < 0.5 and abs((y2 - y1) - 22 * 72 / 25.4) < 0.5  # 60 x 22 mm
    start = annex_page(rendered.pdf_path)
    assert page == (start - 1 if start else rendered.pages)  # the last page of the body
    words = _words(rendered.pdf_path, page)
    [name] = [w for w in words if w[0] == "Nguyễn"]
    assert name[4] <= y1 and x1 <= (name[1] + name[3]) / 2 <= x2  # the signer's name under it
    title = [w for w in words if w[0] == "GIÁM" and x1 <= w[1] <= x2]
    assert title and min(w[2] for w in title) >= y2  # "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC" above it
    inside = [w for w in words if w[1] < x2 and w[3] > x1 and w[2] < y2 and w[4] > y1]
    assert inside == []  # blank: the stamp goes there


def test_the_box_travels_with_the_rendered_report(october_pdf):
    as_json = json.loads(json.dumps(october_pdf.as_dict()))
    assert isinstance(as_json["signature_box"], list) and len(as_json["signature_box"]) == 5
    back = RenderedReport.from_dict(as_json)
    assert back.signature_box == october_pdf.signature_box and back.summary == october_pdf.summary
    assert RenderedReport.from_dict({**as_json, "signature_box": None}).signature_box is None
    older = {k: v for k, v in as_json.items() if k != "signature_box"}  # an XCom of before
    assert RenderedReport.from_dict(older).signature_box is None


# ---------------------------------------------------------------- the history, from the warehouse
def _mart_row(db, month: date, operator: str, area: str, verdict: str) -> None:
    figure = 45.0 if verdict == MEETS else 31.5
    query(
        db,
        "insert into ispeed.mart_compliance_operator_area (month, operator_code, network_type, area_code,"
        " in_compliance_scope, tests, devices, tests_without_device, device_days, mean, tests_at_or_above_threshold,"
        " statistic, figure, sufficient_data, verdict, threshold, confidence, min_tests, min_devices,"
        " method_version, computed_at)"
        " values (%s, %s, '4G', %s, true, 400, 40, 0, 120, %s, 100, 'mean', %s, true, %s, 40, 0.95, 300, 30,"
        " '2.0', now()) returning 1",
        (month, operator, area, figure, figure, verdict),
    )


def _return(db, dataset: str, month: date, load_id: int, sender: str, state: str) -> None:
    [(file_id,)] = query(
        db,
        "insert into ispeed.meta_file (dataset, month, file_name, source_path, size_bytes, sha256, status)"
        " values (%s, %s, %s, '/x', 1, %s, 'loaded') returning file_id",
        (dataset, month, f"{sender}.xlsx", f"{dataset}{month}{sender}"),
    )
    query(
        db,
        "insert into ispeed.meta_return (dataset, month, sender_code, file_id, file_name, file_mtime, state,"
        " rows_count, load_id) values (%s, %s, %s, %s, %s, now(), %s, 1, %s) returning 1",
        (dataset, month, sender, file_id, f"{sender}.xlsx", state, load_id),
    )


def test_months_below_and_months_without_a_return_come_from_the_warehouse(db, tmp_path):
    months = [date(2026, m, 1) for m in (7, 8, 9, 10, 11)]
    a1, a2, a3, a4 = (a.code for a in geography.areas_in(NOV)[:4])
    history = {  # unit -> Viettel's verdict per month (None: not computed that month)
        a1: ["meets", "does_not_meet", "does_not_meet", "does_not_meet", "does_not_meet"],  # 4 months
        a2: [None, None, "does_not_meet", "meets", "does_not_meet"],  # 1
        a3: [None, "does_not_meet", None, "does_not_meet", "does_not_meet"],  # 2: September not computed
        a4: [None, None, None, "does_not_meet", "meets"],  # not below now
    }
    for area, verdicts in history.items():
        for month, verdict in zip(months, verdicts, strict=True):
            if verdict:
                _mart_row(db, month, "VIETTEL", area, verdict)
    agencies = [r[0] for r in query(db, "select agency_code from ispeed.agency_return_status(%s)", (NOV,))]
    sent_october, sent_november = agencies[0], agencies[1]
    loads = {}
    for month in (months[0], *months[2:]):  # August never loaded: nobody was asked then
        for dataset in ("agency_returns", "operator_returns"):
            [(loads[dataset, month],)] = query(
                db,
                "insert into ispeed.meta_load (dataset, month, status) values (%s, %s, 'succeeded') returning load_id",
                (dataset, month),
            )
    _return(db, "agency_returns", months[3], loads["agency_returns", months[3]], sent_october, "submitted")
    _return(db, "agency_returns", NOV, loads["agency_returns", NOV], sent_november, "submitted")
    _return(db, "operator_returns", NOV, loads["operator_returns", NOV], "VIETTEL", "submitted")
    _return(db, "operator_returns", NOV, loads["operator_returns", NOV], "MOBIFONE", "rejected")

    data = collect_report_data(db, NOV)
    below = {x.area_code: x.months_below for x in data.districts}
    assert below == {a1: 4, a2: 1, a3: 2, a4: None}
    missing = {a.agency_code: a.months_missing for a in data.agencies}
    assert missing[sent_october] == 1 and missing[sent_november] is None
    assert {missing[c] for c in agencies[2:]} == {3}  # September to November
    operators = {o.operator_code: o.months_missing for o in data.investments}
    assert operators["VIETTEL"] is None and operators["MOBIFONE"] == 3 and operators["VINAPHONE"] == 3

    text = pdf_text(render_report(data, tmp_path).pdf_path)
    section = text[text.index("VIII. ") :]
    late = sum(1 for s in (*data.agencies, *data.investments) if (s.months_missing or 0) >= 2)
    assert f"Có {late} cơ quan, đơn vị, doanh nghiệp chưa báo cáo từ 2 tháng liên tiếp trở lên" in section
    assert "(Viettel: 1)" in section  # one unit below 40 Mbps for 3 months or more
