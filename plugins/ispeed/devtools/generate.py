"""Sample data: realistic i-Speed exports for any month and any size, deterministic given a seed.

    python -m ispeed generate --month 2024-10 --rows 100000 [--seed 7] [--out DIR] [--format csv|jsonl]

What it writes (docs/sample-data.md says more):
- the configured province's units valid in the month (geography.areas_in): Hải Phòng's 15 districts
  until 2025-06, its 114 xã, phường and đặc khu from 2025-07, another province's (ISPEED_PROVINCE);
  urban units faster than rural ones and the islands slowest, the busiest units with most tests;
- each unit spelt as exports spell it (``unit_spellings``): its code, its name with its prefix, the
  bare name, the abbreviation ("P. Lê Chân"), the other tone-mark placement ("Thuỷ");
- five operators with different heavy-tailed (log-normal) speeds: on 4G Viettel and VinaPhone are
  above 40 Mbps on average, MobiFone near it, Vietnamobile and Gmobile below;
- a mix of 4G (70 %), 5G (15 %) and Wi-Fi (15 %); operator and network spelt in several ways;
- repeat testers: devices drawn with a Zipf-like weight, a few of them with hundreds of tests;
- about 2 % bad rows of documented kinds (``BAD_ROW_KINDS``), which the pipeline must quarantine;
- after the 2025 reform about 0.3 % valid rows naming the province and an abolished district
  ("Quận Lê Chân" in 2026), which count for the province as 'unassigned' (``UNASSIGNED_FRACTION``);
- on request (the demo's history, devtools/history.py) an operator faster or slower than its usual
  speed (``operator_speed``), and a few units with a set share of the tests (``unit_shares``).

Rows are produced in chunks with numpy, so memory stays flat for 10 million rows.
"""

from __future__ import annotations

import json
import unicodedata
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np

from ispeed import geography
from ispeed.geography import COMMUNE_LEVELS, LEVEL_PREFIXES, Area
from ispeed.months import LOCAL_TZ, month_label, next_month
from ispeed.text import norm_key

CHUNK = 100_000

#: operator spelling variants as they appear in exports, and the 4G median download (Mbps)
OPERATORS = [
    ("VIETTEL", ["Viettel", "VIETTEL", "Viettel Telecom", "Tổng công ty Viettel"], 52.0, 0.30),
    ("VINAPHONE", ["VinaPhone", "VNPT", "Vinaphone"], 45.0, 0.27),
    ("MOBIFONE", ["MobiFone", "Mobifone", "MOBIFONE"], 37.0, 0.20),
    ("VIETNAMOBILE", ["Vietnamobile", "VNMB"], 21.0, 0.13),
    ("GMOBILE", ["Gmobile", "G-Mobile"], 14.0, 0.10),
]
#: Hải Phòng's districts until 2025-06: (code, name with its prefix, speed factor, share of tests)
DISTRICTS = [
    ("303", "Quận Hồng Bàng", 1.10, 0.09),
    ("304", "Quận Ngô Quyền", 1.12, 0.12),
    ("305", "Quận Lê Chân", 1.10, 0.12),
    ("306", "Quận Hải An", 1.05, 0.08),
    ("307", "Quận Kiến An", 1.00, 0.07),
    ("308", "Quận Đồ Sơn", 0.90, 0.03),
    ("309", "Quận Dương Kinh", 0.92, 0.03),
    ("311", "Huyện Thủy Nguyên", 0.88, 0.10),
    ("312", "Huyện An Dương", 0.95, 0.07),
    ("313", "Huyện An Lão", 0.85, 0.05),
    ("314", "Huyện Kiến Thụy", 0.85, 0.05),
    ("315", "Huyện Tiên Lãng", 0.78, 0.05),
    ("316", "Huyện Vĩnh Bảo", 0.75, 0.06),
    ("317", "Huyện Cát Hải", 0.65, 0.05),
    ("318", "Huyện Bạch Long Vĩ", 0.40, 0.03),
]
NETWORKS = [
    ("4G", ["4G", "LTE", "4G"], 1.0, 0.70),
    ("5G", ["5G", "NR"], 4.0, 0.15),
    ("WiFi", ["WiFi", "Wi-Fi"], 1.6, 0.15),
]
PLATFORMS = ["android", "ios", "web"]

#: other units, by level: (speed factor, weight of tests); urban ones faster and busier
LEVEL_PROFILES = {
    "quan": (1.08, 1.6),
    "phuong": (1.08, 1.6),
    "thanh_pho": (1.00, 1.3),
    "thi_xa": (0.95, 1.0),
    "thi_tran": (0.90, 0.8),
    "huyen": (0.85, 0.8),
    "xa": (0.82, 0.55),
}
#: island units (whatever their level): the slowest, few tests; the remote ones slower still
ISLANDS = {"Cát Hải": (0.65, 0.35), "Bạch Long Vĩ": (0.40, 0.08), "Hoàng Sa": (0.40, 0.02), "Trường Sa": (0.40, 0.02)}
ISLAND_PROFILE = (0.60, 0.25)
#: the province's rough centre, for the latitude and longitude columns
CENTRES = {"31": (20.86, 106.68), "48": (16.05, 108.20)}
#: share of valid rows, after the 2025 reform, naming the province and a district abolished then
UNASSIGNED_FRACTION = 0.003


@dataclass(frozen=True)
class Unit:
    """A unit of the month as the sample exports name it."""

    code: str
    full_name: str
    spellings: tuple[str, ...]
    speed: float
    share: float


#: norm_key of the units' names, computed once: unit_spellings compares every unit with every other
_key = lru_cache(maxsize=None)(norm_key)

#: combining tone marks (NFD): huyền, sắc, hỏi, ngã, nặng
_TONES = "\u0300\u0301\u0309\u0303\u0323"


def other_tone_placement(text: str) -> str:
    """The other (old or new) place of the tone mark on "oa", "oe", "uy" ending a word: "Thủy" <->
    "Thuỷ", "Hòa" <-> "Hoà" ("Quý" stays); ``text`` itself when no word has one."""
    words = []
    for word in text.split(" "):
        d = unicodedata.normalize("NFD", word)
        if len(d) >= 3 and d[-4:-3].lower() != "q":
            if d[-2] in _TONES and (d[-3] + d[-1]).lower() in ("oa", "oe", "uy"):
                d = d[:-2] + d[-1] + d[-2]  # Thủy -> Thuỷ
            elif d[-1] in _TONES and d[-3:-1].lower() in ("oa", "oe", "uy"):
                d = d[:-2] + d[-1] + d[-2]  # Thuỷ -> Thủy
        words.append(unicodedata.normalize("NFC", d))
    return " ".join(words)


def unit_spellings(area: Area, month_areas: list[Area]) -> tuple[str, ...]:
    """How exports name ``area``: its code, its full name, its bare name (unless another unit of the
    month has it too), its abbreviation ("P. Lê Chân"), its full name with the other tone-mark
    placement. A name told from another unit's only by its diacritics (Xã Cẩm Giang, Xã Cẩm Giàng)
    is written exactly, or the code is."""
    others = [a for a in month_areas if a.code != area.code]
    if any(_key(a.full_name) == _key(area.full_name) for a in others):
        return (area.code, area.full_name)
    out = [area.code, area.full_name]
    if not any(_key(a.name_vi) == _key(area.name_vi) for a in others):
        out.append(area.name_vi)
    out.append(f"{LEVEL_PREFIXES[area.level][1]} {area.name_vi}")
    toned = other_tone_placement(area.full_name)
    if toned != area.full_name:
        out.append(toned)
    return tuple(out)


def _crc_factor(code: str, low: float, high: float) -> float:
    """A factor in [low, high) fixed by the code (not by the seed), so a unit keeps its character."""
    return low + (high - low) * (zlib.crc32(code.encode()) % 1000) / 1000


def units_in(month: date, code: str | None = None) -> list[Unit]:
    """The province's units of the month with their spellings, speed factors and shares of tests.
    Hải Phòng's districts keep their figures (``DISTRICTS``); other units take their level's
    (``LEVEL_PROFILES``, ``ISLANDS``), scaled so that the province's mean speed stays that of
    Hải Phòng's districts and the operators' verdicts stay meaningful."""
    code = code or geography.province_code()
    month_areas = geography.areas_in(month, code)
    known = {d[0]: d for d in DISTRICTS} if code == "31" else {}
    if month_areas and all(a.code in known for a in month_areas):
        return [
            Unit(a.code, a.full_name, unit_spellings(a, month_areas), known[a.code][2], known[a.code][3])
            for a in month_areas
        ]
    profiles = []
    for a in month_areas:
        speed, weight = ISLANDS.get(a.name_vi) or (
            ISLAND_PROFILE if a.level == "dac_khu" else LEVEL_PROFILES.get(a.level, (0.9, 1.0))
        )
        profiles.append((speed * _crc_factor(a.code, 0.95, 1.05), weight * _crc_factor(a.code[::-1], 0.5, 1.5)))
    total = sum(w for _, w in profiles) or 1.0
    target = sum(d[2] * d[3] for d in DISTRICTS) / sum(d[3] for d in DISTRICTS)
    mean = sum(sp * w for sp, w in profiles) / total or 1.0
    return [
        Unit(a.code, a.full_name, unit_spellings(a, month_areas), round(sp * target / mean, 3), w / total)
        for a, (sp, w) in zip(month_areas, profiles, strict=True)
    ]


def abolished_names(month: date, code: str | None = None) -> list[str]:
    """Full names of the province's districts abolished before the month ("Quận Lê Chân" in 2026),
    none of them a spelling of a unit of the month: a row naming one counts for the province."""
    code = code or geography.province_code()
    valid = {norm_key(s) for u in units_in(month, code) for s in u.spellings}
    names = {
        a.full_name
        for a in geography.areas(code)
        if a.level not in COMMUNE_LEVELS and a.valid_to is not None and a.valid_to < month
    }
    return sorted(n for n in names if norm_key(n) not in valid)


#: The kinds of bad row written, each with the rule that must quarantine it (or 'duplicate').
BAD_ROW_KINDS = {
    "unknown_operator": "operator_known",
    "unknown_district": "district_known",
    "negative_download": "download_mbps_in_range",
    "text_download": "download_mbps_readable",
    "outside_month": "measured_at_in_month",
    "duplicate_id": "duplicate",
}

COLUMNS = [
    "measurement_id",
    "measured_at",
    "operator",
    "network_type",
    "download_mbps",
    "upload_mbps",
    "latency_ms",
    "jitter_ms",
    "province",
    "district",
    "latitude",
    "longitude",
    "device_id",
    "platform",
]


@dataclass
class GeneratedFile:
    path: Path
    rows: int
    bad_rows: dict[str, int]
    #: valid rows that name the province and a unit abolished before the month (they load as 'unassigned')
    unassigned_rows: int = 0


def _unit_weights(units: list[Unit], shares: Mapping[str, float]) -> np.ndarray:
    """Each unit's share of the tests: those of ``shares`` as given, the others' scaled to the rest."""
    unknown = sorted(set(shares) - {u.code for u in units})
    if unknown or not 0 <= sum(shares.values()) < 1:
        raise ValueError(f"unit_shares: codes not of the month {unknown}, or shares not summing below 1: {shares}")
    rest = (1 - sum(shares.values())) / (sum(u.share for u in units if u.code not in shares) or 1.0)
    return np.array([shares[u.code] if u.code in shares else u.share * rest for u in units])


def _rng(seed: int, month: date) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(month_label(month).encode())])


def _prefix(province_name: str) -> str:
    """The measurement ids' prefix: the province's initials ("HP", "DN")."""
    return "".join(norm_key(w)[:1] for w in province_name.split()).upper() or "X"


def generate_month(
    month: date,
    rows: int,
    out_dir: Path,
    *,
    seed: int = 7,
    fmt: str = "csv",
    bad_fraction: float = 0.02,
    name: str | None = None,
    operator_speed: Mapping[str, float] | None = None,
    unit_shares: Mapping[str, float] | None = None,
) -> GeneratedFile:
    """Write one export of ``rows`` measurements for ``month`` of the configured province into ``out_dir``.

    ``operator_speed``: a factor on the speeds of the operators it names (``{"MOBIFONE": 0.9}``: 10 %
    slower this month). ``unit_shares``: the share of the month's tests of the units it names, by
    code (``{"10882": 0.08}``: a measuring campaign there); the other units share the rest as usual.
    Without them (the default) the file is the one the same month, rows and seed always gave."""
    out_dir.mkdir(parents=True, exist_ok=True)
    label = month_label(month)
    path = out_dir / (name or f"ispeed_export_{label}.{'jsonl' if fmt == 'jsonl' else 'csv'}")
    rng = _rng(seed, month)
    code = geography.province_code()
    province = geography.province(month, code).name_vi
    id_prefix = _prefix(province) + label.replace("-", "")
    units = units_in(month, code)
    if not units:
        raise geography.GeographyError(f"include/reference/areas.csv has no unit of province {code} valid in {label}")
    abolished = abolished_names(month, code)
    centre_lat, centre_lon = CENTRES.get(code, CENTRES["31"])
    start = datetime(month.year, month.month, 1, tzinfo=LOCAL_TZ)
    seconds = int((datetime(*next_month(month).timetuple()[:3], tzinfo=LOCAL_TZ) - start).total_seconds())
    n_devices = max(10, rows // 8)
    device_weights = 1.0 / np.arange(1, n_devices + 1) ** 0.9
    device_weights /= device_weights.sum()
    op_p = np.array([o[3] for o in OPERATORS])
    op_p /= op_p.sum()
    u_p = _unit_weights(units, unit_shares) if unit_shares else np.array([u.share for u in units])
    u_p /= u_p.sum()
    u_speed = np.array([u.speed for u in units])
    u_spellings = np.array([len(u.spellings) for u in units])
    n_p = np.array([n[3] for n in NETWORKS])
    n_p /= n_p.sum()
    op_median = np.array([o[2] for o in OPERATORS])
    if operator_speed:
        op_median = op_median * np.array([operator_speed.get(o[0], 1.0) for o in OPERATORS])
    bad_counts = dict.fromkeys(BAD_ROW_KINDS, 0)
    bad_kinds = list(BAD_ROW_KINDS)
    unassigned = 0
    written = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        if fmt == "csv":
            fh.write(",".join(COLUMNS) + "\n")
        while written < rows:
            n = min(CHUNK, rows - written)
            idx = np.arange(written, written + n)
            op = rng.choice(len(OPERATORS), n, p=op_p)
            unit = rng.choice(len(units), n, p=u_p)
            spelling = (rng.random(n) * u_spellings[unit]).astype(int)
            net = rng.choice(len(NETWORKS), n, p=n_p)
            device = rng.choice(n_devices, n, p=device_weights)
            median = op_median[op] * u_speed[unit] * np.array([x[2] for x in NETWORKS])[net]
            download = np.round(median * rng.lognormal(0.0, 0.55, n), 2)
            upload = np.round(download * rng.uniform(0.15, 0.45, n), 2)
            latency = np.round(rng.gamma(4.0, 9.0, n) + 8, 1)
            jitter = np.round(rng.gamma(2.0, 2.5, n), 1)
            offset = rng.integers(0, seconds, n)
            lat = np.round(centre_lat + rng.normal(0, 0.08, n), 5)
            lon = np.round(centre_lon + rng.normal(0, 0.10, n), 5)
            bad = (rng.random(n) < bad_fraction) & (idx > 0)
            bad_kind = rng.integers(0, len(bad_kinds), n)
            stray = (rng.random(n) < UNASSIGNED_FRACTION) & ~bad if abolished else np.zeros(n, dtype=bool)
            stray_name = rng.integers(0, max(1, len(abolished)), n)
            variant = rng.integers(0, 4, n)
            records = []
            for i in range(n):
                o = OPERATORS[op[i]]
                nt = NETWORKS[net[i]]
                when = start + timedelta(seconds=int(offset[i]))
                rec = {
                    "measurement_id": f"{id_prefix}-{idx[i]:09d}",
                    "measured_at": when.strftime("%Y-%m-%dT%H:%M:%S+07:00")
                    if variant[i]
                    else when.strftime("%Y-%m-%d %H:%M:%S"),
                    "operator": o[1][variant[i] % len(o[1])],
                    "network_type": nt[1][variant[i] % len(nt[1])],
                    "download_mbps": f"{download[i]:.2f}",
                    "upload_mbps": f"{upload[i]:.2f}",
                    "latency_ms": f"{latency[i]:.1f}",
                    "jitter_ms": f"{jitter[i]:.1f}",
                    "province": province,
                    "district": units[unit[i]].spellings[spelling[i]],
                    "latitude": f"{lat[i]:.5f}",
                    "longitude": f"{lon[i]:.5f}",
                    "device_id": f"dev-{device[i]:07d}",
                    "platform": PLATFORMS[device[i] % 3],
                }
                if stray[i]:
                    unassigned += 1
                    rec["district"] = abolished[stray_name[i]]
                if bad[i]:
                    kind = bad_kinds[bad_kind[i]]
                    bad_counts[kind] += 1
                    if kind == "unknown_operator":
                        rec["operator"] = "Unknown Telecom"
                    elif kind == "unknown_district":
                        # without the province named: a row naming it would count for it as 'unassigned'
                        rec["province"] = ""
                        rec["district"] = "Quận Không Tồn Tại"
                    elif kind == "negative_download":
                        rec["download_mbps"] = f"-{download[i]:.2f}"
                    elif kind == "text_download":
                        rec["download_mbps"] = "n/a"
                    elif kind == "outside_month":
                        rec["measured_at"] = (start - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S+07:00")
                    elif kind == "duplicate_id":
                        rec["measurement_id"] = f"{id_prefix}-{idx[i] - 1:09d}"
                records.append(rec)
            if fmt == "jsonl":
                fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
            else:
                fh.writelines(",".join(r[c] for c in COLUMNS) + "\n" for r in records)
            written += n
    return GeneratedFile(path, rows, bad_counts, unassigned)
