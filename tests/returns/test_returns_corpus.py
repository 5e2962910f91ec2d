"""The returns corpus (tests/corpus/returns/cases.yaml): every case lands in October 2024's agency
landing folder, one load_agency_returns runs, and each file's outcome is checked from the
warehouse: its status, counts, quarantined rows and rules, message, the facts it put in, the rows
it skipped, and the state of its senders. The test reports every case that fails, not only the
first."""

from __future__ import annotations

import os
import sys
from datetime import date, datetime
from pathlib import Path

import yaml

from ispeed import returns
from ispeed.months import LOCAL_TZ
from ispeed.returns.contract import AGENCY_RETURN
from ispeed.returns.load import landing_folder

from conftest import query

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "returns"
sys.path.insert(0, str(CORPUS))
import make_returns_corpus  # noqa: E402

SPEC = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))
MONTH = date.fromisoformat(SPEC["month"] + "-01")


def _check(db, case: dict) -> list[str]:
    name = case["file"]
    wrong: list[str] = []
    ((file_id, status, read, loaded, quarantined, error, header),) = query(
        db,
        "select file_id, status, rows_read, rows_loaded, rows_quarantined, error, header_map from ispeed.meta_file"
        " where dataset = 'agency_returns' and file_name = %s",
        (name,),
    )
    if status != case["status"]:
        wrong.append(f"status {status}, not {case['status']} ({error})")
    if [read, loaded, quarantined] != case["rows"]:
        wrong.append(f"rows {[read, loaded, quarantined]}, not {case['rows']}")
    if read != loaded + quarantined:
        wrong.append(f"read {read} != loaded {loaded} + quarantined {quarantined}")
    lines = [
        f"{line} {rule}"
        for line, rule in query(
            db, "select line_no, rule from ispeed.fact_quarantine where file_id = %s order by line_no", (file_id,)
        )
    ]
    if lines != case.get("quarantine", []):
        wrong.append(f"quarantine {lines}, not {case.get('quarantine', [])}")
    for text in case.get("message", []) + ([name] if case["status"] == "rejected" else []):
        if text not in (error or ""):
            wrong.append(f"error lacks {text!r}: {error}")
    for text in case.get("once", []):
        if (error or "").count(text) != 1:
            wrong.append(f"{text!r} is in the error {(error or '').count(text)} times, not once: {error}")
    for code, values in case.get("facts", {}).items():
        columns = ", ".join(values)
        got = query(
            db,
            f"select {columns} from ispeed.fact_agency_return where agency_code = %s and file_id = %s",
            (code, file_id),
        )
        if got != [tuple(values.values())]:
            wrong.append(f"facts of {code}: {got}, not {list(values.values())}")
    for why, rows in case.get("skipped", {}).items():
        if (header or {}).get("skipped_rows", {}).get(why) != rows:
            wrong.append(f"skipped {why}: {(header or {}).get('skipped_rows')}, not {rows}")
    states = dict(query(db, "select agency_code, state from ispeed.v_agency_return_status where month = %s", (MONTH,)))
    for code, state in case.get("states", {}).items():
        if states.get(code) != state:
            wrong.append(f"{code} is {states.get(code)}, not {state}")
    return wrong


def test_every_return_of_the_corpus_gets_its_outcome(db, data_dir):
    folder = landing_folder(AGENCY_RETURN, MONTH)
    sent = datetime(2024, 11, 3, 9, tzinfo=LOCAL_TZ).timestamp()
    for path in make_returns_corpus.write(folder, SPEC["cases"]):
        os.utime(path, (sent, sent))
    summary = returns.load_agency_returns(MONTH)  # returns, whatever the files hold

    assert sorted(f["name"] for f in summary["files"]) == sorted(c["file"] for c in SPEC["cases"])
    failures = {c["file"]: w for c in SPEC["cases"] if (w := _check(db, c))}
    assert not failures, "\n".join(f"{name}: {'; '.join(w)}" for name, w in failures.items())
    assert summary["rows_read"] == summary["rows_loaded"] + summary["rows_quarantined"] + summary["rows_replaced"]
