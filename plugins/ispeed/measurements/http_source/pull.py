"""Pulling a month: resume where the last run stopped, ask for each page, write it, record it."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from ispeed.measurements.http_source.client import PageRequest, check_page, get_page, open_session
from ispeed.measurements.http_source.errors import HttpPullError, MalformedPage
from ispeed.measurements.http_source.settings import (
    HttpSource,
    HttpSourceSettings,
    http_source_settings,
    source_from_airflow,
)
from ispeed.measurements.http_source.state import (
    STATE_NAME,
    append_manifest,
    manifest_cursors,
    month_lock,
    page_file_name,
    read_state,
    remove_stale_temp_files,
    start_over,
    utc_now,
    write_jsonl,
    write_state,
)
from ispeed.measurements.load import landing_folder
from ispeed.months import month_label

log = logging.getLogger(__name__)


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
    with month_lock(folder):
        return _pull(source, settings, month, folder, force, summary)


def _empty_summary(month: date, conn_id: str) -> dict:
    """The summary of a pull that has done nothing yet: every key pull_month returns."""
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


def _pull(
    source: HttpSource, settings: HttpSourceSettings, month: date, folder: Path, force: bool, summary: dict
) -> dict:
    """The pull of ``pull_month``, under the month's lock: from the state, page after page."""
    label = month_label(month)
    url = source.base_url + settings.endpoint
    summary.update(source=url, landing=str(folder))
    remove_stale_temp_files(folder)
    state_path = folder / STATE_NAME
    state = read_state(state_path)

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
        state = start_over(folder, label, url)
        seen_cursors: set[str | None] = set()
    else:
        seen_cursors = manifest_cursors(folder)
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
    with open_session(source) as session:
        while True:
            if page > settings.max_pages:
                raise HttpPullError(
                    f"i-Speed exports of {label} from {url}: stopped after max_pages={settings.max_pages} pages and the "
                    "source still reports a next page; if the month really is that large, raise max_pages in "
                    "include/config/http_source.yaml (the pages fetched are kept and the next run resumes)"
                )
            request = PageRequest(url, label, page, cursor)
            body = get_page(session, source, settings, request, summary)
            items, next_cursor = check_page(body, request, source.token)
            if next_cursor is not None and (next_cursor in seen_cursors or next_cursor == cursor):
                raise MalformedPage(
                    f"{request.where}: next_cursor repeats the cursor of an earlier page; "
                    "the source is paging in a loop (the pages before are kept)"
                )
            name = sha = None
            if items:
                name = page_file_name(month, page)
                sha = write_jsonl(folder / name, items)
                summary["files_written"].append(name)
            append_manifest(
                folder,
                {
                    "page": page,
                    "cursor": cursor,
                    "rows": len(items),
                    "file": name,
                    "sha256": sha,
                    "fetched_at": utc_now(),
                },
            )
            seen_cursors.add(cursor)
            state.update(
                pages_completed=page,
                rows=state["rows"] + len(items),
                next_cursor=next_cursor,
                complete=next_cursor is None,
                updated_at=utc_now(),
            )
            write_state(state_path, state)
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
