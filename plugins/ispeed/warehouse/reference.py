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
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

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


def _rows(name: str, required: list[str]) -> list[tuple[str, dict[str, str]]]:
    path = paths.REFERENCE_DIR / name
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise ReferenceError(f"{path}: missing column(s) {', '.join(missing)}")
            return [
                (f"{path.name}:{reader.line_num}", {k: (v or "").strip() for k, v in row.items()}) for row in reader
            ]
    except FileNotFoundError as exc:
        raise ReferenceError(f"reference file {path} is missing") from exc


def _date(value: str, where: str, column: str, default: date | None) -> date | None:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ReferenceError(f"{where}: column {column}: {value!r} is not a date (YYYY-MM-DD)") from exc


def _overlap(a: Alias, b: Alias) -> bool:
    a_end = a.valid_to or date.max
    b_end = b.valid_to or date.max
    return a.valid_from <= b_end and b.valid_from <= a_end


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
    for where, row in _rows(
        "operators.csv", ["operator_code", "name_vi", "name_en", "kind", "display_order", "valid_from", "valid_to"]
    ):
        frm = _date(row["valid_from"], where, "valid_from", OPEN_START)
        to = _date(row["valid_to"], where, "valid_to", None)
        operators.append({**row, "display_order": int(row["display_order"]), "valid_from": frm, "valid_to": to})
        for name in {row["operator_code"], row["name_vi"], row["name_en"]}:
            aliases.append(Alias("operator", row["operator_code"], name, frm, to, where))
    network_types = []
    for where, row in _rows("network_types.csv", ["network_type_code", "name", "is_mobile", "display_order"]):
        network_types.append(
            {**row, "is_mobile": row["is_mobile"].lower() == "true", "display_order": int(row["display_order"])}
        )
        for name in {row["network_type_code"], row["name"]}:
            aliases.append(Alias("network_type", row["network_type_code"], name, OPEN_START, None, where))
    areas = []
    for where, row in _rows("areas.csv", ["area_code", "name_vi", "level", "province_code", "valid_from", "valid_to"]):
        frm = _date(row["valid_from"], where, "valid_from", OPEN_START)
        to = _date(row["valid_to"], where, "valid_to", None)
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
    for where, row in _rows("aliases.csv", ["kind", "code", "alias", "valid_from", "valid_to"]):
        if row["kind"] not in codes:
            raise ReferenceError(f"{where}: kind {row['kind']!r} is not one of {', '.join(codes)}")
        if row["code"] not in codes[row["kind"]]:
            raise ReferenceError(f"{where}: {row['kind']} code {row['code']!r} is not in the {row['kind']} list")
        aliases.append(
            Alias(
                row["kind"],
                row["code"],
                row["alias"],
                _date(row["valid_from"], where, "valid_from", OPEN_START),
                _date(row["valid_to"], where, "valid_to", None),
                where,
            )
        )
    # One spelling must mean one thing at any date; the same alias twice for one code is merged.
    by_key: dict[tuple[str, str], list[Alias]] = defaultdict(list)
    unique: list[Alias] = []
    for alias in aliases:
        if not alias.key:
            raise ReferenceError(f"{alias.where}: alias {alias.alias!r} has no letters or digits")
        clash = next((o for o in by_key[(alias.kind, alias.key)] if _overlap(o, alias)), None)
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
    with conn.cursor() as cur:
        cur.execute(
            "lock table ispeed.dim_operator, ispeed.dim_network_type, ispeed.dim_area, ispeed.dim_alias in exclusive mode"
        )
        cur.execute(
            "delete from ispeed.dim_alias; delete from ispeed.dim_area; delete from ispeed.dim_network_type; delete from ispeed.dim_operator"
        )
        psycopg2.extras.execute_values(
            cur,
            "insert into ispeed.dim_operator (operator_code, name_vi, name_en, kind, display_order, valid_from, valid_to) values %s",
            [
                (
                    o["operator_code"],
                    o["name_vi"],
                    o["name_en"],
                    o["kind"],
                    o["display_order"],
                    o["valid_from"],
                    o["valid_to"],
                )
                for o in ref.operators
            ],
        )
        psycopg2.extras.execute_values(
            cur,
            "insert into ispeed.dim_network_type (network_type_code, name, is_mobile, display_order) values %s",
            [(n["network_type_code"], n["name"], n["is_mobile"], n["display_order"]) for n in ref.network_types],
        )
        psycopg2.extras.execute_values(
            cur,
            "insert into ispeed.dim_area (area_code, name_vi, level, province_code, valid_from, valid_to) values %s",
            [
                (a["area_code"], a["name_vi"], a["level"], a["province_code"], a["valid_from"], a["valid_to"])
                for a in ref.areas
            ],
        )
        psycopg2.extras.execute_values(
            cur,
            "insert into ispeed.dim_alias (kind, alias_key, code, alias, valid_from, valid_to) values %s",
            [(a.kind, a.key, a.code, a.alias, a.valid_from, a.valid_to) for a in ref.aliases],
        )
    return {
        "operators": len(ref.operators),
        "network_types": len(ref.network_types),
        "areas": len(ref.areas),
        "aliases": len(ref.aliases),
    }
