"""The check in parts (staging.check_parts: the staging partition's pages split into ranges, each
checked on a connection of its own) and the facts built from the rows kept for repeated ids
(collect_kept_duplicates.sql): the same rows, lines, values, quarantine and collapsed ids as the
check in one part."""

from datetime import date

from ispeed.devtools.generate import generate_month
from ispeed.measurements import load as measurements
from ispeed.measurements import staging

from conftest import query

OCT = date(2024, 10, 1)

FACTS = (
    "select measurement_id, measured_at, operator_code, network_type_code, area_code, download_mbps, upload_mbps,"
    " latency_ms, jitter_ms, latitude, longitude, device_id, platform, source_line"
    " from ispeed.fact_measurement where month = %s order by measurement_id, source_line"
)
QUARANTINE = (
    "select line_no, column_name, rule, failed_rules, message, raw_row::text from ispeed.fact_quarantine"
    " where month = %s order by line_no"
)
COLLAPSED = (
    "select measurement_id, line_no, kept_line, differs from ispeed.fact_measurement_collapsed"
    " where month = %s order by line_no"
)


def _month(db) -> tuple[list, list, list]:
    return query(db, FACTS, (OCT,)), query(db, QUARANTINE, (OCT,)), query(db, COLLAPSED, (OCT,))


def test_the_check_in_parts_gives_the_rows_of_the_check_in_one(db, monkeypatch):
    generate_month(OCT, 30_000, measurements.landing_folder(OCT), seed=5)
    parts_seen: list[int] = []
    real_parts = staging.check_parts

    def spy(cur, tables):
        ranges = real_parts(cur, tables)
        parts_seen.append(len(ranges))
        return ranges

    monkeypatch.setattr(staging, "check_parts", spy)
    # three parts over a small file: a few pages each
    monkeypatch.setattr(staging, "CHECK_PART_MIN_PAGES", 1)
    monkeypatch.setattr(staging.os, "cpu_count", lambda: 3)
    in_parts = measurements.load_month(OCT)
    assert parts_seen == [3]
    assert in_parts.rows_read == 30_000 and in_parts.rows_duplicate > 0 and in_parts.rows_quarantined > 0
    assert in_parts.rows_conflicting > 0
    facts, quarantine, collapsed = _month(db)
    assert (len(facts), len(quarantine)) == (in_parts.rows_loaded, in_parts.rows_quarantined)
    assert len(collapsed) == in_parts.rows_duplicate

    # The same file again, in one part (a reload takes it from the archive).
    monkeypatch.setattr(staging, "CHECK_PART_MIN_PAGES", 10**9)
    in_one = measurements.load_month(OCT, reload=True)
    assert parts_seen == [3, 1]
    assert (in_one.rows_read, in_one.rows_loaded, in_one.rows_quarantined, in_one.rows_duplicate) == (
        in_parts.rows_read,
        in_parts.rows_loaded,
        in_parts.rows_quarantined,
        in_parts.rows_duplicate,
    )
    assert _month(db) == (facts, quarantine, collapsed)
    # every line of the file is a fact, quarantined or collapsed, once
    lines = [f[-1] for f in facts] + [q[0] for q in quarantine] + [c[1] for c in collapsed]
    assert sorted(lines) == list(range(2, 30_002))


def test_a_loads_staging_tables_are_left_alone_by_autovacuum(db, monkeypatch):
    """Autovacuum would scan a load's staging tables while the check reads them (1.5 GB at 10M
    rows), and the load would wait for it to be cancelled before it drops them."""
    generate_month(OCT, 2_000, measurements.landing_folder(OCT), seed=5)
    seen: dict[str, list[str] | None] = {}
    real_drop = staging.drop_staging

    def look_then_drop(conn, tables):
        names = [t.strings[-1] for t in (tables.partition, tables.checked, tables.names, tables.kept)]
        seen.update(
            query(db, "select relname::text, reloptions::text[] from pg_class where relname = any(%s)", (names,))
        )
        real_drop(conn, tables)

    monkeypatch.setattr(staging, "drop_staging", look_then_drop)
    summary = measurements.load_month(OCT)
    assert summary.rows_loaded > 0
    assert len(seen) == 4, seen
    assert all("autovacuum_enabled=false" in (options or []) for options in seen.values()), seen
    # the month's facts are the warehouse's own: autovacuum keeps them
    assert query(db, "select reloptions from pg_class where relname = 'fact_measurement_2024_10'") == [(None,)]
