"""A year of history for the demo: the months before the reported one, small, loaded without Airflow.

    python -m ispeed history --before 2026-11 [--months 11] [--rows 30000] [--seed 7]

``make demo`` reports one month; on a fresh machine its trend would show one point, and nothing
could be below 40 Mbps "for three months". This writes the ``months`` months before ``before``
into the warehouse as the monthly DAG's tasks would: tasks.prepare_warehouse, then per month,
oldest first, sample exports into the month's landing folder and measurements.load.load_month,
the agencies' and operators' sample returns and returns.load_agency_returns /
load_operator_returns (side by side, as the DAG's month_loads), compliance.runner.compute_month.
The reported month's run then finds 12 months of figures. No report is rendered, nothing is mailed.

The months are small (``ROWS`` tests: every operator still gets a province-wide verdict) and their
returns are CSV files (``generate_month_returns(workbooks=False)``), so that Hải Phòng's 11 months
take about 35 s on two cores (docs/sample-data.md, "A year of history"). What they show comes
from the generators' parameters, nothing is written by hand:

- each operator's figure moves from month to month: each month has its own random draws, and a
  gentle drift (``operator_speed``): Viettel a little faster every month, VinaPhone up and down,
  Vietnamobile and Gmobile below 40 Mbps throughout;
- MobiFone (``DIP_OPERATOR``, just above 40 Mbps at its usual speed, that of the reported month)
  slips, then is below 40 Mbps in the last ``DIP_MONTHS`` months: the report sees its verdict change;
- in the last ``CAMPAIGN_MONTHS`` months a measuring campaign in the ``CAMPAIGN_UNITS`` busiest units
  where MobiFone's 4G is expected below 40 Mbps (``campaign_units``) gives each about
  ``CAMPAIGN_TESTS`` tests: enough for MobiFone's verdict of the unit, below 40 Mbps every month;
- the ``ABSENT_AGENCIES`` first of the agencies whose return the reported month's sample leaves out
  (generate_returns.missing_agencies, same seed) send none in the last ``ABSENT_MONTHS`` months either.

Each month's export is ``history_YYYY-MM.csv``. Run again with the same arguments, the history
writes the same files: recorded as duplicates, the months are unchanged. With other arguments its
new export replaces its earlier one (removed from the archive, the month reloaded from the new file
alone). A month that holds any other i-Speed export is left alone.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ispeed.devtools.generate import Unit, units_in
from ispeed.devtools.generate_returns import expected_mean_4g, missing_agencies
from ispeed.months import month_label, previous_month

#: months written before the reported one: with it, the trend's 12 (compliance.yaml: trend_months)
MONTHS = 11
#: tests per month: Gmobile, the fewest, still gets about 2 000 4G tests (300 make a verdict)
ROWS = 30_000
#: the operator below 40 Mbps in the last DIP_MONTHS months, just above it at its usual speed
DIP_OPERATOR = "MOBIFONE"
DIP_MONTHS = 3
#: the measuring campaign: units, months, and tests per unit (2 700 give MobiFone about 370 4G tests)
CAMPAIGN_UNITS = 3
CAMPAIGN_MONTHS = 3
CAMPAIGN_TESTS = 2_700
#: at most this share of a month's tests in the campaign's units (a month of few rows)
CAMPAIGN_MAX_SHARE = 0.3
#: agencies without a return in the last ABSENT_MONTHS months, and in the reported month
ABSENT_AGENCIES = 2
ABSENT_MONTHS = 3


def operator_speed(k: int) -> dict[str, float]:
    """Each operator's speed ``k`` months before the reported month, as a factor of its usual speed
    (generate.OPERATORS, which the reported month's sample uses)."""
    return {
        "VIETTEL": 1 - 0.008 * k,  # upgrading: 9 % slower 11 months before
        "VINAPHONE": 1 + 0.04 * math.sin(math.pi * k / 6),  # up and down with the seasons
        DIP_OPERATOR: 0.92 if k <= DIP_MONTHS else 1.07 - 0.005 * k,  # slipping, then below 40 Mbps
        "VIETNAMOBILE": 1 - 0.012 * k,  # improving, below 40 Mbps throughout
        "GMOBILE": 1 + 0.03 * math.cos(math.pi * k / 4),
    }


def campaign_units(units: list[Unit], threshold: float, count: int = CAMPAIGN_UNITS) -> list[str]:
    """The codes of the ``count`` busiest of a month's ``units`` (generate.units_in) where
    DIP_OPERATOR's 4G is expected below ``threshold`` by the sample's model: those a full-size
    month also gives a verdict of their own."""
    slow = [u for u in units if expected_mean_4g(DIP_OPERATOR, u) < threshold]
    return [u.code for u in sorted(slow, key=lambda u: (-u.share, u.code))[:count]]


def export_name(month: date) -> str:
    """The history's export of the month, by which it knows its own months."""
    return f"history_{month_label(month)}.csv"


@dataclass
class MonthPlan:
    """What the history writes for one month, ``k`` months before the reported month."""

    month: date
    k: int
    operator_speed: dict[str, float]
    unit_shares: dict[str, float] = field(default_factory=dict)
    absent: list[str] = field(default_factory=list)
    #: the history's exports of the month loaded by earlier runs (their archived copies)
    earlier: list[Path] = field(default_factory=list)
    #: why the month is left alone (it holds other i-Speed exports), or None
    skip: str | None = None


def plan(before: date, *, months: int = MONTHS, rows: int = ROWS, seed: int = 7) -> list[MonthPlan]:
    """The months before ``before``, oldest first, each with its generators' parameters."""
    from ispeed.compliance.settings import compliance_config

    threshold = compliance_config().threshold_mbps
    absent = missing_agencies(before, seed=seed)[:ABSENT_AGENCIES]
    plans, month = [], before
    for k in range(1, months + 1):
        month = previous_month(month)
        p = MonthPlan(month, k, operator_speed(k))
        if k <= CAMPAIGN_MONTHS:
            units = units_in(month)
            codes = campaign_units(units, threshold)
            share = min(CAMPAIGN_TESTS / rows, CAMPAIGN_MAX_SHARE / max(1, len(codes)))
            usual = {u.code: u.share / sum(v.share for v in units) for u in units}
            p.unit_shares = {code: max(share, usual[code]) for code in codes}
        if k <= ABSENT_MONTHS:
            p.absent = list(absent)
        plans.append(p)
    return plans[::-1]


def check_earlier(p: MonthPlan) -> None:
    """Sets ``p.earlier`` to the history's exports of the month loaded by earlier runs, or
    ``p.skip`` when the month holds any other i-Speed export (ispeed.meta_file)."""
    from ispeed.measurements.staging import DATASET
    from ispeed.warehouse import connection as warehouse
    from ispeed.warehouse import ledger

    with warehouse.connection() as conn, conn.cursor() as cur:
        loaded = ledger.archived_files(cur, DATASET, p.month)
    # archived as <file_id>__<name as it landed>
    others = sorted({path.name.split("__", 1)[-1] for path in loaded} - {export_name(p.month)})
    if others:
        p.skip = f"left as it is: it holds other i-Speed exports ({', '.join(others[:3])}{', ...' * (len(others) > 3)})"
    p.earlier = [] if others else loaded


def write_export(p: MonthPlan, *, rows: int, seed: int):
    """The month's sample i-Speed export, in its landing folder."""
    from ispeed.devtools.generate import generate_month
    from ispeed.measurements.load import landing_folder

    return generate_month(
        p.month,
        rows,
        landing_folder(p.month),
        seed=seed,
        name=export_name(p.month),
        operator_speed=p.operator_speed,
        unit_shares=p.unit_shares,
    )


def load_returns(p: MonthPlan, *, seed: int) -> dict:
    """The month's sample returns, written and loaded (the DAG's load_agency_returns and
    load_operator_returns); each dataset's states (none before anyone had to send one)."""
    from ispeed import returns
    from ispeed.config import pipeline_config
    from ispeed.devtools.generate_returns import generate_month_returns
    from ispeed.returns.agencies import agencies_in

    if not agencies_in(p.month):  # before the letter of 2024 (include/reference/agencies.csv)
        return {"agencies": {}, "operators": {}}
    generate_month_returns(p.month, pipeline_config().landing, seed=seed, absent=p.absent, workbooks=False)
    return {
        "agencies": returns.load_agency_returns(p.month)["states"],
        "operators": returns.load_operator_returns(p.month)["states"],
    }


def load_and_compute(p: MonthPlan, export: Path) -> dict:
    """The month's ``export`` loaded (the DAG's load_measurements) and its compliance computed. The
    export an earlier run loaded, when it is the same file, makes this one a duplicate (the month is
    unchanged); otherwise the earlier ones leave the archive and the month is reloaded from the new
    export alone: replaced."""
    from ispeed.compliance.runner import compute_month
    from ispeed.measurements.load import load_month
    from ispeed.warehouse.ledger import sha256_of

    same = len(p.earlier) == 1 and p.earlier[0].is_file() and sha256_of(p.earlier[0]) == sha256_of(export)
    reload = bool(p.earlier) and not same
    if reload:
        for earlier in p.earlier:  # the history's own files only (check_earlier)
            earlier.unlink(missing_ok=True)
    loaded = load_month(p.month, reload=reload)
    if loaded.rejected:
        raise RuntimeError(f"history {month_label(p.month)}: a sample export was rejected: {loaded.rejected[0].error}")
    compliance = compute_month(p.month)
    return {
        "reload": reload,
        "same": same,
        "loaded": loaded.rows_loaded,
        "quarantined": loaded.rows_quarantined,
        "compliance": [op for op in compliance["operators"] if op["tests"]],
        "threshold": compliance["threshold_mbps"],
    }


#: a verdict in a word or two, for the month's line
_VERDICTS = {"meets": "ok", "does_not_meet": "BELOW", "insufficient_data": "no verdict"}


def format_month(done: dict) -> str:
    """The month's line: tests loaded, each operator's 4G figure and verdict, the returns sent."""
    from ispeed import figures

    if done.get("skip"):
        return f"{done['month']}  {done['skip']}"
    if done["same"]:
        tests = "the same export as before: not loaded twice"
    else:
        tests = (
            f"{done['loaded']:>6,} tests loaded{' (replaced)' * done['reload']}, {done['quarantined']:,} quarantined"
        )
    ops = "  ".join(
        f"{op['operator_code']} {figures.speed(op['figure'], done['threshold'])} {_VERDICTS.get(op['verdict'], op['verdict'])}"
        for op in done["compliance"]
    )

    def sent(states: dict) -> str:
        return f"{states.get('submitted', 0)}/{sum(states.values())}"

    received = (
        f"agencies {sent(done['agencies'])}, operators {sent(done['operators'])}" if done["agencies"] else "none due"
    )
    return f"{done['month']}  {tests}  |  {ops}  |  returns: {received}  ({done['seconds']:.1f} s)"


def write_history(
    before: date,
    *,
    months: int = MONTHS,
    rows: int = ROWS,
    seed: int = 7,
    echo: Callable[[str], None] = print,
) -> list[dict]:
    """Write and load the ``months`` months before ``before`` (see the module docstring), printing
    a line per month and the total time through ``echo``; returns the months' summaries."""
    from ispeed import tasks
    from ispeed.warehouse import connection as warehouse

    if months < 1 or rows < 1:
        raise ValueError(f"history: months ({months}) and rows ({rows}) must be at least 1")
    clock = time.perf_counter()
    # the first look for the warehouse sets up Airflow's logging (when there is Airflow), which
    # _quiet_logs then quiets: the migrations and the loads' reports stay out of the months' lines
    echo(f"history: into {warehouse.target().describe()}")
    with _quiet_logs():
        tasks.prepare_warehouse()
    plans = plan(before, months=months, rows=rows, seed=seed)
    for p in plans:
        check_earlier(p)
    todo = [p for p in plans if not p.skip]
    done = []
    # The exports are written ahead, and each month's returns loaded beside its measurements (as
    # the DAG's month_loads does); compliance month by month, oldest first, for the trend.
    with (
        _quiet_logs(),
        ThreadPoolExecutor(1, thread_name_prefix="history-exports") as exports,
        ThreadPoolExecutor(1, thread_name_prefix="history-returns") as returns,
    ):
        written = {p.month: exports.submit(write_export, p, rows=rows, seed=seed) for p in todo}
        sent = {p.month: returns.submit(load_returns, p, seed=seed) for p in todo}
        try:
            for p in plans:
                started = time.perf_counter()
                month = {"month": month_label(p.month), "skip": p.skip}
                if not p.skip:
                    month |= load_and_compute(p, written[p.month].result().path) | sent[p.month].result()
                done.append(month | {"seconds": time.perf_counter() - started})
                echo(format_month(done[-1]))
        except BaseException:
            for future in [*written.values(), *sent.values()]:
                future.cancel()  # the months not begun; the error says which month failed
            raise
    echo(
        f"history: {len(todo)} of {len(plans)} months before {month_label(before)} written "
        f"({plans[0].month:%Y-%m} .. {plans[-1].month:%Y-%m}), "
        f"{sum(d.get('loaded', 0) for d in done):,} tests loaded, in {time.perf_counter() - clock:.1f} s"
    )
    return done


class _OnlyProblems(logging.Filter):
    """Warnings and errors only, without the one Great Expectations repeats at every load."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING and "generic SQLDatasource" not in record.getMessage()


@contextlib.contextmanager
def _quiet_logs() -> Iterator[None]:
    """The loads' reports (INFO) kept out of the months' lines while the history runs."""
    handlers, only = list(logging.getLogger().handlers), _OnlyProblems()
    for handler in handlers:
        handler.addFilter(only)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(only)
