"""The agencies that must send a monthly return: include/reference/agencies.csv, loaded into
ispeed.dim_agency (and the spellings that name them into ispeed.dim_agency_alias).

The file is reference data that the operator of the pipeline edits, dated like the geography:
an agency must report for a month when it exists on the month's last day (valid_from <= last day
<= valid_to, an empty valid_to meaning "still exists"). Its columns:

    agency_code    short code the pipeline uses (STTTT, UBND-HB, ...), also accepted in returns
    name_vi        the agency's name, as the report prints it
    kind           department / district_committee / media / other
    area_code      the district it belongs to (areas.csv), empty for city-level agencies
    contact_email  where reminders go. The shipped file holds placeholders on example.org
                   (a reserved domain): the operator replaces them with the real addresses.
    valid_from, valid_to   YYYY-MM-DD
    aliases        other spellings of the name, separated by '|'

An agency is named in a return by its code or by any of its names; matching ignores case,
diacritics and punctuation (text.norm_key), as for operators and districts.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date

from ispeed import paths
from ispeed.text import norm_key
from ispeed.warehouse.reference import ReferenceError, json_rows, overlap, read_csv, read_reference, validity

AGENCY_KINDS = ("department", "district_committee", "media", "other")
COLUMNS = ["agency_code", "name_vi", "kind", "area_code", "contact_email", "valid_from", "valid_to", "aliases"]
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[a-z]{2,}$", re.IGNORECASE)


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
    where: str  # file:line, for messages

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def spellings(self) -> set[str]:
        return {self.agency_code, self.name_vi, *self.aliases}


def read_agencies() -> list[Agency]:
    """Read and check agencies.csv. Raises ReferenceError naming the file, line and problem."""
    rows = read_csv("agencies.csv", COLUMNS, lists="the agencies that must send returns")
    areas = {a["area_code"] for a in read_reference().areas}  # the districts an agency may belong to
    agencies: list[Agency] = []
    for where, row in rows:
        code = row["agency_code"]
        if not code or not norm_key(code):
            raise ReferenceError(f"{where}: agency_code is empty")
        if not row["name_vi"]:
            raise ReferenceError(f"{where}: name_vi of {code} is empty")
        if row["kind"] not in AGENCY_KINDS:
            raise ReferenceError(f"{where}: kind {row['kind']!r} of {code} is not one of {', '.join(AGENCY_KINDS)}")
        if row["area_code"] and row["area_code"] not in areas:
            raise ReferenceError(f"{where}: area_code {row['area_code']!r} of {code} is not in areas.csv")
        if row["contact_email"] and not _EMAIL.match(row["contact_email"]):
            raise ReferenceError(f"{where}: contact_email {row['contact_email']!r} of {code} is not an e-mail address")
        frm, to = validity(row, where)
        if to is not None and to < frm:
            raise ReferenceError(f"{where}: valid_to {to} of {code} is before valid_from {frm}")
        aliases = tuple(a.strip() for a in row["aliases"].split("|") if a.strip())
        agencies.append(
            Agency(
                code,
                row["name_vi"],
                row["kind"],
                row["area_code"] or None,
                row["contact_email"] or None,
                frm,
                to,
                aliases,
                where,
            )
        )
    _check_unambiguous(agencies)
    return agencies


def _check_unambiguous(agencies: list[Agency]) -> None:
    """One code, one agency at a time; one spelling, one agency at a time."""
    seen: dict[str, list[tuple[str, Agency]]] = {}
    for agency in agencies:
        for spelling in agency.spellings():
            key = norm_key(spelling)
            if not key:
                raise ReferenceError(
                    f"{agency.where}: alias {spelling!r} of {agency.agency_code} has no letters or digits"
                )
            for other_spelling, other in seen.get(key, []):
                if other is agency or not overlap(agency, other):
                    continue
                if other.agency_code == agency.agency_code:
                    raise ReferenceError(
                        f"{agency.where}: {agency.agency_code} is listed twice for overlapping periods "
                        f"(also {other.where})"
                    )
                raise ReferenceError(
                    f"{agency.where}: {spelling!r} would name both {agency.agency_code} and "
                    f"{other.agency_code} ({other.where}, as {other_spelling!r}) in an overlapping period"
                )
            seen.setdefault(key, []).append((spelling, agency))


def sync_agencies(conn) -> dict[str, int]:
    """Replace ispeed.dim_agency and ispeed.dim_agency_alias with agencies.csv, in the caller's
    transaction (the caller commits). Returns the number of agencies and spellings loaded."""
    agencies = read_agencies()
    aliases = {
        (norm_key(s), a.agency_code, a.valid_from): (s, a.valid_to) for a in agencies for s in sorted(a.spellings())
    }
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
