"""The same measurement id again with other values (a corrected re-export): without a reload the
values already loaded stay and the conflict is reported; a reload takes the newest file's values
(docs/corrections.md). Checked from the warehouse."""

from datetime import date
from pathlib import Path

from ispeed import tasks
from ispeed.measurements import load as measurements

from conftest import query

OCT = date(2024, 10, 1)
HEADER = "measurement_id,measured_at,operator,network_type,download_mbps,upload_mbps,latency_ms,province,district"


def land(name: str, lines: list[str]) -> Path:
    folder = measurements.landing_folder(OCT)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(HEADER + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def row(mid: str, download: str, latency: str = "30") -> str:
    return f"{mid},2024-10-05 10:00:00,Viettel,4G,{download},10,{latency},Hải Phòng,303"


def facts(db) -> dict[str, float]:
    return dict(query(db, "select measurement_id, download_mbps from ispeed.fact_measurement order by 1"))


def collapsed(db) -> list[tuple]:
    return query(
        db,
        # a reload reads the archived copies, named 00000001__<name>
        "select c.measurement_id, regexp_replace(f.file_name, '^[0-9]{8}__', ''), c.line_no,"
        " regexp_replace(k.file_name, '^[0-9]{8}__', ''), c.kept_line, c.differs, c.settled_by"
        " from ispeed.fact_measurement_collapsed c"
        " join ispeed.meta_file f on f.file_id = c.file_id join ispeed.meta_file k on k.file_id = c.kept_file_id"
        " order by c.measurement_id, c.file_id",
    )


def test_a_correction_without_reload_keeps_the_first_values_and_reports_the_conflict(db):
    land("week1.csv", [row("K1", "50"), row("K2", "60"), row("K3", "70")])
    tasks.load_measurements(OCT)
    # the re-export corrects K1 and K2; K3 again as it was
    land("week1-corrected.csv", [row("K1", "55"), row("K2", "60", latency="35"), row("K3", "70")])
    second = tasks.load_measurements(OCT)

    assert facts(db) == {"K1": 50.0, "K2": 60.0, "K3": 70.0}
    [f] = second["files"]
    assert (f["rows_read"], f["rows_loaded"], f["rows_duplicate"], f["rows_conflicting"]) == (3, 0, 3, 2)
    assert second["rows_conflicting"] == 2
    assert collapsed(db) == [
        ("K1", "week1-corrected.csv", 2, "week1.csv", 2, ["download_mbps"], "first_kept"),
        ("K2", "week1-corrected.csv", 3, "week1.csv", 3, ["latency_ms"], "first_kept"),
        ("K3", "week1-corrected.csv", 4, "week1.csv", 4, [], "first_kept"),
    ]
    # read = loaded + quarantined + duplicate still holds in the ledger
    [(read, loaded, quarantined, duplicate)] = query(
        db,
        "select rows_read, rows_loaded, rows_quarantined, rows_duplicate from ispeed.meta_file"
        " where file_name = 'week1-corrected.csv'",
    )
    assert (read, loaded, quarantined, duplicate) == (3, 0, 0, 3)


def test_a_reload_takes_the_newest_files_values(db):
    land("week1.csv", [row("K1", "50"), row("K2", "60")])
    tasks.load_measurements(OCT)
    land("week1-corrected.csv", [row("K1", "55"), row("K2", "60")])
    tasks.load_measurements(OCT)
    assert facts(db) == {"K1": 50.0, "K2": 60.0}

    again = tasks.load_measurements(OCT, reload=True)
    assert facts(db) == {"K1": 55.0, "K2": 60.0}
    assert again["rows_read"] == 4 and again["rows_loaded"] == 2 and again["rows_conflicting"] == 1
    # the earlier conflicts are replaced by the reload's: the older file's rows collapsed into the newest
    assert collapsed(db) == [
        ("K1", "week1.csv", 2, "week1-corrected.csv", 2, ["download_mbps"], "newest_file"),
        ("K2", "week1.csv", 3, "week1-corrected.csv", 3, [], "newest_file"),
    ]
    [(file_name,)] = query(
        db,
        "select regexp_replace(m.file_name, '^[0-9]{8}__', '') from ispeed.fact_measurement f"
        " join ispeed.meta_file m using (file_id)"
        " where f.measurement_id = 'K1'",
    )
    assert file_name == "week1-corrected.csv"


def test_one_id_twice_in_a_months_first_load_keeps_the_first_and_records_the_other(db):
    land("a.csv", [row("K1", "50"), row("K1", "51")])
    summary = measurements.load_month(OCT)
    assert (summary.rows_loaded, summary.rows_duplicate, summary.rows_conflicting) == (1, 1, 1)
    assert facts(db) == {"K1": 50.0}
    assert collapsed(db) == [("K1", "a.csv", 3, "a.csv", 2, ["download_mbps"], "first_kept")]
    assert "1 row(s) repeat a measurement id with other values" in summary.report()


def test_no_duplicates_record_nothing(db):
    land("a.csv", [row("K1", "50"), row("K2", "51")])
    summary = measurements.load_month(OCT)
    assert (summary.rows_loaded, summary.rows_duplicate, summary.rows_conflicting) == (2, 0, 0)
    assert collapsed(db) == []


def pdf_text(path: str) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(path).pages).split())


def test_conflicts_show_in_the_run_summary_and_in_the_reports_data_quality(db):
    from ispeed.operations.summary import run_summary

    land("week1.csv", [row("K1", "50"), row("K2", "60"), row("K3", "70")])
    tasks.load_measurements(OCT, run_id="run-1")
    land("week1-corrected.csv", [row("K1", "55"), row("K2", "61"), row("K3", "70")])
    tasks.load_measurements(OCT, run_id="run-2")

    summary, text = run_summary(OCT, "run-2")
    assert summary["collapsed"] == {
        "rows": 3,
        "ids": 3,
        "conflicting_rows": 2,
        "conflicting_ids": 2,
        "unsettled_ids": 2,
    }
    assert (
        "conflicts: 2 duplicate row(s) repeat 2 measurement id(s) with other values; 2 id(s) kept the values loaded"
        " first (reload the month to take the newest file's)" in text
    )
    assert "conflicts:" not in run_summary(OCT, "run-1")[1]

    tasks.compute_compliance(OCT)
    text = pdf_text(tasks.render_report(OCT)["pdf_path"])
    assert (
        "Trong số dòng trùng lặp, 2 dòng lặp lại mã phép đo của 2 phép đo nhưng với giá trị khác (xung đột): 2 mã giữ"
        " giá trị đã nạp trước; muốn lấy giá trị của tệp mới nhất thì nạp lại dữ liệu của tháng (reload)." in text
    )

    # after a reload, the newest file's values: said so, in the summary and the report
    tasks.load_measurements(OCT, run_id="run-3", reload=True)
    summary, text = run_summary(OCT, "run-3")
    assert summary["collapsed"]["unsettled_ids"] == 0
    assert "the newest file's values were kept (reload)" in text
    text = pdf_text(tasks.render_report(OCT)["pdf_path"])
    assert "(xung đột): đã lấy giá trị của tệp mới nhất" in text
