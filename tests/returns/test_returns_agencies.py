"""The agencies that must report: include/reference/agencies.csv, checked when read and dated like
the geography (an agency is expected for a month when it exists on the month's last day)."""

import shutil

import pytest

from ispeed import paths
from ispeed.returns import agencies
from ispeed.warehouse import connection as warehouse
from ispeed.warehouse.reference import ReferenceError

from conftest import query


@pytest.fixture
def reference_dir(tmp_path, monkeypatch):
    """A copy of include/reference/ that a test may edit."""
    folder = tmp_path / "reference"
    shutil.copytree(paths.REFERENCE_DIR, folder)
    monkeypatch.setattr(paths, "REFERENCE_DIR", folder)
    return folder


def test_the_shipped_list():
    listed = agencies.read_agencies()
    kinds = {}
    for a in listed:
        kinds[a.kind] = kinds.get(a.kind, 0) + 1
    assert kinds == {"department": 19, "other": 2, "district_committee": 15, "media": 3}
    assert sorted(a.area_code for a in listed if a.kind == "district_committee") == [
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
    # placeholders on a reserved domain, for the operator of the pipeline to replace
    assert all(a.contact_email.endswith("@example.org") for a in listed)


@pytest.mark.parametrize(
    "line, problem",
    [
        ("SYT2,Sở Y tế,department,,a@example.org,2024-01-01,,", "would name both"),
        ("SXX,Sở X,ministry,,a@example.org,2024-01-01,,", "kind 'ministry'"),
        ("SXX,Sở X,department,399,a@example.org,2024-01-01,,", "area_code '399'"),
        ("SXX,Sở X,department,,not-an-address,2024-01-01,,", "not an e-mail address"),
        ("SXX,Sở X,department,,a@example.org,2024-13-01,,", "not a date"),
    ],
)
def test_a_wrong_line_is_reported_with_its_place(reference_dir, line, problem):
    with (reference_dir / "agencies.csv").open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    with pytest.raises(ReferenceError, match=problem) as err:
        agencies.read_agencies()
    assert "agencies.csv:41" in str(err.value)


def test_agencies_are_expected_while_they_exist(reference_dir, db):
    """Two departments merged on 1 March 2025: February expects the old ones, March the new one."""
    text = (reference_dir / "agencies.csv").read_text(encoding="utf-8")
    text = text.replace(
        "SDL,Sở Du lịch,department,,sdl.ispeed@example.org,2024-01-01,,",
        "SDL,Sở Du lịch,department,,sdl.ispeed@example.org,2024-01-01,2025-02-28,",
    )
    text = text.replace(
        "SVHTT,Sở Văn hóa và Thể thao,department,,svhtt.ispeed@example.org,2024-01-01,,",
        "SVHTT,Sở Văn hóa và Thể thao,department,,svhtt.ispeed@example.org,2024-01-01,2025-02-28,",
    )
    text += 'SVHTTDL,"Sở Văn hóa, Thể thao và Du lịch",department,,svhttdl.ispeed@example.org,2025-03-01,,Sở VHTTDL\n'
    (reference_dir / "agencies.csv").write_text(text, encoding="utf-8")
    with warehouse.connection() as conn:  # sync_agencies runs in the caller's transaction
        counts = agencies.sync_agencies(conn)
    assert counts["agencies"] == 40

    def expected(month: str) -> set[str]:
        return {code for (code,) in query(db, "select agency_code from ispeed.agency_return_status(%s)", (month,))}

    feb, mar = expected("2025-02-01"), expected("2025-03-01")
    assert {"SDL", "SVHTT"} <= feb and "SVHTTDL" not in feb and len(feb) == 39
    assert "SVHTTDL" in mar and not {"SDL", "SVHTT"} & mar and len(mar) == 38
    assert query(
        db, "select agency_name from ispeed.agency_return_status('2025-03-01') where agency_code = 'SVHTTDL'"
    ) == [("Sở Văn hóa, Thể thao và Du lịch",)]
