"""A performance month: "YYYY-MM" → its first and last business date and its bounds in time."""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from vipdesk.core import clock
from vipdesk.core.errors import ValidationFailed


@dataclass(frozen=True)
class Month:
    first: dt.date

    @property
    def last(self) -> dt.date:
        return self.first.replace(day=calendar.monthrange(self.first.year, self.first.month)[1])

    @property
    def days(self) -> int:
        return self.last.day

    @property
    def label(self) -> str:
        return self.first.strftime("%Y-%m")

    def bounds(self, store=None) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) in time at the store (Asia/Shanghai by default): enrolments, tasks due."""
        tz = clock.store_tz(store)
        start = dt.datetime.combine(self.first, dt.time.min, tzinfo=tz)
        return start, dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)

    def __str__(self):
        return self.label


def parse_month(value, key: str = "month") -> Month:
    if isinstance(value, Month):
        return value
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return Month(value.replace(day=1))
    text = str(value or "").strip()
    try:
        year, month = text.split("-")[:2] if text.count("-") in (1, 2) else ("", "")
        first = dt.date(int(year), int(month), 1)
    except ValueError:
        raise ValidationFailed(_("Give the month as YYYY-MM."), fields={key: _("Give the month as YYYY-MM.")})
    if len(year) != 4:
        raise ValidationFailed(_("Give the month as YYYY-MM."), fields={key: _("Give the month as YYYY-MM.")})
    return Month(first)


def current_month() -> Month:
    return Month(clock.today().replace(day=1))
