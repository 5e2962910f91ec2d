"""The month's state of every sender of returns: submitted, rejected or missing.

The warehouse holds it (ispeed.agency_return_status(month), ispeed.operator_return_status(month)
and the views v_agency_return_status, v_operator_return_status); this module reads it for the
report and the reminders.
"""

from __future__ import annotations

from datetime import date

from ispeed import paths
from ispeed.warehouse import connection as warehouse

DATASETS = ("agency_returns", "operator_returns")


#: The state of each dataset's senders, the same columns for both.
_STATUS_SQL = {
    "agency_returns": "returns/agency_return_status.sql",
    "operator_returns": "returns/operator_return_status.sql",
}


def _rows(cur, dataset: str, month: date) -> list[dict]:
    cur.execute(paths.read_sql(_STATUS_SQL[dataset]), {"month": month})
    rows = []
    for found in warehouse.fetch_dicts(cur):
        row = {"dataset": dataset, **found}
        row["month"] = row["month"].isoformat()
        row["received_at"] = row["received_at"].isoformat() if row["received_at"] else None
        rows.append(row)
    return rows


def return_status(
    month: date, *, dataset: str | None = None, conn=None, where: warehouse.Target | None = None
) -> list[dict]:
    """One dict per agency (then per operator) that must report for ``month``:
    dataset, month, code, name, kind, area_code, contact_email, state (submitted / rejected /
    missing), file_id and file (of the latest return), received_at (its file time), error (why
    it was rejected, in Vietnamese). ``dataset`` limits it to agency_returns or operator_returns.
    Uses ``conn`` when given, else opens a connection to the warehouse."""
    month = month.replace(day=1)
    datasets = DATASETS if dataset is None else (dataset,)
    if dataset is not None and dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {', '.join(DATASETS)}, not {dataset!r}")
    if conn is not None:
        with conn.cursor() as cur:
            return [r for d in datasets for r in _rows(cur, d, month)]
    with warehouse.connection(where) as own, own.cursor() as cur:
        return [r for d in datasets for r in _rows(cur, d, month)]


def agency_return_status(month: date, **kwargs) -> list[dict]:
    """return_status for the agencies only."""
    return return_status(month, dataset="agency_returns", **kwargs)


def operator_return_status(month: date, **kwargs) -> list[dict]:
    """return_status for the operators only."""
    return return_status(month, dataset="operator_returns", **kwargs)
