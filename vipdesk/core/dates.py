"""Calendar arithmetic on business dates, one rule for every app.

A month later than 31 January is 28 (29) February: the day is clamped to the end of a shorter
month, never carried into the next one (python-dateutil's relativedelta does exactly that).
Points expiry, the tiers' rolling windows, care anniversaries and the dormant-card rule all count
months this way, so they agree on every month end.
"""
from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` months later (earlier when negative), clamped to the month's end."""
    return day + relativedelta(months=months)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` months earlier, clamped to the month's end (31 Mar − 1 = 28/29 Feb)."""
    return add_months(day, -months)
