from datetime import UTC, date, datetime

import pytest

from ispeed.months import MonthError, month_label, reporting_month


def test_run_on_15_january_reports_december_of_the_year_before():
    run = datetime(2025, 1, 15, 0, 0, tzinfo=UTC)  # 07:00 in Viet Nam
    assert reporting_month(run) == date(2024, 12, 1)


def test_month_is_taken_in_viet_nam_time_not_utc():
    # 31 Oct 2024 20:00 UTC is already 1 November 03:00 in Hai Phong: the month before is October.
    assert reporting_month(datetime(2024, 10, 31, 20, 0, tzinfo=UTC)) == date(2024, 10, 1)
    assert reporting_month(datetime(2024, 10, 31, 16, 0, tzinfo=UTC)) == date(2024, 9, 1)


def test_param_names_the_month():
    run = datetime(2025, 1, 15, 0, 0, tzinfo=UTC)
    assert reporting_month(run, "2024-06") == date(2024, 6, 1)
    assert month_label(reporting_month(run, "2023-1")) == "2023-01"


@pytest.mark.parametrize("bad", ["2024-13", "June 2024", "2024/06", "24-06"])
def test_bad_param_says_how_to_write_it(bad):
    with pytest.raises(MonthError, match="YYYY-MM"):
        reporting_month(datetime(2025, 1, 15, tzinfo=UTC), bad)
