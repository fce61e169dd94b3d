"""Business clock: timestamps are stored in UTC; business dates are the store's local date."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

DEFAULT_TZ = "Asia/Shanghai"


def store_tz(store=None) -> ZoneInfo:
    return ZoneInfo(getattr(store, "time_zone", None) or settings.TIME_ZONE or DEFAULT_TZ)


def business_date(at: dt.datetime | None = None, store=None) -> dt.date:
    """The calendar date at the store when `at` (default: now) happens."""
    at = at or timezone.now()
    return at.astimezone(store_tz(store)).date()


def today(store=None) -> dt.date:
    return business_date(None, store)
