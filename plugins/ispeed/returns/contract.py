"""The two kinds of monthly return and their columns: one place for the headings, the types and
the accepted spellings.

The template generator (template.py), the reader (read.py), the expectation suites (suites.py),
the warehouse tables (include/sql/migrations/V002__monthly_returns.sql) and docs/returns.md all
follow this list. Each kind's columns are in agency_return.py and operator_return.py; what a
column is, and how a heading is matched to one, in columns.py. Headings match however they are typed (case, diacritics, spaces and punctuation
are ignored, text.norm_key), Vietnamese or English, and a unit or a column number in brackets
("Vốn đầu tư trong tháng (đồng)", "(4) Tổng số CBCCVC") may be added or left out.
"""

from __future__ import annotations

from ispeed.returns.agency_return import AGENCY_RETURN
from ispeed.returns.columns import CODE, COUNT, DATE, MONEY, MONTH, TEXT, ReturnColumn, ReturnKind
from ispeed.returns.operator_return import GENERATIONS, OPERATOR_RETURN

KINDS = {k.dataset: k for k in (AGENCY_RETURN, OPERATOR_RETURN)}

__all__ = [
    "AGENCY_RETURN",
    "CODE",
    "COUNT",
    "DATE",
    "GENERATIONS",
    "KINDS",
    "MONEY",
    "MONTH",
    "OPERATOR_RETURN",
    "TEXT",
    "ReturnColumn",
    "ReturnKind",
]
