"""The JSON Lines reader: one JSON object a line; the keys of the first lines are the header, and
a line that is not a JSON object is passed on with its problem."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from pathlib import Path

from ispeed.measurements.readers.formats import FileFormat, shorten
from ispeed.measurements.readers.headers import HeaderMap
from ispeed.measurements.readers.limits import FileRejected, too_many_rows
from ispeed.measurements.readers.lines import Lines, clean, open_file

_SURROGATES = re.compile("[\ud800-\udfff]")


def _json_text(value) -> str | None:
    """A JSON value as a text cell: true/false in lower case, a float in its shortest form, an object
    or a list as JSON text; None for null or a blank value."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    value = str(value)
    if not value.isascii():
        value = _SURROGATES.sub("\ufffd", value)  # "\ud800" in JSON: not a character, not storable
    return clean(value)


def _json_object(line: str) -> tuple[dict | None, str | None]:
    """The JSON object of a line, or the problem with it."""
    try:
        obj = json.loads(line)
    except RecursionError:
        return None, "invalid JSON: nested too deeply"
    except ValueError as exc:
        return None, f"invalid JSON: {exc}: {shorten(line.strip(), 80)!r}"[:300]
    if not isinstance(obj, dict):
        return None, f"invalid JSON: not a JSON object: {shorten(line.strip(), 80)!r}"[:300]
    return obj, None


def jsonl_keys(path: Path, fmt: FileFormat, sample_lines: int = 1000) -> list[str]:
    """The union of keys of the first lines, in first-seen order: the JSON Lines 'header'."""
    keys: dict[str, None] = {}
    with open_file(path, fmt) as fh:
        src = Lines(fh, path, fmt.limits.max_line_bytes)
        for _n in range(sample_lines):
            src.start_record()
            line = next(src, None)
            if line is None:
                break
            obj, _ = _json_object(line)
            if obj:
                keys.update(dict.fromkeys(_SURROGATES.sub("\ufffd", str(k)) for k in obj))
            if len(keys) > fmt.limits.max_columns:
                raise FileRejected(
                    path,
                    f"the JSON objects have more than {fmt.limits.max_columns} different keys "
                    "(max_columns in include/config/pipeline.yaml)",
                    line=src.line_no,
                )
    if not keys:
        raise FileRejected(
            path,
            "no line of the file is a JSON object with keys: JSON Lines needs one whole object per "
            "line (is the JSON pretty-printed over several lines?)",
            line=1,
        )
    return list(keys)


def jsonl_rows(path: Path, fmt: FileFormat, hmap: HeaderMap, canonical: list[str]) -> Iterator[list]:
    """Rows for COPY, as ``csv_rows`` gives them: [line_no, <canonical columns...>, parse_error]. A
    line that is not a JSON object carries its problem; blank lines are not rows. Refuses the file
    when it has more than max_rows_per_file."""
    names = {hmap.source[i]: c for c, i in hmap.positions.items()}
    max_rows = fmt.limits.max_rows_per_file
    rows = 0
    with open_file(path, fmt) as fh:
        src = Lines(fh, path, fmt.limits.max_line_bytes)
        while True:
            src.start_record()
            line = next(src, None)
            if line is None:
                break
            if not line.strip():
                continue
            rows += 1
            if rows > max_rows:
                raise too_many_rows(path, max_rows, src.line_no)
            obj, error = _json_object(line)
            if obj is None:
                yield [src.line_no, *([None] * len(canonical)), error]
                continue
            values = {names[k]: _json_text(v) for k, v in obj.items() if k in names}
            if src.cut_character:
                error = "the file ends in the middle of a character (the file is cut short?)"
            yield [src.line_no, *[values.get(c) for c in canonical], error]
