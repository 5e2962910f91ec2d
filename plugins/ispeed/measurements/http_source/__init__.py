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

The rooms, each importing only those above it:

    errors.py     HttpPullError and its kinds: refused, unavailable, malformed page
    settings.py   include/config/http_source.yaml, and the Airflow connection (HttpSource)
    client.py     the requests session, retries and Retry-After, the page's body and its checks
    state.py      page files, resume state, manifest and lock in the month's folder (atomic writes)
    pull.py       pull_month: the pages of a month, from where the last run stopped
    __init__.py   the names callers use as ``from ispeed.measurements import http_source``
"""

from __future__ import annotations

from ispeed.measurements.http_source.client import USER_AGENT
from ispeed.measurements.http_source.errors import (
    HttpPullError,
    HttpSourceRefused,
    HttpSourceUnavailable,
    MalformedPage,
)
from ispeed.measurements.http_source.pull import pull_month
from ispeed.measurements.http_source.settings import (
    HttpSource,
    HttpSourceSettings,
    http_source_settings,
    source_from_airflow,
)
from ispeed.measurements.http_source.state import LOCK_NAME, MANIFEST_NAME, STATE_NAME, page_file_name

__all__ = [
    "LOCK_NAME",
    "MANIFEST_NAME",
    "STATE_NAME",
    "USER_AGENT",
    "HttpPullError",
    "HttpSource",
    "HttpSourceRefused",
    "HttpSourceSettings",
    "HttpSourceUnavailable",
    "MalformedPage",
    "http_source_settings",
    "page_file_name",
    "pull_month",
    "source_from_airflow",
]
