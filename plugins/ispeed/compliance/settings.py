"""The compliance settings in force: include/config/compliance.yaml, checked (docs/method.md).

cfg = compliance_config()     # read on every call; ConfigError names the setting that is wrong
cfg.compliance_label          # '4G', or '4G+5G' when several network types are assessed together
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ispeed.config import ConfigError, load_yaml

#: The figures a verdict may be decided on (compliance.yaml ``statistic``).
STATISTICS = ("mean", "median", "device_day_mean")
VERDICTS = ("meets", "does_not_meet", "insufficient_data")


@dataclass(frozen=True)
class ComplianceConfig:
    """include/config/compliance.yaml, checked."""

    threshold_mbps: float
    network_types: tuple[str, ...]  # sorted codes of dim_network_type
    statistic: str  # one of STATISTICS
    confidence: float
    min_tests: int  # per operator (whole province)
    min_devices: int
    area_min_tests: int  # per operator x district
    area_min_devices: int
    min_effective_devices: int  # per operator: Kish's effective number of devices
    area_min_effective_devices: int  # per operator x unit
    vnnic_min_samples: int  # VNNIC's minimum of representative samples for its figure
    trend_months: int
    method_version: str

    @property
    def compliance_label(self) -> str:
        """The network_type value of the compliance rows: '4G', or '4G+5G' for several types."""
        return "+".join(self.network_types)


def _int(raw: dict, key: str, default: int | None = None, minimum: int = 1) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"include/config/compliance.yaml: {key} must be a whole number >= {minimum}, not {value!r}")
    return value


def compliance_config() -> ComplianceConfig:
    """The compliance settings in force (read on every call; ConfigError when one is wrong)."""
    raw = load_yaml("compliance")
    where = "include/config/compliance.yaml"
    try:
        threshold = float(raw.get("threshold_mbps", 40))
        confidence = float(raw.get("confidence", 0.95))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: threshold_mbps and confidence must be numbers ({exc})") from exc
    if not math.isfinite(threshold) or threshold <= 0:
        raise ConfigError(f"{where}: threshold_mbps must be a positive number, not {threshold!r}")
    if not 0 < confidence < 1:
        raise ConfigError(f"{where}: confidence must be between 0 and 1 (e.g. 0.95), not {confidence!r}")
    types = raw.get("network_types", ["4G"])
    if isinstance(types, str):
        types = [types]
    if not isinstance(types, list) or not types or not all(isinstance(t, str) and t.strip() for t in types):
        raise ConfigError(f"{where}: network_types must be a list of network type codes, e.g. [4G]")
    statistic = str(raw.get("statistic", "mean")).strip()
    if statistic not in STATISTICS:
        raise ConfigError(f"{where}: statistic must be one of {', '.join(STATISTICS)}, not {statistic!r}")
    version = raw.get("method_version")
    if version in (None, ""):
        raise ConfigError(f"{where}: method_version is missing")
    min_tests = _int(raw, "min_tests", 300)
    min_devices = _int(raw, "min_devices", 30)
    min_effective = _int(raw, "min_effective_devices", 30)
    return ComplianceConfig(
        threshold_mbps=threshold,
        network_types=tuple(sorted({t.strip().upper() for t in types})),
        statistic=statistic,
        confidence=confidence,
        min_tests=min_tests,
        min_devices=min_devices,
        area_min_tests=_int(raw, "area_min_tests", min_tests),
        area_min_devices=_int(raw, "area_min_devices", min_devices),
        min_effective_devices=min_effective,
        area_min_effective_devices=_int(raw, "area_min_effective_devices", min_effective),
        vnnic_min_samples=_int(raw, "vnnic_min_samples", 300),
        trend_months=_int(raw, "trend_months", 12),
        method_version=str(version),
    )
