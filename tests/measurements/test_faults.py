"""Faults: the warehouse connection dropping mid-load, two runs of one month at once, late files.
Real PostgreSQL, real backends terminated with pg_terminate_backend."""

import threading
from datetime import date

import psycopg2
import pytest

from ispeed import tasks
from ispeed.devtools.generate import generate_month
from ispeed.measurements import facts
from ispeed.measurements import load as measurements

from conftest import query

OCT = date(2024, 10, 1)


def test_connection_killed_during_the_load_rolls_back_and_the_retry_completes(db, monkeypatch, caplog):
    generate_month(OCT, 3000, measurements.landing_folder(OCT), seed=4)
    real_compose = facts.compose_sql
    killed = []

    def kill_before_insert(name, **parts):
        if name in ("measurements/insert_measurement_facts.sql", "measurements/build_month_facts.sql") and not killed:
            # The quarantine rows of this load are already written in the open transaction: the
            # backend dies before the facts go in.
            [(pid,)] = query(
                db,
                "select pid from pg_stat_activity where application_name = 'ispeed-pipeline'"
                " and state like 'idle in transaction%'",
            )
            query(db, "select pg_terminate_backend(%s)", (pid,))
            killed.append(pid)
        return real_compose(name, **parts)

    monkeypatch.setattr(facts, "compose_sql", kill_before_insert)
    with pytest.raises(psycopg2.OperationalError):
        measurements.load_month(OCT)
    assert killed
    # Nothing of the month is visible: no facts, no quarantine, no file marked loaded.
    assert query(db, "select count(*) from ispeed.fact_measurement") == [(0,)]
    assert query(db, "select count(*) from ispeed.fact_quarantine") == [(0,)]
    assert query(db, "select count(*) from ispeed.meta_file where status = 'loaded'") == [(0,)]
    # The file is still in landing; the retry (Airflow's) loads it completely.
    assert list(measurements.landing_folder(OCT).iterdir())
    with caplog.at_level("WARNING", logger="ispeed.warehouse.ledger"):
        summary = measurements.load_month(OCT)
    # the retry's log says that the previous try was lost and what was done about its load
    [lost] = [r.getMessage() for r in caplog.records if "was lost before it finished" in r.getMessage()]
    assert "marked abandoned" in lost and "replaces the month whole" in lost
    assert summary.rows_read == 3000 == summary.rows_loaded + summary.rows_quarantined + summary.rows_duplicate
    assert query(db, "select count(*) from ispeed.fact_measurement") == [(summary.rows_loaded,)]
    # The dead load is recorded as abandoned, and its staging tables are gone.
    statuses = dict(
        query(db, "select status, count(*) from ispeed.meta_load where dataset = 'measurements' group by 1")
    )
    assert statuses == {"abandoned": 1, "succeeded": 1}
    # and `status` shows the file once, loaded: no ghost of the lost try's file
    from ispeed.operations.status import format_status, month_status

    text = format_status(month_status(OCT))
    assert text.count("file ispeed_export_2024-10.csv:") == 1 and "staged" not in text
    assert query(db, "select count(*) from pg_class where relname like 'stg_measurement_%l%'") == [(0,)]


def test_two_runs_of_the_same_month_at_once_never_mix(db):
    generate_month(OCT, 3000, measurements.landing_folder(OCT), seed=6)
    results, errors = [], []

    def run():
        try:
            results.append(measurements.load_month(OCT))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    # One run loaded the file; the other waited for the month's lock, then found nothing new.
    assert sorted(r.rows_read for r in results) == [0, 3000]
    loaded = max(r.rows_loaded for r in results)
    assert query(db, "select count(*), count(distinct measurement_id) from ispeed.fact_measurement") == [
        (loaded, loaded)
    ]


def test_loads_and_reloads_of_different_months_at_once_neither_deadlock_nor_mix(db):
    """A backfill runs months side by side. Each first load and each reload builds its month's
    partition and swaps it in (dropping the old one waits for every reader of the facts): two
    months at once must both finish, each with its own rows, and a compute reading the facts
    meanwhile must not stop them."""
    from ispeed.compliance import runner as compliance

    sep = date(2024, 9, 1)
    for month, seed in ((sep, 11), (OCT, 12)):
        generate_month(month, 2000, measurements.landing_folder(month), seed=seed)

    def both(reload: bool) -> list:
        results, errors = {}, []

        def run(month):
            try:
                results[month] = measurements.load_month(month, reload=reload)
            except Exception as exc:
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(m,)) for m in (sep, OCT)]
        for th in threads:
            th.start()
        computed = compliance.compute_month(sep) if reload else None  # while both months load
        for th in threads:
            th.join(timeout=120)
        assert not errors
        if computed is not None:
            # It saw September before its reload or after it (the same files): never an empty month.
            assert (
                computed["tests"]
                == query(
                    db,
                    "select count(*) from ispeed.fact_measurement where month = %s and network_type_code = '4G'",
                    (sep,),
                )[0][0]
                > 0
            )
        return [results[sep], results[OCT]]

    first = both(reload=False)
    again = both(reload=True)
    for a, b, month in zip(first, again, (sep, OCT)):
        assert a.rows_read == b.rows_read == 2000
        assert a.rows_loaded == b.rows_loaded > 0
        assert query(db, "select count(*) from ispeed.fact_measurement where month = %s", (month,)) == [
            (b.rows_loaded,)
        ]
    assert query(db, "select count(*) from ispeed.fact_measurement") == [(again[0].rows_loaded + again[1].rows_loaded,)]


def test_a_rerun_after_late_files_adds_them_and_records_which_run_made_which_report(db, data_dir):
    folder = measurements.landing_folder(OCT)
    generate_month(OCT, 2000, folder, seed=8)
    tasks.load_measurements(OCT, run_id="run-1")
    tasks.compute_compliance(OCT, run_id="run-1")
    first = tasks.render_report(OCT, run_id="run-1")
    generate_month(OCT, 1500, folder, seed=9, name="late.csv")  # ids overlap: some are duplicates
    late = tasks.load_measurements(OCT, run_id="run-2")
    assert late["rows_read"] == 1500 and late["rows_loaded"] > 0
    tasks.compute_compliance(OCT, run_id="run-2")
    second = tasks.render_report(OCT, run_id="run-2")
    assert first["pdf_sha256"] != second["pdf_sha256"]
    reports = query(db, "select run_id, pdf_sha256 from ispeed.meta_report where month = %s order by run_id", (OCT,))
    assert reports == [("run-1", first["pdf_sha256"]), ("run-2", second["pdf_sha256"])]
    [(tests,)] = query(db, "select sum(tests) from ispeed.mart_compliance_operator where month = %s", (OCT,))
    assert tests == query(db, "select count(*) from ispeed.fact_measurement where month = %s", (OCT,))[0][0]
