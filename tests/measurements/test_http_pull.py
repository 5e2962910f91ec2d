"""i-Speed exports pulled over HTTP (plugins/ispeed/measurements/http_source/) from a real HTTP server that the
test starts on 127.0.0.1: pages land as JSON Lines files, a failed pull resumes, transient errors
are retried, a refused token stops at once, the token is never logged or written, and what was
pulled loads through the pipeline. No HTTP mocks: requests goes over a real socket."""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import replace
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from ispeed.measurements import http_source as http_pull
from ispeed.measurements import load as measurements

OCT = date(2024, 10, 1)
TOKEN = "tok-SECRET-7f3a9c2e51"
ENDPOINT = "/api/v1/measurements"
DISTRICTS = ["303", "304", "305", "306", "307", "308", "309", "311", "312", "313", "314", "315", "316", "317", "318"]


def month_items(n: int, label: str = "2024-10") -> list[dict]:
    """n valid measurements of the month, with the contract's columns (numbers as JSON numbers
    and as text, Vietnamese text, nulls)."""
    operators = ["Viettel", "VinaPhone", "MobiFone", "VNPT", "Tổng công ty Viettel"]
    return [
        {
            "measurement_id": f"HTTP-{label}-{i:05d}",
            "measured_at": f"{label}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00+07:00",
            "operator": operators[i % len(operators)],
            "network_type": "4G" if i % 3 else "LTE",
            "download_mbps": 20.5 + i % 50 if i % 2 else f"{30 + i % 40},25",
            "upload_mbps": 8.5 + i % 7,
            "latency_ms": 18 + i % 30,
            "jitter_ms": None if i % 5 == 0 else 1.5,
            "province": "Hải Phòng",
            "district": DISTRICTS[i % len(DISTRICTS)],
            "latitude": 20.86,
            "longitude": 106.68,
            "device_id": f"dev-{i % 37:03d}",
            "platform": ["android", "ios", "web"][i % 3],
        }
        for i in range(n)
    ]


def encode_cursor(offset: int) -> str:
    """Opaque to the client; looks like a path on purpose (it must never become one)."""
    return f"../../etc/passwd?o={offset}&x=#/é\u2028"


def decode_cursor(cursor: str) -> int:
    return int(cursor.split("?o=", 1)[1].split("&", 1)[0])


class ExportServer:
    """What the i-Speed export endpoint of docs/http-source.md does, plus failures on demand."""

    def __init__(self) -> None:
        self.items: list[dict] = []
        self.token = TOKEN
        self.failures: dict[int, list[str]] = {}  # page -> actions, one per request, in order
        self.loop_cursor = False
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.httpd: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail(self, page: int, *actions: str) -> None:
        self.failures.setdefault(page, []).extend(actions)

    def served_pages(self) -> list[int]:
        """Pages answered with 200 and a page body, in order."""
        return [r["page"] for r in self.requests if r["outcome"] == "page"]


def make_handler(srv: ExportServer):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def send(self, status: int, body: bytes, ctype: str = "application/json", headers: dict | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            limit = int(query.get("limit", ["100"])[0])
            cursor = query.get("cursor", [None])[0]
            offset = decode_cursor(cursor) if cursor is not None else 0
            page = offset // limit + 1
            record = {
                "page": page,
                "path": url.path,
                "query": query,
                "cursor": cursor,
                "authorization": self.headers.get("Authorization"),
                "user_agent": self.headers.get("User-Agent"),
            }
            with srv.lock:
                srv.requests.append(record)
                actions = srv.failures.get(page)
                action = actions.pop(0) if actions else None
            record["outcome"] = action or "page"
            if url.path != ENDPOINT:
                record["outcome"] = "404"
                return self.send(404, b'{"error": "no such resource"}')
            if record["authorization"] != f"Bearer {srv.token}":
                record["outcome"] = "401"
                return self.send(401, b'{"error": "invalid_token"}', headers={"WWW-Authenticate": "Bearer"})
            if action == "500":
                return self.send(500, b'{"error": "internal"}')
            if action == "503":
                return self.send(503, b"<html>busy</html>", "text/html")
            if action == "429":
                return self.send(429, b'{"error": "slow down"}', headers={"Retry-After": "0"})
            if action == "429-long":
                return self.send(429, b'{"error": "slow down"}', headers={"Retry-After": "3600"})
            if action == "close":  # no answer at all: the client sees the connection closed
                self.close_connection = True
                return None
            if action == "slow":  # longer than the client's timeout
                time.sleep(0.6)
                return self.send(200, b'{"items": [], "next_cursor": null}')
            if action == "malformed":
                return self.send(200, b'{"items": [{"measurement_id": "X1", "operator": ')
            if action == "html":
                return self.send(200, b"<!DOCTYPE html><html><body>Login</body></html>", "text/html")
            if action == "shape":
                return self.send(200, b'{"data": [], "next": null}')
            chunk = srv.items[offset : offset + limit]
            more = offset + limit < len(srv.items)
            next_cursor = encode_cursor(offset + limit) if more or srv.loop_cursor else None
            if srv.loop_cursor and page > 1:
                next_cursor = encode_cursor(offset)  # the same page again, forever
            body = {
                "month": query["month"][0],
                "items": chunk,
                "next_cursor": next_cursor,
                # file names from the server are never used as paths
                "file_name": "../../../outside.jsonl",
            }
            return self.send(200, json.dumps(body, ensure_ascii=False).encode("utf-8"))

    return Handler


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:  # a client that timed out and left
        pass


@pytest.fixture(scope="module", autouse=True)
def _airflow_logging_set_up() -> None:
    """The first Airflow connection lookup of a process sets up Airflow's logging, which replaces
    the root logger's handlers, pytest's capture among them; do it before any test's call phase so
    that caplog sees the package's log records."""
    assert http_pull.source_from_airflow("ispeed_no_such_connection") is None


@pytest.fixture(autouse=True)
def _own_data_dir(data_dir) -> Path:
    """Every test writes under its own tmp_path (ISPEED_DATA_DIR), never into .data/."""
    return data_dir


@pytest.fixture
def server():
    srv = ExportServer()
    srv.httpd = QuietServer(("127.0.0.1", 0), make_handler(srv))
    thread = threading.Thread(target=srv.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture
def connection(server, monkeypatch) -> ExportServer:
    """The Airflow connection ispeed_http_source, as an AIRFLOW_CONN_ variable (JSON form)."""
    monkeypatch.setenv(
        "AIRFLOW_CONN_ISPEED_HTTP_SOURCE",
        json.dumps({"conn_type": "http", "host": "127.0.0.1", "port": server.port, "password": TOKEN}),
    )
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    return server


@pytest.fixture
def settings() -> http_pull.HttpSourceSettings:
    """include/config/http_source.yaml with small pages and tiny waits."""
    return replace(
        http_pull.http_source_settings(),
        page_size=100,
        max_retries=3,
        backoff_seconds=0.001,
        max_backoff_seconds=0.01,
        timeout_seconds=0.3,
    )


def landed(month: date = OCT) -> dict[str, list[dict]]:
    folder = measurements.landing_folder(month)
    return {
        p.name: [json.loads(line) for line in p.read_text(encoding="utf-8").split("\n") if line]
        for p in sorted(folder.iterdir())
        if not p.name.startswith(".")
    }


def state(month: date = OCT) -> dict:
    return json.loads((measurements.landing_folder(month) / http_pull.STATE_NAME).read_text(encoding="utf-8"))


def test_pages_land_as_json_lines_files_equal_to_the_served_rows(connection, settings, data_dir):
    connection.items = month_items(250)
    summary = http_pull.pull_month(OCT, settings=settings)

    names = [f"http_2024-10_page{n:05d}.jsonl" for n in (1, 2, 3)]
    files = landed()
    assert list(files) == names
    assert [row for name in names for row in files[name]] == connection.items
    assert [len(files[n]) for n in names] == [100, 100, 50]
    assert summary | {"landing": None} == {
        "month": "2024-10",
        "conn_id": "ispeed_http_source",
        "source": connection.base_url + ENDPOINT,
        "skipped": None,
        "already_complete": False,
        "complete": True,
        "resumed_from": None,
        "pages_fetched": 3,
        "rows": 250,
        "files_written": names,
        "requests": 3,
        "retries": 0,
        "total_pages": 3,
        "total_rows": 250,
        "landing": None,
    }
    json.dumps(summary)  # fit for XCom

    # The contract: month, limit, the cursor passed back exactly; a bearer token and a User-Agent.
    reqs = connection.requests
    assert [r["query"]["month"] for r in reqs] == [["2024-10"]] * 3 and {r["query"]["limit"][0] for r in reqs} == {
        "100"
    }
    assert [r["cursor"] for r in reqs] == [None, encode_cursor(100), encode_cursor(200)]
    assert all(r["authorization"] == f"Bearer {TOKEN}" for r in reqs)
    assert all(r["user_agent"].startswith("ispeed-pipeline/") for r in reqs)

    # Only our own names were written: nothing outside the month's folder, no temp files left.
    folder = measurements.landing_folder(OCT)
    written = sorted(p.relative_to(data_dir).as_posix() for p in data_dir.rglob("*") if p.is_file())
    assert written == sorted(
        f"landing/ispeed/2024-10/{n}"
        for n in [*names, http_pull.STATE_NAME, http_pull.MANIFEST_NAME, http_pull.LOCK_NAME]
    )
    st = state()
    assert (st["pages_completed"], st["rows"], st["complete"], st["next_cursor"]) == (3, 250, True, None)
    manifest = [
        json.loads(line) for line in (folder / http_pull.MANIFEST_NAME).read_text(encoding="utf-8").split("\n") if line
    ]
    assert [(m["page"], m["rows"], m["file"]) for m in manifest] == [
        (1, 100, names[0]),
        (2, 100, names[1]),
        (3, 50, names[2]),
    ]
    assert manifest[1]["cursor"] == encode_cursor(100)


def test_a_failed_pull_resumes_after_the_last_page_and_a_complete_month_is_not_pulled_again(connection, settings):
    connection.items = month_items(450)
    connection.fail(3, *["500"] * 10)  # more than the retries of one run
    with pytest.raises(
        http_pull.HttpSourceUnavailable, match=r"page 3 of 2024-10 .*HTTP 500, 4 attempt\(s\) failed.*resumes at page 3"
    ):
        http_pull.pull_month(OCT, settings=settings)
    assert list(landed()) == ["http_2024-10_page00001.jsonl", "http_2024-10_page00002.jsonl"]
    assert (state()["pages_completed"], state()["complete"]) == (2, False)
    assert connection.served_pages() == [1, 2]

    connection.failures.clear()
    summary = http_pull.pull_month(OCT, settings=settings)
    assert summary["resumed_from"] == {"page": 3, "cursor": encode_cursor(200)}
    assert (summary["pages_fetched"], summary["rows"], summary["total_pages"], summary["total_rows"]) == (
        3,
        250,
        5,
        450,
    )
    assert summary["files_written"] == [f"http_2024-10_page{n:05d}.jsonl" for n in (3, 4, 5)]
    # No completed page was asked for again; every page was served once.
    assert connection.served_pages() == [1, 2, 3, 4, 5]
    assert [r for name, rows in landed().items() for r in rows] == connection.items

    # Complete: not pulled again (no request at all) ...
    before = len(connection.requests)
    again = http_pull.pull_month(OCT, settings=settings)
    assert again["already_complete"] and again["pages_fetched"] == 0 and len(connection.requests) == before
    # ... unless forced: from page 1, the files replaced.
    connection.items = month_items(120)
    forced = http_pull.pull_month(OCT, settings=settings, force=True)
    assert (forced["pages_fetched"], forced["rows"], forced["resumed_from"]) == (2, 120, None)
    assert list(landed()) == ["http_2024-10_page00001.jsonl", "http_2024-10_page00002.jsonl"]
    assert [r for rows in landed().values() for r in rows] == connection.items


def test_transient_failures_are_retried_with_back_off_then_succeed(connection, settings):
    connection.items = month_items(300)
    connection.fail(1, "500", "503")
    connection.fail(2, "429", "close")
    connection.fail(3, "slow")  # a read timeout
    started = time.monotonic()
    summary = http_pull.pull_month(OCT, settings=settings)
    assert time.monotonic() - started < 5
    assert (summary["pages_fetched"], summary["rows"], summary["retries"], summary["requests"]) == (3, 300, 5, 8)
    assert [r["outcome"] for r in connection.requests] == ["500", "503", "page", "429", "close", "page", "slow", "page"]
    assert [r for rows in landed().values() for r in rows] == connection.items


def test_a_retry_after_longer_than_allowed_stops_the_pull(connection, settings):
    connection.items = month_items(50)
    connection.fail(1, "429-long")
    with pytest.raises(http_pull.HttpSourceUnavailable, match=r"HTTP 429 asking to wait 3600 s \(Retry-After\)"):
        http_pull.pull_month(OCT, settings=replace(settings, max_retry_after_seconds=5))
    assert len(connection.requests) == 1


@pytest.mark.parametrize("token", ["wrong-token-123", None])
def test_a_refused_token_fails_fast_with_what_to_do(connection, settings, monkeypatch, token):
    connection.items = month_items(10)
    if token is None:  # the token in the extra instead of the password: accepted, but the server wants another
        monkeypatch.setenv(
            "AIRFLOW_CONN_ISPEED_HTTP_SOURCE",
            json.dumps(
                {
                    "conn_type": "http",
                    "host": f"http://127.0.0.1:{connection.port}",
                    "extra": {"token": "extra-token-456"},
                }
            ),
        )
    else:
        monkeypatch.setenv("AIRFLOW_CONN_ISPEED_HTTP_SOURCE", f"http://:{token}@127.0.0.1:{connection.port}")
    with pytest.raises(http_pull.HttpSourceRefused) as failure:
        http_pull.pull_month(OCT, settings=settings)
    message = str(failure.value)
    assert "HTTP 401" in message and "page 1 of 2024-10" in message and "'ispeed_http_source'" in message
    assert "ask i-Speed for a valid one" in message
    assert "wrong-token-123" not in message and "extra-token-456" not in message
    assert len(connection.requests) == 1  # no retry
    assert connection.requests[0]["authorization"] == f"Bearer {token or 'extra-token-456'}"
    assert landed() == {}


def test_not_found_fails_fast(connection, settings):
    with pytest.raises(http_pull.HttpSourceRefused, match=r"HTTP 404, not found. Check the base URL"):
        http_pull.pull_month(OCT, settings=replace(settings, endpoint="/api/v2/nothing"))
    assert len(connection.requests) == 1


@pytest.mark.parametrize(
    "kind, message",
    [
        ("malformed", r"page 2 of 2024-10 from .*: the body is not JSON"),
        ("html", r"page 2 of 2024-10 from .*: the body is not JSON \(an HTML page"),
        ("shape", r"page 2 of 2024-10 from .*: the body is JSON but not the documented page"),
    ],
)
def test_a_malformed_page_stops_the_pull_naming_the_page(connection, settings, kind, message):
    connection.items = month_items(250)
    connection.fail(2, kind)
    with pytest.raises(http_pull.MalformedPage, match=message):
        http_pull.pull_month(OCT, settings=settings)
    assert list(landed()) == ["http_2024-10_page00001.jsonl"]
    assert state()["pages_completed"] == 1
    # Once the source is fixed, the next run resumes at page 2.
    assert http_pull.pull_month(OCT, settings=settings)["resumed_from"]["page"] == 2
    assert connection.served_pages() == [1, 2, 3]


def test_paging_is_bounded_by_max_pages_and_a_looping_cursor_is_caught(connection, settings):
    connection.items = month_items(1000)
    with pytest.raises(http_pull.HttpPullError, match=r"stopped after max_pages=3 pages"):
        http_pull.pull_month(OCT, settings=replace(settings, max_pages=3))
    assert len(landed()) == 3 and len(connection.requests) == 3

    connection.loop_cursor = True
    with pytest.raises(http_pull.MalformedPage, match=r"next_cursor repeats the cursor of an earlier page"):
        http_pull.pull_month(OCT, settings=settings, force=True)
    assert len(connection.requests) == 3 + 2


def test_without_a_connection_nothing_is_pulled(server, settings, monkeypatch, data_dir):
    monkeypatch.delenv("AIRFLOW_CONN_ISPEED_HTTP_SOURCE", raising=False)
    summary = http_pull.pull_month(OCT, settings=settings)
    assert summary["skipped"] == "no connection ispeed_http_source"
    assert summary["pages_fetched"] == 0 and summary["files_written"] == []
    assert (
        http_pull.pull_month(OCT, conn_id="ispeed_other_source", settings=settings)["skipped"]
        == "no connection ispeed_other_source"
    )
    assert server.requests == [] and not (data_dir / "landing").exists()


def test_the_token_is_sent_but_never_logged_nor_written(connection, settings, caplog, capfd, data_dir):
    connection.items = month_items(150)
    connection.fail(1, "500")
    connection.fail(2, "close")
    source = http_pull.source_from_airflow("ispeed_http_source")
    assert TOKEN not in repr(source) and TOKEN not in source.describe()
    caplog.set_level(logging.DEBUG)  # urllib3 and requests too
    capfd.readouterr()
    summary = http_pull.pull_month(OCT, settings=settings)
    out, err = capfd.readouterr()
    assert summary["retries"] == 2
    assert {r["authorization"] for r in connection.requests} == {f"Bearer {TOKEN}"}
    logged = [r.getMessage() for r in caplog.records if r.name.startswith("ispeed")]
    assert any(connection.base_url in line for line in logged)  # the base URL is logged ...
    assert any("retry 1 of 3" in line for line in logged)
    assert not [line for line in logged if TOKEN in line]  # ... the token never
    assert "tok-SECRET" not in caplog.text and "tok-SECRET" not in out + err
    assert TOKEN not in json.dumps(summary)
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path


def test_the_connection_may_be_a_uri_with_a_path_prefix(server, settings, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("AIRFLOW_CONN_ISPEED_HTTP_SOURCE", f"http://:{quote(TOKEN)}@127.0.0.1:{server.port}/ispeed/")
    source = http_pull.source_from_airflow("ispeed_http_source")
    assert source.base_url == f"http://127.0.0.1:{server.port}/ispeed" and source.token == TOKEN
    with pytest.raises(http_pull.HttpSourceRefused, match="HTTP 404"):  # the test server has no prefix
        http_pull.pull_month(OCT, settings=settings)
    assert server.requests[0]["path"] == "/ispeed" + ENDPOINT


def test_pulled_files_load_through_the_pipeline(connection, settings, warehouse_db, db):
    connection.items = month_items(230)
    pulled = http_pull.pull_month(OCT, settings=settings)
    assert pulled["rows"] == 230

    loaded = measurements.load_month(OCT)
    assert (loaded.rows_read, loaded.rows_loaded, loaded.rows_quarantined, loaded.rows_duplicate) == (230, 230, 0, 0)
    assert sorted(f.name for f in loaded.files) == pulled["files_written"]
    with db.cursor() as cur:
        cur.execute("select measurement_id from ispeed.fact_measurement where month = %s order by 1", (OCT,))
        assert [r[0] for r in cur.fetchall()] == sorted(i["measurement_id"] for i in connection.items)
    # The pages were archived; the hidden state stays, so the month is not pulled again.
    assert landed() == {}
    assert http_pull.pull_month(OCT, settings=settings)["already_complete"]
    assert measurements.load_month(OCT).rows_read == 0
