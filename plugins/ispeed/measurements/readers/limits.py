"""When a whole export is refused: FileRejected, and the limits of one file (``limits:`` in
include/config/pipeline.yaml, defaults in ``Limits``)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from ispeed.config import ConfigError, load_yaml


class FileRejected(Exception):
    """A whole file cannot be loaded. ``str()`` is the message for the data engineer."""

    def __init__(self, path: Path, problem: str, line: int | None = None):
        self.path = path
        self.problem = problem
        self.line = line
        where = f"{path.name}" + (f", line {line}" if line else "")
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Limits:
    """What a single export may hold before it is refused (``limits:`` in pipeline.yaml)."""

    max_rows_per_file: int = 10_000_000
    max_columns: int = 200
    #: bytes of one line, line break included; also of one record whose quoted cells span lines
    max_line_bytes: int = 1 << 20


def read_limits() -> Limits:
    """The ``limits:`` block of include/config/pipeline.yaml, each key optional."""
    raw = load_yaml("pipeline").get("limits") or {}
    if not isinstance(raw, dict):
        raise ConfigError("include/config/pipeline.yaml: limits must be a mapping")
    known = {f.name for f in fields(Limits)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(
            f"include/config/pipeline.yaml: unknown setting(s) limits.{', limits.'.join(unknown)}; "
            f"known: {', '.join(sorted(known))}"
        )
    for name, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(
                f"include/config/pipeline.yaml: limits.{name} must be a whole number above 0, not {value!r}"
            )
    return Limits(**raw)


def too_many_rows(path: Path, max_rows: int, line: int) -> FileRejected:
    """The refusal of a file with more rows than ``max_rows_per_file`` (CSV and JSON Lines alike)."""
    return FileRejected(
        path,
        f"the file has more than {max_rows} rows (max_rows_per_file in "
        "include/config/pipeline.yaml); split it into smaller files",
        line=line,
    )


def unreadable(path: Path, exc: OSError) -> FileRejected:
    """The refusal of a file that the system cannot open or read."""
    return FileRejected(path, f"the file cannot be read ({exc.strerror or exc})")
