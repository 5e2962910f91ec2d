"""The sample returns: a realistic month that the pipeline loads with the states the generator
announces (most agencies on time, a few missing, one rejected; Gmobile missing)."""

from datetime import date

from ispeed import returns
from ispeed.devtools.generate_returns import generate_month_returns

from conftest import query

OCT = date(2024, 10, 1)


def test_the_sample_month_is_the_same_for_the_same_seed(tmp_path):
    a = generate_month_returns(OCT, tmp_path / "a")
    b = generate_month_returns(OCT, tmp_path / "b")
    assert a["agency_returns"]["expected"] == b["agency_returns"]["expected"]
    for kind in ("agency_returns", "operator_returns"):
        for name in a[kind]["files"]:
            fa, fb = tmp_path / "a" / kind / "2024-10" / name, tmp_path / "b" / kind / "2024-10" / name
            assert fa.read_bytes() == fb.read_bytes() and fa.stat().st_mtime == fb.stat().st_mtime
    other = generate_month_returns(OCT, tmp_path / "c", seed=8)
    assert other["agency_returns"]["expected"] != a["agency_returns"]["expected"]


def test_the_sample_month_loads_with_the_expected_states(db, data_dir):
    sample = generate_month_returns(OCT, data_dir / "landing")
    expected = sample["agency_returns"]["expected"]
    assert len(expected["missing"]) == 3 and len(expected["rejected"]) == 1 and len(expected["submitted"]) == 35
    assert any(f.endswith(".csv") for f in sample["agency_returns"]["files"])

    agencies = returns.load_agency_returns(OCT)
    operators = returns.load_operator_returns(OCT)

    state = dict(query(db, "select agency_code, state from ispeed.v_agency_return_status"))
    assert {s: sorted(c for c, v in state.items() if v == s) for s in ("submitted", "rejected", "missing")} == expected
    (wrong,) = expected["rejected"]
    status = {s["code"]: s for s in returns.return_status(OCT)}
    assert "lớn hơn Tổng số CBCCVC" in status[wrong]["error"]
    replaced = sample["agency_returns"]["replaced"]
    assert status[replaced]["file"] == f"{replaced}_2024-10_sua.xlsx"
    assert query(db, "select count(*) from ispeed.fact_agency_return") == [(35,)]
    assert agencies["rows_loaded"] == 35 and agencies["rows_quarantined"] == 1 and agencies["rows_replaced"] == 1

    assert {s["code"]: s["state"] for s in status.values() if s["dataset"] == "operator_returns"} == {
        "VIETTEL": "submitted",
        "VINAPHONE": "submitted",
        "MOBIFONE": "submitted",
        "VIETNAMOBILE": "submitted",
        "GMOBILE": "missing",
    }
    assert operators["rows_quarantined"] == 0
    by_operator = dict(
        query(db, "select operator_code, count(distinct area_code) from ispeed.fact_operator_return group by 1")
    )
    assert by_operator == {"VIETTEL": 15, "VINAPHONE": 15, "MOBIFONE": 15, "VIETNAMOBILE": 15}
    # a remedy, with its date, where the operator's 4G is expected below 40 Mbps
    remedies = query(
        db,
        "select operator_code, area_code from ispeed.fact_operator_return"
        " where remedy is not null and remedy_due_date is not null",
    )
    assert ("VIETTEL", "318") in remedies and ("VIETTEL", "303") not in remedies
    assert sum(1 for op, _ in remedies if op == "VIETNAMOBILE") == 15

    before = query(db, "select * from ispeed.fact_agency_return order by 2")
    again = returns.load_agency_returns(OCT)
    assert again["files"] == [] and query(db, "select * from ispeed.fact_agency_return order by 2") == before
