"""The sample month (tests/fixtures/report_data.py) with the figures of compliance method 2.0
(issue 15): VNNIC's median of the representative samples and its verdict, why a row has not enough
data, and a mean of 39.9951 beside 40 Mbps."""

from __future__ import annotations

import dataclasses
from datetime import date

from ispeed.report.data import DOES_NOT_MEET, INSUFFICIENT_DATA, MEETS, ReportData

from fixtures.report_data import sample_report_data


def method_2_data(month: date) -> ReportData:
    """MobiFone at 39.9951 (does not meet; VNNIC's median 40.0049 meets: the verdicts differ);
    Gmobile withheld by the effective-devices guard; the others decided alike by both methods.
    Per unit: the figures of VNNIC beside each, and one unit withheld by the guard."""
    data = sample_report_data(month)
    compliance = []
    for c in data.compliance:
        samples = c.devices * 3
        extra: dict = {"samples": samples, "effective_devices": float(c.devices) * 0.8}
        if c.operator_code == "MOBIFONE":
            extra |= {
                "mean_mbps": 39.9951,
                "figure_mbps": 39.9951,
                "ci_low_mbps": 38.2049,
                "ci_high_mbps": 41.7851,
                "ci_straddles": True,
                "device_day_mean_mbps": 39.9951,
                "verdict": DOES_NOT_MEET,
                "vnnic_median_mbps": 40.0049,
                "vnnic_verdict": MEETS,
                "vnnic_verdict_differs": True,
            }
        elif c.operator_code == "GMOBILE":
            extra |= {
                "tests": 900,
                "devices": 140,
                "effective_devices": 1.9,
                "verdict": INSUFFICIENT_DATA,
                "insufficient_reason": "effective_devices",
                "samples": 310,
                "vnnic_median_mbps": 21.3,
                "vnnic_verdict": DOES_NOT_MEET,
            }
        else:
            extra |= {
                "vnnic_median_mbps": round(c.figure_mbps * 0.9, 2),
                "vnnic_verdict": c.verdict if c.verdict != INSUFFICIENT_DATA else DOES_NOT_MEET,
            }
        compliance.append(dataclasses.replace(c, **extra))
    districts = []
    for i, x in enumerate(data.districts):
        if x.unassigned:
            districts.append(x)
            continue
        extra = {
            "samples": x.devices * 2,
            "vnnic_median_mbps": None if x.figure_mbps is None else round(x.figure_mbps * 0.9, 2),
            "vnnic_verdict": x.verdict,
            "insufficient_reason": None,
        }
        if i == 0:
            extra |= {"verdict": INSUFFICIENT_DATA, "insufficient_reason": "effective_devices"}
        elif x.verdict == INSUFFICIENT_DATA:
            extra["insufficient_reason"] = "tests" if x.tests else "no_tests"
        districts.append(dataclasses.replace(x, **extra))
    return dataclasses.replace(
        data, compliance=compliance, districts=districts, method=dataclasses.replace(data.method, method_version="2.0")
    )
