"""A row of the typed frame as the rules' messages see it, what the messages need beyond it, and
what a rule is (rules.py has the rules)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ispeed.returns.contract import ReturnKind
from ispeed.returns.units import UnitWords
from ispeed.returns.values import vn_number


class Row:
    """One row of the typed frame, as the messages need it."""

    def __init__(self, record: dict[str, Any], kind: ReturnKind, context: Context):
        self.r = record
        self.kind = kind
        self.ctx = context

    @property
    def line(self) -> int:
        return int(self.r["source_row"])

    def ref(self, column: str) -> str | None:
        value = self.r.get(f"cell_{column}")
        return value if isinstance(value, str) else None

    def raw(self, column: str) -> str | None:
        value = self.r.get(f"raw_{column}")
        return value if isinstance(value, str) else None

    def heading(self, column: str) -> str:
        if column == "district" and self.ctx.units is not None:
            return self.ctx.units.heading  # "Xã/phường/đặc khu" from 2025-07-01
        return self.kind.column(column).heading_vi

    def at(self, column: str) -> str:
        """'Ô E7 (Số CBCCVC đã cài đặt i-Speed)', or the column alone when the file has none."""
        ref = self.ref(column)
        return f"Ô {ref} ({self.heading(column)})" if ref else f"Dòng {self.line}, cột {self.heading(column)}"

    def num(self, column: str) -> str:
        value = self.r.get(column)
        return vn_number(value) if isinstance(value, (int, float)) and not math.isnan(value) else "?"

    def problem(self, column: str) -> str | None:
        value = self.r.get(f"problem_{column}")
        return value if isinstance(value, str) else None


@dataclass
class Context:
    """What the messages need beyond the row: the month and the names of things."""

    month_label: str
    names: dict[str, str] = field(default_factory=dict)  # code -> name (agencies, operators, districts)
    duplicates: dict[int, list[int]] = field(default_factory=dict)  # frame index -> rows sharing its key
    operator_list: str = ""
    units: UnitWords | None = None  # the month's units and their words (units.unit_words)


@dataclass(frozen=True)
class ReturnRule:
    """One expectation of a suite and what it says when a row breaks it."""

    name: str  # fact_quarantine.rule
    expectation: str  # GX expectation class
    kwargs: dict[str, Any]  # GX arguments (a row condition as ("column", "is_not_null"))
    cell: Callable[[Row], str]  # the canonical column whose cell is wrong
    message: Callable[[Row], str]  # what is wrong, for the official
    #: the row as a whole is wrong (its cells are shifted): its other messages would mislead, so
    #: this one is the row's only message
    whole_row: bool = False
