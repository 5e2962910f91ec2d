"""Reference data: the CSV files in include/reference/ that an operator edits, loaded into the
warehouse's dimension tables (dim_*) at the start of every run.

- operators.csv: the operators a measurement or a return may name;
- network_types.csv: 2G ... 5G, Wi-Fi, fixed;
- areas.csv: the districts (later communes), each valid from/to a date;
- aliases.csv: further spellings of the above (kind, code, alias, valid_from, valid_to).

Every name is also its own alias, as are the codes, so "Viettel", "VIETTEL" and "viettel" match
without a line in aliases.csv. Matching ignores case, diacritics and punctuation (text.norm_key).
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Protocol

import psycopg2.extras

from ispeed import paths
from ispeed.config import pipeline_config
from ispeed.text import norm_key

OPEN_START = date(1900, 1, 1)
LEVEL_PREFIXES = {
    "quan": ["Quận", "Q."],
    "huyen": ["Huyện", "H."],
    "thi_xa": ["Thị xã", "TX."],
    "thanh_pho": ["Thành phố", "TP."],
    "phuong": ["Phường", "P."],
    "xa": ["Xã"],
    "thi_tran": ["Thị trấn", "TT."],
}


class ReferenceError(ValueError):
    pass


@dataclass(frozen=True)
class Alias:
    kind: str
    code: str
    alias: str
    valid_from: date
    valid_to: date | None
    where: str  # file:line, for messages

    @property
    def key(self) -> str:
        return norm_key(self.alias)


class Dated(Protocol):
    """Anything valid from a day to a day (valid_to None: still valid)."""

    valid_from: date
    valid_to: date | None


def read_csv(name: str, required: list[str], *, lists: str | None = None) -> list[tuple[str, dict[str, str]]]:
    """The rows of include/reference/<name>: (its place "name.csv:12", column -> cell stripped).
    Raises ReferenceError when the file or one of the ``required`` columns is missing; ``lists``
    (what the file lists) is said in the message of a missing file."""
    path = paths.REFERENCE_DIR / name
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise ReferenceError(f"{path}: missing column(s) {', '.join(missing)}")
            # cells beyond the header (key None) belong to no column
            return [
                (f"{path.name}:{reader.line_num}", {k: (v or "").strip() for k, v in row.items() if k})
                for row in reader
            ]
    except FileNotFoundError as exc:
        because = f"; it lists {lists}" if lists else ""
        raise ReferenceError(f"reference file {path} is missing{because}") from exc


def read_date(value: str, where: str, column: str, default: date | None = None) -> date | None:
    """A YYYY-MM-DD cell, ``default`` when empty. Raises ReferenceError naming the place and column."""
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ReferenceError(f"{where}: column {column}: {value!r} is not a date (YYYY-MM-DD)") from exc


def validity(row: dict[str, str], where: str) -> tuple[date, date | None]:
    """A row's valid_from (empty: OPEN_START) and valid_to (empty: still valid)."""
    return read_date(row["valid_from"], where, "valid_from", OPEN_START), read_date(row["valid_to"], where, "valid_to")


def overlap(a: Dated, b: Dated) -> bool:
    """Whether the two periods share a day."""
    return a.valid_from <= (b.valid_to or date.max) and b.valid_from <= (a.valid_to or date.max)


def json_rows(rows: list[dict]) -> psycopg2.extras.Json:
    """Rows as the parameter of ``jsonb_populate_recordset(null::<table>, %s)``: a JSON array of
    objects keyed by column (other keys are ignored), dates as YYYY-MM-DD."""
    return psycopg2.extras.Json(rows, dumps=lambda value: json.dumps(value, default=str))


@dataclass
class ReferenceData:
    operators: list[dict]
    network_types: list[dict]
    areas: list[dict]
    aliases: list[Alias]


def read_reference() -> ReferenceData:
    """Read and check the reference files. Raises ReferenceError naming file, line and problem."""
    operators = []
    aliases: list[Alias] = []
    for where, row in read_csv(
        "operators.csv", ["operator_code", "name_vi", "name_en", "kind", "display_order", "valid_from", "valid_to"]
    ):
        frm, to = validity(row, where)
        operators.append({**row, "display_order": int(row["display_order"]), "valid_from": frm, "valid_to": to})
        for name in {row["operator_code"], row["name_vi"], row["name_en"]}:
            aliases.append(Alias("operator", row["operator_code"], name, frm, to, where))
    network_types = []
    for where, row in read_csv("network_types.csv", ["network_type_code", "name", "is_mobile", "display_order"]):
        network_types.append(
            {**row, "is_mobile": row["is_mobile"].lower() == "true", "display_order": int(row["display_order"])}
        )
        for name in {row["network_type_code"], row["name"]}:
            aliases.append(Alias("network_type", row["network_type_code"], name, OPEN_START, None, where))
    areas = []
    for where, row in read_csv(
        "areas.csv", ["area_code", "name_vi", "level", "province_code", "valid_from", "valid_to"]
    ):
        frm, to = validity(row, where)
        if row["level"] not in LEVEL_PREFIXES:
            raise ReferenceError(f"{where}: level {row['level']!r} is not one of {', '.join(LEVEL_PREFIXES)}")
        areas.append({**row, "valid_from": frm, "valid_to": to})
        names = {row["area_code"], row["name_vi"]} | {f"{p} {row['name_vi']}" for p in LEVEL_PREFIXES[row["level"]]}
        for name in names:
            aliases.append(Alias("area", row["area_code"], name, frm, to, where))
    cfg = pipeline_config()
    for name in {cfg.province_code, cfg.province_name, *cfg.province_aliases}:
        aliases.append(Alias("province", cfg.province_code, name, OPEN_START, None, "include/config/pipeline.yaml"))
    codes = {
        "operator": {o["operator_code"] for o in operators},
        "network_type": {n["network_type_code"] for n in network_types},
        "area": {a["area_code"] for a in areas},
    }
    for where, row in read_csv("aliases.csv", ["kind", "code", "alias", "valid_from", "valid_to"]):
        if row["kind"] not in codes:
            raise ReferenceError(f"{where}: kind {row['kind']!r} is not one of {', '.join(codes)}")
        if row["code"] not in codes[row["kind"]]:
            raise ReferenceError(f"{where}: {row['kind']} code {row['code']!r} is not in the {row['kind']} list")
        aliases.append(Alias(row["kind"], row["code"], row["alias"], *validity(row, where), where))
    # One spelling must mean one thing at any date; the same alias twice for one code is merged.
    by_key: dict[tuple[str, str], list[Alias]] = defaultdict(list)
    unique: list[Alias] = []
    for alias in aliases:
        if not alias.key:
            raise ReferenceError(f"{alias.where}: alias {alias.alias!r} has no letters or digits")
        clash = next((o for o in by_key[(alias.kind, alias.key)] if overlap(o, alias)), None)
        if clash and clash.code != alias.code:
            raise ReferenceError(
                f"{alias.where}: {alias.kind} alias {alias.alias!r} means {alias.code} but {clash.where} "
                f"already makes it mean {clash.code} in an overlapping period"
            )
        if clash:
            continue
        by_key[(alias.kind, alias.key)].append(alias)
        unique.append(alias)
    return ReferenceData(operators, network_types, areas, unique)


def sync_reference(conn) -> dict[str, int]:
    """Replace the dimension tables with the reference files' content, in the caller's transaction."""
    ref = read_reference()
    aliases = [
        {
            "kind": a.kind,
            "alias_key": a.key,
            "code": a.code,
            "alias": a.alias,
            "valid_from": a.valid_from,
            "valid_to": a.valid_to,
        }
        for a in ref.aliases
    ]
    params = {
        "operators": json_rows(ref.operators),
        "network_types": json_rows(ref.network_types),
        "areas": json_rows(ref.areas),
        "aliases": json_rows(aliases),
    }
    with conn.cursor() as cur:
        cur.execute(paths.read_sql("reference/replace_reference_dimensions.sql"), params)
    return {
        "operators": len(ref.operators),
        "network_types": len(ref.network_types),
        "areas": len(ref.areas),
        "aliases": len(ref.aliases),
    }
