"""Deadlines: `hours` after the opening, counted around the clock or only while the store is open.

Business hours are BusinessHours rows (the store's own, else the default rows without a store,
else DEFAULT_HOURS every day). Counting walks the store's local days from the opening: the part of
each day's window after the opening counts, until the hours are used up. A ticket opened at night
starts counting when the store opens; a closed day (no row) counts nothing.
"""
from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from vipdesk.core import clock
from vipdesk.core.errors import ValidationFailed

from .choices import ClockMode
from .models import BusinessHours

# The seeds name no opening hours: a shopping mall's usual 10:00–22:00, every day, until HQ sets them.
DEFAULT_HOURS = (dt.time(10, 0), dt.time(22, 0))
SEARCH_DAYS = 400  # a store with no open day in over a year has no business hours to count in


def week_of(store) -> dict[int, tuple[dt.time, dt.time]]:
    """{weekday: (opens, closes)} for `store`; a weekday missing is closed."""
    rows = list(BusinessHours.objects.filter(store=store)) if store is not None else []
    if not rows:
        rows = list(BusinessHours.objects.filter(store__isnull=True))
    if not rows:
        return {day: DEFAULT_HOURS for day in range(7)}
    return {row.weekday: (row.opens, row.closes) for row in rows}


def due_after(start: dt.datetime, hours: int | float, mode: str, store=None, *, week=None) -> dt.datetime:
    """The moment `hours` after `start`: plainly (around the clock) or in the store's business hours."""
    if mode == ClockMode.AROUND:
        return start + dt.timedelta(hours=hours)
    week = week if week is not None else week_of(store)
    if not week:
        raise ValidationFailed(_("The store has no business hours: set them, or count this kind around the clock."),
                               code="no_business_hours")
    tz = clock.store_tz(store)
    left = dt.timedelta(hours=hours)
    local = start.astimezone(tz)
    day = local.date()
    for _i in range(SEARCH_DAYS):
        window = week.get(day.weekday())
        if window is not None:
            opens = dt.datetime.combine(day, window[0], tzinfo=tz)
            closes = dt.datetime.combine(day, window[1], tzinfo=tz)
            begin = max(opens, local)
            if begin < closes:
                if begin + left <= closes:
                    return (begin + left).astimezone(dt.timezone.utc)
                left -= closes - begin
        day += dt.timedelta(days=1)
    raise ValidationFailed(_("The store has no business hours: set them, or count this kind around the clock."),
                           code="no_business_hours")

