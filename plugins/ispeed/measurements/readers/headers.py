"""Mapping an export's header to the contract: where each canonical column is, which names are
ignored; a missing required column, a column given twice or a value in the wrong unit refuses the file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ispeed.measurements.contract import (
    MEASUREMENT_COLUMNS,
    Column,
    canonical_header,
    header_index,
    likely_column,
    wrong_unit,
)
from ispeed.measurements.readers.formats import shorten
from ispeed.measurements.readers.limits import FileRejected


@dataclass
class HeaderMap:
    """Where each canonical column is in the file."""

    source: list[str]
    positions: dict[str, int] = field(default_factory=dict)  # canonical -> index in the row
    ignored: list[str] = field(default_factory=list)
    #: what a person should know of how the file was read (where its header was), for meta_file
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        doc = {"columns": {c: self.source[i] for c, i in self.positions.items()}, "ignored": self.ignored}
        return {**doc, "notes": self.notes} if self.notes else doc


def map_header(
    path: Path, names: list[str], columns: tuple[Column, ...] = MEASUREMENT_COLUMNS, line: int = 1
) -> HeaderMap:
    """Match the file's header to the contract. Rejects the file when a required column is missing,
    a column appears twice, or a speed or time is given in a unit the contract does not take."""
    index = header_index(columns)
    hmap = HeaderMap(source=names)
    for pos, name in enumerate(names):
        canonical = canonical_header(name, index)
        if canonical is None:
            unit = wrong_unit(name, index)
            if unit:
                want = "Mbps" if unit[0].endswith("_mbps") else "milliseconds"
                raise FileRejected(
                    path,
                    f"column {name!r} gives {unit[0]} in {unit[1]}, but the contract wants {want}; "
                    f"export the values in {want} (and name the column accordingly)",
                    line=line,
                )
            hmap.ignored.append(name)
        elif canonical in hmap.positions:
            raise FileRejected(
                path,
                f"columns {names[hmap.positions[canonical]]!r} and {name!r} both mean {canonical}; keep one",
                line=line,
            )
        else:
            hmap.positions[canonical] = pos
    missing = [c.name for c in columns if c.required and c.name not in hmap.positions]
    if missing:
        found = ", ".join(repr(shorten(n)) for n in names[:20]) + (", ..." if len(names) > 20 else "") or "nothing"
        if not hmap.positions:
            raise FileRejected(
                path,
                f"no column of the header is a column of the contract (it has {found}): is this an "
                "i-Speed export? See docs/input-contract.md for the accepted names",
                line=line,
            )
        raise FileRejected(
            path,
            f"required column(s) missing: {', '.join(missing)}. The header has {found}."
            + _near_misses(hmap.ignored, missing, columns)
            + " See docs/input-contract.md for the accepted names",
            line=line,
        )
    return hmap


def _near_misses(ignored: list[str], missing: list[str], columns: tuple[Column, ...]) -> str:
    """For the columns missing, the ignored headers that most likely are them: a typo such as
    "Tốc độ tải xuốg" is named, never read as the column."""
    hints = []
    for name in ignored:
        guess = likely_column(name, columns)
        if guess and guess[0] in missing:
            hints.append(f"{name!r} is probably {guess[0]} (accepted: {guess[1]!r}); correct the heading")
    return (" " + "; ".join(hints) + ".") if hints else ""
