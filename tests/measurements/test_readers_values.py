"""Values of real exports as the warehouse reads them (issue 14): time zones written as names or
in POSIX style, decimal marks decided per file, ids rounded by Excel. Each class ends as a correct
read, or NULL / a quarantine with its message; never a shifted or misread value."""

from __future__ import annotations

from datetime import datetime

import pytest

from conftest import query

# --- time zones written as names (issue 14, item 1): the instant named, or NULL; never shifted ------


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2025-02-10 03:00:00 UTC", "2025-02-10T03:00:00"),
        ("2025-02-10 03:00:00 GMT", "2025-02-10T03:00:00"),
        ("2025-02-10T03:00:00utc", "2025-02-10T03:00:00"),
        ("2025-02-10 03:00:00Z", "2025-02-10T03:00:00"),
        ("2025-02-10 10:00:00 GMT+07:00", "2025-02-10T03:00:00"),
        ("2025-02-10 10:00:00 UTC+07:00", "2025-02-10T03:00:00"),
        ("2025-02-10 10:00:00 UTC+7", "2025-02-10T03:00:00"),
        ("2025-02-10 10:00:00 UTC +0700", "2025-02-10T03:00:00"),
        ("2025-02-10 10:00:00+7", "2025-02-10T03:00:00"),
        ("2025-02-10 10:00:00 +07", "2025-02-10T03:00:00"),
        ("2025-02-10 10:00:00+0700", "2025-02-10T03:00:00"),
        ("2025-02-09 22:00:00 GMT-5", "2025-02-10T03:00:00"),
        ("2025-02-09 22:00:00 EST", "2025-02-10T03:00:00"),
        ("2025-02-10 10:00:00", "2025-02-10T03:00:00"),
        ("2025-02-10 10:00:00 ICT+7", None),
        ("2025-02-10 10:00:00 XYZ", None),
        ("2025-02-10 10:00:00 UTC+99", None),
    ],
)
def test_a_time_zone_suffix_is_read_as_the_instant_it_names_or_not_at_all(db, text, utc):
    [(value,)] = query(db, "select ispeed.parse_timestamp(%s) at time zone 'UTC'", (text,))
    assert value == (datetime.fromisoformat(utc) if utc else None), text
