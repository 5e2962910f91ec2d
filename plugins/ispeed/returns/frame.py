"""From the rows read to the typed frame the suites validate: names resolved to codes through the
reference data, numbers, months and days parsed.

A value that does not parse or resolve becomes null (NaN for numbers), and the suite's rules say
which rule that breaks; the frame keeps, for every column, the cell's reference ("E7"), its text
as typed and, for numbers, why it could not be read, so that the message can say it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from ispeed import paths
from ispeed.months import next_month
from ispeed.returns.contract import AGENCY_RETURN, GENERATIONS, OPERATOR_RETURN, ReturnKind
from ispeed.returns.read import ReturnSheet
from ispeed.returns.values import EMPTY, Number, cell_text, key, parse_day, parse_month, parse_whole_number
from ispeed.text import exact_key


@dataclass
class Lookups:
    """The reference data valid in the month, as the warehouse holds it (dim_agency_alias,
    dim_alias): matching key (text.norm_key) -> code, and code -> name for messages."""

    agencies: dict[str, str] = field(default_factory=dict)
    operators: dict[str, str] = field(default_factory=dict)
    areas: dict[str, str] = field(default_factory=dict)
    networks: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    reporting_operators: list[str] = field(default_factory=list)  # names, in display order


def month_bounds(month: date) -> dict[str, date]:
    return {"first_day": month, "last_day": date.fromordinal(next_month(month).toordinal() - 1)}


def load_lookups(conn, month: date) -> Lookups:
    """Read the spellings and names valid in ``month`` from the warehouse."""
    out = Lookups()
    with conn.cursor() as cur:
        cur.execute(paths.read_sql("reference/agency_spellings_in_month.sql"), month_bounds(month))
        out.agencies = dict(cur.fetchall())  # ordered by valid_from: the later agency wins a shared key
        cur.execute(paths.read_sql("reference/spellings_in_month.sql"), month_bounds(month))
        for kind, alias_key, code in cur.fetchall():
            {"operator": out.operators, "area": out.areas, "network_type": out.networks}[kind][alias_key] = code
        cur.execute(paths.read_sql("reference/names_in_month.sql"), month_bounds(month))
        for code, name, reports in cur.fetchall():
            out.names[code] = name
            if reports:
                out.reporting_operators.append(name)
    return out


def _base_columns(kind: ReturnKind, file_id: int, file_name: str, sheet: ReturnSheet) -> list[dict]:
    records = []
    for row in sheet.rows:
        rec: dict = {"file_id": file_id, "file_name": file_name, "source_row": row.row}
        for col in kind.columns:
            value = row.values.get(col.name)
            rec[f"cell_{col.name}"] = row.cells.get(col.name)
            rec[f"raw_{col.name}"] = cell_text(value)
            rec[f"value_{col.name}"] = value
        rec["raw_row"] = row.raw
        rec["extra_cells"] = row.extra_cells
        rec["header_width"] = sheet.width
        rec["row_hidden"] = row.hidden
        records.append(rec)
    return records


def _objects(values: list) -> pd.Series:
    """A column of Python objects, None for missing. (pandas would infer a string dtype that
    turns None into NaN; these columns are few dozen rows, so lists are fine.)"""
    return pd.Series(values, dtype=object)


def _numbers(frame: pd.DataFrame, kind: ReturnKind) -> None:
    for col in kind.columns:
        if not col.is_number:
            continue
        parsed = [parse_whole_number(v) for v in frame[f"value_{col.name}"]]
        if col.empty_is_zero:
            parsed = [Number(0) if n.problem == EMPTY else n for n in parsed]
        # float64: GX compares NaN as missing; counts and đồng stay exact below 2**53
        frame[col.name] = pd.Series([np.nan if n.value is None else float(n.value) for n in parsed], dtype="float64")
        frame[f"problem_{col.name}"] = _objects([n.problem for n in parsed])


def _resolve(values: pd.Series, table: dict[str, str]) -> list[str | None]:
    # the spellings matched with their diacritics (text.exact_key) first: few units need them
    return [(table.get(exact_key(cell_text(v))) or table.get(key(v))) if cell_text(v) else None for v in values]


def build_frame(kind: ReturnKind, files: list[tuple[int, ReturnSheet]], lookups: Lookups) -> pd.DataFrame:
    """One row per row read, over all the readable files of a load, typed for the suite (index 0..n-1)."""
    records = [rec for file_id, sheet in files for rec in _base_columns(kind, file_id, sheet.file_name, sheet)]
    columns = ["file_id", "file_name", "source_row", "raw_row", "extra_cells", "header_width", "row_hidden"] + [
        f"{p}_{c.name}" for c in kind.columns for p in ("cell", "raw", "value")
    ]
    frame = pd.DataFrame(records, columns=columns, dtype=object)
    frame["file_id"] = frame["file_id"].astype("int64")
    frame["source_row"] = frame["source_row"].astype("int64")
    frame["extra_cells"] = frame["extra_cells"].astype("float64")
    frame["frame_index"] = np.arange(len(frame))
    frame["month_label"] = _objects([parse_month(v) for v in frame["value_month"]])
    _numbers(frame, kind)
    if kind is AGENCY_RETURN:
        by_code = _resolve(frame["value_agency_code"], lookups.agencies)
        by_name = _resolve(frame["value_agency_name"], lookups.agencies)
        frame["agency_by_code"] = _objects(by_code)
        frame["agency_by_name"] = _objects(by_name)
        frame["agency_code"] = _objects([c or n for c, n in zip(by_code, by_name)])
    elif kind is OPERATOR_RETURN:
        frame["operator_code"] = _objects(_resolve(frame["value_operator"], lookups.operators))
        frame["area_code"] = _objects(_resolve(frame["value_district"], lookups.areas))
        networks = _resolve(frame["value_generation"], lookups.networks)
        # without a 4G/5G column every row is 4G (docs/returns.md)
        frame["network_generation"] = _objects(
            [
                (n if n in GENERATIONS else None) if has_column else "4G"
                for n, has_column in zip(networks, frame["cell_generation"].notna())
            ]
        )
        due = [parse_day(v) for v in frame["value_remedy_due_date"]]
        frame["remedy_due_date"] = _objects([d.isoformat() if d else None for d in due])
        frame["remedy_due_date_unreadable"] = _objects(
            [raw if raw and d is None else None for raw, d in zip(frame["raw_remedy_due_date"], due)]
        )
        frame["remedy"] = frame["raw_remedy"]
    else:  # pragma: no cover - two kinds only
        raise ValueError(kind.dataset)
    frame["note"] = frame["raw_note"]
    frame["sender_code"] = frame[kind.subject_column]
    return frame


def typed_columns(kind: ReturnKind) -> list[str]:
    """The typed columns the suite expects in the frame."""
    counts = [c.name for c in kind.columns if c.is_number]
    if kind is AGENCY_RETURN:
        return ["file_id", "extra_cells", "agency_code", "agency_by_code", "agency_by_name", "month_label", *counts]
    return [
        "file_id",
        "extra_cells",
        "operator_code",
        "area_code",
        "network_generation",
        "month_label",
        *counts,
        "remedy",
        "remedy_due_date",
        "remedy_due_date_unreadable",
    ]


def duplicate_rows(frame: pd.DataFrame, key_columns: list[str]) -> dict[int, list[int]]:
    """frame index -> the source rows sharing its key in its file (for the duplicate message)."""
    complete = frame.dropna(subset=key_columns)
    groups = complete.groupby(key_columns, sort=False)["source_row"].agg(lambda s: sorted(int(v) for v in s))
    keyed = complete.join(groups.rename("rows"), on=key_columns)
    return {int(i): rows for i, rows in zip(keyed["frame_index"], keyed["rows"]) if len(rows) > 1}
