"""Monthly returns (issue 3): agencies' i-Speed tallies and operators' 4G/5G investment, from
spreadsheet to warehouse. docs/returns.md describes them for the people who send them.

Public entry points (the DAG's tasks call these):

- ``load_agency_returns(month, *, run_id=None) -> dict`` and
  ``load_operator_returns(month, *, run_id=None) -> dict``: read
  <landing>/agency_returns/YYYY-MM/ (operator_returns/YYYY-MM/), validate, load idempotently,
  archive; return a small summary for XCom and log a report. load_agency_returns first reloads
  ispeed.dim_agency with the configured province's agencies (``sync_agencies``).
- ``return_status(month, *, dataset=None) -> list[dict]``: submitted / rejected / missing per
  agency and operator (also in the warehouse: ispeed.v_agency_return_status,
  ispeed.v_operator_return_status).
- ``sync_agencies(conn) -> dict``: load the agencies (include/reference/agencies.csv and the UBND
  of the province's units, generated from the geography: agencies.py) into the warehouse, in the
  caller's transaction.
- ``write_templates(folder, month=None) -> list[Path]``: the .xlsx templates of a month
  (``python -m ispeed.returns.template``).

The heavy modules (pandas, openpyxl, Great Expectations) load on first use, not on import.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path


def load_agency_returns(month: date, *, run_id: str | None = None, **kwargs) -> dict:
    """Load the month's agency returns; see ispeed.returns.load."""
    from ispeed.returns.load import load_agency_returns as _load

    return _load(month, run_id=run_id, **kwargs)


def load_operator_returns(month: date, *, run_id: str | None = None, **kwargs) -> dict:
    """Load the month's operator returns; see ispeed.returns.load."""
    from ispeed.returns.load import load_operator_returns as _load

    return _load(month, run_id=run_id, **kwargs)


def return_status(month: date, *, dataset: str | None = None, **kwargs) -> list[dict]:
    """The month's state per agency and operator; see ispeed.returns.status."""
    from ispeed.returns.status import return_status as _status

    return _status(month, dataset=dataset, **kwargs)


def sync_agencies(conn) -> dict[str, int]:
    """Replace ispeed.dim_agency with the configured province's agencies (agencies.csv and the
    generated UBND of its units) in the caller's transaction."""
    from ispeed.returns.agencies import sync_agencies as _sync

    return _sync(conn)


def write_templates(folder: Path | None = None, month: date | None = None) -> list[Path]:
    """Write the two .xlsx templates of ``month`` (default: this month) into ``folder`` (default:
    include/templates/)."""
    from ispeed.returns.template import write_templates as _write

    return _write(folder, month)


__all__ = ["load_agency_returns", "load_operator_returns", "return_status", "sync_agencies", "write_templates"]
