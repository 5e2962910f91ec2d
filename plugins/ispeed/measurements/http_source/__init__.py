"""i-Speed exports pulled from an HTTP endpoint into the landing folder, one page per file.

    GET {base URL}/api/v1/measurements?month=YYYY-MM&limit=N[&cursor=C]
      -> {"month": "YYYY-MM", "items": [{...}, ...], "next_cursor": "..." | null}
      -> <landing>/ispeed/YYYY-MM/http_YYYY-MM_page00001.jsonl, ...     (JSON Lines, one item a line)

docs/http-source.md is the contract. The loader (measurements.load_month) then reads the pages like
any other export, so what was loaded is always a file that can be loaded again.

- **Where from**: the Airflow connection ``conn_id`` of include/config/http_source.yaml
  (``ispeed_http_source``): host = base URL, password (or extra ``token``) = the bearer token. No
  such connection: nothing is pulled (``{"skipped": "no connection ..."}``), the landing folder
  alone is used. The token goes in the Authorization header only; logs name the base URL.
- **Resume**: a hidden state file in the month's folder (``.http_pull_state.json``) records, after
  each page, how many pages are done and the cursor of the next one. A run after a failure starts
  at that cursor: pages already fetched are not fetched again. When the server sends no next
  cursor the month is complete and is not pulled again unless ``force=True``. A hidden manifest
  (``.http_pull_manifest.jsonl``) records each page's cursor, rows, file and sha256.
- **Failures**: connection errors, timeouts, HTTP 429 (honouring Retry-After) and 5xx are retried
  with exponential back-off; 401/403/404 and other 4xx stop at once (``HttpSourceRefused``); a page
  that is not the documented JSON stops with a message naming the page (``MalformedPage``).
- **Files**: only our own names (the server's data never becomes a path); written to a hidden
  temporary name and renamed, so the loader never sees half a page. One pull of a month at a time
  (a lock file in the folder).
"""

from __future__ import annotations

import contextlib
import dataclasses
import email.utils
import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from ispeed import __version__
from ispeed.config import ConfigError, load_yaml
from ispeed.measurements.load import landing_folder
from ispeed.months import month_label

log = logging.getLogger(__name__)

STATE_NAME = ".http_pull_state.json"
MANIFEST_NAME = ".http_pull_manifest.jsonl"
LOCK_NAME = ".http_pull.lock"
STATE_VERSION = 1
USER_AGENT = f"ispeed-pipeline/{__version__} (So TTTT Hai Phong; python-requests/{requests.__version__})"

_PAGE_FILE = re.compile(r"^http_(\d{4}-\d{2})_page(\d{5,})\.jsonl$")
_TEMP_FILE = re.compile(
    r"^\.(http_\d{4}-\d{2}_page\d{5,}\.jsonl|http_pull_state\.json|http_pull_manifest\.jsonl)\.\d+\.tmp$"
)
_RETRYABLE_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


class HttpPullError(RuntimeError):
    """The pull stopped. The pages fetched before are kept; the next run resumes after them."""


class HttpSourceRefused(HttpPullError):
    """The endpoint refused the request (401/403/404, another 4xx) or the connection is unusable:
    retrying cannot help until someone fixes the token, the URL or the connection."""


class HttpSourceUnavailable(HttpPullError):
    """The endpoint kept failing (connection errors, timeouts, 429, 5xx) after every retry; a later
    run (an Airflow task retry) resumes where this one stopped."""


class MalformedPage(HttpPullError):
    """A page's body is not the documented JSON."""


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


def page_file_name(month: date, page: int) -> str:
    """The file of a page: http_YYYY-MM_page00001.jsonl (never a name from the server)."""
    return f"http_{month_label(month)}_page{page:05d}.jsonl"


def pull_month(
    month: date, *, conn_id: str | None = None, force: bool = False, settings: HttpSourceSettings | None = None
) -> dict:
    """Pull the month's i-Speed exports from the HTTP endpoint into its landing folder and return
    a summary for XCom: pages_fetched, rows, files_written, resumed_from, skipped, ...

    Resumes after the last page fetched by an earlier run; a month already complete is not pulled
    again unless ``force``. ``settings`` replaces include/config/http_source.yaml (tests)."""
    settings = settings or http_source_settings()
    conn_id = conn_id or settings.conn_id
    summary = _empty_summary(month, conn_id)
    source = source_from_airflow(conn_id)
    if source is None:
        log.info(
            "no Airflow connection %r: i-Speed exports of %s are not pulled over HTTP; the landing folder "
            "alone is used",
            conn_id,
            month_label(month),
        )
        summary["skipped"] = f"no connection {conn_id}"
        return summary
    folder = landing_folder(month)
    folder.mkdir(parents=True, exist_ok=True)
    with _month_lock(folder):
        return _pull(source, settings, month, folder, force, summary)


def _empty_summary(month: date, conn_id: str) -> dict:
    return {
        "month": month_label(month),
        "conn_id": conn_id,
        "source": None,
        "skipped": None,
        "already_complete": False,
        "complete": False,
        "resumed_from": None,
        "pages_fetched": 0,
        "rows": 0,
        "files_written": [],
        "requests": 0,
        "retries": 0,
        "total_pages": 0,
        "total_rows": 0,
        "landing": None,
    }


@contextlib.contextmanager
def _month_lock(folder: Path) -> Iterator[None]:
    """One pull of a month at a time on this machine: a second one waits, then finds the state
    the first one left."""
    import fcntl

    with open(folder / LOCK_NAME, "a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _pull(
    source: HttpSource, settings: HttpSourceSettings, month: date, folder: Path, force: bool, summary: dict
) -> dict:
    label = month_label(month)
    url = source.base_url + settings.endpoint
    summary.update(source=url, landing=str(folder))
    _remove_stale_temp_files(folder)
    state_path = folder / STATE_NAME
    state = _read_state(state_path)

    if state is not None and state["complete"] and not force:
        log.info(
            "i-Speed exports of %s from %s were pulled completely on %s (%s pages, %s rows); not pulled "
            "again (force=True pulls the month again)",
            label,
            url,
            state["updated_at"],
            state["pages_completed"],
            state["rows"],
        )
        summary.update(
            already_complete=True, complete=True, total_pages=state["pages_completed"], total_rows=state["rows"]
        )
        return summary
    if state is not None and not force and state["source"] != url:
        log.warning(
            "the state of %s was recorded for another source (%s); pulling the month again from page 1 from %s",
            label,
            state["source"],
            url,
        )
        state = None
    if state is None or force:
        state = _start_over(folder, label, url)
        seen_cursors: set[str | None] = set()
    else:
        seen_cursors = _manifest_cursors(folder)
        if state["pages_completed"]:
            summary["resumed_from"] = {"page": state["pages_completed"] + 1, "cursor": state["next_cursor"]}

    host = urlsplit(url).hostname or ""
    if url.startswith("http://") and host not in ("localhost", "127.0.0.1", "::1"):
        log.warning("the token goes to %s over plain http, unencrypted; use an https base URL", url)
    page = state["pages_completed"] + 1
    cursor = state["next_cursor"]
    log.info(
        "pulling i-Speed exports of %s from %s (Airflow connection %r), %s rows a page%s",
        label,
        url,
        source.conn_id,
        settings.page_size,
        f", resuming at page {page}" if summary["resumed_from"] else "",
    )
    with requests.Session() as session:
        session.headers.update(
            {"User-Agent": USER_AGENT, "Accept": "application/json", "Authorization": f"Bearer {source.token}"}
        )
        while True:
            if page > settings.max_pages:
                raise HttpPullError(
                    f"i-Speed exports of {label} from {url}: stopped after max_pages={settings.max_pages} pages and the "
                    "source still reports a next page; if the month really is that large, raise max_pages in "
                    "include/config/http_source.yaml (the pages fetched are kept and the next run resumes)"
                )
            body = _get_page(session, source, settings, url, label, page, cursor, summary)
            items, next_cursor = _check_page(body, url, label, page, source.token)
            if next_cursor is not None and (next_cursor in seen_cursors or next_cursor == cursor):
                raise MalformedPage(
                    f"page {page} of {label} from {url}: next_cursor repeats the cursor of an earlier page; "
                    "the source is paging in a loop (the pages before are kept)"
                )
            name = sha = None
            if items:
                name = page_file_name(month, page)
                sha = _write_jsonl(folder / name, items)
                summary["files_written"].append(name)
            _append_manifest(
                folder,
                {"page": page, "cursor": cursor, "rows": len(items), "file": name, "sha256": sha, "fetched_at": _now()},
            )
            seen_cursors.add(cursor)
            state.update(
                pages_completed=page,
                rows=state["rows"] + len(items),
                next_cursor=next_cursor,
                complete=next_cursor is None,
                updated_at=_now(),
            )
            _write_state(state_path, state)
            summary["pages_fetched"] += 1
            summary["rows"] += len(items)
            log.info("page %s of %s: %s rows%s", page, label, len(items), f" -> {name}" if name else " (no file)")
            if next_cursor is None:
                break
            cursor = next_cursor
            page += 1
    summary.update(complete=True, total_pages=state["pages_completed"], total_rows=state["rows"])
    log.info(
        "i-Speed exports of %s pulled from %s: %s page(s), %s rows this run (%s requests, %s retries); %s "
        "pages, %s rows in all; files in %s",
        label,
        url,
        summary["pages_fetched"],
        summary["rows"],
        summary["requests"],
        summary["retries"],
        state["pages_completed"],
        state["rows"],
        folder,
    )
    return summary


def _get_page(
    session: requests.Session,
    source: HttpSource,
    settings: HttpSourceSettings,
    url: str,
    label: str,
    page: int,
    cursor: str | None,
    summary: dict,
) -> bytes:
    """The body of one page (HTTP 200), after retries of what may pass."""
    params = {"month": label, "limit": str(settings.page_size)}
    if cursor is not None:
        params["cursor"] = cursor
    where = f"page {page} of {label} from {url}"
    for attempt in range(settings.max_retries + 1):
        summary["requests"] += 1
        retry_after: float | None = None
        try:
            with session.get(
                url,
                params=params,
                timeout=(settings.timeout_seconds, settings.timeout_seconds),
                stream=True,
                verify=source.verify,
                allow_redirects=True,
            ) as resp:
                status = resp.status_code
                if status == 200:
                    return _read_body(resp, settings.max_page_bytes, where)
                snippet = _redact(_snippet(resp), source.token)
                if status in (401, 403):
                    raise HttpSourceRefused(
                        f"{where}: HTTP {status}, the endpoint refused the token of the Airflow connection "
                        f"{source.conn_id!r}. The token is wrong, expired or lacks the right to read exports: ask "
                        "i-Speed for a valid one and set it as the connection's password, then clear the task. "
                        f"The server said: {snippet}"
                    )
                if status == 404:
                    raise HttpSourceRefused(
                        f"{where}: HTTP 404, not found. Check the base URL of the Airflow connection {source.conn_id!r} "
                        "and `endpoint` in include/config/http_source.yaml (docs/http-source.md). "
                        f"The server said: {snippet}"
                    )
                if status != 429 and status < 500:
                    raise HttpSourceRefused(
                        f"{where}: HTTP {status}, the endpoint refused the request. The server said: {snippet}"
                    )
                problem = f"HTTP {status}"
                if status in (429, 503):
                    retry_after = _retry_after(resp.headers.get("Retry-After"))
        except requests.exceptions.SSLError as exc:
            raise HttpSourceRefused(
                f"{where}: TLS failed ({_redact(str(exc), source.token)}); if the endpoint uses a private CA, put "
                'its bundle\'s path in the connection\'s extra as {"verify": "/path/ca.pem"}'
            ) from exc
        except (
            requests.exceptions.InvalidURL,
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema,
        ) as exc:
            raise HttpSourceRefused(
                f"{where}: the URL is not valid ({exc}); check the connection {source.conn_id!r}"
            ) from exc
        except _RETRYABLE_ERRORS as exc:
            problem = f"{type(exc).__name__} ({_redact(str(exc), source.token)[:300]})"

        tries = attempt + 1
        if retry_after is not None and retry_after > settings.max_retry_after_seconds:
            raise HttpSourceUnavailable(
                f"{where}: {problem} asking to wait {retry_after:.0f} s (Retry-After), more than max_retry_after_seconds="
                f"{settings.max_retry_after_seconds:.0f}; the pages before are kept and the next run resumes at page {page}"
            )
        if attempt == settings.max_retries:
            raise HttpSourceUnavailable(
                f"{where}: {problem}, {tries} attempt(s) failed; the pages before are kept and the next run resumes at "
                f"page {page}"
            )
        delay = min(settings.backoff_seconds * 2**attempt, settings.max_backoff_seconds)
        if retry_after is not None:
            delay = retry_after
        summary["retries"] += 1
        log.warning("%s: %s; retry %s of %s in %.1f s", where, problem, tries, settings.max_retries, delay)
        time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def _read_body(resp: requests.Response, limit: int, where: str) -> bytes:
    declared = resp.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise MalformedPage(
            f"{where}: the page is {declared} bytes, over max_page_bytes={limit} "
            "(include/config/http_source.yaml); ask for smaller pages (page_size)"
        )
    chunks: list[bytes] = []
    size = 0
    for chunk in resp.iter_content(1 << 16):
        size += len(chunk)
        if size > limit:
            raise MalformedPage(
                f"{where}: the page is over max_page_bytes={limit} (include/config/http_source.yaml); "
                "ask for smaller pages (page_size)"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _snippet(resp: requests.Response, size: int = 300) -> str:
    try:
        raw = resp.raw.read(size, decode_content=True) or b""
    except Exception:  # the body is only for the message
        return "(no readable body)"
    text = raw.decode("utf-8", errors="replace").strip().replace("\n", " ")
    return repr(text) if text else "(empty body)"


def _redact(text: str, token: str) -> str:
    return text.replace(token, "***") if token else text


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _check_page(body: bytes, url: str, label: str, page: int, token: str = "") -> tuple[list[dict], str | None]:
    """The items and the next cursor of a page, or MalformedPage naming the page."""
    where = f"page {page} of {label} from {url}"
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        head = _redact(body[:120].decode("utf-8", errors="replace"), token)
        hint = (
            " (an HTML page: a login page or a proxy's error? check the base URL)"
            if head.lstrip().lower().startswith(("<!doctype", "<html"))
            else ""
        )
        raise MalformedPage(f"{where}: the body is not JSON{hint}: {exc}; it starts with {head!r}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise MalformedPage(
            f"{where}: the body is JSON but not the documented page: an object with a list "
            '"items" and "next_cursor" is expected (docs/http-source.md)'
        )
    if "month" in data and data["month"] != label:
        raise MalformedPage(f"{where}: the page is of month {data['month']!r}, not {label}")
    for i, item in enumerate(data["items"]):
        if not isinstance(item, dict):
            raise MalformedPage(f"{where}: item {i} is not a JSON object ({type(item).__name__})")
    next_cursor = data.get("next_cursor")
    if isinstance(next_cursor, bool) or not isinstance(next_cursor, (str, int, type(None))):
        raise MalformedPage(f"{where}: next_cursor must be a string or null, not {type(next_cursor).__name__}")
    if next_cursor == "":
        next_cursor = None
    return data["items"], None if next_cursor is None else str(next_cursor)


# -- files -------------------------------------------------------------------------------------


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _atomic_write(path: Path, write) -> None:
    """Write through a hidden temporary file in the same folder, then rename: readers see the old
    file or the new one, never half of one. The loader ignores hidden files."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_jsonl(path: Path, items: list[dict]) -> str:
    """The page as JSON Lines, one item a line as served; returns the file's sha256."""
    digest = hashlib.sha256()

    def write(fh) -> None:
        for item in items:
            line = json.dumps(item, ensure_ascii=False) + "\n"
            digest.update(line.encode("utf-8"))
            fh.write(line)

    _atomic_write(path, write)
    return digest.hexdigest()


def _read_state(path: Path) -> dict | None:
    if not path.exists():
        return None
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        if state.get("version") != STATE_VERSION:
            raise ValueError(f"version {state.get('version')!r}, expected {STATE_VERSION}")
        missing = [
            k
            for k in ("month", "source", "pages_completed", "rows", "next_cursor", "complete", "updated_at")
            if k not in state
        ]
        if missing:
            raise KeyError(", ".join(missing))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise HttpPullError(
            f"the pull state {path} cannot be read ({exc!r}); delete it to pull the month again from page 1"
        ) from exc
    return state


def _write_state(path: Path, state: dict) -> None:
    _atomic_write(path, lambda fh: fh.write(json.dumps(state, ensure_ascii=False, indent=1) + "\n"))


def _start_over(folder: Path, label: str, url: str) -> dict:
    """A pull from page 1: our page files still in the landing folder (not loaded yet) and the
    manifest of the earlier pull go; the loader's archive keeps what was loaded."""
    for path in folder.iterdir():
        match = _PAGE_FILE.match(path.name)
        if match and match.group(1) == label and path.is_file() and not path.is_symlink():
            path.unlink()
    (folder / MANIFEST_NAME).unlink(missing_ok=True)
    now = _now()
    state = {
        "version": STATE_VERSION,
        "month": label,
        "source": url,
        "started_at": now,
        "updated_at": now,
        "pages_completed": 0,
        "rows": 0,
        "next_cursor": None,
        "complete": False,
    }
    _write_state(folder / STATE_NAME, state)
    return state


def _append_manifest(folder: Path, entry: dict) -> None:
    with open(folder / MANIFEST_NAME, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def _manifest_cursors(folder: Path) -> set[str | None]:
    """The cursors of the pages fetched so far (to notice a source that pages in a loop)."""
    path = folder / MANIFEST_NAME
    cursors: set[str | None] = set()
    if path.exists():
        for line in path.read_text(encoding="utf-8").split("\n"):  # not splitlines: a cursor may hold U+2028
            with contextlib.suppress(ValueError, TypeError, KeyError):  # a line cut short by a crash
                cursors.add(json.loads(line)["cursor"])
    return cursors


def _remove_stale_temp_files(folder: Path) -> None:
    """Temporary files of a pull that died (we hold the month's lock, so none is being written)."""
    for path in folder.iterdir():
        if _TEMP_FILE.match(path.name) and path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
