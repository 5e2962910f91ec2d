"""Asking the source for one page: the requests session, retries with back-off (Retry-After
honoured), the body read within its limit, and the checks that the page is the documented JSON."""

from __future__ import annotations

import email.utils
import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import requests

from ispeed import __version__
from ispeed.measurements.http_source.errors import HttpSourceRefused, HttpSourceUnavailable, MalformedPage
from ispeed.measurements.http_source.settings import HttpSource, HttpSourceSettings

log = logging.getLogger(__name__)

USER_AGENT = f"ispeed-pipeline/{__version__} (So TTTT Hai Phong; python-requests/{requests.__version__})"

_RETRYABLE_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


@dataclass(frozen=True)
class PageRequest:
    """One page asked of the source: the month, the page's number in the pull, and the cursor that
    leads to it (None for the first page)."""

    url: str
    label: str
    page: int
    cursor: str | None

    @property
    def where(self) -> str:
        """How messages name the page: "page 3 of 2024-10 from https://host/api/v1/measurements"."""
        return f"page {self.page} of {self.label} from {self.url}"


def open_session(source: HttpSource) -> requests.Session:
    """A session that sends the pipeline's User-Agent and the source's bearer token."""
    session = requests.Session()
    session.headers.update(
        {"User-Agent": USER_AGENT, "Accept": "application/json", "Authorization": f"Bearer {source.token}"}
    )
    return session


def get_page(
    session: requests.Session, source: HttpSource, settings: HttpSourceSettings, request: PageRequest, summary: dict
) -> bytes:
    """The body of one page (HTTP 200), after retries of what may pass."""
    url, page = request.url, request.page
    params = {"month": request.label, "limit": str(settings.page_size)}
    if request.cursor is not None:
        params["cursor"] = request.cursor
    where = request.where
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


def check_page(body: bytes, request: PageRequest, token: str = "") -> tuple[list[dict], str | None]:
    """The items and the next cursor of a page, or MalformedPage naming the page."""
    where, label = request.where, request.label
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
