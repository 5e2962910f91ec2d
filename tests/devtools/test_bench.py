"""The benchmark command works (quick mode). It is a benchmark, not a test: no time is asserted."""

import json

import psycopg2.extensions


def test_benchmark_quick_mode_prints_and_writes_its_figures(pg_admin_params, tmp_path, monkeypatch):
    from ispeed.devtools import bench

    # bench.run sets these for itself; monkeypatch puts them back afterwards.
    for name in ("ISPEED_DATA_DIR", "ISPEED_WAREHOUSE_URI", "ISPEED_SKIP_AIRFLOW_CONNECTION"):
        monkeypatch.setenv(name, "")
    monkeypatch.setenv("ISPEED_BENCH_PG_URI", psycopg2.extensions.make_dsn(**pg_admin_params))
    figures = bench.run(100_000, out=tmp_path / "results", workdir=tmp_path / "work")
    table = bench.format_table(figures)
    assert table.splitlines()[0].startswith("N | COPY floor s")
    # the tests' server does not load pg_stat_statements (the embedded warehouse's does:
    # tests/warehouse/test_embedded_database.py): the bench says so instead of failing
    if figures["statements"] is None:
        assert bench.format_statements(figures) == "(statements: the server does not load pg_stat_statements)"
    else:
        assert any(s["statement"].startswith("copy ") for s in figures["statements"])
    written = json.loads((tmp_path / "results").joinpath(figures["json"].rsplit("/", 1)[1]).read_text())
    for key in (
        "floor_copy_s",
        "parse_stage_s",
        "check_s",
        "validate_s",
        "load_s",
        "vacuum_s",
        "compute_s",
        "render_s",
        "ratio_to_floor",
        "cpu_busy_s",
        "cpu_pipeline_s",
        "cpu_ingest_s",
        "rows_per_s",
        "peak_rss_mib",
    ):
        assert written[key] > 0, key
    assert written["cpu_ingest_s"] <= written["cpu_pipeline_s"]
    assert written["loaded"] + written["quarantined"] <= 100_000 < written["loaded"] + written["quarantined"] + 2000
