"""i-Speed exports across the 2025 reforms, on a real PostgreSQL: each test's unit is read on its
date (districts until 2025-06-30, then Hải Phòng's 114 xã, phường and đặc khu), every spelling the
sample generator writes loads, a test naming the province with an abolished district counts for
the province as 'unassigned', and another province (ISPEED_PROVINCE=48, Đà Nẵng) loads its own units."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

from ispeed import geography
from ispeed.compliance import marts
from ispeed.compliance import runner as compliance
from ispeed.devtools.generate import abolished_names, generate_month, units_in
from ispeed.measurements import load as measurements
from ispeed.warehouse import connection as warehouse
from ispeed.warehouse import reference

from conftest import query

DEC24, MAR25, JUN25, JUL25, MAR26 = (date(2024, 12, 1), date(2025, 3, 1), date(2025, 6, 1), date(2025, 7, 1),
                                     date(2026, 3, 1))  # fmt: skip
HEADER = (
    "measurement_id,measured_at,operator,network_type,download_mbps,upload_mbps,latency_ms,province,district,device_id"
)


def land(month: date, lines: list[str], name: str = "export.csv") -> Path:
    folder = measurements.landing_folder(month)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(HEADER + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def row(mid: str, when: str, province: str, district: str, download: str = "45.5") -> str:
    return f"{mid},{when},Viettel,4G,{download},12,30,{province},{district},dev-{mid}"


def areas_by_id(db) -> dict[str, str]:
    return dict(query(db, "select measurement_id, area_code from ispeed.fact_measurement"))


def quarantined(db) -> dict[str, str]:
    return {raw["measurement_id"]: rule for raw, rule in query(db, "select raw_row, rule from ispeed.fact_quarantine")}


def test_every_unit_of_2026_in_every_spelling_the_generator_writes_loads(db):
    units = units_in(MAR26)
    assert len(units) == 114 and {u.code for u in units} == {a.code for a in geography.areas_in(MAR26)}
    spellings = {s for u in units for s in u.spellings}
    # the spellings the issue names are among them, and the ambiguous ones are not
    assert {"Phường Lê Chân", "P. Lê Chân", "Lê Chân", "11383", "ĐK. Cát Hải", "X. An Lão"} <= spellings
    assert {"Phường Thuỷ Nguyên", "Phường Hòa Bình", "Phường Hoà Bình"} <= spellings
    assert {"Xã Cẩm Giang", "Xã Cẩm Giàng"} <= spellings and not {"Cẩm Giang", "X. Cẩm Giàng"} & spellings
    lines, expected = [], {}
    for u in units:
        for i, spelling in enumerate(u.spellings):
            mid = f"M{u.code}-{i}"
            lines.append(row(mid, "2026-03-10 09:00:00", "Hải Phòng", spelling))
            expected[mid] = u.code
    land(MAR26, lines)
    summary = measurements.load_month(MAR26)
    assert (summary.rows_read, summary.rows_quarantined) == (len(lines), 0) and len(lines) > 114 * 4
    assert areas_by_id(db) == expected


def test_units_are_read_on_the_tests_date_on_both_sides_of_the_reform(db):
    # The last half hour of the districts (Viet Nam time) ...
    land(
        JUN25,
        [
            row("J1", "2025-06-30 23:30:00", "Hải Phòng", "Quận Lê Chân"),
            row("J2", "2025-06-30T23:30:00+07:00", "Hải Dương", "303"),  # not yet Hải Phòng
            row("J3", "2025-06-15 10:00:00", "Hải Phòng", "Thành phố Thuỷ Nguyên"),
        ],
    )
    june = measurements.load_month(JUN25)
    assert (june.rows_loaded, june.rows_quarantined) == (2, 1)
    assert areas_by_id(db) == {"J1": "305", "J3": "311"}
    assert quarantined(db) == {"J2": "province_matches"}
    [(measured_at,)] = query(db, "select measured_at from ispeed.fact_measurement where measurement_id = 'J1'")
    assert measured_at == datetime(2025, 6, 30, 16, 30, tzinfo=UTC)

    # ... and the first of the communes: an abolished district counts for the city, without a unit.
    land(
        JUL25,
        [
            row("K1", "2025-07-01 00:30:00", "Hải Phòng", "Quận Lê Chân"),
            row("K2", "2025-07-01 00:30:00", "Hải Phòng", "Phường Hồng Bàng"),
            row("K3", "2025-07-02 08:00:00", "Hải Phòng", "Đặc khu Cát Hải"),
            row("K4", "2025-07-03 08:00:00", "TP. Hải Phòng", "P. Lê Chân"),
            row("K5", "2025-07-04 08:00:00", "Hải Phòng", "10525"),
            row("K6", "2025-07-05 08:00:00", "Hải Dương", "Phường Hải Dương"),
            row("K7", "2025-07-06 08:00:00", "Hải Phòng", "Phường Thuỷ Nguyên"),
            row("K8", "2025-07-07 08:00:00", "Hải Dương", "Quận Không Tồn Tại"),  # the merged province's
            row("K9", "2025-07-07 08:00:00", "", "Quận Lê Chân"),  # no province named: quarantined
            row("K10", "2025-07-08 08:00:00", "Hải Phòng", "Xã Cẩm Giàng"),
            row("K11", "2025-07-08 08:00:00", "Hải Phòng", "Xã Cẩm Giang"),
        ],
    )
    july = measurements.load_month(JUL25)
    assert (july.rows_loaded, july.rows_quarantined) == (10, 1)
    july_areas = {k: v for k, v in areas_by_id(db).items() if k.startswith("K")}
    assert july_areas == {
        "K1": "unassigned",
        "K2": "11311",
        "K3": "11914",
        "K4": "11383",
        "K5": "10525",
        "K6": "10525",
        "K7": "11560",
        "K8": "unassigned",
        "K10": "10903",
        "K11": "10888",
    }
    assert quarantined(db) == {"J2": "province_matches", "K9": "district_known"}


def test_thuy_nguyen_is_311_as_a_huyen_in_2024_and_as_a_city_in_2025(db):
    land(DEC24, [row("D1", "2024-12-31 23:00:00", "Hải Phòng", "Huyện Thuỷ Nguyên")])
    land(MAR25, [row("M1", "2025-03-01 00:10:00", "Hải Phòng", "Thành phố Thủy Nguyên")])
    land(MAR25, [row("M2", "2025-03-02 10:00:00", "Hải Phòng", "Quận An Dương")], name="b.csv")
    assert measurements.load_month(DEC24).rows_quarantined == 0
    assert measurements.load_month(MAR25).rows_quarantined == 0
    assert areas_by_id(db) == {"D1": "311", "M1": "311", "M2": "312"}


def test_the_unassigned_tests_count_for_the_province_and_have_one_row_without_verdict(db):
    gen = generate_month(MAR26, 12_000, measurements.landing_folder(MAR26), seed=13)
    assert gen.unassigned_rows > 10 and abolished_names(MAR26)
    summary = measurements.load_month(MAR26)
    [(unassigned,)] = query(db, "select count(*) from ispeed.fact_measurement where area_code = 'unassigned'")
    assert unassigned == gen.unassigned_rows
    assert (
        dict(query(db, "select rule, count(*) from ispeed.fact_quarantine group by 1"))["district_known"]
        == gen.bad_rows["unknown_district"]
    )
    assert summary.rows_loaded > 11_000

    compliance.compute_month(MAR26, run_id="manual__geo")
    facts = query(db, "select operator_code, area_code from ispeed.fact_measurement where network_type_code = '4G'")
    per_operator = Counter(op for op, _ in facts)
    per_operator_unassigned = Counter(op for op, area in facts if area == "unassigned")
    assert sum(per_operator_unassigned.values()) > 0
    province = dict(
        query(
            db,
            "select operator_code, tests from ispeed.mart_compliance_operator where month = %s and network_type = '4G'",
            (MAR26,),
        )
    )
    # The province's figure is made of every 4G test, the unassigned ones included.
    assert {op: province[op] for op in per_operator} == dict(per_operator)
    rows = query(
        db,
        "select operator_code, tests, verdict, in_compliance_scope from ispeed.mart_compliance_operator_area"
        " where month = %s and network_type = '4G' and area_code = 'unassigned'",
        (MAR26,),
    )
    assert {op: tests for op, tests, _, _ in rows} == dict(per_operator_unassigned)
    assert all(verdict is None and scope for _, _, verdict, scope in rows)
    # The units the operators meet or miss are the month's communes, with names; the unassigned come last.
    read = [r for r in marts.read_compliance_by_operator_area(db, MAR26) if r["network_type"] == "4G"]
    viettel = [r for r in read if r["operator_code"] == "VIETTEL"]
    assert viettel[-1]["area_code"] == "unassigned" and viettel[-1]["area_name"] is None
    assert {r["area_code"] for r in viettel[:-1]} <= {a.code for a in geography.areas_in(MAR26)}
    assert all(r["verdict"] is not None for r in viettel[:-1])  # 'insufficient_data' with so few tests


def test_another_province_loads_its_own_communes(db, monkeypatch):
    monkeypatch.setenv("ISPEED_PROVINCE", "48")
    with warehouse.connection() as conn:  # as the run's first task does: the province's units into dim_area
        reference.sync_reference(conn)
    units = units_in(MAR26)
    assert len(units) == 94 and geography.province(MAR26).name_vi == "Đà Nẵng"
    lines = [
        row(f"N{u.code}-{i}", "2026-03-12 10:00:00", "Đà Nẵng", s) for u in units for i, s in enumerate(u.spellings)
    ]
    lines += [
        row("N-hp", "2026-03-12 10:00:00", "Hải Phòng", units[0].full_name),  # another province: quarantined
        row("N-qn", "2026-03-12 10:00:00", "Quảng Nam", "Quận Hải Châu"),  # merged into Đà Nẵng, abolished unit
    ]
    land(MAR26, lines)
    summary = measurements.load_month(MAR26)
    assert (summary.rows_loaded, summary.rows_quarantined) == (len(lines) - 1, 1)
    loaded = areas_by_id(db)
    assert loaded["N-qn"] == "unassigned" and Counter(loaded.values())["unassigned"] == 1
    assert {v for k, v in loaded.items() if k != "N-qn"} == {u.code for u in units}
    assert quarantined(db) == {"N-hp": "province_matches"}
    # The sample generator writes Đà Nẵng's export, which loads as well.
    gen = generate_month(date(2026, 4, 1), 3000, measurements.landing_folder(date(2026, 4, 1)), seed=2)
    assert gen.path.read_text(encoding="utf-8").count(",Đà Nẵng,") > 2900
    april = measurements.load_month(date(2026, 4, 1))
    assert april.rows_read == 3000
    [(named,)] = query(
        db, "select count(distinct area_code) from ispeed.fact_measurement where month = %s", (date(2026, 4, 1),)
    )
    assert named > 60
