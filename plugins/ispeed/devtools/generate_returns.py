"""Sample monthly returns: a realistic month of both kinds, deterministic given a seed.

    generate_month_returns(date(2024, 10, 1), Path(".data/landing"), seed=7)

What it writes (docs/returns.md says more):
- agency returns in <landing>/agency_returns/YYYY-MM/: every agency that must report for the
  month (returns.agencies.agencies_in: the configured province's departments, press and other
  agencies of agencies.csv, and the UBND of its units of the month: the quận/huyện until
  2025-06-30, the xã/phường/đặc khu from 2025-07-01) sends the month's template filled in, on time
  (1st to 5th of the next month), except
  - three agencies that send nothing (missing);
  - one agency whose "staff who installed i-Speed" is larger than its staff total (rejected);
  - one agency that sends a first return and, two days later, a corrected one (the second wins);
  - two agencies that send CSV instead of .xlsx (a People's Committee with English headings and
    comma thousands separators, another agency semicolon-separated with Vietnamese headings), and
    a People's Committee that sends a sheet of its own: title rows, other headings, a row of
    column numbers, numbers typed as text with dot thousands separators, a signature block;
- operator returns in <landing>/operator_returns/YYYY-MM/: Viettel, VinaPhone, MobiFone and
  Vietnamobile send the month's template (Vietnamobile as CSV, naming each unit in one of the
  spellings the i-Speed sample exports use: code, name, abbreviation). Rows for every unit of the
  month on 4G, and 5G in the urban units (quận, phường, thành phố) for the three large operators;
  a remedy and its due date for each unit where the operator's 4G is expected below 40 Mbps (the
  same speed model and units as the i-Speed sample data, generate.units_in).

File times are set (the latest return wins by file time), so the outcome does not depend on when
the generator runs. Returns a summary with the states the pipeline must find.

For the demo's history (devtools/history.py): ``absent`` names agencies that send nothing that
month besides the three drawn (``missing_agencies`` tells which three a month leaves out), and
``workbooks=False`` writes every return as CSV (the template's columns), which reads in a
millisecond where a workbook takes a tenth of a second. Without them the files are those of before.
"""

from __future__ import annotations

import csv
import math
import os
import random
from collections.abc import Collection
from datetime import date, datetime, timedelta
from pathlib import Path

from ispeed import geography
from ispeed.devtools.generate import ISLANDS, Unit, units_in
from ispeed.devtools.generate import OPERATORS as SPEED_OPERATORS
from ispeed.months import LOCAL_TZ, month_label, next_month
from ispeed.returns.agencies import COMMITTEE_KINDS, Agency, agencies_in
from ispeed.returns.contract import AGENCY_RETURN, OPERATOR_RETURN
from ispeed.returns.operator_template import OPERATOR_LAYOUT
from ispeed.returns.template import (
    agency_workbook,
    fill_agency_return,
    fill_operator_return,
    operator_workbook,
    save_workbook,
)

THRESHOLD_MBPS = 40.0
#: the i-Speed sample data's log-normal spread (generate.py): mean = median * exp(sigma^2 / 2)
_SPEED_SIGMA = 0.55
#: operator code -> (name as the operator writes it, sends a return, file format, has 5G, sites per district scale)
OPERATORS = {
    "VIETTEL": ("Viettel", True, "xlsx", True, 1.0),
    "VINAPHONE": ("VNPT VinaPhone", True, "xlsx", True, 0.8),
    "MOBIFONE": ("MobiFone", True, "xlsx", True, 0.6),
    "VIETNAMOBILE": ("Vietnamobile", True, "csv", False, 0.25),
    "GMOBILE": ("Gmobile", False, "xlsx", False, 0.1),
}
#: the levels whose units get 5G sites in the sample (urban: quận, thành phố, phường)
URBAN_LEVELS = {"quan", "thanh_pho", "phuong"}


def _rng(seed: int, month: date, what: str) -> random.Random:
    return random.Random(f"{seed}:{month_label(month)}:{what}")


def _sent_at(month: date, day: int, hour: int) -> float:
    """A file time in the first days of the month after ``month`` (Viet Nam time)."""
    first = next_month(month)
    return datetime(first.year, first.month, day, hour, 0, tzinfo=LOCAL_TZ).timestamp()


def _touch(path: Path, when: float) -> None:
    os.utime(path, (when, when))


def _tally(agency: Agency, rng: random.Random, label: str) -> dict:
    """Plausible figures of an agency for a month."""
    if agency.kind == "district_committee":
        total = rng.randint(150, 420)
        citizens, members = rng.randint(400, 6000), rng.randint(80, 600)
    elif agency.kind == "commune_committee":
        total = rng.randint(30, 140)
        citizens, members = rng.randint(300, 4500), rng.randint(20, 180)
    elif agency.kind == "media":
        total = rng.randint(60, 320)
        citizens, members = rng.randint(0, 400), 0
    else:
        total = rng.randint(45, 260)
        citizens, members = rng.randint(0, 150), 0
    installed = round(total * rng.uniform(0.62, 0.97))
    measured = round(installed * rng.uniform(0.5, 0.92))
    return {
        "agency_code": agency.agency_code,
        "agency_name": agency.name_vi,
        "month": label,
        "staff_total": total,
        "staff_installed": installed,
        "staff_measured": measured,
        "staff_measurements": measured * rng.randint(1, 4) + rng.randint(0, 20),
        "citizens_helped": citizens,
        "cdt_members": members,
    }


def _write_csv(path: Path, header: list[str], rows: list[list], *, delimiter: str = ",", bom: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)


def _own_sheet(path: Path, tally: dict) -> None:
    """A return on a sheet of the agency's own making: title rows (merged), headings in a
    different order and wording, a row of column numbers, numbers typed as text with dot
    thousands separators, and the signature block below."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "BC thang"
    ws["A1"] = tally["agency_name"].upper()
    ws.merge_cells("A1:D1")
    ws["F1"] = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    ws.merge_cells("F1:J1")
    ws["A3"] = f"BÁO CÁO KẾT QUẢ CÀI ĐẶT, SỬ DỤNG ỨNG DỤNG i-SPEED THÁNG {tally['month'][5:7]}/{tally['month'][:4]}"
    ws.merge_cells("A3:J3")
    headings = [
        "STT",
        "Tên cơ quan, đơn vị",
        "Kỳ báo cáo",
        "Tổng số cán bộ, công chức, viên chức",
        "Số CBCCVC đã cài đặt",
        "Số CBCCVC đã đo",
        "Số lần đo",
        "Số người dân được hỗ trợ",
        "Số thành viên Tổ CNSCĐ",
        "Ghi chú",
    ]
    for c, h in enumerate(headings, start=1):
        ws.cell(row=5, column=c, value=h)
        ws.cell(row=6, column=c, value=f"({c})")
    values = [
        1,
        tally["agency_name"],
        f"Tháng {tally['month'][5:7]}/{tally['month'][:4]}",
        *(
            _vn(tally[k])
            for k in (
                "staff_total",
                "staff_installed",
                "staff_measured",
                "staff_measurements",
                "citizens_helped",
                "cdt_members",
            )
        ),
        "Số liệu đến ngày cuối tháng",
    ]
    for c, v in enumerate(values, start=1):
        ws.cell(row=7, column=c, value=v)
    ws["B10"] = "Người lập biểu"
    ws["H10"] = "CHỦ TỊCH"
    ws["H11"] = "(Ký, ghi rõ họ tên, đóng dấu)"
    save_workbook(wb, path)


def _vn(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def expected_mean_4g(operator: str, unit: Unit) -> float:
    """The operator's expected mean 4G download in the unit, by the i-Speed sample data's model."""
    median = next(o[2] for o in SPEED_OPERATORS if o[0] == operator)
    return median * unit.speed * math.exp(_SPEED_SIGMA**2 / 2)


def _remedy(island: bool, name: str, rng: random.Random, month: date) -> tuple[str, date]:
    if island:
        text = f"Nâng cấp truyền dẫn vi ba lên cáp quang biển và bổ sung {rng.randint(1, 3)} trạm 4G cho {name}"
    else:
        text = rng.choice(
            [
                f"Lắp đặt thêm {rng.randint(2, 8)} trạm 4G và bổ sung sóng mang băng tần 1800 MHz tại {name}",
                f"Tối ưu vùng phủ, nâng cấp truyền dẫn cáp quang cho {rng.randint(3, 12)} trạm tại {name}",
                f"Bổ sung băng tần 2100 MHz cho 4G và chia sẻ hạ tầng trạm tại {name}",
            ]
        )
    due = next_month(next_month(next_month(month)))
    return text, due - timedelta(days=1)


def _operator_rows(
    code: str, scale: float, has_5g: bool, rng: random.Random, month: date, units: list[Unit]
) -> list[dict]:
    """The operator's rows for every unit of the month: "district" is the unit's code."""
    rows = []
    areas = {a.code: a for a in geography.areas_in(month)}
    for unit in units:
        area, name, level = unit.code, unit.full_name, areas[unit.code].level
        island = level == "dac_khu" or areas[unit.code].name_vi in ISLANDS
        base = max(1, round(unit.share * 900 * scale))
        for gen in ("4G", "5G") if has_5g and level in URBAN_LEVELS else ("4G",):
            in_service = base if gen == "4G" else max(1, round(base * rng.uniform(0.05, 0.2)))
            commissioned = min(in_service, rng.randint(0, 4) if gen == "4G" else rng.randint(0, 3))
            upgraded = min(in_service, rng.randint(0, 6))
            investment = (commissioned * rng.randint(900, 1600) + upgraded * rng.randint(150, 400)) * 1_000_000
            row = {
                "district": area,
                "generation": gen,
                "sites_in_service": in_service,
                "sites_commissioned": commissioned,
                "sites_upgraded": upgraded,
                "investment_vnd": investment,
            }
            if gen == "4G" and expected_mean_4g(code, unit) < THRESHOLD_MBPS:
                row["remedy"], row["remedy_due_date"] = _remedy(island, name, rng, month)
            rows.append(row)
    return rows


def _agency_roles(rng: random.Random, agencies: list[Agency], absent: Collection[str]) -> tuple:
    """Who sends what (the first draws of the month's agencies' random stream): the People's
    Committees of the English CSV and of their own sheet, the three missing, the wrong cell, the
    corrected return, the semicolon CSV. Agencies of ``absent`` play no part."""
    committees = [a for a in agencies if a.kind in COMMITTEE_KINDS and a.agency_code not in absent]
    # People's Committees report thousands of citizens: their CSV shows the thousands separators
    csv_english, own_sheet = rng.sample(committees, 2)
    others = [a for a in agencies if a not in (csv_english, own_sheet) and a.agency_code not in absent]
    chosen = rng.sample(others, 6)
    return csv_english, own_sheet, chosen[:3], chosen[3], chosen[4], chosen[5]


def missing_agencies(month: date, *, seed: int = 7) -> list[str]:
    """The codes of the three agencies whose return generate_month_returns(month, seed=seed) leaves
    out (none in a month when no agency had to send one)."""
    agencies = agencies_in(month)
    return (
        sorted(a.agency_code for a in _agency_roles(_rng(seed, month, "agencies"), agencies, ())[2]) if agencies else []
    )


def _agency_csv(path: Path, tally: dict, label: str, *, english: bool) -> Path:
    """A return as the template's columns in a CSV: English headings with comma thousands
    separators, or Vietnamese headings, semicolons and a byte order mark."""
    names = AGENCY_RETURN.names
    if english:
        header = [AGENCY_RETURN.column(k).heading_en for k in names]
        row = [f"{tally[k]:,}" if isinstance(tally.get(k), int) else tally.get(k, "") for k in names]
    else:
        header = [AGENCY_RETURN.column(k).heading_vi for k in names]
        row = [tally.get(k, "") for k in names]
    row[names.index("month")] = f"{label[5:7]}/{label[:4]}"
    _write_csv(path, header, [row], **({} if english else {"delimiter": ";", "bom": True}))
    return path


def generate_month_returns(
    month: date, landing_root: Path, *, seed: int = 7, absent: Collection[str] = (), workbooks: bool = True
) -> dict:
    """Write a month of agency and operator returns under ``landing_root`` (see the module
    docstring). Returns where they went and the state each sender must end in. ``absent``: codes
    of agencies that send nothing besides the three drawn; ``workbooks=False``: every file a CSV."""
    label = month_label(month)
    agency_dir = landing_root / AGENCY_RETURN.dataset / label
    operator_dir = landing_root / OPERATOR_RETURN.dataset / label
    agency_dir.mkdir(parents=True, exist_ok=True)
    operator_dir.mkdir(parents=True, exist_ok=True)
    units = units_in(month)

    def template_return(tally: dict, name: str) -> Path:
        if not workbooks:
            return _agency_csv(agency_dir / f"{name}.csv", tally, label, english=False)
        wb = agency_workbook(month)
        fill_agency_return(wb, [tally])
        return save_workbook(wb, agency_dir / f"{name}.xlsx")

    rng = _rng(seed, month, "agencies")
    agencies = agencies_in(month)
    csv_english, own_sheet, missing, wrong, corrected, csv_semicolon = _agency_roles(rng, agencies, absent)
    missing = missing + [a for a in agencies if a.agency_code in absent]
    files: list[str] = []
    for agency in agencies:
        if agency in missing:
            continue
        tally = _tally(agency, rng, label)
        sent = _sent_at(month, rng.randint(1, 5), rng.randint(7, 17))
        name = f"{agency.agency_code}_{label}"
        if agency is csv_english or (agency is own_sheet and not workbooks):
            path = _agency_csv(agency_dir / f"{name}.csv", tally, label, english=True)
        elif agency is csv_semicolon:
            path = _agency_csv(agency_dir / f"{name}.csv", tally, label, english=False)
        elif agency is own_sheet:
            path = agency_dir / f"{name}.xlsx"
            _own_sheet(path, tally)
        else:
            if agency is wrong:
                # the classic slip: installed typed larger than the staff total
                tally["staff_installed"] = tally["staff_total"] + rng.randint(5, 40)
                tally["note"] = "Số liệu tổng hợp từ các phòng"
            if agency is corrected:
                first = dict(tally, staff_measurements=tally["staff_measurements"] + 57, note="Bản gửi lần 1")
                early = template_return(first, name)
                _touch(early, sent)
                files.append(early.name)
                tally["note"] = "Bản sửa, thay bản gửi ngày trước"
                sent += 2 * 86400
                name = f"{name}_sua"
            path = template_return(tally, name)
        _touch(path, sent)
        files.append(path.name)

    rng = _rng(seed, month, "operators")
    operator_files: list[str] = []
    expected_ops = {"submitted": [], "missing": [], "rejected": []}
    for code, (written, sends, fmt, has_5g, scale) in OPERATORS.items():
        if not sends:
            expected_ops["missing"].append(code)
            continue
        rows = _operator_rows(code, scale, has_5g, rng, month, units)
        sent = _sent_at(month, rng.randint(2, 6), rng.randint(8, 16))
        if fmt == "csv" or not workbooks:
            path = operator_dir / f"{written.replace(' ', '-')}_{label}.csv"
            # the template's columns, with the operator and the month on every row instead of above
            names = ["operator", "month", *(n for n in OPERATOR_LAYOUT if n)]
            header = [OPERATOR_RETURN.column(n).heading_vi for n in names]
            spellings = {u.code: u.spellings for u in units}
            body = [
                [
                    written,
                    f"{label[5:7]}/{label[:4]}",
                    rng.choice(spellings[r["district"]]),
                    r["generation"],
                    r["sites_in_service"],
                    r["sites_commissioned"],
                    r["sites_upgraded"],
                    _vn(r["investment_vnd"]),
                    r.get("remedy", ""),
                    r["remedy_due_date"].strftime("%d/%m/%Y") if "remedy_due_date" in r else "",
                    "",
                ]
                for r in rows
            ]
            _write_csv(path, header, body, bom=True)
        else:
            wb = operator_workbook(month)
            fill_operator_return(wb, written, month, rows)
            path = save_workbook(wb, operator_dir / f"{written.replace(' ', '-')}_{label}.xlsx")
        _touch(path, sent)
        operator_files.append(path.name)
        expected_ops["submitted"].append(code)

    expected_agencies = {
        "submitted": sorted(a.agency_code for a in agencies if a not in missing and a is not wrong),
        "rejected": [wrong.agency_code],
        "missing": sorted(a.agency_code for a in missing),
    }
    return {
        "month": label,
        "agency_returns": {
            "folder": str(agency_dir),
            "files": sorted(files),
            "expected": expected_agencies,
            "replaced": corrected.agency_code,
        },
        "operator_returns": {"folder": str(operator_dir), "files": sorted(operator_files), "expected": expected_ops},
    }
