"""What a column of a return and a kind of return are, and how a heading, however it is typed,
is matched to its column (see contract.py for the two kinds)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ispeed.text import norm_key

#: Column types: what a cell must hold.
CODE = "code"  # a name or code resolved through reference data (agency, operator, district, 4G/5G)
TEXT = "text"  # free text
MONTH = "month"  # the reporting month (MM/YYYY, YYYY-MM, a date in the month, ...)
COUNT = "count"  # a non-negative whole number
MONEY = "money"  # a non-negative whole number of đồng (VND)
DATE = "date"  # a calendar day (DD/MM/YYYY, YYYY-MM-DD, an Excel date)


@dataclass(frozen=True)
class ReturnColumn:
    """One column of a return."""

    name: str  # canonical name: the DataFrame column, the warehouse column
    heading_vi: str  # the heading of the template, and the name used in messages
    heading_en: str  # the English heading, also accepted
    type: str  # CODE / TEXT / MONTH / COUNT / MONEY / DATE
    required: bool  # the header must have it (as a column, or as a field above the table)
    help_vi: str
    help_en: str
    aliases: tuple[str, ...] = ()
    #: an empty cell reads as 0 (counts that many agencies have none of); else an empty cell is an error
    empty_is_zero: bool = False
    #: pre-filled in the template (district, 4G/5G): a row with only these filled is not a return row
    prefilled: bool = False
    #: may be given once above the table ("Nhà mạng: Viettel") instead of as a column
    above_table: bool = False
    width: int = 16

    @property
    def is_number(self) -> bool:
        return self.type in (COUNT, MONEY)


@dataclass(frozen=True)
class ReturnKind:
    """A kind of return: what it is called, its columns and where it lands."""

    dataset: str  # meta_load.dataset, meta_file.dataset, fact_quarantine.dataset, landing folder
    subject: str  # agency / operator: who sends it
    subject_column: str  # the canonical column that names the sender
    subject_vi: str  # "cơ quan" / "nhà mạng", for messages
    title_vi: str
    title_en: str
    template_name: str  # file name in include/templates/
    columns: tuple[ReturnColumn, ...]
    #: groups of which the header must have at least one (agency code or agency name)
    one_of: tuple[tuple[str, ...], ...] = ()
    header_row: int = 6  # where the template puts the headings (data start below)
    _index: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def column(self, name: str) -> ReturnColumn:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def header_index(self) -> dict[str, str]:
        """norm_key of every accepted heading -> canonical column name."""
        if not self._index:
            for col in self.columns:
                for spelling in (col.name, col.heading_vi, col.heading_en, *col.aliases):
                    for key in {norm_key(spelling), norm_key(_BRACKETS.sub(" ", spelling))}:
                        if not key:
                            continue
                        if self._index.get(key, col.name) != col.name:
                            raise ValueError(
                                f"{self.dataset}: heading {spelling!r} is claimed by {self._index[key]} and {col.name}"
                            )
                        self._index[key] = col.name
        return self._index

    def match_heading(self, text: str) -> str | None:
        """The canonical column a heading names, or None. Brackets ("(đồng)", "(4)") and a
        trailing colon are ignored when the heading does not match with them."""
        index = self.header_index()
        for candidate in (text, _BRACKETS.sub(" ", text)):
            key = norm_key(candidate)
            if key in index:
                return index[key]
        return None


_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
