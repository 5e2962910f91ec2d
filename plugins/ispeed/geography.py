"""The province the pipeline reports for, and its units on any date.

One setting chooses the province: ``province_code`` in include/config/pipeline.yaml (31, Hải Phòng,
by default), overridden by the environment variable ``ISPEED_PROVINCE``. Everything else follows
from the shipped geography, include/reference/provinces.csv and areas.csv, which
``python -m ispeed geography`` regenerates from the field's data (devtools/geography.py,
docs/geography.md):

- its names on a date ("thành phố Hải Phòng", "tỉnh Quảng Ninh"), for the report and the mails;
- the provinces merged into it (from 2025-07-01 Hải Dương is Hải Phòng);
- its units valid in a month: before 2025-07-01 the districts (quận, huyện, thị xã, thành phố
  thuộc tỉnh) of the province as it then was; from then on its communes, wards and special zones.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from ispeed import paths
from ispeed.config import ConfigError, load_yaml
from ispeed.text import norm_key

#: area levels of areas.csv -> their name prefixes, the full word first ("Quận Lê Chân", "Q. Lê Chân")
LEVEL_PREFIXES = {
    "quan": ["Quận", "Q."],
    "huyen": ["Huyện", "H."],
    "thi_xa": ["Thị xã", "TX."],
    "thanh_pho": ["Thành phố", "TP."],
    "phuong": ["Phường", "P."],
    "xa": ["Xã", "X."],
    "dac_khu": ["Đặc khu", "ĐK."],
    "thi_tran": ["Thị trấn", "TT."],
}
#: the levels of the two-tier local government of 1 July 2025
COMMUNE_LEVELS = frozenset({"phuong", "xa", "dac_khu"})
#: areas.csv's area_code of a test counted for the province whose unit is missing, unknown or not
#: valid on its date (ispeed.fact_measurement, ispeed.mart_compliance_operator_area)
UNASSIGNED = "unassigned"

PROVINCE_KINDS = {"thanh_pho": "thành phố", "tinh": "tỉnh"}


class GeographyError(ConfigError):
    pass


@dataclass(frozen=True)
class Province:
    code: str
    name_vi: str  # "Hải Phòng"
    kind: str  # thanh_pho / tinh
    valid_from: date
    valid_to: date | None
    merged_into: str | None  # the new province's code, for one merged on 2025-07-01

    @property
    def full_name(self) -> str:
        """ "thành phố Hải Phòng", "tỉnh Quảng Ninh" (as in "Sở Khoa học và Công nghệ ...")."""
        return f"{PROVINCE_KINDS[self.kind]} {self.name_vi}"

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class Area:
    code: str
    name_vi: str  # "Lê Chân"
    level: str
    province_code: str
    valid_from: date
    valid_to: date | None

    @property
    def full_name(self) -> str:
        """ "Quận Lê Chân", "Phường Hải Dương", "Đặc khu Cát Hải"."""
        return f"{LEVEL_PREFIXES[self.level][0]} {self.name_vi}"

    def valid_in(self, month: date) -> bool:
        """Valid on some day of the month that begins on ``month``."""
        last = _last_day(month)
        return self.valid_from <= last and (self.valid_to is None or self.valid_to >= month)


def _last_day(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _date(value: str, where: str, column: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise GeographyError(f"{where}: column {column}: {value!r} is not a date (YYYY-MM-DD)") from exc


def _rows(name: str) -> list[tuple[str, dict[str, str]]]:
    path = paths.REFERENCE_DIR / name
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            return [(f"{name}:{reader.line_num}", {k: (v or "").strip() for k, v in r.items() if k}) for r in reader]
    except FileNotFoundError as exc:
        raise GeographyError(f"reference file {path} is missing; `make geography` writes it") from exc


@lru_cache(maxsize=4)
def _provinces(ref_dir: str) -> tuple[Province, ...]:
    out = []
    for where, r in _rows("provinces.csv"):
        if r.get("kind") not in PROVINCE_KINDS:
            raise GeographyError(f"{where}: kind {r.get('kind')!r} is not one of {', '.join(PROVINCE_KINDS)}")
        out.append(
            Province(
                r["province_code"],
                r["name_vi"],
                r["kind"],
                _date(r["valid_from"], where, "valid_from") or date(1900, 1, 1),
                _date(r["valid_to"], where, "valid_to"),
                r.get("merged_into") or None,
            )
        )
    return tuple(out)


def provinces() -> tuple[Province, ...]:
    """Every province of provinces.csv, in every period."""
    return _provinces(str(paths.REFERENCE_DIR))


def province_code() -> str:
    """The configured province: ISPEED_PROVINCE, else pipeline.yaml's province_code."""
    env = os.environ.get("ISPEED_PROVINCE", "").strip()
    if env:
        code = env
        where = "ISPEED_PROVINCE"
    else:
        path = paths.CONFIG_DIR / "pipeline.yaml"
        try:
            stamp = path.stat().st_mtime_ns
        except OSError:
            stamp = 0
        code, where = _configured_code(str(path), stamp), "include/config/pipeline.yaml: province_code"
    code = code.zfill(2) if code.isdigit() else code
    if not any(p.code == code for p in provinces()):
        known = ", ".join(f"{p.code} {p.name_vi}" for p in provinces() if p.valid_to is None)
        raise GeographyError(f"{where}: {code!r} is not a province code of provinces.csv (today's: {known})")
    return code


@lru_cache(maxsize=8)
def _configured_code(path: str, stamp: int) -> str:
    """pipeline.yaml's province_code, read once per version of the file (a task asks often)."""
    raw = load_yaml("pipeline")
    value = raw.get("province_code", (raw.get("province") or {}).get("code"))
    if value is None:
        raise GeographyError('include/config/pipeline.yaml: province_code is missing (e.g. province_code: "31")')
    return str(value).strip()


def province(on: date | None = None, code: str | None = None) -> Province:
    """The province ``code`` (default: the configured one) as it was on ``on`` (default: today);
    the period nearest to the date when it did not exist then."""
    code = code or province_code()
    on = on or date.today()
    periods = [p for p in provinces() if p.code == code]
    for p in periods:
        if p.valid_on(on):
            return p
    return min(periods, key=lambda p: abs((p.valid_from - on).days))


def merged_provinces(code: str | None = None) -> list[Province]:
    """The provinces merged into ``code`` (default: the configured one) on 2025-07-01."""
    code = code or province_code()
    return [p for p in provinces() if p.merged_into == code and p.code != code]


@lru_cache(maxsize=4)
def _areas(ref_dir: str) -> tuple[Area, ...]:
    out = []
    for where, r in _rows("areas.csv"):
        if r.get("level") not in LEVEL_PREFIXES:
            raise GeographyError(f"{where}: level {r.get('level')!r} is not one of {', '.join(LEVEL_PREFIXES)}")
        out.append(
            Area(
                r["area_code"],
                r["name_vi"],
                r["level"],
                r["province_code"],
                _date(r["valid_from"], where, "valid_from") or date(1900, 1, 1),
                _date(r["valid_to"], where, "valid_to"),
            )
        )
    return tuple(out)


def areas(code: str | None = None) -> list[Area]:
    """Every unit of the province ``code`` (default: the configured one), in every period."""
    return list(_province_areas(code or province_code(), str(paths.REFERENCE_DIR)))


@lru_cache(maxsize=8)
def _province_areas(code: str, ref_dir: str) -> tuple[Area, ...]:
    return tuple(a for a in _areas(ref_dir) if a.province_code == code)


def areas_in(month: date, code: str | None = None) -> list[Area]:
    """The province's units valid in the month (one row per code: the one valid at its end)."""
    return list(_areas_in(month, code or province_code(), str(paths.REFERENCE_DIR)))


@lru_cache(maxsize=64)
def _areas_in(month: date, code: str, ref_dir: str) -> tuple[Area, ...]:
    # Cached: the report asks for the month's units once per unit it names (a few hundred times).
    best: dict[str, Area] = {}
    for a in _province_areas(code, ref_dir):
        if a.valid_in(month) and (a.code not in best or a.valid_from > best[a.code].valid_from):
            best[a.code] = a
    return tuple(sorted(best.values(), key=lambda a: a.code))


def communes_in(month: date, code: str | None = None) -> bool:
    """Whether the month's units are communes (after the 2025 reform) rather than districts."""
    return any(a.level in COMMUNE_LEVELS for a in areas_in(month, code))


def unit_words(month: date, code: str | None = None) -> dict[str, str]:
    """How the month's units are named in the report: "quận, huyện" or "xã, phường, đặc khu"."""
    if communes_in(month, code):
        return {"units": "xã, phường, đặc khu", "unit": "xã, phường", "unassigned": "chưa xác định xã/phường"}
    return {"units": "quận, huyện", "unit": "quận, huyện", "unassigned": "chưa xác định quận/huyện"}


def names(on: date | None = None, code: str | None = None) -> dict[str, str]:
    """The placeholders of the settings' texts (report.yaml, operations.yaml, agencies.csv):
    {province} "Hải Phòng", {province_full} "thành phố Hải Phòng", {PROVINCE_FULL} "THÀNH PHỐ HẢI
    PHÒNG", {Province_full} "Thành phố Hải Phòng", {province_kind} "thành phố" / "tỉnh" ("UBND
    {province_kind}"), {province_slug} "haiphong", {province_code} "31"."""
    p = province(on, code)
    full = p.full_name
    return {
        "province": p.name_vi,
        "province_full": full,
        "Province_full": full[0].upper() + full[1:],
        "PROVINCE_FULL": full.upper(),
        "province_kind": PROVINCE_KINDS[p.kind],
        "province_slug": norm_key(p.name_vi),
        "province_code": p.code,
    }


def fill(text, values: dict[str, str]):
    """``text`` with the {placeholders} of ``values`` filled; other braces ({month}, {number}) kept.
    A list or a mapping (a YAML tree of settings) is filled in every string it holds."""
    if isinstance(text, list):
        return [fill(v, values) for v in text]
    if isinstance(text, dict):
        return {k: fill(v, values) for k, v in text.items()}
    if not isinstance(text, str):
        return text
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text
