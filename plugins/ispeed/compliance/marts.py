"""The one reader of the compliance marts (``ispeed.mart_compliance_*``, V003): whoever prints a
month's figures reads them here -- the report (report/collect.py), the ``status`` command
(operations/status.py), the run summary (operations/summary.py) and the runner's own summary.

One function per mart, each running one file of include/sql/marts/:

    read_compliance_by_operator(conn, month)          ispeed.mart_compliance_operator
    read_compliance_by_operator_area(conn, month)     ispeed.mart_compliance_operator_area
    read_compliance_trend_by_operator(conn, month)    ispeed.mart_compliance_trend

Each returns the month's rows as dicts: every column of the table by name, plus ``operator_name``
and ``operator_order`` (and ``area_name`` for areas). Numbers are floats (None where not defined),
months are dates, ``computed_at`` a datetime. The compliance rows are those with
``in_compliance_scope`` true (verdict not None); each caller keeps the rows it prints. Rows come in
display order: operator, compliance row first, other network types, area code / month. A month
never computed gives empty lists. Reads only; the caller owns the transaction.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import psycopg2.extensions

from ispeed.warehouse import connection as warehouse


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def _read(conn: psycopg2.extensions.connection, sql_file: str, month: date) -> list[dict]:
    return [{k: _plain(v) for k, v in row.items()} for row in warehouse.month_rows(conn, sql_file, month)]


def read_compliance_by_operator(conn: psycopg2.extensions.connection, month: date) -> list[dict]:
    """The month's rows of ispeed.mart_compliance_operator: per operator and network type, the
    whole province."""
    return _read(conn, "marts/read_compliance_by_operator.sql", month)


def read_compliance_by_operator_area(conn: psycopg2.extensions.connection, month: date) -> list[dict]:
    """The month's rows of ispeed.mart_compliance_operator_area: per operator, network type and
    district, with the district's name valid in the month."""
    return _read(conn, "marts/read_compliance_by_operator_area.sql", month)


def read_compliance_trend_by_operator(conn: psycopg2.extensions.connection, month: date) -> list[dict]:
    """The trend rows stored for the reporting month (ispeed.mart_compliance_trend): per operator
    and network type, one row per month of the trend."""
    return _read(conn, "marts/read_compliance_trend_by_operator.sql", month)
