"""The agencies that must report, by date, for the configured province: include/reference/agencies.csv
(the departments, the press, the other agencies, with the province's names filled in) and the
People's Committee of every unit of the month, generated from the geography; checked when read and
dated like the geography (an agency is expected for a month when it exists on the month's last day)."""

import shutil
from datetime import date

import pytest

from ispeed import paths
from ispeed.returns import agencies
from ispeed.warehouse import connection as warehouse
from ispeed.warehouse.reference import ReferenceError

from conftest import query

OCT_2024, MAR_2026 = date(2024, 10, 1), date(2026, 3, 1)
DISTRICT_CODES = [
    "303",
    "304",
    "305",
    "306",
    "307",
    "308",
    "309",
    "311",
    "312",
    "313",
    "314",
    "315",
    "316",
    "317",
    "318",
]
#: the departments of Nghị định 45/2025/NĐ-CP (1 March 2025) that agencies.csv lists by default
RESTRUCTURED = {
    "Sở Nội vụ",
    "Sở Tư pháp",
    "Sở Tài chính",
    "Sở Công Thương",
    "Sở Nông nghiệp và Môi trường",
    "Sở Xây dựng",
    "Sở Khoa học và Công nghệ",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Thanh tra thành phố",
    "Văn phòng UBND thành phố",
}


@pytest.fixture
def reference_dir(tmp_path, monkeypatch):
    """A copy of include/reference/ that a test may edit."""
    folder = tmp_path / "reference"
    shutil.copytree(paths.REFERENCE_DIR, folder)
    monkeypatch.setattr(paths, "REFERENCE_DIR", folder)
    return folder


def _names(month: date, kind: str | None = None) -> list[str]:
    return [a.name_vi for a in agencies.agencies_in(month) if kind is None or a.kind == kind]


def test_october_2024_lists_the_15_district_committees_by_their_codes():
    listed = agencies.agencies_in(OCT_2024)
    committees = [a for a in listed if a.kind == "district_committee"]
    assert [a.area_code for a in committees] == DISTRICT_CODES
    assert committees[0].agency_code == "UBND-HB" and committees[0].name_vi == "UBND quận Hồng Bàng"
    assert {a.agency_code for a in committees} >= {"UBND-LC", "UBND-TN", "UBND-BLV"}
    assert "UBND huyện Thủy Nguyên" in _names(OCT_2024)
    assert not [a for a in listed if a.kind == "commune_committee"]
    # before the restructuring of 1 March 2025: the Sở TT&TT and the separate press
    assert {"Sở Thông tin và Truyền thông", "Sở Kế hoạch và Đầu tư", "Báo Hải Phòng"} <= set(_names(OCT_2024))
    assert "Đài Phát thanh và Truyền hình Hải Phòng" in _names(OCT_2024, "media")
    assert len(listed) == 39
    # placeholders on a reserved domain, for the operator of the pipeline to replace
    assert all(a.contact_email.endswith("@example.org") for a in agencies.read_agencies())


def test_january_2025_names_the_districts_that_changed_level():
    names = _names(date(2025, 1, 1), "district_committee")
    assert "UBND thành phố Thủy Nguyên" in names and "UBND quận An Dương" in names
    assert "UBND huyện Thủy Nguyên" not in names and len(names) == 15


def test_march_2026_lists_the_114_commune_committees_and_the_restructured_departments():
    listed = agencies.agencies_in(MAR_2026)
    communes = [a for a in listed if a.kind == "commune_committee"]
    assert len(communes) == 114
    by_code = {a.agency_code: a for a in communes}
    assert by_code["UBND-10525"].name_vi == "UBND phường Hải Dương" and by_code["UBND-10525"].area_code == "10525"
    assert {a.name_vi for a in communes} >= {
        "UBND phường Hồng Bàng",
        "UBND đặc khu Cát Hải",
        "UBND đặc khu Bạch Long Vĩ",
    }
    assert not [a for a in listed if a.kind == "district_committee"]
    names = set(_names(MAR_2026))
    assert names >= RESTRUCTURED
    assert not names & {
        "Sở Thông tin và Truyền thông",
        "Sở Kế hoạch và Đầu tư",
        "Sở Giao thông vận tải",
        "Sở Lao động - Thương binh và Xã hội",
        "Sở Tài nguyên và Môi trường",
        "UBND quận Lê Chân",
    }
    assert "Báo và Phát thanh, Truyền hình Hải Phòng" in names and "Báo Hải Phòng" not in names
    assert len(listed) == 131


def test_another_province_by_one_setting(monkeypatch):
    monkeypatch.setenv("ISPEED_PROVINCE", "48")
    before, after = agencies.agencies_in(OCT_2024), agencies.agencies_in(MAR_2026)
    districts = [a.name_vi for a in before if a.kind == "district_committee"]
    assert "UBND quận Hải Châu" in districts and "UBND quận Hồng Bàng" not in districts
    assert not any(a.agency_code == "UBND-HB" for a in agencies.read_agencies())  # Hải Phòng's rows are left out
    names = {a.name_vi for a in after}
    assert {
        "UBND phường Hải Châu",
        "Báo và Phát thanh, Truyền hình Đà Nẵng",
        "Ban Quản lý Khu kinh tế Đà Nẵng",
    } <= names
    assert not any("Hải Phòng" in n for a in agencies.read_agencies() for n in a.spellings())
    assert sum(a.kind == "commune_committee" for a in after) == 94


def test_names_that_differ_only_by_diacritics_are_told_apart(db):
    """Xã Cẩm Giang (10888) and Xã Cẩm Giàng (10903): their committees load, each by its own name."""
    with warehouse.connection() as conn:
        agencies.sync_agencies(conn)
        conn.commit()
    keys = dict(
        query(
            db,
            "select alias, alias_key from ispeed.dim_agency_alias where agency_code in ('UBND-10888', 'UBND-10903') and alias like 'UBND xã%%'",
        )
    )
    assert keys["UBND xã Cẩm Giang"] != keys["UBND xã Cẩm Giàng"]


@pytest.mark.parametrize(
    "line, problem",
    [
        ("SYT2,Sở Y tế,department,,a@example.org,2024-01-01,,", "would name both"),
        ("SXX,Sở X,ministry,,a@example.org,2024-01-01,,", "kind 'ministry'"),
        ("SXX,Sở X,department,3999,a@example.org,2024-01-01,,", "area_code '3999'"),
        ("SXX,Sở X,department,,not-an-address,2024-01-01,,", "not an e-mail address"),
        ("SXX,Sở X,department,,a@example.org,2024-13-01,,", "not a date"),
    ],
)
def test_a_wrong_line_is_reported_with_its_place(reference_dir, line, problem):
    lines = (reference_dir / "agencies.csv").read_text(encoding="utf-8").count("\n")
    with (reference_dir / "agencies.csv").open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    with pytest.raises(ReferenceError, match=problem) as err:
        agencies.read_agencies()
    assert f"agencies.csv:{lines + 1}" in str(err.value)


def test_a_listed_row_overrides_the_generated_committee(reference_dir):
    with (reference_dir / "agencies.csv").open("a", encoding="utf-8") as fh:
        fh.write(
            "UBND-10525,,commune_committee,10525,vanthu.phuonghaiduong@example.org,2025-07-01,,UBND P. Hải Dương\n"
        )
    found = [a for a in agencies.agencies_in(MAR_2026) if a.area_code == "10525"]
    assert [(a.name_vi, a.contact_email) for a in found] == [
        ("UBND phường Hải Dương", "vanthu.phuonghaiduong@example.org")
    ]
    assert "UBND P. Hải Dương" in found[0].spellings()


def test_agencies_are_expected_while_they_exist(db):
    """The departments merged on 1 March 2025 and the committees of 1 July 2025, as the warehouse
    expects them: February expects the old ones, March the new ones, July the communes."""
    with warehouse.connection() as conn:  # sync_agencies runs in the caller's transaction
        counts = agencies.sync_agencies(conn)
        conn.commit()
    assert counts["agencies"] == len(agencies.read_agencies())

    def expected(month: str) -> set[str]:
        return {code for (code,) in query(db, "select agency_code from ispeed.agency_return_status(%s)", (month,))}

    feb, mar, jul = expected("2025-02-01"), expected("2025-03-01"), expected("2025-07-01")
    assert {"SDL", "SVHTT", "STTTT"} <= feb and "SVHTTDL" not in feb and len(feb) == 39
    assert {"SVHTTDL", "SNNMT"} <= mar and not {"SDL", "SVHTT", "STTTT", "STNMT"} & mar and len(mar) == 33
    assert "UBND-LC" in mar and "UBND-LC" not in jul and "UBND-10525" in jul and len(jul) == 131
    assert query(
        db, "select agency_name, kind from ispeed.agency_return_status('2025-07-01') where agency_code = 'UBND-10525'"
    ) == [("UBND phường Hải Dương", "commune_committee")]
