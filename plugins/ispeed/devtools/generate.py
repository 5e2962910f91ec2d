"""Sample data: realistic i-Speed exports for any month and any size, deterministic given a seed.

    python -m ispeed generate --month 2024-10 --rows 100000 [--seed 7] [--out DIR] [--format csv|jsonl]

What it writes (docs/sample-data.md says more):
- the province's 15 districts, urban ones faster than rural ones and the islands slowest;
- five operators with different heavy-tailed (log-normal) speeds: on 4G Viettel and VinaPhone are
  above 40 Mbps on average, MobiFone near it, Vietnamobile and Gmobile below;
- a mix of 4G (70 %), 5G (15 %) and Wi-Fi (15 %); operator and district spelt in several ways;
- repeat testers: devices drawn with a Zipf-like weight, a few of them with hundreds of tests;
- about 2 % bad rows of documented kinds (``BAD_ROW_KINDS``), which the pipeline must quarantine.

Rows are produced in chunks with numpy, so memory stays flat for 10 million rows.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from ispeed.months import LOCAL_TZ, month_label, next_month

CHUNK = 100_000

#: operator spelling variants as they appear in exports, and the 4G median download (Mbps)
OPERATORS = [
    ("VIETTEL", ["Viettel", "VIETTEL", "Viettel Telecom", "Tổng công ty Viettel"], 52.0, 0.30),
    ("VINAPHONE", ["VinaPhone", "VNPT", "Vinaphone"], 45.0, 0.27),
    ("MOBIFONE", ["MobiFone", "Mobifone", "MOBIFONE"], 37.0, 0.20),
    ("VIETNAMOBILE", ["Vietnamobile", "VNMB"], 21.0, 0.13),
    ("GMOBILE", ["Gmobile", "G-Mobile"], 14.0, 0.10),
]
#: (code, name with its prefix, speed factor, share of tests)
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


def _rng(seed: int, month: date) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(month_label(month).encode())])


def generate_month(
    month: date,
    rows: int,
    out_dir: Path,
    *,
    seed: int = 7,
    fmt: str = "csv",
    bad_fraction: float = 0.02,
    name: str | None = None,
) -> GeneratedFile:
    """Write one export of ``rows`` measurements for ``month`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    label = month_label(month)
    path = out_dir / (name or f"ispeed_export_{label}.{'jsonl' if fmt == 'jsonl' else 'csv'}")
    rng = _rng(seed, month)
    start = datetime(month.year, month.month, 1, tzinfo=LOCAL_TZ)
    seconds = int((datetime(*next_month(month).timetuple()[:3], tzinfo=LOCAL_TZ) - start).total_seconds())
    n_devices = max(10, rows // 8)
    device_weights = 1.0 / np.arange(1, n_devices + 1) ** 0.9
    device_weights /= device_weights.sum()
    op_p = np.array([o[3] for o in OPERATORS])
    op_p /= op_p.sum()
    d_p = np.array([d[3] for d in DISTRICTS])
    d_p /= d_p.sum()
    n_p = np.array([n[3] for n in NETWORKS])
    n_p /= n_p.sum()
    bad_counts = dict.fromkeys(BAD_ROW_KINDS, 0)
    bad_kinds = list(BAD_ROW_KINDS)
    written = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        if fmt == "csv":
            fh.write(",".join(COLUMNS) + "\n")
        while written < rows:
            n = min(CHUNK, rows - written)
            idx = np.arange(written, written + n)
            op = rng.choice(len(OPERATORS), n, p=op_p)
            dist = rng.choice(len(DISTRICTS), n, p=d_p)
            net = rng.choice(len(NETWORKS), n, p=n_p)
            device = rng.choice(n_devices, n, p=device_weights)
            median = (
                np.array([o[2] for o in OPERATORS])[op]
                * np.array([d[2] for d in DISTRICTS])[dist]
                * np.array([x[2] for x in NETWORKS])[net]
            )
            download = np.round(median * rng.lognormal(0.0, 0.55, n), 2)
            upload = np.round(download * rng.uniform(0.15, 0.45, n), 2)
            latency = np.round(rng.gamma(4.0, 9.0, n) + 8, 1)
            jitter = np.round(rng.gamma(2.0, 2.5, n), 1)
            offset = rng.integers(0, seconds, n)
            lat = np.round(20.86 + rng.normal(0, 0.08, n), 5)
            lon = np.round(106.68 + rng.normal(0, 0.10, n), 5)
            bad = rng.random(n) < bad_fraction
            bad_kind = rng.integers(0, len(bad_kinds), n)
            variant = rng.integers(0, 4, n)
            records = []
            for i in range(n):
                o = OPERATORS[op[i]]
                d = DISTRICTS[dist[i]]
                nt = NETWORKS[net[i]]
                when = start + timedelta(seconds=int(offset[i]))
                rec = {
                    "measurement_id": f"HP{label.replace('-', '')}-{idx[i]:09d}",
                    "measured_at": when.strftime("%Y-%m-%dT%H:%M:%S+07:00")
                    if variant[i]
                    else when.strftime("%Y-%m-%d %H:%M:%S"),
                    "operator": o[1][variant[i] % len(o[1])],
                    "network_type": nt[1][variant[i] % len(nt[1])],
                    "download_mbps": f"{download[i]:.2f}",
                    "upload_mbps": f"{upload[i]:.2f}",
                    "latency_ms": f"{latency[i]:.1f}",
                    "jitter_ms": f"{jitter[i]:.1f}",
                    "province": "Hải Phòng",
                    "district": d[0] if variant[i] == 0 else (d[1] if variant[i] == 1 else d[1].split(" ", 1)[1]),
                    "latitude": f"{lat[i]:.5f}",
                    "longitude": f"{lon[i]:.5f}",
                    "device_id": f"dev-{device[i]:07d}",
                    "platform": PLATFORMS[device[i] % 3],
                }
                if bad[i] and idx[i] > 0:
                    kind = bad_kinds[bad_kind[i]]
                    bad_counts[kind] += 1
                    if kind == "unknown_operator":
                        rec["operator"] = "Unknown Telecom"
                    elif kind == "unknown_district":
                        rec["district"] = "Quận Không Tồn Tại"
                    elif kind == "negative_download":
                        rec["download_mbps"] = f"-{download[i]:.2f}"
                    elif kind == "text_download":
                        rec["download_mbps"] = "n/a"
                    elif kind == "outside_month":
                        rec["measured_at"] = (start - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S+07:00")
                    elif kind == "duplicate_id":
                        rec["measurement_id"] = f"HP{label.replace('-', '')}-{idx[i] - 1:09d}"
                records.append(rec)
            if fmt == "jsonl":
                fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
            else:
                fh.writelines(",".join(r[c] for c in COLUMNS) + "\n" for r in records)
            written += n
    return GeneratedFile(path, rows, bad_counts)
