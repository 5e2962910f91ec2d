"""The agencies that must send a monthly return, by date, for the configured province
(geography.province_code()): include/reference/agencies.csv and the People's Committees of the
province's units, loaded into ispeed.dim_agency (and the spellings that name them into
ispeed.dim_agency_alias).

Two sources make the list (docs/returns.md, "Who must report"):

- agencies.csv, reference data that the operator of the pipeline edits: the province's
  departments (sở, ngành), its press and the other agencies, dated like the geography. Names and
  aliases hold placeholders filled from the province's names on the row's first day
  (geography.names: {province} "Hải Phòng", {province_full} "thành phố Hải Phòng", ...; and
  {province_kind} "thành phố" / "tỉnh"), so that one file serves every province;
- the People's Committee (UBND) of every unit of the province (geography.areas()), generated:
  code ``UBND-<area_code>``, named "UBND " + the unit's name with its level in lower case ("UBND
  quận Lê Chân", "UBND phường Hải Dương"), kind district_committee for a district (until
  2025-06-30) and commune_committee for a xã, phường or đặc khu (from 2025-07-01), valid as long
  as the unit. A row of agencies.csv with the same agency_code, or with a committee kind and the
  same area_code in an overlapping period, replaces the generated one (its empty name_vi or
  contact_email are taken from it). A row whose area_code is no unit of the configured province
  belongs to another province and is left out.

An agency must report for a month when it exists on the month's last day (valid_from <= last day
<= valid_to, an empty valid_to meaning "still exists"). The columns of agencies.csv:

    agency_code    short code the pipeline uses (SNV, UBND-HB, ...), also accepted in returns
    name_vi        the agency's name, as the report prints it (placeholders allowed)
    kind           department / district_committee / commune_committee / media / other
    area_code      the unit it belongs to (areas.csv), empty for province-level agencies
    contact_email  where reminders go, and the addresses the agency may send its return from by
                   mail (docs/mailbox.md): one, or several separated by ';'. The shipped file
                   holds placeholders on example.org (a reserved domain): the operator replaces
                   them with the real addresses.
    valid_from, valid_to   YYYY-MM-DD
    aliases        other spellings of the name, separated by '|' (placeholders allowed)

An agency is named in a return by its code or by any of its names; matching ignores case,
diacritics and punctuation (text.norm_key), as for operators and units, except for the names
that differ from another agency's only by their diacritics (UBND xã Cẩm Giang, UBND xã Cẩm
Giàng), which are matched as written (text.exact_key). A generated bare spelling ("UBND Cẩm
Giang") that two agencies would share is dropped.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta

from ispeed import geography, paths
from ispeed.months import next_month
from ispeed.text import exact_key, norm_key
from ispeed.warehouse.reference import ReferenceError, contact_addresses, json_rows, overlap, read_csv, validity

AGENCY_KINDS = ("department", "district_committee", "commune_committee", "media", "other")
COMMITTEE_KINDS = ("district_committee", "commune_committee")
COLUMNS = ["agency_code", "name_vi", "kind", "area_code", "contact_email", "valid_from", "valid_to", "aliases"]
GENERATED = "geography"  # the ``where`` of a generated committee


@dataclass(frozen=True)
class Agency:
    agency_code: str
    name_vi: str
    kind: str
    area_code: str | None
    contact_email: str | None
    valid_from: date
    valid_to: date | None
    aliases: tuple[str, ...]
    where: str  # file:line, for messages ("geography:10525" for a generated committee)

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def spellings(self) -> set[str]:
        return {self.agency_code, self.name_vi, *self.aliases}

    @property
    def generated(self) -> bool:
        return self.where.startswith(GENERATED + ":")


def committee(area: geography.Area) -> Agency:
    """The People's Committee of a unit, as generated from the geography."""
    word = geography.LEVEL_PREFIXES[area.level][0]
    lower = word[0].lower() + word[1:]
    kind = "commune_committee" if area.level in geography.COMMUNE_LEVELS else "district_committee"
    return Agency(
        f"UBND-{area.code}",
        f"UBND {lower} {area.name_vi}",
        kind,
        area.code,
        f"ubnd-{area.code}.ispeed@example.org",
        area.valid_from,
        area.valid_to,
        (f"Ủy ban nhân dân {lower} {area.name_vi}", f"UBND {word} {area.name_vi}", f"UBND {area.name_vi}"),
        f"{GENERATED}:{area.code}",
    )


def _every_unit() -> set[str]:
    """The area codes of every province of areas.csv."""
    return {a.code for p in {p.code for p in geography.provinces()} for a in geography.areas(p)}


def _csv_agencies(units: set[str]) -> list[Agency]:
    rows = read_csv("agencies.csv", COLUMNS, lists="the agencies that must send returns")
    agencies: list[Agency] = []
    every_unit: set[str] | None = None
    for where, row in rows:
        code = row["agency_code"]
        if not code or not norm_key(code):
            raise ReferenceError(f"{where}: agency_code is empty")
        if row["kind"] not in AGENCY_KINDS:
            raise ReferenceError(f"{where}: kind {row['kind']!r} of {code} is not one of {', '.join(AGENCY_KINDS)}")
        if row["area_code"] and row["area_code"] not in units:
            every_unit = _every_unit() if every_unit is None else every_unit
            if row["area_code"] not in every_unit:
                raise ReferenceError(f"{where}: area_code {row['area_code']!r} of {code} is not in areas.csv")
            continue  # a unit of another province: its agency is that province's
        # one address, or several separated by ';' (compared case-insensitively)
        row["contact_email"] = "; ".join(contact_addresses(row["contact_email"], where, code))
        frm, to = validity(row, where)
        if to is not None and to < frm:
            raise ReferenceError(f"{where}: valid_to {to} of {code} is before valid_from {frm}")
        names = geography.names(frm)
        aliases = tuple(geography.fill(a.strip(), names) for a in row["aliases"].split("|") if a.strip())
        agencies.append(
            Agency(
                code,
                geography.fill(row["name_vi"], names),
                row["kind"],
                row["area_code"] or None,
                row["contact_email"] or None,
                frm,
                to,
                aliases,
                where,
            )
        )
    return agencies


def read_agencies() -> list[Agency]:
    """Every agency of the configured province in every period: agencies.csv's rows and the
    generated committees they do not replace. Raises ReferenceError naming the file, line and
    problem."""
    units = geography.areas()
    listed = _csv_agencies({a.code for a in units})
    out: list[Agency] = []
    for area in units:
        made = committee(area)
        overrides = [
            a
            for a in listed
            if a.agency_code == made.agency_code
            or (a.kind in COMMITTEE_KINDS and a.area_code == area.code and overlap(a, made))
        ]
        same_code = [a for a in overrides if a.agency_code == made.agency_code]
        if not overrides:
            out.append(made)
        for a in same_code:  # a listed row of the generated code: fill what it leaves empty
            listed[listed.index(a)] = replace(
                a, name_vi=a.name_vi or made.name_vi, contact_email=a.contact_email or made.contact_email
            )
    for a in listed:
        if not a.name_vi:
            raise ReferenceError(f"{a.where}: name_vi of {a.agency_code} is empty")
    agencies = listed + out
    _check_unambiguous(agencies)
    return agencies


def agencies_in(month: date) -> list[Agency]:
    """The agencies that must report for the month beginning on ``month``: those that exist on its
    last day, in the report's order (departments, other, committees by unit, media)."""
    last = next_month(month.replace(day=1)) - timedelta(days=1)
    order = {"department": 0, "other": 1, "district_committee": 2, "commune_committee": 2, "media": 3}
    found = [a for a in read_agencies() if a.valid_on(last)]
    return sorted(found, key=lambda a: (order[a.kind], a.area_code or "", a.agency_code))


def _check_unambiguous(agencies: list[Agency]) -> list[tuple[Agency, str, str]]:
    """One code, one agency at a time; one spelling, one agency at a time. Returns every
    (agency, spelling, matching key): norm_key, or exact_key for the spellings that differ from
    another agency's only by their diacritics; a generated spelling another agency shares is left
    out. Raises ReferenceError for a listed spelling that would name two agencies at once."""
    entries = [(a, s) for a in agencies for s in sorted(a.spellings())]
    groups: dict[str, list[tuple[Agency, str]]] = {}
    for agency, spelling in entries:
        key = norm_key(spelling)
        if not key:
            raise ReferenceError(f"{agency.where}: alias {spelling!r} of {agency.agency_code} has no letters or digits")
        groups.setdefault(key, []).append((agency, spelling))
    exact: set[tuple[int, str]] = set()
    dropped: set[tuple[int, str]] = set()
    for group in groups.values():
        for i, (agency, spelling) in enumerate(group):
            for other, other_spelling in group[:i]:
                if other is agency or not overlap(agency, other):
                    continue
                if other.agency_code == agency.agency_code:
                    raise ReferenceError(
                        f"{agency.where}: {agency.agency_code} is listed twice for overlapping periods "
                        f"(also {other.where})"
                    )
                if exact_key(spelling) != exact_key(other_spelling):
                    exact |= {(id(agency), spelling), (id(other), other_spelling)}
                    continue
                made = [(id(a), s) for a, s in ((agency, spelling), (other, other_spelling)) if a.generated]
                if made:
                    dropped |= set(made)
                    continue
                raise ReferenceError(
                    f"{agency.where}: {spelling!r} would name both {agency.agency_code} and "
                    f"{other.agency_code} ({other.where}, as {other_spelling!r}) in an overlapping period"
                )
    return [
        (a, s, exact_key(s) if (id(a), s) in exact else norm_key(s)) for a, s in entries if (id(a), s) not in dropped
    ]


def sync_agencies(conn) -> dict[str, int]:
    """Replace ispeed.dim_agency and ispeed.dim_agency_alias with the configured province's
    agencies (read_agencies), in the caller's transaction (the caller commits). Returns the number
    of agencies and spellings loaded."""
    agencies = read_agencies()
    aliases = {(k, a.agency_code, a.valid_from): (s, a.valid_to) for a, s, k in _check_unambiguous(agencies)}
    params = {
        "agencies": json_rows([asdict(a) for a in agencies]),
        "aliases": json_rows(
            [
                {"alias_key": k, "agency_code": code, "alias": alias, "valid_from": frm, "valid_to": to}
                for (k, code, frm), (alias, to) in aliases.items()
            ]
        ),
    }
    with conn.cursor() as cur:
        cur.execute(paths.read_sql("reference/replace_agency_dimension.sql"), params)
    return {"agencies": len(agencies), "agency_aliases": len(aliases)}
