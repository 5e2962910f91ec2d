"""Monthly operator compliance (issue 4) on a real PostgreSQL: every figure of the mart tables
against an independent computation in Python (numpy, statistics, scipy), the verdict rules and
their edge cases, idempotence, the trend, and partition pruning."""

from __future__ import annotations

import json
import math
import shutil
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import count
from zoneinfo import ZoneInfo

import numpy as np
import psycopg2.extras
import pytest
import yaml
from scipy import stats

from ispeed import paths
from ispeed.compliance import marts
from ispeed.compliance import runner as compliance
from ispeed.config import ConfigError
from ispeed.warehouse import connection as warehouse

from conftest import query
from fixtures.facts import insert_facts

VN = ZoneInfo("Asia/Ho_Chi_Minh")
AUG, SEP, OCT, NOV = date(2024, 8, 1), date(2024, 9, 1), date(2024, 10, 1), date(2024, 11, 1)
OPERATORS = ["VIETTEL", "VINAPHONE", "MOBIFONE", "VIETNAMOBILE", "GMOBILE", "ITEL", "REDDI", "WINTEL"]
AREAS = ["303", "304", "305", "306", "307", "308", "309", "311", "312", "313", "314", "315", "316", "317", "318"]
NUMBERS = [
    "tests",
    "devices",
    "tests_without_device",
    "device_days",
    "mean",
    "stddev",
    "ci_low",
    "ci_high",
    "median",
    "p10",
    "p90",
    "mean_upload",
    "median_upload",
    "median_latency",
    "tests_at_or_above_threshold",
    "share_at_or_above_threshold",
    "device_day_weighted_mean",
    "figure",
]
_ids = count(1)


@dataclass(frozen=True)
class M:
    """One measurement, as the test writes it into ispeed.fact_measurement."""

    month: date
    measured_at: datetime
    operator: str
    network: str
    area: str
    download: float
    upload: float
    latency: float
    device: str | None
    measurement_id: str = ""

    def __post_init__(self):
        if not self.measurement_id:
            object.__setattr__(self, "measurement_id", f"m{next(_ids)}")


# --- writing facts ------------------------------------------------------------------------------


def insert(conn, rows: list[M]) -> None:
    insert_facts(
        conn,
        (
            (
                r.month,
                r.measurement_id,
                r.measured_at,
                r.operator,
                r.network,
                r.area,
                r.download,
                r.upload,
                r.latency,
                r.device,
            )
            for r in rows
        ),
    )


def at(month: date, day: int, hour: int, minute: int = 0) -> datetime:
    """A local (Viet Nam) time of the month."""
    return datetime(month.year, month.month, day, hour, minute, tzinfo=VN)


def sample(month, operator, network, area, downloads, devices, rng, *, days=28, without_device=0) -> list[M]:
    """One test per download value, by devices d0..d{devices-1} in turn, each device's tests on
    consecutive days (several a day once it has tested on ``days`` days)."""
    rows = []
    for i, dl in enumerate(downloads):
        device = None if i < without_device else f"{operator[:3]}-{area}-{network}-d{i % devices}"
        day = 1 + (i // devices) % days  # each device's n-th test on day n (mod days)
        rows.append(
            M(
                month,
                at(month, day, int(rng.integers(0, 24)), int(rng.integers(0, 60))),
                operator,
                network,
                area,
                round(float(dl), 2),
                round(float(rng.uniform(5, 30)), 2),
                round(float(rng.uniform(10, 80)), 1),
                device,
            )
        )
    return rows


# --- the independent computation ----------------------------------------------------------------


def clustered_half_width(rows: list[M], confidence: float = 0.95) -> float | None:
    """The half-width of the interval of the mean clustered by device (CR1), the tests without a
    device id one device together: t(G - 1) * sqrt(G / (G - 1) * sum_g e_g^2) / n."""
    dl = np.array([r.download for r in rows])
    devices = np.array([r.device or "" for r in rows])
    keys, cluster = np.unique(devices, return_inverse=True)
    g = len(keys)
    if g < 2:
        return None
    residual_sums = np.bincount(cluster, weights=dl - dl.mean())
    variance = g / (g - 1) * float(np.sum(residual_sums**2)) / len(dl) ** 2
    return float(stats.t.ppf(1 - (1 - confidence) / 2, g - 1)) * math.sqrt(variance)


def expected(
    rows: list[M],
    *,
    in_scope: bool,
    threshold=40.0,
    min_tests=300,
    min_devices=30,
    min_effective_devices=30,
    vnnic_min_samples=300,
    confidence=0.95,
    statistic="mean",
) -> dict:
    """Every figure of a mart row, computed in Python from the rows of its group (method 2.0)."""
    n = len(rows)
    out = {
        "tests": n,
        "devices": len({r.device for r in rows if r.device}),
        "tests_without_device": sum(1 for r in rows if r.device is None),
    }
    if n == 0:
        out |= {k: None for k in NUMBERS if k not in out} | {"device_days": 0, "tests_at_or_above_threshold": 0}
        out |= {
            "sufficient_data": False,
            "insufficient_reason": "no_tests",
            "verdict": "insufficient_data" if in_scope else None,
            "vnnic_verdict": "insufficient_data" if in_scope else None,
            "vnnic_verdict_differs": False if in_scope else None,
            "ci_straddles_threshold": None,
        }
        return out
    dl = np.array([r.download for r in rows])
    mean = math.fsum(dl) / n
    sd = statistics.stdev(dl) if n > 1 else None
    half = clustered_half_width(rows, confidence)
    p10, median, p90 = np.percentile(dl, [10, 50, 90], method="linear")  # = percentile_cont
    # VNNIC's representative samples: one device (the tests without an id one device), one unit, one day.
    units: dict[tuple, list[float]] = defaultdict(list)
    for r in rows:
        units[(r.device, r.area, r.measured_at.astimezone(VN).date())].append(r.download)
    sample_means = [math.fsum(u) / len(u) for u in units.values()]
    ddm = statistics.fmean(sample_means)
    vnnic_median = float(np.median(sample_means))
    per_device = np.unique([r.device or "" for r in rows], return_counts=True)[1].astype(float)
    clusters = len(per_device)
    effective = float(per_device.sum() ** 2 / np.sum(per_device**2))
    figure = {"mean": mean, "median": median, "device_day_mean": ddm}[statistic]
    reason = (
        "tests"
        if n < min_tests
        else "devices"
        if clusters < min_devices
        else "effective_devices"
        if round(effective, 4) < min_effective_devices
        else None
    )
    ci_low, ci_high = (mean - half, mean + half) if half is not None else (None, None)
    verdict = vnnic_verdict = None
    if in_scope:
        verdict = "insufficient_data" if reason else "meets" if round(figure, 4) >= threshold else "does_not_meet"
        vnnic_verdict = (
            "insufficient_data"
            if len(units) < vnnic_min_samples
            else "meets"
            if round(vnnic_median, 4) >= threshold
            else "does_not_meet"
        )
    out |= {
        "device_days": len(units),
        "mean": mean,
        "stddev": sd,
        "ci_low": ci_low,
        "ci_high": ci_high,
        "median": median,
        "p10": p10,
        "p90": p90,
        "mean_upload": math.fsum(r.upload for r in rows) / n,
        "median_upload": statistics.median(r.upload for r in rows),
        "median_latency": statistics.median(r.latency for r in rows),
        "tests_at_or_above_threshold": int((dl >= threshold).sum()),
        "share_at_or_above_threshold": float((dl >= threshold).mean()),
        "device_day_weighted_mean": ddm,
        "effective_devices": effective,
        "vnnic_median": vnnic_median,
        "figure": figure,
        "sufficient_data": reason is None,
        "insufficient_reason": reason,
        "verdict": verdict,
        "vnnic_verdict": vnnic_verdict,
        "vnnic_verdict_differs": None
        if not in_scope
        else verdict != "insufficient_data" and vnnic_verdict != "insufficient_data" and verdict != vnnic_verdict,
        "ci_straddles_threshold": None if ci_low is None else bool(round(ci_low, 4) < threshold <= round(ci_high, 4)),
    }
    return out


def assert_row(actual: dict, exp: dict, what: str) -> None:
    for key, value in exp.items():
        got = actual[key]
        if value is None or isinstance(value, (bool, str)):
            assert got == value, f"{what} {key}: {got!r} != {value!r}"
        else:  # stored rounded to 4 decimals
            assert got is not None and abs(got - value) <= 5e-5 + 1e-12 * abs(value), f"{what} {key}: {got} != {value}"


def mart(db, table: str, month: date, order: str) -> list[dict]:
    with db.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        cur.execute(f"select * from ispeed.{table} where month = %s order by {order}", (month,))
        return [{k: float(v) if isinstance(v, Decimal) else v for k, v in r.items()} for r in cur.fetchall()]


@pytest.fixture
def config_dir(tmp_path, monkeypatch):
    """A copy of include/config whose compliance.yaml a test may change: call it with the changes."""
    folder = tmp_path / "config"
    shutil.copytree(paths.CONFIG_DIR, folder)
    monkeypatch.setattr(paths, "CONFIG_DIR", folder)

    def change(**settings):
        path = folder / "compliance.yaml"
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        path.write_text(yaml.safe_dump(raw | settings), encoding="utf-8")
        return compliance.compliance_config()

    return change


# --- configuration ------------------------------------------------------------------------------


def test_configuration_defaults_are_the_seed_letter():
    cfg = compliance.compliance_config()
    assert (cfg.threshold_mbps, cfg.network_types, cfg.statistic, cfg.confidence) == (40.0, ("4G",), "mean", 0.95)
    assert (cfg.min_tests, cfg.min_devices, cfg.area_min_tests, cfg.area_min_devices) == (300, 30, 300, 30)
    assert cfg.compliance_label == "4G" and cfg.trend_months == 12 and cfg.method_version


def test_configuration_is_checked(config_dir):
    assert config_dir(network_types=["5g", "4G"]).compliance_label == "4G+5G"
    for bad in (
        {"statistic": "mode"},
        {"threshold_mbps": -1},
        {"confidence": 95},
        {"min_tests": 0},
        {"network_types": []},
        {"min_devices": "many"},
    ):
        with pytest.raises(ConfigError):
            config_dir(
                **(
                    {
                        "statistic": "mean",
                        "threshold_mbps": 40,
                        "confidence": 0.95,
                        "min_tests": 300,
                        "network_types": ["4G"],
                        "min_devices": 30,
                    }
                    | bad
                )
            )


def test_t_quantiles_match_scipy_beyond_the_table():
    p = compliance._t_parameters(0.95)
    for df in (1, 29, 1000):
        assert p["t_quantiles"][df - 1] == pytest.approx(stats.t.ppf(0.975, df), abs=1e-12)
    for df in (1001, 3000, 10**6):
        cf = p["t_z"] + p["t_g1"] / df + p["t_g2"] / df**2 + p["t_g3"] / df**3 + p["t_g4"] / df**4
        assert cf == pytest.approx(stats.t.ppf(0.975, df), abs=1e-12)


# --- known answers ------------------------------------------------------------------------------


def october(rng) -> list[M]:
    """A hand-made month: one operator per case of the verdict rules."""
    rows: list[M] = []
    # VIETTEL: meets, well clear of 40, in 303; 304 has enough tests but only 20 devices (district
    # insufficient); 20 tests without a device id; 5G and Wi-Fi beside it (no verdict).
    rows += sample(
        OCT, "VIETTEL", "4G", "303", rng.lognormal(math.log(52), 0.3, 420), 40, rng, days=5, without_device=20
    )
    rows += sample(OCT, "VIETTEL", "4G", "304", rng.lognormal(math.log(50), 0.3, 300), 20, rng)
    rows += sample(OCT, "VIETTEL", "5G", "303", rng.lognormal(math.log(200), 0.4, 120), 15, rng)
    rows += sample(OCT, "VIETTEL", "WIFI", "305", rng.lognormal(math.log(80), 0.4, 60), 12, rng)
    # VINAPHONE: mean a little above 40, wide spread: meets, and the interval straddles 40.
    rows += sample(OCT, "VINAPHONE", "4G", "305", 41.0 * rng.lognormal(-0.32, 0.8, 320) / 1.0, 40, rng)
    # MOBIFONE: exactly 40.00 on average ("at least 40" -> meets).
    rows += sample(OCT, "MOBIFONE", "4G", "306", [30.0, 50.0] * 150, 30, rng)
    # VIETNAMOBILE: below, in two districts.
    rows += sample(OCT, "VIETNAMOBILE", "4G", "303", rng.lognormal(math.log(20), 0.5, 200), 20, rng, days=3)
    rows += sample(OCT, "VIETNAMOBILE", "4G", "307", rng.lognormal(math.log(22), 0.5, 150), 15, rng)
    # GMOBILE: too few tests and devices.
    rows += sample(OCT, "GMOBILE", "4G", "316", rng.lognormal(math.log(14), 0.5, 40), 10, rng)
    # A test of another month, which must not count.
    rows += sample(SEP, "GMOBILE", "4G", "316", [99.0] * 5, 5, rng)
    return rows


def test_known_month_matches_an_independent_computation(db):
    rows = october(np.random.default_rng(20241))
    insert(db, rows)
    summary = compliance.compute_month(OCT, run_id="manual__1")
    facts = [r for r in rows if r.month == OCT]

    # Per operator: every network type with tests, and a 4G row for every operator.
    groups: dict[tuple, list[M]] = defaultdict(list)
    for r in facts:
        groups[(r.operator, r.network)].append(r)
    for op in OPERATORS:
        groups.setdefault((op, "4G"), [])
    stored = {(r["operator_code"], r["network_type"]): r for r in mart(db, "mart_compliance_operator", OCT, "1, 2, 3")}
    assert set(stored) == set(groups)
    for key, group in groups.items():
        assert_row(stored[key], expected(group, in_scope=key[1] == "4G"), f"operator {key}")
        assert stored[key]["in_compliance_scope"] is (key[1] == "4G")
        assert stored[key]["method_version"] == compliance.compliance_config().method_version
        assert stored[key]["run_id"] == "manual__1" and stored[key]["statistic"] == "mean"
        assert float(stored[key]["threshold"]) == 40 and (stored[key]["min_tests"], stored[key]["min_devices"]) == (
            300,
            30,
        )

    verdicts = {op: stored[(op, "4G")]["verdict"] for op in OPERATORS}
    assert verdicts == {
        "VIETTEL": "meets",
        "VINAPHONE": "meets",
        "MOBIFONE": "meets",
        "VIETNAMOBILE": "does_not_meet",
        "GMOBILE": "insufficient_data",
        "ITEL": "insufficient_data",
        "REDDI": "insufficient_data",
        "WINTEL": "insufficient_data",
    }
    assert stored[("VINAPHONE", "4G")]["ci_straddles_threshold"] is True  # the case is what it claims to be
    assert stored[("VIETTEL", "4G")]["ci_straddles_threshold"] is False
    mobifone = stored[("MOBIFONE", "4G")]
    assert mobifone["mean"] == 40 and mobifone["verdict"] == "meets" and mobifone["ci_straddles_threshold"] is True
    assert stored[("VIETTEL", "5G")]["verdict"] is None and stored[("ITEL", "4G")]["tests"] == 0

    # Per operator x district: the 4G grid for operators with 4G tests, other types where tested.
    area_groups: dict[tuple, list[M]] = defaultdict(list)
    for r in facts:
        area_groups[(r.operator, r.network, r.area)].append(r)
    for op in {r.operator for r in facts if r.network == "4G"}:
        for area in AREAS:
            area_groups.setdefault((op, "4G", area), [])
    stored_area = {
        (r["operator_code"], r["network_type"], r["area_code"]): r
        for r in mart(db, "mart_compliance_operator_area", OCT, "1, 2, 3, 4")
    }
    assert set(stored_area) == set(area_groups)
    for key, group in area_groups.items():
        assert_row(stored_area[key], expected(group, in_scope=key[1] == "4G"), f"area {key}")
    assert stored_area[("VIETTEL", "4G", "303")]["verdict"] == "meets"
    assert stored_area[("VIETTEL", "4G", "304")]["verdict"] == "insufficient_data"  # 300 tests, 20 devices
    assert stored_area[("VIETTEL", "4G", "305")]["tests"] == 0  # no 4G test there: listed, not missing
    assert stored_area[("VIETTEL", "4G", "305")]["verdict"] == "insufficient_data"
    assert ("ITEL", "4G", "303") not in stored_area

    # The summary for XCom and the reader for the report say the same.
    assert summary["month"] == "2024-10" and summary["threshold_mbps"] == 40.0 and summary["network_type"] == "4G"
    assert summary["tests"] == sum(len(g) for (op, nt), g in groups.items() if nt == "4G")
    assert {o["operator_code"]: o["verdict"] for o in summary["operators"]} == verdicts
    assert [o["operator_code"] for o in summary["operators"]] == OPERATORS  # display order
    assert summary["rows"]["mart_compliance_operator"] == len(groups)
    assert json.loads(json.dumps(summary)) == summary  # XCom-able
    with warehouse.connection() as conn:
        result = {
            "operator": marts.read_compliance_by_operator(conn, OCT),
            "operator_area": marts.read_compliance_by_operator_area(conn, OCT),
            "trend": marts.read_compliance_trend_by_operator(conn, OCT),
        }
    first = result["operator"][0]
    assert (first["operator_code"], first["network_type"], first["operator_name"]) == ("VIETTEL", "4G", "Viettel")
    assert [r["network_type"] for r in result["operator"] if r["operator_code"] == "VIETTEL"] == ["4G", "5G", "WIFI"]
    assert isinstance(first["mean"], float) and first["verdict"] == "meets"
    assert len(result["operator_area"]) == len(area_groups) and result["operator_area"][0]["area_name"] == "Hồng Bàng"
    assert {(r["operator_code"], r["trend_month"]) for r in result["trend"] if r["in_compliance_scope"]} == {
        (op, OCT) for op in OPERATORS
    }

    # Recomputing the same data gives the same rows (only when and by which run may differ).
    before = {
        t: mart(db, t, OCT, "1, 2, 3, 4")
        for t in ("mart_compliance_operator", "mart_compliance_operator_area", "mart_compliance_trend")
    }
    again = compliance.compute_month(OCT, run_id="manual__2")
    assert again["computed_at"] > summary["computed_at"]
    for table, old in before.items():
        new = mart(db, table, OCT, "1, 2, 3, 4")

        def strip(rs):
            return [
                {k: v for k, v in r.items() if k not in ("computed_at", "run_id", "source_computed_at")} for r in rs
            ]

        assert strip(new) == strip(old), table
        assert {r["computed_at"] for r in new} == {datetime.fromisoformat(again["computed_at"])}

    # A recomputation replaces the month as a whole: a district that lost its tests goes away.
    db.cursor().execute("delete from ispeed.fact_measurement where month = %s and network_type_code = 'WIFI'", (OCT,))
    compliance.compute_month(OCT)
    assert not query(db, "select 1 from ispeed.mart_compliance_operator_area where network_type = 'WIFI'")
    assert not query(db, "select 1 from ispeed.mart_compliance_operator where network_type = 'WIFI'")
    assert query(db, "select count(*) from ispeed.mart_compliance_operator where month = %s", (SEP,)) == [(0,)]


def heavy_tester_month(rng) -> list[M]:
    """Issue 15's month: one phone ran 5 000 of ITEL's 6 300 4G tests, among 141 devices. The phone
    tests at about 100 Mbps, in unit 303, on 20 days, 23:00-00:59 local time (across midnight: its
    samples are local days); 140 other phones test at about 25 Mbps, in 303 and 304."""
    rows = sample(NOV, "ITEL", "4G", "303", rng.lognormal(math.log(25), 0.6, 650), 70, rng, days=20)
    rows += sample(NOV, "ITEL", "4G", "304", rng.lognormal(math.log(25), 0.6, 650), 70, rng, days=20)
    rows += [
        M(
            NOV,
            at(NOV, 1 + i % 20, 23 if i % 2 else 0, i % 60),
            "ITEL",
            "4G",
            "303",
            round(float(rng.uniform(90, 110)), 2),
            20.0,
            30.0,
            "heavy",
        )
        for i in range(5000)
    ]
    return rows


def itel(db, table="mart_compliance_operator", area=None) -> dict:
    [row] = [
        r
        for r in mart(db, table, NOV, "1, 2, 3")
        if r["operator_code"] == "ITEL" and r["network_type"] == "4G" and r.get("area_code") == area
    ]
    return row


def test_one_phone_cannot_decide_a_verdict(db, config_dir):
    rows = heavy_tester_month(np.random.default_rng(7))
    insert(db, rows)

    summary = compliance.compute_month(NOV)
    row = itel(db)
    assert_row(row, expected(rows, in_scope=True), "ITEL")  # 6300 tests, 141 devices: beyond the t table
    assert row["tests"] == 6300 and row["devices"] == 141 and row["mean"] > 80  # the phone carries the mean
    assert row["effective_devices"] < 2  # but the tests are worth fewer than two devices
    assert (row["verdict"], row["insufficient_reason"], row["sufficient_data"]) == (
        "insufficient_data",
        "effective_devices",
        False,
    )
    assert row["device_day_weighted_mean"] < 40 and row["vnnic_median"] < 40
    assert row["vnnic_verdict"] == "does_not_meet" and row["vnnic_verdict_differs"] is False
    # The interval clustered by device says the mean is far less sure than 6 300 independent tests
    # would be (over ten times as wide), though with one device that dominant even it is too narrow:
    # hence the guard, not the interval, withholds the verdict.
    iid = stats.t.ppf(0.975, 6299) * statistics.stdev(r.download for r in rows) / math.sqrt(6300)
    assert row["ci_high"] - row["ci_low"] > 10 * 2 * iid
    unit = itel(db, "mart_compliance_operator_area", "303")
    assert unit["mean"] > 80 and unit["verdict"] == "insufficient_data"
    assert unit["insufficient_reason"] == "effective_devices"
    assert [o["verdict"] for o in summary["operators"] if o["operator_code"] == "ITEL"] == ["insufficient_data"]

    # Without the guard the phone decides: ITEL "meets" on its mean, and VNNIC's figure says it does
    # not: the two methods' verdicts differ, and the row says so.
    config_dir(min_effective_devices=1, area_min_effective_devices=1)
    compliance.compute_month(NOV)
    row = itel(db)
    assert_row(row, expected(rows, in_scope=True, min_effective_devices=1), "ITEL without the guard")
    assert (row["verdict"], row["vnnic_verdict"], row["vnnic_verdict_differs"]) == ("meets", "does_not_meet", True)

    config_dir(statistic="device_day_mean")
    compliance.compute_month(NOV)
    row = itel(db)
    assert_row(row, expected(rows, in_scope=True, statistic="device_day_mean", min_effective_devices=1), "ITEL ddm")
    assert (row["verdict"], row["vnnic_verdict_differs"]) == ("does_not_meet", False)

    config_dir(statistic="median", threshold_mbps=20, min_tests=100, min_devices=10)
    compliance.compute_month(NOV)
    row = itel(db)
    kw = {"statistic": "median", "threshold": 20, "min_tests": 100, "min_devices": 10, "min_effective_devices": 1}
    assert_row(row, expected(rows, in_scope=True, **kw), "ITEL by median")
    assert (row["min_tests"], float(row["threshold"]), row["min_effective_devices"]) == (100, 20.0, 1)


def test_tests_without_a_device_id_count_as_one_device(db):
    rng = np.random.default_rng(11)
    # 400 tests without a device id (possibly one phone), at 60 Mbps: not 400 devices.
    rows = sample(NOV, "ITEL", "4G", "303", rng.lognormal(math.log(60), 0.4, 400), 1, rng, without_device=400)
    # REDDI: 700 tests of 35 phones and 20 without an id (one more device): a verdict.
    rows += sample(NOV, "REDDI", "4G", "304", rng.lognormal(math.log(60), 0.4, 720), 35, rng, without_device=20)
    insert(db, rows)
    compliance.compute_month(NOV)
    row = itel(db)
    assert_row(row, expected([r for r in rows if r.operator == "ITEL"], in_scope=True), "ITEL")
    assert (row["devices"], row["tests_without_device"], row["effective_devices"]) == (0, 400, 1)
    assert (row["verdict"], row["insufficient_reason"]) == ("insufficient_data", "devices")
    assert row["ci_low"] is None  # one device: no interval
    assert row["device_days"] == 28  # one device a day, VNNIC's samples too
    [reddi] = [r for r in mart(db, "mart_compliance_operator", NOV, "1, 2") if r["operator_code"] == "REDDI"]
    assert_row(reddi, expected([r for r in rows if r.operator == "REDDI"], in_scope=True), "REDDI")
    assert (reddi["devices"], reddi["effective_devices"], reddi["verdict"]) == (35, 36, "meets")


def test_clustered_interval_agrees_with_a_bootstrap_by_device(db):
    """Phones differ (a device effect) and some test far more than others: the interval clustered by
    device is close to a bootstrap that resamples devices, and far wider than the t interval that
    treats tests as independent."""
    rng = np.random.default_rng(2024)
    rows: list[M] = []
    for d in range(120):
        level = 40 * rng.lognormal(0, 0.5)  # the phone's own speed
        for i in range(int(rng.integers(1, 40))):
            when = at(NOV, 1 + i % 28, int(rng.integers(0, 24)))
            rows.append(
                M(NOV, when, "ITEL", "4G", AREAS[d % 3], round(level * rng.lognormal(0, 0.3), 2), 9.0, 30.0, f"p{d}")
            )
    insert(db, rows)
    compliance.compute_month(NOV)
    row = itel(db)
    assert_row(row, expected(rows, in_scope=True), "ITEL")
    stored_se = (row["ci_high"] - row["ci_low"]) / 2 / stats.t.ppf(0.975, 119)

    by_device: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        by_device[r.device].append(r.download)
    sums = np.array([math.fsum(v) for v in by_device.values()])
    sizes = np.array([len(v) for v in by_device.values()], dtype=float)
    picks = rng.integers(0, len(sums), (4000, len(sums)))
    boot_se = float(np.std(sums[picks].sum(axis=1) / sizes[picks].sum(axis=1), ddof=1))
    iid_se = statistics.stdev(r.download for r in rows) / math.sqrt(len(rows))
    assert stored_se == pytest.approx(boot_se, rel=0.12)
    assert stored_se > 2 * iid_se


def test_month_without_data_says_so_for_every_operator(db):
    summary = compliance.compute_month(date(2025, 1, 1))
    assert [(o["operator_code"], o["verdict"], o["tests"], o["mean"]) for o in summary["operators"]] == [
        (op, "insufficient_data", 0, None) for op in OPERATORS
    ]
    assert summary["tests"] == 0
    assert summary["rows"] == {
        "mart_compliance_operator": 8,
        "mart_compliance_operator_area": 0,
        "mart_compliance_trend": 8,
    }


def test_several_network_types_make_one_compliance_population(db, config_dir):
    rng = np.random.default_rng(3)
    rows = sample(OCT, "VIETTEL", "4G", "303", [36.0] * 200, 20, rng)
    rows += sample(OCT, "VIETTEL", "5G", "303", [52.0] * 100, 10, rng)
    insert(db, rows)
    config_dir(network_types=["5G", "4G"])
    compliance.compute_month(OCT)
    stored = {
        r["network_type"]: r
        for r in mart(db, "mart_compliance_operator", OCT, "1, 2, 3")
        if r["operator_code"] == "VIETTEL"
    }
    assert set(stored) == {"4G", "5G", "4G+5G"}
    assert (stored["4G"]["verdict"], stored["5G"]["verdict"]) == (None, None)
    assert_row(stored["4G+5G"], expected(rows, in_scope=True), "4G+5G")
    assert stored["4G+5G"]["verdict"] == "meets" and stored["4G+5G"]["mean"] == 41.3333


def test_trend_compares_with_the_previous_month_and_the_12_before(db):
    rng = np.random.default_rng(11)
    rows = []
    for month, level in ((AUG, 44.0), (SEP, 42.0), (OCT, 38.0)):
        rows += sample(month, "VIETTEL", "4G", "303", [level] * 300, 30, rng)
    rows += sample(AUG, "VINAPHONE", "4G", "303", [50.0] * 300, 30, rng)
    rows += sample(SEP, "VINAPHONE", "4G", "303", [10.0] * 20, 5, rng)  # insufficient: not compared
    rows += sample(OCT, "VINAPHONE", "4G", "303", [45.0] * 300, 30, rng)
    insert(db, rows)
    for month in (AUG, SEP, OCT):
        compliance.compute_month(month)

    trend = {
        (r["operator_code"], r["trend_month"]): r
        for r in mart(db, "mart_compliance_trend", OCT, "2, 3, 4")
        if r["network_type"] == "4G"
    }
    pick = (
        "figure",
        "previous_month_figure",
        "change_vs_previous_month",
        "change_vs_previous_month_pct",
        "previous_12_months_mean",
        "months_in_previous_12",
        "change_vs_previous_12_months",
        "change_vs_previous_12_months_pct",
    )

    def row(op, month):
        return tuple(None if trend[(op, month)][k] is None else float(trend[(op, month)][k]) for k in pick)

    assert row("VIETTEL", AUG) == (44.0, None, None, None, None, 0, None, None)
    assert row("VIETTEL", SEP) == (42.0, 44.0, -2.0, round(-2 / 44 * 100, 4), 44.0, 1, -2.0, round(-2 / 44 * 100, 4))
    assert row("VIETTEL", OCT) == (38.0, 42.0, -4.0, round(-4 / 42 * 100, 4), 43.0, 2, -5.0, round(-5 / 43 * 100, 4))
    assert row("VINAPHONE", SEP)[0] == 10.0 and row("VINAPHONE", SEP)[2] is None  # no comparison when insufficient
    assert trend[("VINAPHONE", SEP)]["verdict"] == "insufficient_data"
    assert row("VINAPHONE", OCT) == (45.0, None, None, None, 50.0, 1, -5.0, -10.0)  # September is not a baseline
    assert {m for (op, m) in trend if op == "ITEL"} == {AUG, SEP, OCT}
    # The trend of a month is what that month saw: September's does not reach into October.
    assert {r["trend_month"] for r in mart(db, "mart_compliance_trend", SEP, "1")} == {AUG, SEP}


def test_one_month_reads_only_its_partition(db):
    rng = np.random.default_rng(5)
    insert(
        db,
        sample(SEP, "VIETTEL", "4G", "303", [41.0] * 10, 2, rng)
        + sample(OCT, "VIETTEL", "4G", "303", [41.0] * 10, 2, rng),
    )
    params = compliance.sql_parameters(compliance.compliance_config(), OCT)
    setup = [
        paths.read_sql("compliance/compliance_month_scope.sql"),
        paths.read_sql("compliance/compliance_month_tests.sql"),
    ]
    statement = "select * from month_tests"  # what every part of the statistics reads
    with db.cursor() as cur:
        cur.execute("begin")  # its temporary tables live until the end of the transaction
        for s in setup:
            cur.execute(s, params)
        cur.execute("explain " + statement, params)
        plan = "\n".join(r[0] for r in cur.fetchall())
        cur.execute("rollback")
    assert "fact_measurement_2024_10" in plan and "fact_measurement_2024_09" not in plan, plan


def test_unknown_network_type_in_the_configuration_is_refused(db, config_dir):
    config_dir(network_types=["LTE-A"])
    with pytest.raises(ConfigError, match="LTE-A"):
        compliance.compute_month(OCT)
    assert query(db, "select count(*) from ispeed.mart_compliance_operator") == [(0,)]


def test_two_runs_of_one_month_at_once_both_succeed(db):
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(9)
    insert(db, sample(OCT, "VIETTEL", "4G", "303", rng.lognormal(math.log(45), 0.4, 400), 40, rng))
    with ThreadPoolExecutor(2) as pool:
        summaries = list(pool.map(lambda run: compliance.compute_month(OCT, run_id=run), ["a", "b"]))
    assert [s["operators"] for s in summaries][0] == [s["operators"] for s in summaries][1]
    # One run's rows, whole: never a mix of the two.
    assert len(query(db, "select distinct run_id, computed_at from ispeed.mart_compliance_operator")) == 1
    assert len(query(db, "select distinct run_id, computed_at from ispeed.mart_compliance_operator_area")) == 1


def test_statistics_memory_grows_with_the_month_within_bounds():
    # 1M tests fit the minimum; 10M get enough for the device-days' hash table (docs/performance.md).
    assert [compliance.work_mem_for(n) for n in (-1, 0, 1_000_000, 10_000_000, 10**9)] == [
        "256MB",
        "256MB",
        "256MB",
        "1908MB",
        "2048MB",
    ]
