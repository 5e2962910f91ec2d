"""The sample i-Speed generator (python -m ispeed generate): the month's units of the configured
province, spelt as exports spell them, urban units faster than rural ones and the islands slowest,
the same file for the same seed. The files it writes load (tests/measurements/test_geography_exports.py)."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from datetime import date
from statistics import mean

from ispeed import geography
from ispeed.devtools.generate import (
    BAD_ROW_KINDS,
    abolished_names,
    generate_month,
    other_tone_placement,
    units_in,
)
from ispeed.text import norm_key

OCT24, MAR26 = date(2024, 10, 1), date(2026, 3, 1)


def read(path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def download(row: dict) -> float:
    """The row's download speed; 0 for a bad row's unreadable one."""
    try:
        return float(row["download_mbps"])
    except ValueError:
        return 0.0


def test_the_same_seed_writes_the_same_file_and_another_seed_another(tmp_path):
    a = generate_month(MAR26, 3000, tmp_path / "a", seed=5)
    b = generate_month(MAR26, 3000, tmp_path / "b", seed=5)
    c = generate_month(MAR26, 3000, tmp_path / "c", seed=6)
    assert a.path.read_bytes() == b.path.read_bytes() != c.path.read_bytes()
    assert (a.bad_rows, a.unassigned_rows) == (b.bad_rows, b.unassigned_rows)


def test_each_period_writes_its_own_units_in_their_spellings(tmp_path):
    old = generate_month(OCT24, 4000, tmp_path, seed=1)
    new = generate_month(MAR26, 20_000, tmp_path, seed=1)
    old_rows, new_rows = read(old.path), read(new.path)
    by_code = {
        month: {s: u.code for u in units_in(month) for s in u.spellings} for month in (OCT24, MAR26)
    }  # fmt: skip
    # 2024: the 15 districts; no 5-digit code, no phường
    assert {by_code[OCT24].get(r["district"]) for r in old_rows if r["province"]} == {
        a.code for a in geography.areas_in(OCT24)
    }
    assert not any(r["district"].startswith(("Phường", "P.", "Xã", "Đặc khu")) for r in old_rows)
    # 2026: all 114 communes, each in several spellings (code, prefix, abbreviation, bare name)
    written = Counter(r["district"] for r in new_rows if r["province"])
    assert {by_code[MAR26][s] for s in written if s in by_code[MAR26]} == {a.code for a in geography.areas_in(MAR26)}
    assert {"11383", "Phường Lê Chân", "P. Lê Chân", "Lê Chân"} <= set(written)
    assert {"ĐK. Cát Hải", "Đặc khu Cát Hải"} <= set(written) and "X. An Lão" in written
    assert "Phường Thuỷ Nguyên" in written and "Phường Thủy Nguyên" in written
    # the abolished districts only in the unassigned rows, never another spelling
    strays = [r for r in new_rows if r["province"] and r["district"] not in by_code[MAR26]]
    assert len(strays) == new.unassigned_rows and 20 < new.unassigned_rows < 120  # ~0.3 %
    assert {r["district"] for r in strays} <= set(abolished_names(MAR26)) and "Quận Lê Chân" in abolished_names(MAR26)
    assert old.unassigned_rows == 0 and not abolished_names(OCT24)
    # the bad rows that must be quarantined for their district name no province
    unknown = [r for r in new_rows if r["district"] == "Quận Không Tồn Tại"]
    assert len(unknown) == new.bad_rows["unknown_district"] > 0 and all(r["province"] == "" for r in unknown)
    assert set(new.bad_rows) == set(BAD_ROW_KINDS)


def test_names_shared_by_two_units_are_written_only_exactly():
    spellings = {u.code: u.spellings for u in units_in(MAR26)}
    assert spellings["10888"] == ("10888", "Xã Cẩm Giang") and spellings["10903"] == ("10903", "Xã Cẩm Giàng")
    seen: dict[str, set[str]] = defaultdict(set)
    for code, names in spellings.items():
        for name in names:
            if not name.isdigit() and code not in ("10888", "10903"):
                seen[norm_key(name)].add(code)
    assert all(len(codes) == 1 for codes in seen.values())


def test_urban_units_are_faster_than_rural_ones_and_the_islands_slowest(tmp_path):
    gen = generate_month(MAR26, 40_000, tmp_path, seed=3)
    units = {s: u for u in units_in(MAR26) for s in u.spellings}
    level = {a.code: a.level for a in geography.areas_in(MAR26)}
    speeds: dict[str, list[float]] = defaultdict(list)
    tests = Counter()
    for r in read(gen.path):
        unit = units.get(r["district"])
        if unit and r["province"] and r["network_type"] in ("4G", "LTE") and download(r) > 0:
            speeds[level[unit.code]].append(download(r))
            tests[level[unit.code]] += 1
    phuong, xa, dac_khu = (mean(speeds[k]) for k in ("phuong", "xa", "dac_khu"))
    assert phuong > xa * 1.15 > dac_khu * 1.15
    # 45 phường get more tests than 67 xã: the busiest units get most tests
    assert tests["phuong"] > tests["xa"] > tests["dac_khu"] * 10
    # and the province's mean stays where the districts' was, so the operators' verdicts still mean something
    old = generate_month(OCT24, 40_000, tmp_path, seed=3)
    old_4g = [download(r) for r in read(old.path) if r["province"] and r["network_type"] in ("4G", "LTE")]
    old_4g = [v for v in old_4g if v > 0]
    new_4g = [v for vs in speeds.values() for v in vs]
    assert abs(mean(new_4g) / mean(old_4g) - 1) < 0.05


def test_another_province_writes_its_own_units(tmp_path, monkeypatch):
    monkeypatch.setenv("ISPEED_PROVINCE", "48")
    gen = generate_month(MAR26, 3000, tmp_path, seed=1)
    rows = read(gen.path)
    assert {r["province"] for r in rows} == {"Đà Nẵng", ""}
    codes = {s: u.code for u in units_in(MAR26) for s in u.spellings}
    assert len({codes[r["district"]] for r in rows if r["district"] in codes}) > 60
    assert rows[0]["measurement_id"].startswith("DN202603-")
    assert "Quận Hải Châu" in abolished_names(MAR26)


def test_the_other_tone_mark_placement():
    assert other_tone_placement("Phường Thủy Nguyên") == "Phường Thuỷ Nguyên"
    assert other_tone_placement("Xã Vĩnh Hoà") == "Xã Vĩnh Hòa"
    assert other_tone_placement("Xã Kiến Thụy") == "Xã Kiến Thuỵ"
    assert other_tone_placement("Phường Lê Chân") == "Phường Lê Chân"
    assert other_tone_placement("Quý") == "Quý"  # "qu" is a consonant: the tone stays on y
