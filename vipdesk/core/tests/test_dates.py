import calendar
import datetime as dt

from hypothesis import given, strategies as st

from vipdesk.core.dates import add_months, months_before


def _by_hand(day: dt.date, months: int) -> dt.date:
    # The rule the apps wrote out by hand before core.dates: same day, clamped to the month's end.
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def test_month_ends_are_clamped_not_carried():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 1, 15), 13) == dt.date(2024, 12, 15)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)), st.integers(-1200, 1200))
def test_same_as_the_rule_written_by_hand(day, months):
    assert add_months(day, months) == _by_hand(day, months)
    assert months_before(day, months) == _by_hand(day, -months)
