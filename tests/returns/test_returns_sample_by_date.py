"""The sample returns of a month after the 2025 reform (python -m ispeed generate-returns --month
2026-03): the UBND of the 114 xã, phường, đặc khu and the restructured departments send, the
operators send one row per unit, and the pipeline loads it all with nothing rejected but the one
return the generator gets wrong on purpose."""

from datetime import date

from ispeed import returns
from ispeed.devtools.generate_returns import generate_month_returns

from conftest import query

MAR_2026 = date(2026, 3, 1)


def test_the_sample_of_march_2026_loads_per_commune(db, data_dir):
    sample = generate_month_returns(MAR_2026, data_dir / "landing")
    expected = sample["agency_returns"]["expected"]
    senders = expected["submitted"] + expected["rejected"] + expected["missing"]
    assert len(senders) == 131 and sum(code.startswith("UBND-1") for code in senders) == 114
    assert "STTTT" not in senders and "UBND-LC" not in senders and "SKHCN" in senders

    agencies = returns.load_agency_returns(MAR_2026)
    operators = returns.load_operator_returns(MAR_2026)
    state = dict(query(db, "select agency_code, state from ispeed.agency_return_status(%s)", (MAR_2026,)))
    assert {s: sorted(c for c, v in state.items() if v == s) for s in ("submitted", "rejected", "missing")} == expected
    assert agencies["rows_quarantined"] == 1  # the wrong cell the generator writes on purpose, and nothing else
    assert query(db, "select rule from ispeed.fact_quarantine where dataset = 'agency_returns'") == [
        ("installed_within_staff_total",)
    ]
    names = dict(query(db, "select agency_code, agency_name from ispeed.agency_return_status(%s)", (MAR_2026,)))
    assert names["UBND-10525"] == "UBND phường Hải Dương"

    # every operator's rows land on the month's units, in whatever spelling they were written
    assert operators["rows_quarantined"] == 0
    assert query(db, "select count(*) from ispeed.fact_quarantine where dataset = 'operator_returns'") == [(0,)]
    by_operator = dict(
        query(db, "select operator_code, count(distinct area_code) from ispeed.fact_operator_return group by 1")
    )
    assert by_operator == {"VIETTEL": 114, "VINAPHONE": 114, "MOBIFONE": 114, "VIETNAMOBILE": 114}
    levels = dict(
        query(
            db,
            "select a.level, count(*) from ispeed.fact_operator_return f join ispeed.dim_area a using (area_code)"
            " where f.operator_code = 'VIETTEL' and f.network_generation = '4G' group by 1",
        )
    )
    assert levels == {"phuong": 45, "xa": 67, "dac_khu": 2}
    statuses = {s["code"]: s["state"] for s in returns.return_status(MAR_2026, dataset="operator_returns")}
    assert statuses == {
        "VIETTEL": "submitted",
        "VINAPHONE": "submitted",
        "MOBIFONE": "submitted",
        "VIETNAMOBILE": "submitted",
        "GMOBILE": "missing",
    }


def test_the_sample_of_another_province_is_its_own(db, data_dir, monkeypatch):
    """ISPEED_PROVINCE=48: Đà Nẵng's departments and the UBND of its 94 units send, in Đà Nẵng's names."""
    from ispeed import tasks

    monkeypatch.setenv("ISPEED_PROVINCE", "48")
    tasks.prepare_warehouse()  # the reference data of Đà Nẵng
    sample = generate_month_returns(MAR_2026, data_dir / "landing")
    expected = sample["agency_returns"]["expected"]
    assert sum(len(v) for v in expected.values()) == 111
    returns.load_agency_returns(MAR_2026)
    operators = returns.load_operator_returns(MAR_2026)
    state = dict(query(db, "select agency_code, state from ispeed.agency_return_status(%s)", (MAR_2026,)))
    assert {s: sorted(c for c, v in state.items() if v == s) for s in ("submitted", "rejected", "missing")} == expected
    names = [n for (n,) in query(db, "select agency_name from ispeed.agency_return_status(%s)", (MAR_2026,))]
    assert "Báo và Phát thanh, Truyền hình Đà Nẵng" in names and "UBND phường Hải Châu" in names
    assert not any("Hải Phòng" in n for n in names)
    assert operators["rows_quarantined"] == 0
    assert query(db, "select count(distinct area_code) from ispeed.fact_operator_return") == [(94,)]
