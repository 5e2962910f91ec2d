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
import logging
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: Great Expectations keeps its context in the process (get_context returns the same project), so
#: two suites run at once in one process (two months loaded side by side in threads, or a month's
#: measurements and returns) see each other's suites and checkpoints and fail; they take turns.
_LOCK = threading.Lock()

#: What Great Expectations says on every use that a data engineer reading a task log does not need:
#: its metric registry ("Multiple declarations of metric ..."), its docs site ("Created temporary
#: directory ..."), its SQL datasource ("Setting ispeed to lowercase ...", batch_slice), at INFO.
#: Its warnings and errors still show.
QUIET_BELOW = logging.WARNING
_NOISE = (
    # we use the generic SQL datasource on purpose: one engine for PostgreSQL, embedded or not
    ("ignore", "You are using a generic SQLDatasource"),
    ("ignore", "`schema_name` is deprecated"),
)


@contextlib.contextmanager
def ephemeral_context() -> Iterator[Any]:
    """A fresh ephemeral Great Expectations context, for this block only, with no progress bars
    (they would fill the task log with a line per metric batch)."""
    logging.getLogger("great_expectations").setLevel(QUIET_BELOW)  # before the import: it logs then too
    # the warnings' filters are the process's: changed and restored under the lock, by one thread
    with _LOCK, warnings.catch_warnings():
        for action, message in _NOISE:
            warnings.filterwarnings(action, message=message)
        import great_expectations
        from great_expectations.data_context.types.base import ProgressBarsConfig

        _quiet_own_levels()  # after the import: some of its modules set INFO on their own loggers
        context = great_expectations.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        yield context


def _quiet_own_levels() -> None:
    for name, logger in list(logging.root.manager.loggerDict.items()):
        own = isinstance(logger, logging.Logger) and name.startswith("great_expectations")
        if own and logger.level and logger.level < QUIET_BELOW:
            logger.setLevel(QUIET_BELOW)


def save_result(document: dict, folder: Path, name: str) -> Path:
    """A validation result as ``<folder>/<name>.json`` (UTF-8, Vietnamese as it is)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return path
