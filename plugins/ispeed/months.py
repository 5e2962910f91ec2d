"""The reporting month: which calendar month a run reports on.

The monthly DAG fires at 07:00 Asia/Ho_Chi_Minh on the 15th (a CronTriggerTimetable, whose logical
date is the trigger time) and reports the calendar month before: a run on 15 January 2025 reports
December 2024. A manual run can name the month through the DAG param ``reporting_month``.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


class MonthError(ValueError):
    pass


def parse_month(text: str) -> date:
    """'2024-12' -> date(2024, 12, 1). Raises MonthError with the expected form otherwise."""
    match = _MONTH.match(str(text))
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise MonthError(f"reporting_month {text!r} is not a month: write it as YYYY-MM, e.g. 2024-12")
    return date(int(match.group(1)), int(match.group(2)), 1)


def previous_month(day: date) -> date:
    return date(day.year - 1, 12, 1) if day.month == 1 else date(day.year, day.month - 1, 1)


def next_month(month: date) -> date:
    return date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)


def reporting_month(trigger_time: datetime, requested: str | None = None) -> date:
    """The month a run reports: ``requested`` (YYYY-MM) when given, else the calendar month before
    the trigger time's date in Viet Nam."""
    if requested not in (None, ""):
        return parse_month(requested)
    if trigger_time.tzinfo is None:
        raise MonthError("trigger_time must carry its time zone")
    return previous_month(trigger_time.astimezone(LOCAL_TZ).date())


def month_label(month: date) -> str:
    """date(2024, 12, 1) -> '2024-12'."""
    return f"{month.year:04d}-{month.month:02d}"
