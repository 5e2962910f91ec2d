"""One weekly export across a month's end, put in both months' folders: each month loads the rows
measured in it, from the same file; no row is lost and none is counted twice (docs/corrections.md).
Checked from the warehouse."""

from datetime import date

from ispeed import tasks
from ispeed.measurements import load as measurements

from conftest import query

OCT, NOV = date(2024, 10, 1), date(2024, 11, 1)
HEADER = "measurement_id,measured_at,operator,network_type,download_mbps,upload_mbps,latency_ms,province,district"
WEEK = [
    "W1,2024-10-29 10:00:00,Viettel,4G,50,10,30,Hải Phòng,303",
    "W2,2024-10-31 23:59:59,Viettel,4G,51,10,30,Hải Phòng,303",
    "W3,2024-11-01 00:00:00,Viettel,4G,52,10,30,Hải Phòng,303",
    "W4,2024-11-03 08:00:00,Viettel,4G,53,10,30,Hải Phòng,303",
    "W5,2024-11-03 09:00:00,Viettel,4G,54,10,30,Hải Phòng,303",
]


def land(month: date) -> None:
    folder = measurements.landing_folder(month)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tuan-44.csv").write_text(HEADER + "\n" + "\n".join(WEEK) + "\n", encoding="utf-8")


def test_an_export_in_two_months_folders_gives_each_month_its_rows(db):
    land(OCT)
    land(NOV)
    october = tasks.load_measurements(OCT)
    november = tasks.load_measurements(NOV)

    # the same file is read by both months: not a "duplicate file" in November
    assert [f["status"] for f in october["files"] + november["files"]] == ["loaded", "loaded"]
    assert (october["rows_read"], october["rows_loaded"], october["rows_quarantined"]) == (5, 2, 3)
    assert (november["rows_read"], november["rows_loaded"], november["rows_quarantined"]) == (5, 3, 2)

    # every row is a fact once, in the month it was measured in
    assert query(db, "select measurement_id, month from ispeed.fact_measurement order by 1") == [
        ("W1", OCT),
        ("W2", OCT),
        ("W3", NOV),
        ("W4", NOV),
        ("W5", NOV),
    ]
    # the other month's rows are quarantined saying which month they belong to
    rows = query(
        db,
        "select month, raw_row->>'measurement_id', rule, message from ispeed.fact_quarantine order by 1, 2",
    )
    assert [r[:3] for r in rows] == [
        (OCT, "W3", "measured_at_in_month"),
        (OCT, "W4", "measured_at_in_month"),
        (OCT, "W5", "measured_at_in_month"),
        (NOV, "W1", "measured_at_in_month"),
        (NOV, "W2", "measured_at_in_month"),
    ]
    assert "measured in 2024-11, it belongs to that month" in rows[0][3]
    assert "landing/ispeed/2024-10/" in rows[3][3]

    # a second run of November changes nothing; the file again in November's folder is a duplicate
    land(NOV)
    again = tasks.load_measurements(NOV)
    assert again["files"][0]["status"] == "duplicate_file" and again["rows_read"] == 0
    assert query(db, "select count(*) from ispeed.fact_measurement")[0][0] == 5
