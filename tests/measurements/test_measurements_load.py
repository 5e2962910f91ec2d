"""i-Speed exports into the warehouse, on a real PostgreSQL: counts, exact values, idempotence,
quarantine, rejection and Great Expectations' view of the same rules."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ispeed import tasks
from ispeed.devtools.generate import generate_month
from ispeed.measurements import load as measurements
from ispeed.measurements import staging

from conftest import query

OCT = date(2024, 10, 1)
HEADER = (
    "measurement_id,measured_at,operator,network_type,download_mbps,upload_mbps,latency_ms,province,district,device_id"
)


def land(name: str, lines: list[str], header: str = HEADER, month: date = OCT) -> Path:
    folder = measurements.landing_folder(month)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(header + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_known_values_land_exactly(db):
    land(
        "a.csv",
        [
            'A1,2024-10-05 10:00:00,Tổng công ty Viettel,LTE,"45,6",12.5,31,Hải Phòng,Quận Lê Chân,d1',
            "A2,2024-10-06T08:30:00Z,VNPT,4G,38.25,9,40,HP,303,d2",
            "A3,2024-10-07T23:59:59+07:00,mobifone,5G,250,80,15,,huyen thuy nguyen,",
        ],
    )
    summary = measurements.load_month(OCT)
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (3, 3, 0)
    rows = query(
        db,
        "select measurement_id, measured_at, operator_code, network_type_code, area_code, download_mbps,"
        " upload_mbps, device_id, source_line from ispeed.fact_measurement order by measurement_id",
    )
    a1, a2, a3 = rows
    # naive time is Viet Nam time (UTC+7); decimal comma read as a decimal point
    assert a1[1] == datetime(2024, 10, 5, 3, 0, tzinfo=UTC)
    assert a1[2:6] == ("VIETTEL", "4G", "305", 45.6) and a1[8] == 2
    assert a2[1] == datetime(2024, 10, 6, 8, 30, tzinfo=UTC)
    assert a2[2:6] == ("VINAPHONE", "4G", "303", 38.25)
    assert a3[2:5] == ("MOBIFONE", "5G", "311") and a3[7] is None


def test_generated_month_accounts_for_every_row_and_a_second_run_changes_nothing(db, data_dir):
    gen = generate_month(OCT, 5000, measurements.landing_folder(OCT), seed=3)
    first = tasks.load_measurements(OCT)
    assert first["rows_read"] == 5000
    assert first["rows_read"] == first["rows_loaded"] + first["rows_quarantined"] + first["rows_duplicate"]
    assert first["rows_quarantined"] >= sum(v for k, v in gen.bad_rows.items() if k != "duplicate_id") * 0.9
    assert first["rows_duplicate"] > 0
    [(facts,)] = query(db, "select count(*) from ispeed.fact_measurement where month = %s", (OCT,))
    [(quarantined,)] = query(db, "select count(*) from ispeed.fact_quarantine where month = %s", (OCT,))
    assert (facts, quarantined) == (first["rows_loaded"], first["rows_quarantined"])
    # Rows naming no province and an unknown district are quarantined; in 2024 no row is 'unassigned'.
    [(unknown_district,)] = query(db, "select count(*) from ispeed.fact_quarantine where rule = 'district_known'")
    assert unknown_district == gen.bad_rows["unknown_district"] > 0
    [(unassigned,)] = query(db, "select count(*) from ispeed.fact_measurement where area_code = 'unassigned'")
    assert unassigned == gen.unassigned_rows == 0
    # The file was archived; landing is empty.
    assert not any(measurements.landing_folder(OCT).iterdir())
    [(archive_path,)] = query(db, "select archive_path from ispeed.meta_file where status = 'loaded'")
    assert Path(archive_path).is_file() and Path(archive_path).read_bytes() == Path(archive_path).read_bytes()

    # Same run again: nothing new. The same file delivered again under another name: a duplicate.
    assert tasks.load_measurements(OCT)["rows_read"] == 0
    generate_month(OCT, 5000, measurements.landing_folder(OCT), seed=3, name="again.csv")
    again = tasks.load_measurements(OCT)
    assert again["files"][0]["status"] == "duplicate_file" and again["rows_loaded"] == 0
    assert query(db, "select count(*) from ispeed.fact_measurement")[0][0] == facts


def test_bad_row_is_quarantined_with_its_reason_and_the_rest_loads(db):
    land(
        "mixed.csv",
        [
            "B1,2024-10-05 10:00:00,Viettel,4G,50,10,30,Hải Phòng,303,d1",
            "B2,2024-10-05 10:00:00,Viettel,4G,-5,10,30,Hải Phòng,303,d1",
            "B3,2024-10-05 10:00:00,Viettel,4G,60,10,30,Hải Phòng,303,d1",
        ],
    )
    summary = measurements.load_month(OCT)
    assert (summary.rows_loaded, summary.rows_quarantined) == (2, 1)
    [(line, column, rule, message, raw)] = query(
        db, "select line_no, column_name, rule, message, raw_row from ispeed.fact_quarantine"
    )
    assert (line, column, rule) == (3, "download_mbps", "download_mbps_in_range")
    assert "above 0" in message
    assert raw["measurement_id"] == "B2" and raw["download_mbps"] == "-5"


@pytest.mark.parametrize(
    "line,rule",
    [
        ("C1,2024-10-05 10:00,Unknown Telecom,4G,50,10,30,Hải Phòng,303,d", "operator_known"),
        ("C1,2024-10-05 10:00,Viettel,6G,50,10,30,Hải Phòng,303,d", "network_type_known"),
        ("C1,2024-10-05 10:00,Viettel,4G,50,10,30,,Quận 1,d", "district_known"),
        ("C1,2024-10-05 10:00,Viettel,4G,50,10,30,Hà Nội,303,d", "province_matches"),
        ("C1,2024-11-01 00:00:01,Viettel,4G,50,10,30,Hải Phòng,303,d", "measured_at_in_month"),
        ("C1,yesterday,Viettel,4G,50,10,30,Hải Phòng,303,d", "measured_at_readable"),
        ("C1,2024-10-05 10:00,Viettel,4G,NaN,10,30,Hải Phòng,303,d", "download_mbps_readable"),
        ("C1,2024-10-05 10:00,Viettel,4G,Infinity,10,30,Hải Phòng,303,d", "download_mbps_readable"),
        ("C1,2024-10-05 10:00,Viettel,4G,0,10,30,Hải Phòng,303,d", "download_mbps_in_range"),
        ("C1,2024-10-05 10:00,Viettel,4G,50,10,0,Hải Phòng,303,d", "latency_ms_in_range"),
        (",2024-10-05 10:00,Viettel,4G,50,10,30,Hải Phòng,303,d", "measurement_id_present"),
        ("C1,2024-10-05 10:00,Viettel,4G,50", "row_well_formed"),
    ],
)
def test_each_rule_quarantines_what_it_should(db, line, rule):
    land("one.csv", [line])
    summary = measurements.load_month(OCT)
    assert (summary.rows_loaded, summary.rows_quarantined) == (0, 1)
    assert query(db, "select rule from ispeed.fact_quarantine") == [(rule,)]


def test_file_missing_a_required_column_is_rejected_and_nothing_of_it_loads(db):
    land("good.csv", ["D1,2024-10-05 10:00:00,Viettel,4G,50,10,30,Hải Phòng,303,d1"])
    land(
        "broken.csv",
        ["D2,2024-10-05 10:00:00,Viettel,4G,50,30,Hải Phòng,303,d1"],
        header=HEADER.replace(",upload_mbps", ""),
    )
    with pytest.raises(measurements.RejectedFilesError, match="broken.csv.*upload_mbps"):
        tasks.load_measurements(OCT)
    # The good file is loaded and committed all the same; the broken one is set aside.
    assert query(db, "select measurement_id from ispeed.fact_measurement") == [("D1",)]
    rows = query(db, "select file_name, status, error, archive_path from ispeed.meta_file order by file_name")
    assert [(r[0], r[1]) for r in rows] == [("broken.csv", "rejected"), ("good.csv", "loaded")]
    assert "required column(s) missing: upload_mbps" in rows[0][2]
    assert "/rejected/" in rows[0][3] and Path(rows[0][3]).is_file()


def test_gx_counts_match_the_quarantine_and_the_result_is_kept(db):
    generate_month(OCT, 3000, measurements.landing_folder(OCT), seed=11)
    summary = measurements.load_month(OCT)
    unexpected = summary.validation["unexpected"]
    for rule, count in query(db, "select r, count(*) from ispeed.fact_quarantine, unnest(failed_rules) r group by r"):
        assert unexpected[rule] == count, rule
    assert sum(unexpected[r] for r in ("operator_known", "district_known", "download_mbps_readable")) > 0
    assert Path(summary.validation_path).is_file()
    docs = Path(summary.validation["data_docs"])  # GX's Data Docs, kept beside the JSON
    assert docs.name == "index.html" and docs.is_file() and "ispeed_measurements" in docs.read_text(errors="replace")
    [(doc,)] = query(db, "select validation from ispeed.meta_load where load_id = %s", (summary.load_id,))
    assert doc["success"] is False and len(doc["results"]) == 22  # 21 rules and uniqueness


def test_reload_replaces_the_month_from_all_its_files(db):
    land("first.csv", ["E1,2024-10-05 10:00,Viettel,4G,50,10,30,Hải Phòng,303,d1"])
    measurements.load_month(OCT)
    land("late.csv", ["E2,2024-10-06 10:00,Viettel,4G,70,10,30,Hải Phòng,303,d1"])
    summary = measurements.load_month(OCT, reload=True)
    assert summary.rows_loaded == 2
    assert query(db, "select measurement_id from ispeed.fact_measurement order by 1") == [("E1",), ("E2",)]
    assert query(db, "select status, count(*) from ispeed.meta_file group by 1 order by 1") == [
        ("loaded", 2),
        ("replaced", 1),
    ]


def test_geography_is_dated(db):
    # A district that ceased to exist on 2024-10-09 resolves before that date only. After it, a row
    # that names the province counts for the province, unassigned; one that does not is quarantined.
    db.cursor().execute("update ispeed.dim_alias set valid_to = '2024-10-09' where kind = 'area' and code = '318'")
    land(
        "island.csv",
        [
            "F1,2024-10-08 10:00,Viettel,4G,20,5,60,Hải Phòng,Bạch Long Vĩ,d1",
            "F2,2024-10-10 10:00,Viettel,4G,20,5,60,Hải Phòng,Bạch Long Vĩ,d1",
            "F3,2024-10-10 10:00,Viettel,4G,20,5,60,,Bạch Long Vĩ,d1",
        ],
    )
    measurements.load_month(OCT)
    assert query(db, "select measurement_id, area_code from ispeed.fact_measurement order by 1") == [
        ("F1", "318"),
        ("F2", "unassigned"),
    ]
    assert query(db, "select raw_row->>'measurement_id', rule from ispeed.fact_quarantine") == [
        ("F3", "district_known")
    ]


def test_norm_key_and_exact_key_are_the_same_in_python_and_sql(db):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from ispeed.text import exact_key, norm_key

    alphabet = (
        "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ -.,()/"
    )
    cur = db.cursor()

    @settings(max_examples=200, deadline=None)
    @given(st.text(alphabet=alphabet, max_size=30))
    def same(text):
        cur.execute("select ispeed.norm_key(%s), ispeed.exact_key(%s)", (text, text))
        assert cur.fetchone() == (norm_key(text), exact_key(text))

    same()


def test_a_deployment_without_a_warehouse_connection_fails_instead_of_going_embedded(monkeypatch, data_dir):
    from ispeed.warehouse import connection as warehouse

    monkeypatch.delenv("ISPEED_WAREHOUSE_URI", raising=False)
    monkeypatch.setenv("ISPEED_REQUIRE_WAREHOUSE_CONNECTION", "1")
    with pytest.raises(warehouse.WarehouseError, match="AIRFLOW_CONN_ISPEED_WAREHOUSE"):
        warehouse.target()
    assert not (data_dir / "pgdata").exists()


def test_direct_copy_and_line_by_line_reading_load_the_same(db, data_dir, monkeypatch):
    """A plain CSV is read by PostgreSQL itself (COPY); any other by Python. Same rows, same lines."""

    def load(direct: bool) -> tuple[list, list]:
        monkeypatch.setattr(staging, "_copy_direct_possible", (lambda *a: True) if direct else (lambda *a: False))
        db.cursor().execute("truncate ispeed.fact_measurement, ispeed.fact_quarantine; delete from ispeed.meta_file")
        generate_month(OCT, 2000, measurements.landing_folder(OCT), seed=21)
        measurements.load_month(OCT)
        facts = query(
            db,
            "select measurement_id, measured_at, operator_code, area_code, download_mbps, source_line"
            " from ispeed.fact_measurement order by measurement_id",
        )
        quarantine = query(db, "select line_no, rule, raw_row from ispeed.fact_quarantine order by line_no")
        return facts, quarantine

    direct, careful = load(True), load(False)
    assert len(direct[0]) > 1900 and len(direct[1]) > 10
    assert direct == careful


def test_a_quoted_line_break_makes_the_direct_copy_give_way(db):
    land(
        "quoted.csv",
        [
            '"G1",2024-10-05 10:00,Viettel,4G,50,10,30,Hải Phòng,303,"d\n1"',
            "G2,2024-10-05 10:00,Viettel,4G,50,10,30,Hải Phòng,303,d2",
        ],
    )
    measurements.load_month(OCT)
    assert query(db, "select measurement_id, source_line from ispeed.fact_measurement order by 1") == [
        ("G1", 2),
        ("G2", 4),
    ]


def test_a_repeated_id_keeps_its_first_occurrence(db):
    land(
        "a.csv",
        [
            "H1,2024-10-05 10:00,Viettel,4G,50,10,30,Hải Phòng,303,d1",
            "H1,2024-10-05 11:00,Viettel,4G,99,10,30,Hải Phòng,303,d1",
        ],
    )
    land("b.csv", ["H1,2024-10-05 12:00,Viettel,4G,77,10,30,Hải Phòng,303,d1"])
    summary = measurements.load_month(OCT)
    assert (summary.rows_loaded, summary.rows_duplicate) == (1, 2)
    assert query(
        db,
        "select download_mbps, source_line, f.file_name from ispeed.fact_measurement m"
        " join ispeed.meta_file f using (file_id)",
    ) == [(50.0, 2, "a.csv")]
