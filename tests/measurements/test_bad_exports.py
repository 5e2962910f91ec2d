"""The bad-export corpus (tests/corpus/exports/cases.yaml): every case lands in a month's landing
folder, ispeed.measurements.load.load_month runs, and the outcome is checked from the warehouse - the
file's status and message, its counts, its quarantined lines and rules, values of its facts - with
the accounting identity rows_read = rows_loaded + rows_quarantined + rows_duplicate per file, per
load and per month. No case may raise: load_month returns, a bad file is a FileOutcome.

Cases whose outcome is per file share one load (a load costs a second or two of Great
Expectations), and the test reports every case that fails, not only the first.
"""

from __future__ import annotations

import math
import shutil
import sys
import tracemalloc
from calendar import monthrange
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from ispeed import paths
from ispeed.measurements import load as measurements

from conftest import query

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
EXPORTS = CORPUS / "exports"
sys.path.insert(0, str(CORPUS))
import make_corpus  # noqa: E402

SPEC = yaml.safe_load((EXPORTS / "cases.yaml").read_text(encoding="utf-8"))
CASES: list[dict] = SPEC["cases"]
MONTH = date.fromisoformat(SPEC["month"] + "-01")
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def cases_of(load: str) -> list[dict]:
    return [c for c in CASES if c.get("load", "main") == load]


def land(cases: list[dict], month: date = MONTH) -> Path:
    folder = measurements.landing_folder(month)
    folder.mkdir(parents=True, exist_ok=True)
    for case in cases:
        if "generate" in case:
            make_corpus.GENERATED[case["generate"]](folder / case["file"])
        else:
            shutil.copyfile(EXPORTS / case["file"], folder / case["file"])
    return folder


def load(cases: list[dict], month: date = MONTH) -> measurements.MeasurementsSummary:
    land(cases, month)
    summary = measurements.load_month(month)  # must return, whatever the files hold
    assert isinstance(summary, measurements.MeasurementsSummary)
    assert sorted(f.name for f in summary.files) == sorted(c["file"] for c in cases if c["expect"] != "ignored")
    return summary


def check_case(db, case: dict, summary: measurements.MeasurementsSummary) -> None:
    """Everything the warehouse says about one case's file, against the case."""
    name = case["file"]
    if case["expect"] == "ignored":
        assert not query(db, "select 1 from ispeed.meta_file where file_name = %s", (name,)), "registered"
        assert (measurements.landing_folder(MONTH) / name).is_file(), "not left in the landing folder"
        return
    [outcome] = [f for f in summary.files if f.name == name]
    [(file_id, status, error, read, loaded, quarantined, duplicate, archive_path, header_map)] = query(
        db,
        "select file_id, status, error, rows_read, rows_loaded, rows_quarantined, rows_duplicate, archive_path,"
        " header_map from ispeed.meta_file where load_id = %s and file_name = %s",
        (summary.load_id, name),
    )
    assert read == loaded + quarantined + duplicate, f"accounting: {read} != {loaded} + {quarantined} + {duplicate}"
    assert (
        outcome.status,
        outcome.rows_read,
        outcome.rows_loaded,
        outcome.rows_quarantined,
        outcome.rows_duplicate,
    ) == (status, read, loaded, quarantined, duplicate), "FileOutcome differs from meta_file"
    [(facts,)] = query(db, "select count(*) from ispeed.fact_measurement where file_id = %s", (file_id,))
    [(held,)] = query(db, "select count(*) from ispeed.fact_quarantine where file_id = %s", (file_id,))
    assert (facts, held) == (loaded, quarantined), "facts and quarantine rows differ from the counts"
    expect = case["expect"]

    if expect in ("rejected", "duplicate_file"):
        assert status == expect, f"status {status!r} ({error})"
        assert error and outcome.error == error
        # a rejection's message names the file itself; a duplicate's names the file it repeats
        for part in [name] * (expect == "rejected") + case.get("message", []):
            assert part in error, f"{part!r} not in the message: {error}"
        assert read == 0 and facts == 0 and held == 0
        folder = "rejected" if expect == "rejected" else "archive"
        assert archive_path and f"/{folder}/ispeed/" in archive_path and Path(archive_path).is_file()
        return

    assert status == "loaded", f"status {status!r}: {error}"
    got = {"loaded": loaded, "quarantined": quarantined, "duplicate": duplicate}
    assert got == expect, f"counts {got}, expected {expect}"
    rows = query(
        db,
        "select line_no, rule, column_name, message, raw_row from ispeed.fact_quarantine"
        " where file_id = %s order by line_no",
        (file_id,),
    )
    assert sorted(f"{r[0]} {r[1]}" for r in rows) == sorted(case.get("quarantine", [])), "quarantined lines and rules"
    for line_no, _rule, column_name, message, raw_row in rows:
        assert column_name and message and isinstance(raw_row, dict), f"line {line_no}: no column, message or row"
    for line_no, _rule, _column, message, _raw in rows:
        for part in case.get("quarantine_message", []):
            assert part in message, f"line {line_no}: {part!r} not in the message: {message}"
    if "ignored" in case:
        assert header_map["ignored"] == case["ignored"]
    if "decimal_mark" in case:
        assert header_map.get("decimal_mark") == case["decimal_mark"], f"decimal mark noted: {header_map}"
    for part in case.get("notes", []):
        assert any(part in n for n in header_map.get("notes", [])), f"{part!r} not in the notes: {header_map}"
    for mid, values in (case.get("facts") or {}).items():
        columns = list(values)
        found = query(
            db, f"select file_id, {', '.join(columns)} from ispeed.fact_measurement where measurement_id = %s", (mid,)
        )
        assert len(found) == 1, f"{mid}: not in fact_measurement"
        assert found[0][0] == file_id, f"{mid}: loaded from another file"
        for column, want, have in zip(columns, values.values(), found[0][1:]):
            ok = math.isclose(have, want) if isinstance(want, (int, float)) and have is not None else have == want
            assert ok, f"{mid}.{column} is {have!r}, expected {want!r}"
    if "same_instant" in case:
        instant = datetime.fromisoformat(case["same_instant"])
        assert query(db, "select distinct measured_at from ispeed.fact_measurement where file_id = %s", (file_id,)) == [
            (instant,)
        ]


def check_cases(db, cases: list[dict], summary: measurements.MeasurementsSummary) -> None:
    failures = []
    for case in cases:
        try:
            check_case(db, case, summary)
        except AssertionError as exc:
            failures.append(f"{case['file']}: {exc}")
    assert not failures, f"{len(failures)} case(s) of {len(cases)} failed:\n" + "\n".join(failures)


def check_load_accounts(db, summary: measurements.MeasurementsSummary) -> None:
    [(read, loaded, quarantined, duplicate, files_seen, status)] = query(
        db,
        "select rows_read, rows_loaded, rows_quarantined, rows_duplicate, files_seen, status from ispeed.meta_load"
        " where load_id = %s",
        (summary.load_id,),
    )
    assert status == "succeeded"
    assert read == loaded + quarantined + duplicate
    assert (read, loaded, quarantined, duplicate) == (
        summary.rows_read,
        summary.rows_loaded,
        summary.rows_quarantined,
        summary.rows_duplicate,
    )
    [totals] = query(
        db,
        "select count(*), coalesce(sum(rows_read), 0), coalesce(sum(rows_loaded), 0),"
        " coalesce(sum(rows_quarantined), 0), coalesce(sum(rows_duplicate), 0)"
        " from ispeed.meta_file where load_id = %s",
        (summary.load_id,),
    )
    assert totals == (files_seen, read, loaded, quarantined, duplicate)


def check_month_accounts(db, month: date) -> None:
    """The month: what its files say = what its loads say = what the facts and quarantine hold."""
    [files] = query(
        db,
        "select coalesce(sum(rows_read), 0), coalesce(sum(rows_loaded), 0), coalesce(sum(rows_quarantined), 0),"
        " coalesce(sum(rows_duplicate), 0) from ispeed.meta_file where dataset = 'measurements' and month = %s",
        (month,),
    )
    [loads] = query(
        db,
        "select coalesce(sum(rows_read), 0), coalesce(sum(rows_loaded), 0), coalesce(sum(rows_quarantined), 0),"
        " coalesce(sum(rows_duplicate), 0) from ispeed.meta_load where dataset = 'measurements' and month = %s",
        (month,),
    )
    assert files == loads
    read, loaded, quarantined, duplicate = files
    assert read == loaded + quarantined + duplicate
    [(facts,)] = query(db, "select count(*) from ispeed.fact_measurement where month = %s", (month,))
    [(held,)] = query(
        db, "select count(*) from ispeed.fact_quarantine where dataset = 'measurements' and month = %s", (month,)
    )
    assert (facts, held) == (loaded, quarantined)


# --- the corpus itself --------------------------------------------------------------------------


def test_the_corpus_is_what_make_corpus_writes_and_every_file_has_a_case():
    built = make_corpus.build()
    committed = {p.name for p in EXPORTS.iterdir() if p.name != "cases.yaml"}
    assert committed == set(built), "run: .venv/bin/python tests/corpus/make_corpus.py"
    for name, data in built.items():
        assert (EXPORTS / name).read_bytes() == data, f"{name} differs from make_corpus.py"
    named = [c["file"] for c in CASES]
    assert len(named) == len(set(named)), "a file has two cases"
    generated = {c["file"] for c in CASES if "generate" in c}
    assert set(named) - generated == committed, "every committed file has a case and every case a file"
    assert {c["generate"] for c in CASES if "generate" in c} <= set(make_corpus.GENERATED)
    assert len(CASES) >= 30
    for case in CASES:
        assert case.get("load", "main") in ("main", "second", "limits", "own"), case["file"]
        assert case["expect"] in ("rejected", "duplicate_file", "ignored") or set(case["expect"]) == {
            "loaded",
            "quarantined",
            "duplicate",
        }
        assert case.get("what"), case["file"]
        assert ("xfail" in case) == (case.get("load") == "own"), f"{case['file']}: a load of its own is for xfail cases"


# --- the loads ----------------------------------------------------------------------------------


def test_main_corpus_then_a_later_delivery(db):
    """Every 'main' case in one load, then the 'second' cases in a later load of the same month."""
    first = load(cases_of("main"))
    check_cases(db, cases_of("main"), first)
    check_load_accounts(db, first)
    ignored = {c["file"] for c in CASES if c["expect"] == "ignored"}
    left = {p.name for p in measurements.landing_folder(MONTH).iterdir()}
    assert left == ignored, "landing holds more than the files left alone after the load"

    second = load(cases_of("second"))
    check_cases(db, cases_of("second"), second)
    check_load_accounts(db, second)
    check_month_accounts(db, MONTH)


def test_limits_refuse_files_before_they_fill_memory_or_disk(db, tmp_path, monkeypatch):
    """The limits read from include/config/pipeline.yaml (a copy, with make_corpus.LIMITS_CONFIG)."""
    config = tmp_path / "config"
    shutil.copytree(paths.CONFIG_DIR, config)
    settings = yaml.safe_load((config / "pipeline.yaml").read_text(encoding="utf-8"))
    settings.update(make_corpus.LIMITS_CONFIG)
    (config / "pipeline.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(paths, "CONFIG_DIR", config)

    summary = load(cases_of("limits"))
    check_cases(db, cases_of("limits"), summary)
    check_load_accounts(db, summary)
    check_month_accounts(db, MONTH)


@pytest.mark.parametrize("case", [c for c in CASES if c.get("load") == "own"], ids=lambda c: c["file"])
def test_cases_that_need_a_change_elsewhere(db, case, request):
    request.applymarker(pytest.mark.xfail(strict=True, reason=case["xfail"]))
    summary = load([case])
    check_cases(db, [case], summary)
    check_load_accounts(db, summary)


def test_a_time_in_the_future_of_the_current_month_is_quarantined(db):
    now = datetime.now(VN)
    month = now.date().replace(day=1)
    last = datetime(month.year, month.month, monthrange(month.year, month.month)[1], 23, 59, 59, tzinfo=VN)
    folder = measurements.landing_folder(month)
    folder.mkdir(parents=True)
    (folder / "future.csv").write_bytes(
        make_corpus.utf8(make_corpus.csv_text([make_corpus.row("FC1", ts=last.isoformat())]))
    )
    summary = measurements.load_month(month)
    check_load_accounts(db, summary)
    assert query(db, "select line_no, rule from ispeed.fact_quarantine") == [(2, "measured_at_not_in_future")]


def test_a_malformed_row_is_quarantined_with_its_parse_error(db):
    [case] = [c for c in CASES if c["file"] == "delimiter_mismatch.csv"]
    load([case])
    messages = [m for (m,) in query(db, "select message from ispeed.fact_quarantine order by line_no")]
    assert len(messages) == 3
    assert all("expected 10 fields, found 1" in m and "separated by ';'" in m for m in messages), messages


def test_a_wrong_limit_setting_is_a_configuration_error_naming_it(tmp_path, monkeypatch):
    from ispeed.config import ConfigError
    from ispeed.measurements.readers import Limits, read_limits

    assert read_limits() == Limits()  # the shipped settings are the defaults
    for limits, named in [
        ({"max_rows_per_file": 0}, "limits.max_rows_per_file"),
        ({"max_columns": "many"}, "limits.max_columns"),
        ({"max_line_byte": 10}, "limits.max_line_byte"),
        ({"max_line_bytes": True}, "limits.max_line_bytes"),
    ]:
        config = tmp_path / "config"
        shutil.copytree(paths.CONFIG_DIR, config, dirs_exist_ok=True)
        settings = yaml.safe_load((config / "pipeline.yaml").read_text(encoding="utf-8"))
        settings["limits"] = limits
        (config / "pipeline.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
        monkeypatch.setattr(paths, "CONFIG_DIR", config)
        with pytest.raises(ConfigError, match=named):
            read_limits()
        monkeypatch.undo()


# --- memory ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("generate", ["single_line_30mb", "long_row_30mb", "unclosed_quote_runaway"])
def test_a_huge_line_is_refused_without_being_read_whole(tmp_path, generate):
    from ispeed.measurements.readers import FileRejected, open_export

    path = tmp_path / f"{generate}.csv"
    make_corpus.GENERATED[generate](path)
    tracemalloc.start()
    try:
        with pytest.raises(FileRejected):
            _, _, rows = open_export(path, measurements.CANONICAL)
            for _ in rows:
                pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * (1 << 20), f"{peak} bytes held to refuse a {path.stat().st_size}-byte file"
