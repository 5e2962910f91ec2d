"""Configuration: YAML files in include/config/ that an operator edits (never secrets)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ispeed import paths


class ConfigError(ValueError):
    pass


def load_yaml(name: str) -> dict[str, Any]:
    """``include/config/<name>.yaml`` as a dict (ISPEED_CONFIG_DIR moves the folder)."""
    path = paths.CONFIG_DIR / f"{name}.yaml"
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
    except FileNotFoundError as exc:
        raise ConfigError(f"configuration file {path} is missing") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"configuration file {path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"configuration file {path} must hold a mapping at the top level")
    return data


def email_addresses(raw: dict, key: str, where: str) -> tuple[str, ...]:
    """``raw[key]``, one address or a list of them, checked: ``where`` names the setting in errors
    (e.g. "include/config/report.yaml: email.")."""
    from email.utils import parseaddr

    value = raw.get(key) or []
    if isinstance(value, str):
        value = [value]
    out = tuple(str(v).strip() for v in value if str(v).strip())
    for addr in out:
        if "@" not in parseaddr(addr)[1]:
            raise ConfigError(f"{where}{key}: {addr!r} is not an email address")
    return out


@dataclass(frozen=True)
class MeasurementLimits:
    max_download_mbps: float
    max_upload_mbps: float
    max_latency_ms: float
    max_jitter_ms: float
    latitude: tuple[float, float]
    longitude: tuple[float, float]


@dataclass(frozen=True)
class PipelineConfig:
    warehouse_conn_id: str
    landing: Path
    archive: Path
    validation: Path
    limits: MeasurementLimits
    fail_on_rejected_file: bool
    max_file_bytes: int


def _resolve(base: Path, value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else base / path


def pipeline_config() -> PipelineConfig:
    """The pipeline's settings, with paths resolved against the data folder."""
    raw = load_yaml("pipeline")
    base = paths.data_dir()
    try:
        m = raw["measurements"]
        return PipelineConfig(
            warehouse_conn_id=str(raw.get("warehouse_conn_id", "ispeed_warehouse")),
            landing=_resolve(base, raw["paths"]["landing"]),
            archive=_resolve(base, raw["paths"]["archive"]),
            validation=_resolve(base, raw["paths"]["validation"]),
            limits=MeasurementLimits(
                max_download_mbps=float(m["max_download_mbps"]),
                max_upload_mbps=float(m["max_upload_mbps"]),
                max_latency_ms=float(m["max_latency_ms"]),
                max_jitter_ms=float(m["max_jitter_ms"]),
                latitude=(float(m["latitude"][0]), float(m["latitude"][1])),
                longitude=(float(m["longitude"][0]), float(m["longitude"][1])),
            ),
            fail_on_rejected_file=bool(raw.get("fail_on_rejected_file", True)),
            max_file_bytes=int(raw.get("max_file_bytes", 4 << 30)),
        )
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ConfigError(f"include/config/pipeline.yaml: missing or wrong setting ({exc!r})") from exc
