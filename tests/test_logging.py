"""What the task logs carry: no page of Great Expectations' import chatter in every load's log."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _import_log(code: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    done = subprocess.run(
        [sys.executable, "-c", "import logging; logging.basicConfig(level=logging.INFO); " + code],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    return done.stderr


def test_great_expectations_import_logs_no_registering_lines_after_ispeed():
    # Great Expectations itself still says it (else this test could not fail) ...
    assert "Skipping registering function" in _import_log("import great_expectations")
    # ... but not in a process where the pipeline's package is loaded first, as in every task.
    assert "Skipping registering function" not in _import_log("import ispeed; import great_expectations")


def test_a_load_logs_no_great_expectations_chatter_no_warning_and_its_summary_once(
    warehouse_db, data_dir, caplog, recwarn
):
    """What a load's task log would hold (the task logs the root logger at INFO and warnings)."""
    import logging
    from datetime import date

    from ispeed import tasks
    from ispeed.devtools.generate import generate_month
    from ispeed.measurements import load as measurements

    month = date(2024, 12, 1)
    generate_month(month, 2000, measurements.landing_folder(month), seed=5)
    with caplog.at_level(logging.INFO):
        tasks.load_measurements(month)
    gx = [r.getMessage() for r in caplog.records if r.name.startswith("great_expectations")]
    assert gx == [], gx  # "Multiple declarations of metric ...", "Created temporary directory ...", ...
    chatter = [str(w.message) for w in recwarn if "great_expectations" in w.filename or "Datasource" in str(w.message)]
    assert chatter == [], chatter
    summaries = [r for r in caplog.records if "rows read =" in r.getMessage()]
    assert summaries == []  # the load's summary is printed once, by tasks.load_measurements (stdout)
