"""python -m ispeed history: the months before a reported month, small, written and loaded as the
monthly DAG's tasks would (real PostgreSQL, real files), so that the month's report has a trend;
the same warehouse after a second run; nothing rendered or mailed; other exports left alone."""

from __future__ import annotations

from datetime import date

from ispeed import returns
from ispeed.devtools import history
from ispeed.devtools.generate import generate_month
from ispeed.measurements import load as measurements
from ispeed.months import month_label

from conftest import query

BEFORE = date(2026, 11, 1)  # reported month; the three before it have Hải Phòng's 114 communes
MONTHS = [date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)]
#: small, for speed, but Gmobile (7 % of the rows are its 4G tests) still has over 300 of them
ROWS = 8_000
OPERATORS = ["GMOBILE", "MOBIFONE", "VIETNAMOBILE", "VIETTEL", "VINAPHONE"]

COUNTS = {
    "facts": "select month, count(*) from ispeed.fact_measurement group by 1 order by 1",
    "quarantine": "select month, dataset, count(*) from ispeed.fact_quarantine group by 1, 2 order by 1, 2",
    "collapsed": "select month, count(*) from ispeed.fact_measurement_collapsed group by 1 order by 1",
    "operator": "select month, operator_code, tests, figure, verdict from ispeed.mart_compliance_operator order by 1, 2",
    "area": "select month, count(*), sum(tests) from ispeed.mart_compliance_operator_area group by 1 order by 1",
    "trend": "select month, count(*) from ispeed.mart_compliance_trend group by 1 order by 1",
    "agency_returns": "select month, count(*) from ispeed.fact_agency_return group by 1 order by 1",
    "operator_returns": "select month, count(*) from ispeed.fact_operator_return group by 1 order by 1",
}


def counts(db) -> dict:
    return {name: query(db, sql) for name, sql in COUNTS.items()}


def test_three_months_before_a_month_load_as_the_dag_would_and_again_to_the_same_counts(db, data_dir, tmp_path):
    lines: list[str] = []
    done = history.write_history(BEFORE, months=3, rows=ROWS, echo=lines.append)

    assert [d["month"] for d in done] == [month_label(m) for m in MONTHS]
    assert len(lines) == 5 and lines[0].startswith("history: into ")
    assert lines[-1].startswith("history: 3 of 3 months before 2026-11 written")
    # every operator has a province-wide verdict in each month
    verdicts = query(
        db,
        "select operator_code, array_agg(verdict order by month) from ispeed.mart_compliance_operator"
        " where in_compliance_scope and tests > 0 group by 1 order by 1",
    )
    assert [code for code, _ in verdicts] == OPERATORS
    assert all(len(v) == 3 and "insufficient_data" not in v for _, v in verdicts)
    # MobiFone is below 40 Mbps in the last months (the reported month's sample is just above)
    assert dict(verdicts)["MOBIFONE"] == ["does_not_meet"] * 3
    assert dict(verdicts)["VIETTEL"] == ["meets"] * 3

    # what was loaded is what was generated less what was quarantined (and the repeated ids, each
    # kept once): the generator, deterministic, says how many rows of each bad kind it wrote
    for plan in history.plan(BEFORE, months=3, rows=ROWS):
        regenerated = generate_month(
            plan.month,
            ROWS,
            tmp_path,
            name=history.export_name(plan.month),
            operator_speed=plan.operator_speed,
            unit_shares=plan.unit_shares,
        )
        quarantine_kinds = sum(n for kind, n in regenerated.bad_rows.items() if kind != "duplicate_id")
        m = {"m": plan.month}
        (facts,) = query(db, "select count(*) from ispeed.fact_measurement where month = %(m)s", m)[0]
        (quarantined,) = query(
            db, "select count(*) from ispeed.fact_quarantine where dataset = 'measurements' and month = %(m)s", m
        )[0]
        (collapsed,) = query(db, "select count(*) from ispeed.fact_measurement_collapsed where month = %(m)s", m)[0]
        assert quarantined == quarantine_kinds > 0
        assert facts == ROWS - quarantined - collapsed and 0 < collapsed <= regenerated.bad_rows["duplicate_id"]
    # the two agencies missing from the reported month's sample are missing in all three months
    absent = history.plan(BEFORE, months=1)[0].absent
    assert len(absent) == 2
    for month in MONTHS:
        state = {s["code"]: s["state"] for s in returns.return_status(month, dataset="agency_returns")}
        assert [state[code] for code in absent] == ["missing", "missing"]

    before = counts(db)
    again = history.write_history(BEFORE, months=3, rows=ROWS, echo=lines.append)
    assert counts(db) == before
    assert all(d["same"] and d["loaded"] == 0 for d in again)
    assert "the same export as before" in lines[6]
    # no report rendered, nothing mailed
    assert query(db, "select count(*) from ispeed.meta_report") == [(0,)]
    assert query(db, "select count(*) from ispeed.meta_delivery") == [(0,)]


def test_a_month_that_holds_other_exports_is_left_alone(db, data_dir):
    october = MONTHS[-1]
    generated = generate_month(october, 500, measurements.landing_folder(october), seed=3)
    measurements.load_month(october)
    facts = query(db, "select count(*) from ispeed.fact_measurement")

    lines: list[str] = []
    (done,) = history.write_history(BEFORE, months=1, rows=ROWS, echo=lines.append)

    assert done["skip"] and f"({generated.path.name})" in lines[1] and "left as it is" in lines[1]
    assert query(db, "select count(*) from ispeed.fact_measurement") == facts
    assert not any(measurements.landing_folder(october).iterdir())  # nothing written for it either
    assert query(db, "select count(*) from ispeed.meta_load where dataset <> 'measurements'") == [(0,)]
