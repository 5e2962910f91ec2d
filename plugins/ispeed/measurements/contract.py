"""The i-Speed export contract: the columns the pipeline accepts and the names they may carry.

One place for the column list; docs/input-contract.md describes it for people, the staging table
(include/sql/migrations/V001__core_schema.sql) has one text column per entry, and header matching
(measurements/readers/headers.py, and the separator's choice in readers/formats.py) reads the
aliases from here. Header names match however they are typed: case, diacritics, spaces and
punctuation are ignored (text.norm_key), and a trailing unit in the name ("Download (Mbps)",
"Độ trễ (ms)") is allowed.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from ispeed.text import norm_key


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    description: str
    aliases: tuple[str, ...]


MEASUREMENT_COLUMNS: tuple[Column, ...] = (
    Column(
        "measurement_id",
        True,
        "the export's unique id of the test",
        ("id", "test_id", "measurement id", "result_id", "mã phép đo", "mã đo", "mã kết quả"),
    ),
    Column(
        "measured_at",
        True,
        "when the test ran: ISO 8601; without an offset it is Asia/Ho_Chi_Minh time",
        (
            "time",
            "timestamp",
            "test_time",
            "measured at",
            "date_time",
            "datetime",
            "thời gian",
            "thời gian đo",
            "ngày giờ đo",
        ),
    ),
    Column(
        "operator",
        True,
        "the mobile operator, by name or alias (reference data)",
        ("isp", "carrier", "provider", "network_operator", "nhà mạng", "doanh nghiệp", "nhà cung cấp"),
    ),
    Column(
        "network_type",
        True,
        "2G, 3G, 4G, 5G, WiFi or fixed (aliases such as LTE and NR accepted)",
        ("network", "technology", "connection_type", "loại mạng", "công nghệ", "loại kết nối"),
    ),
    Column(
        "download_mbps",
        True,
        "download speed in Mbps (decimal point or decimal comma)",
        ("download", "dl", "download_speed", "tốc độ tải xuống", "tải xuống", "download speed"),
    ),
    Column(
        "upload_mbps",
        True,
        "upload speed in Mbps",
        ("upload", "ul", "upload_speed", "tốc độ tải lên", "tải lên", "upload speed"),
    ),
    Column("latency_ms", True, "latency (ping) in milliseconds", ("latency", "ping", "ping_ms", "độ trễ", "trễ")),
    Column(
        "jitter_ms",
        False,
        "jitter in milliseconds (optional)",
        ("jitter", "độ biến thiên trễ", "độ dao động", "jitter ms"),
    ),
    Column(
        "province",
        False,
        "province or city; rows of another province are quarantined; from 2025-07-01 a province merged into "
        "this one (Hải Dương) is this one (optional)",
        ("city", "tỉnh", "tỉnh thành", "tỉnh thành phố", "tỉnh/thành phố", "thành phố"),
    ),
    Column(
        "district",
        True,
        "the unit valid on the test's date: before 2025-07-01 a district (3-digit code or name), from then on a "
        "phường, xã or đặc khu (5-digit code or name, with or without its prefix or 'P.', 'X.'); a row that "
        "names the province but no unit valid then counts for the province, unassigned",
        (
            "district_code",
            "district_name",
            "area",
            "quận huyện",
            "quận/huyện",
            "huyện",
            "quận",
            "địa bàn",
            "mã quận huyện",
            "xã phường",
            "xã/phường",
            "phường xã",
            "phường/xã",
            "xã",
            "phường",
            "mã xã",
            "mã xã phường",
            "commune",
            "ward",
        ),
    ),
    Column("latitude", False, "WGS 84 latitude (optional)", ("lat", "vĩ độ")),
    Column("longitude", False, "WGS 84 longitude (optional)", ("lon", "lng", "long", "kinh độ")),
    Column(
        "device_id",
        False,
        "opaque id of the device (optional); used to count distinct devices",
        ("device", "device id", "client_id", "mã thiết bị", "thiết bị"),
    ),
    Column("platform", False, "android / ios / web (optional)", ("os", "hệ điều hành", "nền tảng")),
)

#: Units a header may carry after the name: "Download (Mbps)", "Tốc độ tải xuống (Mb/s)", "Độ trễ (ms)",
#: "Độ trễ (mili giây)", "ping_ms" (as norm_key writes them).
_UNIT_SUFFIXES = (
    "mbps",
    "mbits",
    "mbit",
    "mbs",
    "mbgiay",
    "mbitgiay",
    "ms",
    "msec",
    "milliseconds",
    "millisecond",
    "miliseconds",
    "milisecond",
    "miligiay",
    "mligiay",
)
#: Megabytes a second ("MB/s", "MBps": 8 times Mb/s), told from megabits by the capital B before
#: norm_key folds the case.
_MEGABYTES_CASED = re.compile(r"MB(?:/s|ps|/giây|/giay)|[Mm]egabytes?")

#: Units that a header may name but the contract does not take: a column named so is refused
#: with a message rather than silently read as Mbps or ms (an export in kbps would be 1000x off).
SPEED_COLUMNS = ("download_mbps", "upload_mbps")
TIME_COLUMNS = ("latency_ms", "jitter_ms")
_WRONG_UNITS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("kbps", "kbps", SPEED_COLUMNS),
    ("kbits", "kbit/s", SPEED_COLUMNS),
    ("kbit", "kbit/s", SPEED_COLUMNS),
    ("kbs", "kB/s or kb/s", SPEED_COLUMNS),
    ("gbps", "Gbps", SPEED_COLUMNS),
    ("gbits", "Gbit/s", SPEED_COLUMNS),
    ("bps", "bit/s", SPEED_COLUMNS),
    ("seconds", "seconds", TIME_COLUMNS),
    ("secs", "seconds", TIME_COLUMNS),
    ("sec", "seconds", TIME_COLUMNS),
    ("giay", "seconds (giây)", TIME_COLUMNS),
    ("microseconds", "microseconds", TIME_COLUMNS),
)


def header_index(columns: tuple[Column, ...] = MEASUREMENT_COLUMNS) -> dict[str, str]:
    """norm_key of every accepted header name -> canonical column name."""
    index: dict[str, str] = {}
    for col in columns:
        for name in (col.name, *col.aliases):
            key = norm_key(name)
            if index.get(key, col.name) != col.name:
                raise ValueError(f"header alias {name!r} is claimed by {index[key]} and {col.name}")
            index[key] = col.name
    return index


def canonical_header(name: str, index: dict[str, str]) -> str | None:
    """The canonical column a header names, or None when it names none (a speed in megabytes a
    second, "Download (MB/s)", names none: wrong_unit names it)."""
    if _MEGABYTES_CASED.search(name):
        return None
    key = norm_key(name)
    if key in index:
        return index[key]
    for suffix in _UNIT_SUFFIXES:
        if key.endswith(suffix) and key[: -len(suffix)] in index:
            return index[key[: -len(suffix)]]
    return None


def wrong_unit(name: str, index: dict[str, str]) -> tuple[str, str] | None:
    """(column, unit) when a header names a contract column in a unit the contract does not
    take ("Download (kbps)" -> ("download_mbps", "kbps")), else None. Only for headers that
    canonical_header does not resolve."""
    key = norm_key(name)
    if _MEGABYTES_CASED.search(name):
        for suffix in ("mbs", "mbps", "mbgiay", "megabytes", "megabyte"):
            if key.endswith(suffix) and index.get(key[: -len(suffix)]) in SPEED_COLUMNS:
                return index[key[: -len(suffix)]], "MB/s (megabytes a second, 8 times Mb/s)"
    for suffix, unit, columns in _WRONG_UNITS:
        if key.endswith(suffix) and index.get(key[: -len(suffix)]) in columns:
            return index[key[: -len(suffix)]], unit
    return None


def likely_column(name: str, columns: tuple[Column, ...] = MEASUREMENT_COLUMNS) -> tuple[str, str] | None:
    """(column, accepted name) that a header which names no column most likely meant: a near miss
    such as "Tốc độ tải xuốg" -> ("download_mbps", "tốc độ tải xuống"); None when nothing is close.
    For messages only: a near miss is never read as the column."""
    key = norm_key(name)
    for suffix in sorted(_UNIT_SUFFIXES, key=len, reverse=True):
        if key.endswith(suffix) and len(key) > len(suffix) + 3:
            key = key[: -len(suffix)]
            break
    if len(key) < 4:
        return None
    best: tuple[float, str, str] | None = None
    for col in columns:
        for alias in (col.name, *col.aliases):
            target = norm_key(alias)
            if len(target) < 4:
                continue
            ratio = difflib.SequenceMatcher(None, key, target).ratio()
            if ratio >= 0.8 and (best is None or ratio > best[0]):
                best = (ratio, col.name, alias)
    return (best[1], best[2]) if best else None
