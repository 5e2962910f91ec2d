"""The load ledger (ispeed.warehouse.ledger): the same folders, file registry and load records for
every dataset, on a real PostgreSQL."""

import os
from datetime import date
from pathlib import Path

from ispeed.measurements import load as measurements
from ispeed.returns import load as returns
from ispeed.returns.contract import AGENCY_RETURN, OPERATOR_RETURN
from ispeed.warehouse import connection as warehouse
from ispeed.warehouse import ledger

from conftest import query

OCT = date(2024, 10, 1)


def test_each_dataset_has_its_landing_archive_and_rejected_folders(data_dir):
    assert ledger.landing_folder("measurements", OCT) == data_dir / "landing" / "ispeed" / "2024-10"
    assert ledger.archive_folder("agency_returns", OCT) == data_dir / "archive" / "agency_returns" / "2024-10"
    assert ledger.rejected_folder("operator_returns", OCT) == data_dir / "rejected" / "operator_returns" / "2024-10"
    # the loads' own names for their landing folders
    assert measurements.landing_folder(OCT) == ledger.landing_folder("measurements", OCT)
    assert returns.landing_folder(AGENCY_RETURN, OCT) == ledger.landing_folder("agency_returns", OCT)
    assert returns.landing_folder(OPERATOR_RETURN, OCT) == ledger.landing_folder("operator_returns", OCT)


def test_landed_files_are_the_regular_files_by_name_or_oldest_first(data_dir, tmp_path):
    folder = ledger.landing_folder("measurements", OCT)
    folder.mkdir(parents=True)
    for name, mtime in (("b.csv", 100), ("a.csv", 200), (".hidden.csv", 50), ("~$a.csv", 50)):
        (folder / name).write_text("x", encoding="utf-8")
        os.utime(folder / name, (mtime, mtime))
    (folder / "sub").mkdir()
    outside = tmp_path / "outside.csv"
    outside.write_text("x", encoding="utf-8")
    (folder / "link.csv").symlink_to(outside)
    assert [p.name for p in ledger.landed_files(folder)] == ["a.csv", "b.csv"]
    assert [p.name for p in ledger.landed_files(folder, oldest_first=True)] == ["b.csv", "a.csv"]
    assert ledger.landed_files(folder / "missing") == []


def _register(cur, dataset: str, load_id: int, path: Path, status: str, sha: str) -> int:
    return ledger.register_file(cur, dataset, OCT, load_id, path, size=1, sha256=sha, status=status)


def test_a_file_is_a_duplicate_of_an_earlier_one_by_content_as_its_dataset_says(db):
    with warehouse.connection() as conn, conn.cursor() as cur:
        for dataset in ("measurements", "agency_returns"):
            load_id = ledger.start_load(cur, dataset, OCT, None)
            _register(cur, dataset, load_id, Path("/x/replaced.csv"), "replaced", "aa")
            _register(cur, dataset, load_id, Path("/x/rejected.csv"), "rejected", "bb")
            loaded = _register(cur, dataset, load_id, Path("/x/loaded.csv"), "loaded", "cc")
            assert ledger.file_with_same_content(cur, dataset, "cc") == (loaded, "loaded.csv", OCT)
            assert ledger.file_with_same_content(cur, dataset, "bb") is None  # a rejected file may be resent
        # a measurement file that a reload replaced may load again; a replaced return was accepted once
        assert ledger.file_with_same_content(cur, "measurements", "aa") is None
        assert ledger.file_with_same_content(cur, "agency_returns", "aa")[1] == "replaced.csv"
        assert ledger.file_with_same_content(cur, "operator_returns", "cc") is None  # per dataset


def test_a_load_files_its_files_away_and_records_where_they_went(db, data_dir):
    landing = ledger.landing_folder("agency_returns", OCT)
    landing.mkdir(parents=True)
    kept = data_dir / "archive" / "agency_returns" / "2024-10" / "00000001__earlier.xlsx"
    kept.parent.mkdir(parents=True)
    kept.write_text("kept", encoding="utf-8")
    conn = warehouse.connect()
    try:
        cur = conn.cursor()
        load_id = ledger.start_load(cur, "agency_returns", OCT, "manual__1")
        ids = {}
        for name, status in (("good.xlsx", "loaded"), ("bad.xlsx", "rejected"), ("again.xlsx", "duplicate_file")):
            (landing / name).write_text(name, encoding="utf-8")
            ids[name] = _register(cur, "agency_returns", load_id, landing / name, status, name)
        ids["kept"] = _register(cur, "agency_returns", load_id, kept, "loaded", "kept")
        good = ledger.FileOutcome(ids["good.xlsx"], "good.xlsx", "replaced", rows_read=3, rows_loaded=1)
        good.rows_replaced = 2
        ledger.record_outcome(cur, good)
        summary = returns.ReturnsSummary("2024-10", load_id, dataset="agency_returns", files=[good])
        ledger.finish_load(cur, summary, None)
        conn.commit()
        ledger.file_away(conn, None, "agency_returns", OCT, load_id, kept={str(kept)})
    finally:
        conn.close()

    assert not any(landing.iterdir())
    where = dict(query(db, "select file_name, archive_path from ispeed.meta_file where load_id = %s", (load_id,)))
    assert where["good.xlsx"] == str(
        data_dir / "archive" / "agency_returns" / "2024-10" / f"{ids['good.xlsx']:08d}__good.xlsx"
    )
    assert where["again.xlsx"].startswith(str(data_dir / "archive" / "agency_returns" / "2024-10"))
    assert where["bad.xlsx"] == str(
        data_dir / "rejected" / "agency_returns" / "2024-10" / f"{ids['bad.xlsx']:08d}__bad.xlsx"
    )
    assert where["00000001__earlier.xlsx"] == str(kept) and kept.read_text(encoding="utf-8") == "kept"
    assert all(Path(p).is_file() for p in where.values())
    # a return's replaced rows are the rows_duplicate of the registry, of the file and of the load
    assert query(db, "select rows_duplicate from ispeed.meta_file where file_id = %s", (ids["good.xlsx"],)) == [(2,)]
    assert query(
        db, "select status, files_seen, rows_duplicate from ispeed.meta_load where load_id = %s", (load_id,)
    ) == [("succeeded", 1, 2)]
