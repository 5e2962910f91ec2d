"""Monthly operator compliance: is the average 4G download speed at least 40 Mbps?

The numbers are computed in the warehouse by the SQL files of include/sql/compliance/ and stored
per month in the ``ispeed.mart_compliance_*`` tables (include/sql/migrations/V003__compliance.sql),
so that the report, backfills and audits read the same numbers. docs/method.md is the method.

This module is the runner. It turns the settings (compliance/settings.py, include/config/
compliance.yaml) into query parameters, and runs the files in order, in one transaction per month:

    compliance_month_scope.sql        -> the month's populations (temporary tables)
    compliance_month_tests.sql        -> the month's tests (a temporary view, on each part's connection)
    compliance_stats_*.sql            -> the parts of the statistics, computed at the same time on
                                         connections of their own, in the month's snapshot
    compliance_month_statistics.sql   -> their rows together (temporary): one per group, both levels
    compliance_month_figures.sql      -> figures and verdicts of both levels (temporary)
    compliance_by_operator.sql        -> ispeed.mart_compliance_operator
    compliance_by_operator_area.sql   -> ispeed.mart_compliance_operator_area
    compliance_trend_by_operator.sql  -> ispeed.mart_compliance_trend (from the stored operator rows)

Each file deletes the month's rows of its table and inserts them again, so a recomputed month is
replaced as a whole or not at all. An advisory lock on the month keeps two runs of the same month
apart; the transaction is REPEATABLE READ so that the three files see the same facts.

Public functions:
- ``compute_month(month, *, run_id=None)`` - compute and store a month; returns a small summary
  (XCom-able) with the verdict per operator;
- ``format_summary(summary)`` - that summary in a few lines, for the task log;
- ``compliance_config()`` - the settings in force (compliance/settings.py, re-exported here).
The stored results are read through compliance/marts.py (the one reader of the marts).
"""

from __future__ import annotations

import logging
import time
from datetime import date, datetime
from typing import Any

from ispeed import figures, geography, paths
from ispeed.compliance import marts
from ispeed.compliance.settings import ComplianceConfig, compliance_config
from ispeed.config import ConfigError
from ispeed.measurements.facts import month_partition
from ispeed.months import month_label
from ispeed.warehouse import connection as warehouse
from ispeed.warehouse import locks

log = logging.getLogger(__name__)

#: The parts of the month's statistics (include/sql/compliance/), each a query of month_tests that
#: returns one row per (operator_code, network_type, area_code). They are independent, so each runs
#: on a connection of its own at the same time (serial plans each, so their sums stay in one order).
#: Three parts of about the same size: on two cores they share both to the end, where two parts of
#: which one was longer left a core idle (docs/performance.md).
STATISTICS_PARTS = (
    "compliance/compliance_stats_device_days.sql",
    "compliance/compliance_stats_devices.sql",
    "compliance/compliance_stats_tests.sql",
)
#: What compute_month builds from month_figures, in order: (SQL file, table it fills).
BUILDS: tuple[tuple[str, str], ...] = (
    ("compliance/compliance_by_operator.sql", "mart_compliance_operator"),
    ("compliance/compliance_by_operator_area.sql", "mart_compliance_operator_area"),
    ("compliance/compliance_trend_by_operator.sql", "mart_compliance_trend"),
)
#: Exact t quantiles are passed for 1..T_TABLE_DF degrees of freedom; above, the Cornish-Fisher
#: expansion in z (error below 1e-15 there).
T_TABLE_DF = 1000
#: Memory for each sort and hash of the statistics, for their transactions only (PostgreSQL's
#: default is 4MB; a hash table may use hash_mem_multiplier, 2 by default, times as much): about
#: WORK_MEM_BYTES_PER_TEST per test of the month, so that the device-days' hash table and the
#: percentiles' sorts stay in memory at 10 million tests, between WORK_MEM_MIN_MB and WORK_MEM_MAX_MB.
WORK_MEM_MIN_MB = 256
WORK_MEM_MAX_MB = 2048
WORK_MEM_BYTES_PER_TEST = 200


def work_mem_for(tests: int) -> str:
    """work_mem for a month of ``tests`` tests (-1: unknown, the minimum)."""
    mb = -(-max(tests, 0) * WORK_MEM_BYTES_PER_TEST // 2**20)
    return f"{min(max(mb, WORK_MEM_MIN_MB), WORK_MEM_MAX_MB)}MB"


def _t_parameters(confidence: float) -> dict[str, Any]:
    """The two-sided t quantile t(1 - (1 - confidence)/2, df): exact for df <= T_TABLE_DF (scipy),
    and for larger df the coefficients of the Cornish-Fisher expansion
    t = z + g1/df + g2/df^2 + g3/df^3 + g4/df^4 (Abramowitz & Stegun 26.7.5)."""
    # scipy.special (the inverse CDFs themselves) imports in half the time of scipy.stats.
    from scipy.special import ndtri, stdtrit

    q = 1 - (1 - confidence) / 2
    z = float(ndtri(q))
    table = [float(t) for t in stdtrit(range(1, T_TABLE_DF + 1), q)]
    return {
        "t_quantiles": table,
        "t_z": z,
        "t_g1": (z**3 + z) / 4,
        "t_g2": (5 * z**5 + 16 * z**3 + 3 * z) / 96,
        "t_g3": (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384,
        "t_g4": (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160,
    }


def sql_parameters(
    cfg: ComplianceConfig, month: date, *, run_id: str | None = None, province_code: str | None = None
) -> dict[str, Any]:
    """The parameters every file of include/sql/compliance/ may use (values only, never identifiers)."""
    return {
        "month": month,
        "threshold": cfg.threshold_mbps,
        "compliance_types": list(cfg.network_types),
        "compliance_label": cfg.compliance_label,
        "statistic": cfg.statistic,
        "confidence": cfg.confidence,
        "min_tests": cfg.min_tests,
        "min_devices": cfg.min_devices,
        "area_min_tests": cfg.area_min_tests,
        "area_min_devices": cfg.area_min_devices,
        "min_effective_devices": cfg.min_effective_devices,
        "area_min_effective_devices": cfg.area_min_effective_devices,
        "vnnic_min_samples": cfg.vnnic_min_samples,
        "trend_months": cfg.trend_months,
        "method_version": cfg.method_version,
        "run_id": run_id,
        "province_code": province_code if province_code is not None else geography.province_code(),
        **_t_parameters(cfg.confidence),
    }


def _check_network_types(cur, cfg: ComplianceConfig) -> None:
    cur.execute(paths.read_sql("compliance/compliance_network_types.sql"))
    known = {r[0] for r in cur.fetchall()}
    unknown = [t for t in cfg.network_types if t not in known]
    if unknown:
        raise ConfigError(
            f"include/config/compliance.yaml: network_types {unknown} are not network type codes "
            f"(known: {', '.join(sorted(known))})"
        )


def compute_month(month: date, *, run_id: str | None = None, where: warehouse.Target | None = None) -> dict:
    """Compute the month's compliance in the warehouse and replace its rows in the mart tables,
    atomically. Returns a summary small enough for XCom (see ``summarize``)."""
    cfg = compliance_config()
    params = sql_parameters(cfg, month, run_id=run_id)
    where = where or warehouse.target()  # once: the parts of the statistics open connections of their own
    clock = time.perf_counter()
    counts: dict[str, int] = {}
    # The month's lock, held until the end: a second run of the same month waits here, then
    # recomputes. The facts' lock is shared with other readers, exclusive to a load swapping the
    # month's partition in (measurements/load.py): a snapshot taken before such a swap would find the
    # new partition empty. Taken before the snapshot below, so it sees the month before or after a swap.
    with (
        warehouse.connection(where) as conn,
        locks.held(conn, locks.month_key("compliance", month)),
        locks.held(conn, locks.facts_key(month), shared=True),
    ):
        with conn.cursor() as cur:
            _begin_statistics_transaction(cur, work_mem=work_mem_for(0))
            _check_network_types(cur, cfg)
            cur.execute(
                paths.read_sql("compliance/compliance_month_size.sql"),
                {"partition": ".".join(month_partition(month).strings)},
            )
            work_mem = work_mem_for(cur.fetchone()[0])
            cur.execute(paths.read_sql("compliance/compliance_export_snapshot.sql"))
            snapshot = cur.fetchone()[0]
            rows = _statistics(where, snapshot, params, work_mem)
            cur.execute(paths.read_sql("compliance/compliance_month_scope.sql"), params)
            cur.execute(paths.read_sql("compliance/compliance_month_statistics.sql"), params)
            _store_statistics(cur, rows)
            cur.execute(paths.read_sql("compliance/compliance_month_figures.sql"), params)
            for sql_file, table in BUILDS:
                cur.execute(paths.read_sql(sql_file), params)
                counts[table] = cur.rowcount  # of the insert, the file's last statement
            cur.execute(paths.read_sql("compliance/compliance_computed_at.sql"))
            computed_at: datetime = cur.fetchone()[0]
        operators = marts.read_compliance_by_operator(conn, month)
        conn.commit()
    summary = summarize(month, cfg, operators, computed_at, counts, round(time.perf_counter() - clock, 3))
    log.info("%s", format_summary(summary))
    if summary["tests"] == 0:
        log.warning(
            "compliance %s: no %s test in the month: every verdict is insufficient_data",
            summary["month"],
            summary["network_type"],
        )
    return summary


def _begin_statistics_transaction(cur, snapshot: str | None = None, *, work_mem: str) -> None:
    """The settings of the month's transaction, and of each part's (in the month's snapshot)."""
    # One snapshot of the facts for every file; now() is the same on every row of the run.
    cur.execute(paths.read_sql("compliance/compliance_month_transaction.sql"))
    if snapshot:
        cur.execute(paths.read_sql("compliance/compliance_month_snapshot.sql"), {"snapshot": snapshot})
    # work_mem for the sorts, and serial plans (their sums added in one order): see the file.
    cur.execute(paths.read_sql("compliance/compliance_month_settings.sql"), {"work_mem": work_mem})


def _statistics_part(
    where: warehouse.Target | None, snapshot: str, params: dict, work_mem: str, sql_file: str
) -> list[dict]:
    """One part of the month's statistics, on a connection of its own in the month's snapshot."""
    with warehouse.connection(where) as conn:
        with conn.cursor() as cur:
            _begin_statistics_transaction(cur, snapshot, work_mem=work_mem)
            cur.execute(paths.read_sql("compliance/compliance_month_scope.sql"), params)
            cur.execute(paths.read_sql("compliance/compliance_month_tests.sql"), params)
            cur.execute(paths.read_sql(sql_file), params)
            rows = warehouse.fetch_dicts(cur)
        conn.rollback()  # it only read; its temporary tables go
    return rows


def _statistics(where: warehouse.Target | None, snapshot: str, params: dict, work_mem: str) -> list[dict]:
    """The parts of STATISTICS_PARTS, computed at the same time, merged into one row per group.
    PostgreSQL runs each in a backend of its own, side by side on the cores; each part alone is
    serial, so its sums are added in the partition's order and a recomputed month gives identical
    numbers."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(STATISTICS_PARTS), thread_name_prefix="ispeed-compliance") as pool:
        parts = list(pool.map(lambda part: _statistics_part(where, snapshot, params, work_mem, part), STATISTICS_PARTS))
    merged: dict[tuple, dict] = {}
    for part in parts:
        for row in part:
            merged.setdefault((row["operator_code"], row["network_type"], row["area_code"]), {}).update(row)
    for key, row in merged.items():
        # The parts group the same tests of one snapshot: every group gets every figure, or a bug.
        missing = [c for c in STATISTICS_COLUMNS if c not in row]
        if missing:
            raise RuntimeError(
                f"compliance: no {', '.join(missing)} for the group {key} from the parts "
                f"{', '.join(STATISTICS_PARTS)} (include/sql/): they must group the same tests"
            )
    return list(merged.values())


STATISTICS_COLUMNS = (
    "operator_code",
    "network_type",
    "area_code",
    "tests",
    "tests_without_device",
    "mean_x",
    "sd_x",
    "pct",
    "mean_upload_x",
    "at_or_above",
    "median_upload_x",
    "median_latency_x",
    "devices",
    "clusters",
    "effective_devices_x",
    "cluster_ss",
    "device_days",
    "ddm_x",
    "vnnic_median_x",
)


def _store_statistics(cur, rows: list[dict]) -> None:
    """The merged rows into the temporary table month_statistics (a few hundred rows); the figures'
    file (compliance_month_figures.sql) analyzes it before reading it."""
    import psycopg2.extras
    from psycopg2 import sql

    if rows:
        insert = sql.SQL(paths.read_sql("compliance/compliance_store_statistics.sql")).format(
            columns=sql.SQL(", ").join(map(sql.Identifier, STATISTICS_COLUMNS))
        )
        psycopg2.extras.execute_values(
            cur, insert, [tuple(row[c] for c in STATISTICS_COLUMNS) for row in rows], page_size=1000
        )


def summarize(
    month: date,
    cfg: ComplianceConfig,
    operator_rows: list[dict],
    computed_at: datetime,
    rows: dict[str, int],
    seconds: float,
) -> dict:
    """The XCom summary: the settings, and per operator its compliance row in brief."""
    return {
        "month": month_label(month),
        "computed_at": computed_at.isoformat(),
        "method_version": cfg.method_version,
        "threshold_mbps": cfg.threshold_mbps,
        "network_type": cfg.compliance_label,
        "statistic": cfg.statistic,
        "confidence": cfg.confidence,
        "min_tests": cfg.min_tests,
        "min_devices": cfg.min_devices,
        "area_min_tests": cfg.area_min_tests,
        "area_min_devices": cfg.area_min_devices,
        "min_effective_devices": cfg.min_effective_devices,
        "area_min_effective_devices": cfg.area_min_effective_devices,
        "vnnic_min_samples": cfg.vnnic_min_samples,
        "tests": sum(r["tests"] for r in operator_rows if r["in_compliance_scope"]),
        "rows": rows,
        "seconds": seconds,
        "operators": [
            {
                k: r[k]
                for k in (
                    "operator_code",
                    "verdict",
                    "figure",
                    "mean",
                    "median",
                    "ci_low",
                    "ci_high",
                    "ci_straddles_threshold",
                    "tests",
                    "devices",
                    "effective_devices",
                    "insufficient_reason",
                    "vnnic_median",
                    "vnnic_verdict",
                    "vnnic_verdict_differs",
                )
            }
            for r in operator_rows
            if r["in_compliance_scope"]
        ],
    }


def format_summary(summary: dict) -> str:
    """A few lines for the task log. A figure prints on its side of the threshold (39.9951 beside
    40: 39.99, never 40.00: ispeed.figures)."""
    threshold = summary["threshold_mbps"]

    def mbps(value) -> str:
        return figures.speed(value, threshold)

    lines = [
        f"compliance {summary['month']}: {summary['network_type']} {summary['statistic']} download "
        f">= {summary['threshold_mbps']:g} Mbps (method {summary['method_version']}), rows {summary['rows']}"
    ]
    for op in summary["operators"]:
        figure = "-" if op["figure"] is None else mbps(op["figure"])
        ci = "" if op["ci_low"] is None else f" CI [{mbps(op['ci_low'])}, {mbps(op['ci_high'])}]"
        flag = " (CI straddles the threshold)" if op["ci_straddles_threshold"] else ""
        if op.get("insufficient_reason"):
            flag += f" (too few: {op['insufficient_reason']})"
        if op.get("vnnic_verdict_differs"):
            flag += f" (VNNIC: {op['vnnic_verdict']}, median {mbps(op['vnnic_median'])})"
        lines.append(
            f"  {op['operator_code']:<13} {op['verdict']:<17} {figure:>8}{ci}  "
            f"{op['tests']} tests, {op['devices']} devices{flag}"
        )
    return "\n".join(lines)
