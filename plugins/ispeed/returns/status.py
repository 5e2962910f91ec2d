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


def _rows(cur, dataset: str, month: date) -> list[dict]:
    if dataset == "agency_returns":
        cur.execute(paths.read_sql("returns/agency_return_status.sql"), {"month": month})
        return [
            {
                "dataset": dataset,
                "month": m.isoformat(),
                "code": code,
                "name": name,
                "kind": kind,
                "area_code": area,
                "contact_email": email,
                "state": state,
                "file_id": file_id,
                "file": file_name,
                "received_at": received.isoformat() if received else None,
                "error": error,
            }
            for m, code, name, kind, area, email, state, file_id, file_name, received, error in cur.fetchall()
        ]
    cur.execute(paths.read_sql("returns/operator_return_status.sql"), {"month": month})
    return [
        {
            "dataset": dataset,
            "month": m.isoformat(),
            "code": code,
            "name": name,
            "kind": kind,
            "area_code": None,
            "contact_email": None,
            "state": state,
            "file_id": file_id,
            "file": file_name,
            "received_at": received.isoformat() if received else None,
            "error": error,
        }
        for m, code, name, kind, state, file_id, file_name, received, error in cur.fetchall()
    ]


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
