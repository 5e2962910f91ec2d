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
