"""Reference data: the CSV files in include/reference/ that an operator edits, loaded into the
warehouse's dimension tables (dim_*) at the start of every run.

- operators.csv: the operators a measurement or a return may name;
- network_types.csv: 2G ... 5G, Wi-Fi, fixed;
- areas.csv: the units of every province (generated, ``python -m ispeed geography``): the
  configured province's are loaded, each valid from/to a date (districts until 2025-06-30, then
  communes, wards and special zones);
- provinces.csv: the provinces (generated too), for the names of the configured one and of those
  merged into it;
- aliases.csv: further spellings of the above (kind, code, alias, valid_from, valid_to).

Every name is also its own alias, as are the codes, so "Viettel", "VIETTEL" and "viettel" match
without a line in aliases.csv. Matching ignores case, diacritics (so the tone mark's place, "Thủy"
or "Thuỷ") and punctuation (text.norm_key). A unit is also named with its prefix or its
abbreviation ("Phường Lê Chân", "P. Lê Chân"), and a code with leading zeros without them; a
unit's bare name is left out when two units valid at the same time share it. The names a code
carried ("Huyện Thủy Nguyên", then "Thành phố Thủy Nguyên") all name it while the code is valid.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Protocol

import psycopg2.extras

from ispeed import geography, paths
from ispeed.geography import LEVEL_PREFIXES
from ispeed.text import exact_key, norm_key

OPEN_START = date(1900, 1, 1)


class ReferenceError(ValueError):
    pass


_ADDRESS = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[a-z]{2,}$", re.IGNORECASE)


def contact_addresses(raw: str | None, where: str = "", who: str = "") -> list[str]:
    """The addresses of a contact_email cell (agencies.csv, operators.csv): one, or several
    separated by ';' (a clerk and a deputy), each stripped and in lower case (addresses are
    compared case-insensitively). Raises ReferenceError naming the file, line and sender for one
    that is not an address; ``where`` empty: no check (a value from the warehouse)."""
    found = [a.strip().lower() for a in (raw or "").split(";") if a.strip()]
    for address in found:
        if where and not _ADDRESS.match(address):
            raise ReferenceError(
                f"{where}: contact_email {address!r} of {who} is not an e-mail address "
                "(several addresses are separated by ';')"
            )
    return found


@dataclass(frozen=True)
class Alias:
    kind: str
    code: str
    alias: str
    valid_from: date
    valid_to: date | None
    where: str  # file:line, for messages
    exact: bool = False  # matched with its diacritics (text.exact_key), not by norm_key

    @property
    def key(self) -> str:
        return exact_key(self.alias) if self.exact else norm_key(self.alias)


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
        # contact_email (optional column): the addresses the operator may send its return from
        contact = geography.fill(row.get("contact_email") or "", geography.names(frm))
        contact = "; ".join(contact_addresses(contact, where, row["operator_code"])) or None
        operators.append(
            {
                **row,
                "display_order": int(row["display_order"]),
                "valid_from": frm,
                "valid_to": to,
                "contact_email": contact,
            }
        )
        for name in {row["operator_code"], row["name_vi"], row["name_en"]}:
            aliases.append(Alias("operator", row["operator_code"], name, frm, to, where))
    network_types = []
    for where, row in read_csv("network_types.csv", ["network_type_code", "name", "is_mobile", "display_order"]):
        network_types.append(
            {**row, "is_mobile": row["is_mobile"].lower() == "true", "display_order": int(row["display_order"])}
        )
        for name in {row["network_type_code"], row["name"]}:
            aliases.append(Alias("network_type", row["network_type_code"], name, OPEN_START, None, where))
    areas, area_aliases = _areas()
    aliases += area_aliases
    aliases += _province_aliases()
    codes = {
        "operator": {o["operator_code"] for o in operators},
        "network_type": {n["network_type_code"] for n in network_types},
        "area": {a["area_code"] for a in areas},
        "province": {geography.province_code()},
    }
    for where, row in read_csv("aliases.csv", ["kind", "code", "alias", "valid_from", "valid_to"]):
        if row["kind"] not in codes:
            raise ReferenceError(f"{where}: kind {row['kind']!r} is not one of {', '.join(codes)}")
        if row["kind"] in ("area", "province") and row["code"] not in codes[row["kind"]]:
            continue  # a spelling of another province's unit: aliases.csv may serve every province
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


def _areas() -> tuple[list[dict], list[Alias]]:
    """The configured province's rows of areas.csv, and the spellings that name them."""
    code = geography.province_code()
    areas: list[dict] = []
    for where, row in read_csv(
        "areas.csv", ["area_code", "name_vi", "level", "province_code", "valid_from", "valid_to"]
    ):
        if row["province_code"] != code:
            continue
        frm, to = validity(row, where)
        if row["level"] not in LEVEL_PREFIXES:
            raise ReferenceError(f"{where}: level {row['level']!r} is not one of {', '.join(LEVEL_PREFIXES)}")
        areas.append({**row, "valid_from": frm, "valid_to": to, "where": where})
    # every name a code carried names it over the code's whole life (same territory, new title)
    life: dict[str, list[dict]] = defaultdict(list)
    for a in areas:
        life[a["area_code"]].append(a)
    aliases: list[Alias] = []
    for acode, rows in life.items():
        frm = min(r["valid_from"] for r in rows)
        to = None if any(r["valid_to"] is None for r in rows) else max(r["valid_to"] for r in rows)
        where = rows[0]["where"]
        spellings = {acode, acode.lstrip("0") or acode}
        for r in rows:
            spellings |= {f"{p} {r['name_vi']}" for p in LEVEL_PREFIXES[r["level"]]}  # "P.Lê Chân" too: same key
            spellings.add(r["name_vi"])
        aliases += [Alias("area", acode, s, frm, to, where) for s in sorted(spellings)]
    for a in areas:
        del a["where"]
    return areas, _unambiguous(aliases)


def _unambiguous(aliases: list[Alias]) -> list[Alias]:
    """The units' spellings, where two units valid at the same time would share one: matched with
    their diacritics when those tell them apart ("Xã Cẩm Giang", "Xã Cẩm Giàng"), left out when
    not (the bare "An Lư" of a Phường An Lư and a Xã An Lư: their prefixed names remain)."""
    by_key: dict[str, list[Alias]] = defaultdict(list)
    for a in aliases:
        by_key[a.key].append(a)
    out: list[Alias] = []
    for same in by_key.values():
        if not any(a.code != b.code and overlap(a, b) for a in same for b in same):
            out += same
            continue
        exact = [replace(a, exact=True) for a in same]
        out += [a for a in exact if not any(b.code != a.code and b.key == a.key and overlap(a, b) for b in exact)]
    return out


def _province_aliases() -> list[Alias]:
    """The configured province's names in every period, and from 2025-07-01 those of the
    provinces merged into it ("Hải Dương" is Hải Phòng from then on)."""
    code = geography.province_code()
    out = []
    own = [p for p in geography.provinces() if p.code == code]
    for p in own + geography.merged_provinces(code):
        # its first period also names it before the shipped history began
        frm = (OPEN_START if p is own[0] else p.valid_from) if p.code == code else p.valid_to + timedelta(days=1)
        to = p.valid_to if p.code == code else None
        kind_words = {"thanh_pho": ["Thành phố", "TP."], "tinh": ["Tỉnh", "T."]}[p.kind]  # "TP" too: same key
        spellings = {p.name_vi, *(f"{w} {p.name_vi}" for w in kind_words)}
        if p.code == code:
            spellings.add(code)
        out += [Alias("province", code, s, frm, to, "include/reference/provinces.csv") for s in sorted(spellings)]
    return out


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
