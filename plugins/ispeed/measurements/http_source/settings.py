"""The HTTP source's settings (include/config/http_source.yaml) and where it is: the Airflow
connection's base URL, token and TLS verification."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ispeed.config import ConfigError, load_yaml
from ispeed.measurements.http_source.errors import HttpSourceRefused


@dataclass(frozen=True)
class HttpSourceSettings:
    """include/config/http_source.yaml."""

    conn_id: str = "ispeed_http_source"
    endpoint: str = "/api/v1/measurements"
    page_size: int = 1000
    max_pages: int = 20000
    max_retries: int = 5
    backoff_seconds: float = 2.0
    max_backoff_seconds: float = 120.0
    max_retry_after_seconds: float = 600.0
    timeout_seconds: float = 60.0
    max_page_bytes: int = 256 << 20


def http_source_settings() -> HttpSourceSettings:
    """The settings of include/config/http_source.yaml, checked."""
    raw = load_yaml("http_source")
    defaults = HttpSourceSettings()
    known = {f.name for f in dataclasses.fields(HttpSourceSettings)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"include/config/http_source.yaml: unknown setting(s) {', '.join(unknown)}")
    try:
        settings = HttpSourceSettings(
            conn_id=str(raw.get("conn_id", defaults.conn_id)),
            endpoint=str(raw.get("endpoint", defaults.endpoint)),
            page_size=int(raw.get("page_size", defaults.page_size)),
            max_pages=int(raw.get("max_pages", defaults.max_pages)),
            max_retries=int(raw.get("max_retries", defaults.max_retries)),
            backoff_seconds=float(raw.get("backoff_seconds", defaults.backoff_seconds)),
            max_backoff_seconds=float(raw.get("max_backoff_seconds", defaults.max_backoff_seconds)),
            max_retry_after_seconds=float(raw.get("max_retry_after_seconds", defaults.max_retry_after_seconds)),
            timeout_seconds=float(raw.get("timeout_seconds", defaults.timeout_seconds)),
            max_page_bytes=int(raw.get("max_page_bytes", defaults.max_page_bytes)),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"include/config/http_source.yaml: a setting has the wrong type ({exc})") from exc
    problems = []
    if not settings.conn_id.strip():
        problems.append("conn_id is empty")
    if not settings.endpoint.startswith("/"):
        problems.append("endpoint must start with '/'")
    if not 1 <= settings.page_size <= 1_000_000:
        problems.append("page_size must be 1 .. 1000000")
    if settings.max_pages < 1:
        problems.append("max_pages must be at least 1")
    if not 0 <= settings.max_retries <= 50:
        problems.append("max_retries must be 0 .. 50")
    if settings.backoff_seconds < 0 or settings.max_backoff_seconds < 0 or settings.max_retry_after_seconds < 0:
        problems.append("backoff_seconds, max_backoff_seconds and max_retry_after_seconds must not be negative")
    if settings.timeout_seconds <= 0:
        problems.append("timeout_seconds must be positive")
    if settings.max_page_bytes < 1024:
        problems.append("max_page_bytes must be at least 1024")
    if problems:
        raise ConfigError("include/config/http_source.yaml: " + "; ".join(problems))
    return settings


@dataclass(frozen=True)
class HttpSource:
    """Where the exports come from: a base URL without credentials, and the token (never shown)."""

    conn_id: str
    base_url: str
    token: str = field(repr=False)
    verify: bool | str = True

    def describe(self) -> str:
        """For logs and messages: the base URL and the connection, never the token."""
        return f"{self.base_url} (Airflow connection {self.conn_id!r})"


def _not_found(exc: Exception) -> bool:
    try:
        from airflow.sdk.exceptions import AirflowNotFoundException
    except ImportError:  # pragma: no cover - Airflow is installed with the pipeline
        return type(exc).__name__ == "AirflowNotFoundException"
    return isinstance(exc, AirflowNotFoundException)


def source_from_airflow(conn_id: str) -> HttpSource | None:
    """The endpoint of the Airflow connection ``conn_id``, or None when Airflow has no such
    connection. Looked up like warehouse._from_airflow (BaseHook.get_connection), but always:
    ISPEED_SKIP_AIRFLOW_CONNECTION concerns the warehouse only.

    Inside a task the lookup goes through the Execution API (connections of the metadata database,
    secrets backends, AIRFLOW_CONN_* variables); from plain code (the CLI, tests) Airflow 3 reads
    AIRFLOW_CONN_<ID> variables and configured secrets backends, not the metadata database."""
    try:
        from airflow.sdk import BaseHook  # imported here: the package must work without Airflow
    except ImportError:
        return None
    try:
        conn = BaseHook.get_connection(conn_id)
    except Exception as exc:
        if _not_found(exc):
            return None
        raise HttpSourceRefused(f"the Airflow connection {conn_id!r} could not be read: {type(exc).__name__}") from exc
    token = conn.password or str((conn.extra_dejson or {}).get("token") or "")
    if not token:
        raise HttpSourceRefused(
            f"the Airflow connection {conn_id!r} has no token: put the i-Speed export token in its password "
            '(or in its extra as {"token": "..."})'
        )
    return HttpSource(conn_id, _base_url(conn_id, conn), token, _verify(conn.extra_dejson or {}))


def _base_url(conn_id: str, conn: Any) -> str:
    """The base URL from the connection: a host holding a whole URL ("https://host/prefix"), or a
    host name with conn_type http/https, port and schema (the path), as the URI form gives."""
    host = (conn.host or "").strip()
    if not host:
        raise HttpSourceRefused(
            f"the Airflow connection {conn_id!r} has no host: set it to the export endpoint's base URL"
        )
    if "://" in host:
        parts = urlsplit(host)
        scheme, netloc, path = parts.scheme.lower(), parts.netloc.rsplit("@", 1)[-1], parts.path
        try:
            has_port = parts.port is not None
        except ValueError as exc:
            raise HttpSourceRefused(f"the Airflow connection {conn_id!r} has a host with a bad port ({exc})") from exc
        if conn.port and not has_port:
            netloc = f"{netloc}:{conn.port}"
    else:
        conn_type = (conn.conn_type or "").lower()
        scheme = conn_type if conn_type in ("http", "https") else "https"
        netloc = host.rsplit("@", 1)[-1] + (f":{conn.port}" if conn.port else "")
        path = "/" + conn.schema.strip("/") if conn.schema else ""
    if scheme not in ("http", "https") or not netloc:
        raise HttpSourceRefused(f"the Airflow connection {conn_id!r} does not give an http(s) base URL (host {host!r})")
    return urlunsplit((scheme, netloc, path.rstrip("/"), "", ""))


def _verify(extra: dict) -> bool | str:
    """TLS verification from the extra "verify": true (default), false, or a CA bundle's path."""
    value = extra.get("verify", True)
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", ""):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "0", "no"):
        return False
    return value if isinstance(value, (bool, str)) else bool(value)
