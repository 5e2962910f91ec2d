"""The month's folder as the pull leaves it: page files, the resume state, the manifest and the
lock, each written so that a crash leaves the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

from ispeed.measurements.http_source.errors import HttpPullError
from ispeed.months import month_label
from ispeed.warehouse.ledger import sha256_of

STATE_NAME = ".http_pull_state.json"
MANIFEST_NAME = ".http_pull_manifest.jsonl"
LOCK_NAME = ".http_pull.lock"
STATE_VERSION = 1

_PAGE_FILE = re.compile(r"^http_(\d{4}-\d{2})_page(\d{5,})\.jsonl$")
_TEMP_FILE = re.compile(
    r"^\.(http_\d{4}-\d{2}_page\d{5,}\.jsonl|http_pull_state\.json|http_pull_manifest\.jsonl)\.\d+\.tmp$"
)


def page_file_name(month: date, page: int) -> str:
    """The file of a page: http_YYYY-MM_page00001.jsonl (never a name from the server)."""
    return f"http_{month_label(month)}_page{page:05d}.jsonl"


@contextlib.contextmanager
def month_lock(folder: Path) -> Iterator[None]:
    """One pull of a month at a time on this machine: a second one waits, then finds the state
    the first one left."""
    import fcntl

    with open(folder / LOCK_NAME, "a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def utc_now() -> str:
    """The time in the state and the manifest: UTC, ISO 8601, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def atomic_write(path: Path, write) -> None:
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
    """Make a rename in ``folder`` durable (best effort: not every file system allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_jsonl(path: Path, items: list[dict]) -> str:
    """The page as JSON Lines, one item a line as served; returns the file's sha256, as the load
    ledger will know the file (read back once the file is in place)."""

    def write(fh) -> None:
        for item in items:
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")

    atomic_write(path, write)
    return sha256_of(path)


def read_state(path: Path) -> dict | None:
    """The pull state of the month's folder, None when there is none; HttpPullError when it is
    not one this version wrote."""
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


def write_state(path: Path, state: dict) -> None:
    """Replace the pull state (atomically)."""
    atomic_write(path, lambda fh: fh.write(json.dumps(state, ensure_ascii=False, indent=1) + "\n"))


def start_over(folder: Path, label: str, url: str) -> dict:
    """A pull from page 1: our page files still in the landing folder (not loaded yet) and the
    manifest of the earlier pull go; the loader's archive keeps what was loaded."""
    for path in folder.iterdir():
        match = _PAGE_FILE.match(path.name)
        if match and match.group(1) == label and path.is_file() and not path.is_symlink():
            path.unlink()
    (folder / MANIFEST_NAME).unlink(missing_ok=True)
    started = utc_now()
    state = {
        "version": STATE_VERSION,
        "month": label,
        "source": url,
        "started_at": started,
        "updated_at": started,
        "pages_completed": 0,
        "rows": 0,
        "next_cursor": None,
        "complete": False,
    }
    write_state(folder / STATE_NAME, state)
    return state


def append_manifest(folder: Path, entry: dict) -> None:
    """Add a page's line to the manifest, on disk before the state says the page is done."""
    with open(folder / MANIFEST_NAME, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def manifest_cursors(folder: Path) -> set[str | None]:
    """The cursors of the pages fetched so far (to notice a source that pages in a loop)."""
    path = folder / MANIFEST_NAME
    cursors: set[str | None] = set()
    if path.exists():
        for line in path.read_text(encoding="utf-8").split("\n"):  # not splitlines: a cursor may hold U+2028
            with contextlib.suppress(ValueError, TypeError, KeyError):  # a line cut short by a crash
                cursors.add(json.loads(line)["cursor"])
    return cursors


def remove_stale_temp_files(folder: Path) -> None:
    """Temporary files of a pull that died (we hold the month's lock, so none is being written)."""
    for path in folder.iterdir():
        if _TEMP_FILE.match(path.name) and path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
