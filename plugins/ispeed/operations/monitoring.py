"""What the DAG ispeed_monitoring calls (docs/operations.md), one function a job:

    loads_due(today)               whether this run loads what has arrived for the previous month
                                   (the monthly DAG's loads, as visible tasks; skipped when not due)
    check_freshness(today)         reminders: agencies/operators (đôn đốc), data engineers
    check_report_deadline(now)     alert when the previous month's report is late

The freshness reminders and the loads before them are ispeed.operations.reminders; the deadline is
ispeed.operations.deadline. Each takes the day or time as an argument (nothing calls now()), so that
a test, a backfill of the monitoring DAG or a data engineer can ask "what would have happened on
the 12th?".
"""

from __future__ import annotations

from ispeed.operations.deadline import check_report_deadline, report_deadline
from ispeed.operations.reminders import (
    ReminderError,
    check_freshness,
    expected_measurements,
    in_reminder_window,
    loads_due,
)

__all__ = [
    "ReminderError",
    "check_freshness",
    "check_report_deadline",
    "expected_measurements",
    "in_reminder_window",
    "loads_due",
    "report_deadline",
]
