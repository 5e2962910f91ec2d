"""Great Expectations, as both datasets' suites use it: one ephemeral context at a time in a
process, quiet in the task log, and its results kept as JSON.

    with ephemeral_context() as context:
        source = context.data_sources.add_sql(...)       # or add_pandas(...)
        ...
    save_result(document, folder, "load_12")          # <folder>/load_12.json

Great Expectations is imported inside, never at import time (it takes two seconds).
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: Great Expectations keeps its context in the process (get_context returns the same project), so
#: two suites run at once in one process (two months loaded side by side in threads, or a month's
#: measurements and returns) see each other's suites and checkpoints and fail; they take turns.
_LOCK = threading.Lock()


@contextlib.contextmanager
def ephemeral_context() -> Iterator[Any]:
    """A fresh ephemeral Great Expectations context, for this block only, with no progress bars
    (they would fill the task log with a line per metric batch)."""
    import great_expectations
    from great_expectations.data_context.types.base import ProgressBarsConfig

    with _LOCK:
        context = great_expectations.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        yield context


def save_result(document: dict, folder: Path, name: str) -> Path:
    """A validation result as ``<folder>/<name>.json`` (UTF-8, Vietnamese as it is)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return path
