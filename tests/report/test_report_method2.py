"""The report, its annex and mail, the CLI and the logs under compliance method 2.0 (issue 15): a
printed figure never contradicts its verdict (39.9951 beside 40 Mbps prints 39,99), VNNIC's figure
(median of the representative samples) beside ours with a mark where the verdicts differ, why a
figure is "Chưa đủ số liệu", the method section of 2.0; a month of method 1.0 still renders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from method2_data import method_2_data
from test_report import page_texts, pdf_text

from ispeed import figures, paths
from ispeed.compliance import runner as compliance
from ispeed.report import collect_report_data, fmt, render_report
from ispeed.report.settings import report_config
from ispeed.report_email import render_email

from fixtures.facts import insert_facts
from fixtures.report_data import sample_report_data

OCT = date(2024, 10, 1)
NOV = date(2024, 11, 1)
VN = ZoneInfo("Asia/Ho_Chi_Minh")
GUARD = "một số ít thiết bị chiếm phần lớn phép đo (số thiết bị hiệu dụng dưới 30)"


def between(text: str, start: str, end: str) -> str:
    i = text.index(start)
    return text[i : text.index(end, i + len(start))]


# ---------------------------------------------------------------- the rule
@pytest.mark.parametrize(
    "value, plain, beside_40",
    [
        (39.9951, "40,00", "39,99"),
        (39.995, "40,00", "39,99"),
        (39.99, "39,99", "39,99"),
        (39.9949, "39,99", "39,99"),
        (40.0, "40,00", "40,00"),
        (40.0049, "40,00", "40,00"),
        (45.675, "45,68", "45,68"),
        (12.345, "12,35", "12,35"),
        (None, "-", "-"),
    ],
)
def test_a_figure_beside_the_threshold_stays_on_its_side(value, plain, beside_40):
    assert fmt.mbps(value) == plain
    assert fmt.mbps(value, 40) == beside_40
    assert figures.speed(value, 40) == beside_40.replace(",", ".")
    assert fmt.mbps(Decimal("39.9951"), Decimal("40.0000")) == "39,99"  # as PostgreSQL gives them


def test_the_task_logs_figures_follow_the_same_rule():
    op = {
        "operator_code": "MOBIFONE",
        "verdict": "does_not_meet",
        "figure": 39.9951,
        "ci_low": 39.9902,
        "ci_high": 40.0000,
        "ci_straddles_threshold": True,
        "tests": 1000,
        "devices": 50,
        "insufficient_reason": None,
        "vnnic_median": 40.0,
        "vnnic_verdict": "meets",
        "vnnic_verdict_differs": True,
    }
    summary = {
        "month": "2024-10",
        "network_type": "4G",
        "statistic": "mean",
        "threshold_mbps": 40.0,
        "method_version": "2.0",
        "rows": 2,
        "operators": [op, op | {"operator_code": "ITEL", "verdict": "meets", "figure": 40.0049, "ci_low": None}],
    }
    text = compliance.format_summary(summary)
    assert "does_not_meet        39.99 CI [39.99, 40.00]" in text and "40.00 CI" not in text
    assert "(VNNIC: meets, median 40.00)" in text
    assert "meets                40.00  1000 tests" in text


# ---------------------------------------------------------------- the PDF of a month of method 2.0
@pytest.fixture(scope="module")
def m2():
    return method_2_data(OCT)


@pytest.fixture(scope="module")
def m2_rendered(m2, tmp_path_factory):
    return render_report(m2, tmp_path_factory.mktemp("m2"))


@pytest.fixture(scope="module")
def m2_text(m2_rendered) -> str:
    return pdf_text(m2_rendered.pdf_path)


def test_a_mean_of_39_9951_prints_39_99_beside_its_verdict(m2_text):
    table = between(m2_text, "Bảng 4.", "Ghi chú")
    mobifone = between(table, "MobiFone", "Vietnamobile")
    assert "▼ 39,99" in mobifone and "Không đạt" in mobifone
    assert "38,20 – 41,79" in mobifone  # the interval straddles 40: each bound on its side
    assert "40,00" not in mobifone
    chart = between(m2_text, "Hình 1.", "Các loại mạng khác")
    assert "39,99" in chart and "40,00" not in chart


def test_the_operator_whose_verdicts_differ_is_marked_and_noted(m2, m2_text):
    table = between(m2_text, "Bảng 4.", "Bảng 5.")
    rows = {
        name: between(table, name, nxt)
        for name, nxt in (
            ("Viettel", "VinaPhone"),
            ("VinaPhone (VNPT)", "MobiFone"),
            ("MobiFone", "Vietnamobile"),
            ("Vietnamobile", "Gmobile"),
        )
    }
    assert "‡" in rows["MobiFone"]
    assert all("‡" not in rows[n] for n in ("Viettel", "VinaPhone (VNPT)", "Vietnamobile"))
    note = table[table.index("Ghi chú") :]
    assert (
        "‡ Theo phương pháp của VNNIC (trung vị các mẫu đại diện), kết quả sẽ khác: MobiFone đạt "
        "(40,00 Mbps, 9.075 mẫu; theo chỉ tiêu trung bình: không đạt)." in note
    )
    for other in ("Viettel", "Vietnamobile", "Gmobile"):
        assert other not in note.split("‡ Theo phương pháp")[1]
    # VNNIC's figures per operator: samples, mean and median of the samples, VNNIC's verdict beside ours
    vnnic = between(m2_text, "Bảng 5. Đối chiếu với phương pháp thống kê của VNNIC", "Hình 1.")
    viettel = next(c for c in m2.compliance if c.operator_code == "VIETTEL")
    assert f"Viettel {fmt.number(viettel.samples)} {fmt.mbps(viettel.device_day_mean_mbps, 40)}" in vnnic
    assert fmt.mbps(viettel.vnnic_median_mbps, 40) in vnnic
    assert "MobiFone ‡ 9.075 39,99 40,00 Đạt ‡ Không đạt ‡" in vnnic
    assert "Gmobile 310 17,60 ▼ 21,30 Không đạt Chưa đủ số liệu" in vnnic
    assert "ít nhất 300 mẫu đại diện" in vnnic


def test_a_verdict_withheld_by_the_guard_says_why(m2_text):
    table = between(m2_text, "Bảng 4.", "Bảng 5.")
    assert "Gmobile 900 140 ○ 18,14 15,28 – 21,00 15,60 17,60 5,0% Chưa đủ số liệu4 Ghi chú" in table  # (4)
    assert f"Lý do chưa đủ số liệu: (4) {GUARD}." in table
    # per unit: the first unit withheld by the guard, others by too few tests
    units = between(m2_text, "IV. KẾT QUẢ ĐO THEO", "V. DIỄN BIẾN")
    assert "Lý do chưa đủ số liệu: (1) không có phép đo; (2) ít phép đo (dưới 300 phép đo); (4) " + GUARD + "." in units
    assert "VNNIC: " in units and "trung vị các mẫu đại diện theo phương pháp thống kê của VNNIC" in units


def test_the_method_section_of_2_0(m2_text):
    method = m2_text[m2_text.index("VII. PHƯƠNG PHÁP") :]
    for expected in (
        "Khoảng tin cậy 95% của giá trị trung bình được tính theo từng thiết bị, vì các phép đo của một máy "
        "không độc lập với nhau",
        "không kết luận khi số thiết bị hiệu dụng dưới 30",
        "không thiết bị nào chiếm quá khoảng 18% số phép đo",
        "các phép đo không ghi mã thiết bị được tính chung là một thiết bị",
        "trung vị các mẫu đại diện",
        "các phép đo của một thiết bị tại một quận, huyện trong một ngày tính là một mẫu đại diện",
        "VNNIC chỉ đánh giá khi có ít nhất 300 mẫu",
        "giá trị dưới 40 Mbps không được làm tròn lên thành 40 Mbps",
        "Phiên bản phương pháp: 2.0",
    ):
        assert expected in method, expected
    assert "theo phân phối Student" not in method


def test_the_annex_holds_vnnics_figures_raw(m2_rendered):
    from openpyxl import load_workbook

    wb = load_workbook(m2_rendered.xlsx_path)

    def sheet(name):
        rows = list(wb[name].iter_rows(values_only=True))
        return [dict(zip(rows[0], r)) for r in rows[1:]]

    [mobi] = [r for r in sheet("3_compliance") if r["operator_code"] == "MOBIFONE" and r["in_compliance_scope"]]
    assert (mobi["figure_mbps"], mobi["verdict"]) == (39.9951, "does_not_meet")  # raw: cannot contradict
    assert (mobi["vnnic_median_mbps"], mobi["vnnic_verdict"], mobi["vnnic_verdict_differs"]) == (40.0049, "meets", True)
    assert mobi["vnnic_samples"] == 9075
    [gm] = [r for r in sheet("3_compliance") if r["operator_code"] == "GMOBILE"]
    assert (gm["insufficient_reason"], gm["effective_devices"]) == ("effective_devices", 1.9)
    units = [r for r in sheet("4_districts") if r["area_code"] != "unassigned"]
    assert all(r["vnnic_samples"] is not None for r in units)
    assert all(r["vnnic_median_mbps"] is not None for r in units if r["tests"])
    assert units[0]["insufficient_reason"] == "effective_devices"
    method = {r["setting"]: r["value"] for r in sheet("7_method")}
    assert (method["min_effective_devices"], method["vnnic_min_samples"], method["method_version"]) == (30, 300, "2.0")


def test_the_mail_prints_39_99_and_vnnics_verdict(m2, m2_rendered):
    mail = render_email(m2_rendered, report_config(OCT), msg_id="<t@example.org>", sequence=1)
    assert "  - MobiFone: 39,99 Mbps (18.912 phép đo) - Không đạt\n" in mail.text
    assert "    Theo phương pháp của VNNIC (trung vị các mẫu đại diện): 40,00 Mbps (9.075 mẫu) - Đạt\n" in mail.text
    assert f"  - Gmobile: 18,14 Mbps (900 phép đo) - Chưa đủ số liệu ({GUARD})\n" in mail.text
    assert mail.text.count("Theo phương pháp của VNNIC") == 1  # only the operator whose verdicts differ
    assert "40,00 Mbps (18.912" not in mail.text
    assert ">39,99<" in mail.html and "MobiFone đạt (40,00 Mbps)" in mail.html and GUARD in mail.html


def test_114_units_carry_vnnics_figures_in_the_annex_of_the_pdf(tmp_path):
    rendered = render_report(method_2_data(date(2025, 10, 1)), tmp_path)
    text = pdf_text(rendered.pdf_path)
    annex = text[text.index("Phụ lục 1.") :]
    assert annex.count("VNNIC: ") > 100


def test_a_month_of_method_1_0_still_renders(tmp_path):
    data = sample_report_data(OCT)
    import dataclasses

    data = dataclasses.replace(data, method=dataclasses.replace(data.method, method_version="1.0"))
    rendered = render_report(data, tmp_path)
    text = pdf_text(rendered.pdf_path)
    assert "theo phân phối Student" in text and "Phiên bản phương pháp: 1.0" in text
    assert "chưa có số liệu đối chiếu theo phương pháp thống kê của VNNIC" in text
    assert "‡" not in text and "VNNIC: " not in text and "Lý do chưa đủ số liệu" not in text
    assert "TB theo thiết bị-ngày" in text
    assert len(page_texts(rendered.pdf_path)) == rendered.pages


# ---------------------------------------------------------------- from the warehouse, end to end
def _facts(conn, month: date, rows: list[tuple]) -> None:
    """rows: (operator, area, day, hour, download, device)."""
    insert_facts(
        conn,
        (
            (
                month,
                f"t{i}",
                datetime(month.year, month.month, day, hour, i % 60, tzinfo=VN),
                op,
                "4G",
                area,
                dl,
                10.0,
                30.0,
                device,
            )
            for i, (op, area, day, hour, dl, device) in enumerate(rows)
        ),
    )


def _month_of_three_operators() -> list[tuple]:
    """MOBIFONE: 50 phones x 20 days at 40.00 Mbps but one test at 35.10: a mean of 39.9951
    (does not meet), the median of its 1 000 representative samples 40.00 (VNNIC: meets).
    VIETTEL: 50 phones at 50-59 Mbps (meets by both). ITEL: one phone of 3 000 tests among 41
    (effective devices about 1.3: withheld), 60 Mbps."""
    rows = []
    for d in range(50):
        for day in range(1, 21):
            rows.append(("MOBIFONE", "303", day, 10, 35.10 if (d, day) == (0, 1) else 40.00, f"mb{d}"))
            rows.append(("VIETTEL", "303", day, 11, 50.0 + (d + day) % 10, f"vt{d}"))
    for d in range(40):
        for day in range(1, 11):
            rows.append(("ITEL", "303", day, 12, 60.0, f"it{d}"))
    for i in range(3000):
        rows.append(("ITEL", "303", 1 + i % 28, i % 24, 60.0, "heavy"))
    return rows


def ispeed(*argv: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(paths.PROJECT_ROOT / "plugins"))
    return subprocess.run(
        [sys.executable, "-m", "ispeed", *argv], capture_output=True, text=True, env=env, cwd=paths.PROJECT_ROOT
    )


def test_from_the_warehouse_39_9951_is_39_99_everywhere(db, tmp_path):
    from ispeed.operations import summary as run_summary

    _facts(db, NOV, _month_of_three_operators())
    result = compliance.compute_month(NOV, run_id="manual__h15")
    mobi = next(o for o in result["operators"] if o["operator_code"] == "MOBIFONE")
    assert (float(mobi["figure"]), mobi["verdict"]) == (39.9951, "does_not_meet")
    assert (mobi["vnnic_verdict"], mobi["vnnic_verdict_differs"]) == ("meets", True)
    log = compliance.format_summary(result)
    assert (
        "MOBIFONE      does_not_meet        39.99" in log
        and " 40.00 " not in log.split("MOBIFONE")[1].split("\n")[0][:40]
    )

    data = collect_report_data(db, NOV)
    assert data.method.method_version == "2.0"
    rendered = render_report(data, tmp_path)
    text = pdf_text(rendered.pdf_path)
    table = between(text, "Tốc độ tải xuống dịch vụ 4G theo doanh nghiệp, tháng 11/2024", "Ghi chú")
    names = [c.operator_name for c in data.compliance]
    rows = {a: between(table, a, b) for a, b in zip(names, names[1:])}
    mobifone = next(n for n in names if n.startswith("MobiFone"))
    # mean 39.9951 below; the interval straddles 40 (†), its upper bound and the median (40.00) at it
    assert rows[mobifone].startswith("MobiFone 1.000 50 ▼ 39,99 39,99 – 40,00 40,00 39,99 99,9% Không đạt † ‡")
    assert "‡" in rows[mobifone] and all("‡" not in r for n, r in rows.items() if n != mobifone)
    assert "Theo phương pháp của VNNIC (trung vị các mẫu đại diện), kết quả sẽ khác: MobiFone đạt (40,00 Mbps" in text
    # ITEL, and its unit; the operators without a test in the month
    assert f"Lý do chưa đủ số liệu: (1) không có phép đo; (4) {GUARD}." in text
    units = between(text, "IV. KẾT QUẢ ĐO THEO", "V. DIỄN BIẾN")
    assert "▼ 39,99" in units and f"(4) {GUARD}" in units
    mail = render_email(rendered, report_config(NOV), msg_id="<t@example.org>", sequence=1)
    assert "MobiFone: 39,99 Mbps (1.000 phép đo) - Không đạt" in mail.text

    status = ispeed("status", "--month", "2024-11")
    assert status.returncode == 0, status.stderr
    line = next(x for x in status.stdout.splitlines() if x.strip().startswith("MOBIFONE") and "does_not_meet" in x)
    assert "39.99" in line and "40.00 " not in line.split("does_not_meet")[1][:12]
    assert "VNNIC median 40.00 of 1000 samples: meets (differs)" in line
    assert "too few: effective_devices" in status.stdout
    loaded = next(x for x in status.stdout.splitlines() if x.split()[:2] == ["MOBIFONE", "4G"])
    assert loaded.split()[-1] == "39.99"  # the loaded tests' mean, on its side of 40 too
    as_json = json.loads(ispeed("status", "--month", "2024-11", "--json").stdout)
    [v] = [v for v in as_json["verdicts"] if v["operator"] == "MOBIFONE"]
    assert (v["figure"], v["vnnic_median"], v["vnnic_verdict_differs"]) == (39.9951, 40.0, True)  # raw numbers

    _, text = run_summary.run_summary(NOV, "manual__h15")
    line = next(x for x in text.splitlines() if x.strip().startswith("MOBIFONE"))
    assert line.split()[1] == "39.99" and "does_not_meet" in line and "(VNNIC: meets, median 40.00)" in line
