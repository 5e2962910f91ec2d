"""Regenerate the shipped geography (include/reference/provinces.csv and areas.csv) from the field's
own data, the ``vietnam-provinces`` package, with one command:

    python -m ispeed geography          (make geography)

Viet Nam's administrative units changed twice in the pipeline's history, and each change is one
release of the package, read as a snapshot of the country on a date:

====================  ===========  ===================================================================
release               valid from   what it holds
====================  ===========  ===================================================================
0.5.0                 2020-01-01   the 63 provinces and their 705 districts before the 2025 changes
0.6.0                 2025-01-01   the 696 districts after the changes of 1 January 2025 (Thủy
                                   Nguyên a city, An Dương an urban district, Huế a city, ...)
2025.10.1             2025-07-01   the 34 provinces and their 3 321 communes, wards and special zones
                                   (Nghị quyết 202/2025/QH15; codes of Quyết định 19/2025/QĐ-TTg)
====================  ===========  ===================================================================

A unit is valid from the first snapshot that holds it (with that code, name and level) to the day
before the first that does not. The first snapshot is taken as valid from 2020-01-01: months before
that are outside the shipped history (docs/geography.md).

Which old province went into which new one (Hải Dương into Hải Phòng) is read from the codes: a
new commune keeps the code of one of the old communes it was made of (Quyết định 19/2025/QĐ-TTg),
and every old province's communes that kept their code went into exactly one new province.

The package is GPL-3.0-or-later. It is a tool of this command only, downloaded into a cache
folder and read as data (its JSON files), never imported at run time: the pipeline ships the
CSV files, the facts of the official lists, and depends on nothing GPL when it runs.

Names are printed with the tone mark placed as in the government's documents ("Thủy", "Hòa"):
the package writes some both ways, and matching ignores the placement anyway.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from ispeed import paths

PACKAGE = "vietnam-provinces"
#: (release, the first day its units are valid). The last one is still valid.
SNAPSHOTS: tuple[tuple[str, date], ...] = (
    ("0.5.0", date(2020, 1, 1)),
    ("0.6.0", date(2025, 1, 1)),
    ("2025.10.1", date(2025, 7, 1)),
)
DATA_FILE = "vietnam_provinces/data/nested-divisions.json"

#: Name prefixes of the package -> the level written in areas.csv (reference.LEVEL_PREFIXES).
_PREFIXES = (
    ("Thành phố ", "thanh_pho"),
    ("Thị xã ", "thi_xa"),
    ("Thị trấn ", "thi_tran"),
    ("Quận ", "quan"),
    ("Huyện ", "huyen"),
    ("Phường ", "phuong"),
    ("Xã ", "xa"),
    ("Đặc khu ", "dac_khu"),
)
_PROVINCE_PREFIXES = (("Thành phố ", "thanh_pho"), ("Tỉnh ", "tinh"))

# "Thuỷ" -> "Thủy": the tone of a final "uy", "oa", "oe" on its first vowel (not after q: "Quý").
_FINALS = {
    "uỷ": "ủy", "uý": "úy", "uỳ": "ùy", "uỹ": "ũy", "uỵ": "ụy",
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
}  # fmt: skip
_FINALS_RE = re.compile(r"(?<![qQ])(" + "|".join(_FINALS) + r")(?!\w)", re.IGNORECASE)


def traditional_tone(name: str) -> str:
    """ "Thuỷ Nguyên" -> "Thủy Nguyên", "Hoà Bình" -> "Hòa Bình"; "Hoàng", "Quý" unchanged."""

    def swap(m: re.Match) -> str:
        text = m.group(0)
        out = _FINALS[text.lower()]
        return out[0].upper() + out[1:] if text[0].isupper() else out

    return _FINALS_RE.sub(swap, name)


def split_prefix(name: str, prefixes=_PREFIXES) -> tuple[str, str]:
    """ "Quận Lê Chân" -> ("Lê Chân", "quan")."""
    for prefix, level in prefixes:
        if name.casefold().startswith(prefix.casefold()):  # the package writes "Thành Phố" too
            return name[len(prefix) :].strip(), level
    raise ValueError(f"{name!r} begins with none of the known prefixes")


@dataclass(frozen=True)
class Unit:
    code: str
    name_vi: str
    level: str
    province_code: str


def _code(value: int, width: int) -> str:
    return f"{int(value):0{width}d}"


def read_snapshot(data: list[dict]) -> tuple[list[Unit], list[Unit], dict[str, set[str]]]:
    """The provinces, the units below them (districts, or after 2025 the communes), and each
    province's commune codes (for the old-to-new provinces) of one release's nested JSON."""
    provinces, units, communes = [], [], defaultdict(set)
    for p in data:
        pcode = _code(p["code"], 2)
        name, kind = split_prefix(p["name"], _PROVINCE_PREFIXES) if p["name"].casefold().startswith(("thành phố ", "tỉnh ")) else (
            p["name"], "thanh_pho" if "trung ương" in p.get("division_type", "") else "tinh")  # fmt: skip
        provinces.append(Unit(pcode, traditional_tone(name), kind, pcode))
        if "districts" in p:
            for d in p["districts"]:
                dname, level = split_prefix(d["name"])
                units.append(Unit(_code(d["code"], 3), traditional_tone(dname), level, pcode))
                communes[pcode] |= {_code(w["code"], 5) for w in d["wards"]}
        for w in p.get("wards", []):
            wname, level = split_prefix(w["name"])
            units.append(Unit(_code(w["code"], 5), traditional_tone(wname), level, pcode))
            communes[pcode].add(_code(w["code"], 5))
    return provinces, units, communes


def spans(snapshots: list[list[Unit]]) -> list[tuple[Unit, date, date | None]]:
    """Each distinct unit with the first day of the first snapshot holding it and the last day
    before the first snapshot after it that does not (None: still valid)."""
    out: list[tuple[Unit, date, date | None]] = []
    sets = [set(s) for s in snapshots]
    for i, units in enumerate(snapshots):
        for unit in units:
            if i > 0 and unit in sets[i - 1]:
                continue  # already opened
            j = i
            while j + 1 < len(sets) and unit in sets[j + 1]:
                j += 1
            to = SNAPSHOTS[j + 1][1] - timedelta(days=1) if j + 1 < len(SNAPSHOTS) else None
            out.append((unit, SNAPSHOTS[i][1], to))
    return out


def merged_into(old: dict[str, set[str]], new: dict[str, set[str]]) -> dict[str, str]:
    """Old province code -> the new province its communes went into (by the codes they kept)."""
    where = {c: p for p, codes in new.items() for c in codes}
    out = {}
    for p, codes in old.items():
        votes = Counter(where[c] for c in codes if c in where)
        if len(votes) != 1:
            raise ValueError(f"old province {p}: its communes went into {dict(votes)}, not one new province")
        out[p] = next(iter(votes))
    return out


def download(release: str, cache: Path) -> Path:
    """The wheel of ``vietnam-provinces==release`` in ``cache``, downloaded from the package
    registry when it is not there yet."""
    cache.mkdir(parents=True, exist_ok=True)
    found = sorted(cache.glob(f"vietnam_provinces-{release}-*.whl"))
    if not found:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                f"{PACKAGE}=={release}",
                "-d",
                str(cache),
            ],
            check=True,
        )
        found = sorted(cache.glob(f"vietnam_provinces-{release}-*.whl"))
    return found[0]


def regenerate(out_dir: Path | None = None, cache: Path | None = None) -> dict[str, int]:
    """Write provinces.csv and areas.csv into ``out_dir`` (default include/reference/)."""
    out_dir = out_dir or paths.REFERENCE_DIR
    cache = cache or paths.data_dir() / "geography-sources"
    snaps = []
    for release, _ in SNAPSHOTS:
        with zipfile.ZipFile(download(release, cache)) as whl:
            snaps.append(read_snapshot(json.loads(whl.read(DATA_FILE))))
    into = merged_into(snaps[-2][2], snaps[-1][2])
    reform = SNAPSHOTS[-1][1]
    province_rows = [
        {
            "province_code": u.code,
            "name_vi": u.name_vi,
            "kind": u.level,
            "valid_from": frm.isoformat(),
            "valid_to": to.isoformat() if to else "",
            "merged_into": into.get(u.code, "") if to == reform - timedelta(days=1) else "",
        }
        for u, frm, to in spans([s[0] for s in snaps])
    ]
    area_rows = [
        {
            "area_code": u.code,
            "name_vi": u.name_vi,
            "level": u.level,
            "province_code": u.province_code,
            "valid_from": frm.isoformat(),
            "valid_to": to.isoformat() if to else "",
        }
        for u, frm, to in spans([s[1] for s in snaps])
    ]
    province_rows.sort(key=lambda r: (r["valid_from"], r["province_code"]))
    area_rows.sort(key=lambda r: (r["province_code"], r["valid_from"], r["area_code"]))
    _write(out_dir / "provinces.csv", province_rows)
    _write(out_dir / "areas.csv", area_rows)
    return {"provinces": len(province_rows), "areas": len(area_rows)}


def _write(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
