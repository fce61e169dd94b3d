"""Calendar arithmetic shared by the apps (one helper, on python-dateutil's relativedelta)."""
from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` months later (earlier if negative), clamped to the month's last day:
    31 Jan + 1 month = 28 (or 29) Feb."""
    return day + relativedelta(months=months)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` months earlier, clamped to the month's end: 31 Mar − 1 = 28 Feb."""
    return day - relativedelta(months=months)
