"""The command line as a data engineer runs it (a real process, the test warehouse): an expected
rejection is a message and a non-zero exit, never a traceback, and the returns load all the same;
``status --json`` prints the month's accounting."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

from ispeed import paths
from ispeed.config import pipeline_config
from ispeed.devtools.generate_returns import generate_month_returns
from ispeed.measurements import load as measurements

from conftest import query

OCT = date(2024, 10, 1)
HEADER = "measurement_id,measured_at,operator,network_type,download_mbps,upload_mbps,latency_ms,province,district"


def ispeed(*argv: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(paths.PROJECT_ROOT / "plugins"))
    return subprocess.run(
        [sys.executable, "-m", "ispeed", *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=paths.PROJECT_ROOT,
        timeout=300,
    )


def land(name: str, header: str, lines: list[str]) -> None:
    folder = measurements.landing_folder(OCT)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(header + "\n" + "\n".join(lines) + "\n", encoding="utf-8")


def test_a_rejected_export_is_a_message_and_exit_1_and_the_returns_still_load(db):
    land(
        "good.csv",
        HEADER,
        [
            "G1,2024-10-05 10:00:00,Viettel,4G,50,10,30,Hải Phòng,303",
            "G2,2024-10-05 11:00:00,Viettel,4G,-1,10,30,Hải Phòng,303",
            "G1,2024-10-05 12:00:00,Viettel,4G,52,10,30,Hải Phòng,303",
        ],
    )
    land("broken.csv", HEADER.replace(",upload_mbps", ""), ["B1,2024-10-05 10:00:00,Viettel,4G,50,30,Hải Phòng,303"])
    generate_month_returns(OCT, pipeline_config().landing, seed=7)

    done = ispeed("load", "--month", "2024-10")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "error: 1 file(s) of 2024-10 rejected" in done.stderr
    assert "broken.csv" in done.stderr and "upload_mbps" in done.stderr
    # the good export and the returns were loaded in the same run
    assert query(db, "select measurement_id from ispeed.fact_measurement") == [("G1",)]
    [(agency_rows,)] = query(db, "select count(*) from ispeed.fact_agency_return")
    [(operator_rows,)] = query(db, "select count(*) from ispeed.fact_operator_return")
    assert agency_rows > 0 and operator_rows > 0

    status = ispeed("status", "--month", "2024-10", "--json")
    assert status.returncode == 0, status.stderr
    s = json.loads(status.stdout)
    files = {(f["dataset"], f["name"]): f for f in s["files"]}
    good = files["measurements", "good.csv"]
    assert (good["status"], good["rows_read"], good["rows_loaded"], good["rows_quarantined"]) == ("loaded", 3, 1, 1)
    assert (good["rows_duplicate"], good["rows_conflicting"]) == (1, 1)
    assert files["measurements", "broken.csv"]["status"] == "rejected"
    assert "upload_mbps" in files["measurements", "broken.csv"]["error"]
    assert any(ds == "agency_returns" for ds, _ in files)
    assert s["quarantine_by_dataset"]["measurements"] == {"download_mbps_in_range": 1}
    assert s["quarantine"] == {"download_mbps_in_range": 1}
    assert s["collapsed"] == {"rows": 1, "ids": 1, "conflicting_rows": 1, "conflicting_ids": 1, "unsettled_ids": 1}
    # each sender's state, as the warehouse has it
    states = {(r["dataset"], r["code"]): r["state"] for r in s["returns"]}
    [(agency_states,)] = query(db, "select count(*) from ispeed.v_agency_return_status where month = %s", (OCT,))
    assert len([k for k in states if k[0] == "agency_returns"]) == agency_states > 0
    assert {"submitted", "missing"} <= set(states.values())


def test_load_without_rejections_exits_0(db):
    land("good.csv", HEADER, ["G1,2024-10-05 10:00:00,Viettel,4G,50,10,30,Hải Phòng,303"])
    done = ispeed("load", "--month", "2024-10")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert query(db, "select measurement_id from ispeed.fact_measurement") == [("G1",)]
