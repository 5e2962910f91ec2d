"""The multi-file scenarios of tests/corpus/scenarios/scenarios.yaml (a corrected re-export, an
export in two months' folders, overlapping exports), step by step, each checked from the warehouse:
the facts, the collapsed ids, the quarantine and the files of the step's load."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from ispeed import tasks
from ispeed.measurements import load as measurements
from ispeed.months import parse_month

from conftest import query

SCENARIOS = Path(__file__).resolve().parents[1] / "corpus" / "scenarios"
CASES = yaml.safe_load((SCENARIOS / "scenarios.yaml").read_text(encoding="utf-8"))
PREFIX = "regexp_replace({}, '^[0-9]{{8}}__', '')"  # a reload reads the archived copies, 00000001__<name>


def month(label: str) -> date:
    return parse_month(str(label))


@pytest.mark.parametrize("name", sorted(CASES))
def test_scenario(db, name):
    for number, step in enumerate(CASES[name]["steps"], 1):
        for label, files in (step.get("land") or {}).items():
            folder = measurements.landing_folder(month(label))
            folder.mkdir(parents=True, exist_ok=True)
            for file in files:
                shutil.copy(SCENARIOS / name / file, folder / file)
        result = tasks.load_measurements(month(step["load"]), reload=bool(step.get("reload")))
        where = f"{name}, step {number}"
        assert result["rows_read"] == result["rows_loaded"] + result["rows_quarantined"] + result["rows_duplicate"]
        if "files" in step:
            got = [
                [step["load"], f["name"], f["status"], f["rows_read"], f["rows_loaded"]]
                + [f["rows_quarantined"], f["rows_duplicate"]]
                for f in result["files"]
            ]
            assert got == [[str(v) if i < 3 else v for i, v in enumerate(f)] for f in step["files"]], where
        if "facts" in step:
            facts = query(
                db, "select measurement_id, to_char(month, 'YYYY-MM'), download_mbps from ispeed.fact_measurement"
            )
            assert {m: [lbl, d] for m, lbl, d in facts} == {
                k: [str(v[0]), float(v[1])] for k, v in step["facts"].items()
            }, where
        if "collapsed" in step:
            rows = query(
                db,
                f"select c.measurement_id, {PREFIX.format('f.file_name')}, c.line_no,"
                f" {PREFIX.format('k.file_name')}, c.kept_line, c.differs, c.settled_by"
                " from ispeed.fact_measurement_collapsed c join ispeed.meta_file f on f.file_id = c.file_id"
                " join ispeed.meta_file k on k.file_id = c.kept_file_id order by 1, c.file_id",
            )
            assert [list(r) for r in rows] == step["collapsed"], where
        if "quarantined" in step:
            rows = query(
                db,
                "select to_char(month, 'YYYY-MM'), raw_row->>'measurement_id', rule from ispeed.fact_quarantine"
                " order by 1, 2",
            )
            assert [list(r) for r in rows] == [[str(a), b, c] for a, b, c in step["quarantined"]], where
