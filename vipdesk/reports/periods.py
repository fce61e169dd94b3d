"""Report periods and scopes (R8.4).

A period is a month ("2026-10"), a quarter ("2026-Q3"), a half year ("2026-H1") or a year
("2026") — the seed's 月报、季报、半年报、年报 (000 篇6) — as [start, end] business dates, with the
period of the same kind just before it for comparison.

A scope is the whole chain, one region or one store, always inside what the user may see
(accounts/scoping.py): a store manager's "everything" is his own stores.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, require
from vipdesk.accounts.scoping import store_ids_in_scope
from vipdesk.org.scoping import stores_in_scope
from vipdesk.core import clock
from vipdesk.core.errors import ValidationFailed
from vipdesk.org.models import Region, Store

MONTH, QUARTER, HALF, YEAR = "month", "quarter", "half", "year"
_MONTHS = {MONTH: 1, QUARTER: 3, HALF: 6, YEAR: 12}
_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{1,2})$"), MONTH),
    (re.compile(r"^(\d{4})-?Q([1-4])$", re.I), QUARTER),
    (re.compile(r"^(\d{4})-?H([12])$", re.I), HALF),
    (re.compile(r"^(\d{4})$"), YEAR),
)


@dataclass(frozen=True)
class Period:
    kind: str
    year: int
    index: int  # month 1-12, quarter 1-4, half 1-2, 1 for a year

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, (self.index - 1) * _MONTHS[self.kind] + 1, 1)

    @property
    def end(self) -> dt.date:
        month = self.index * _MONTHS[self.kind]
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def label(self) -> str:
        return {MONTH: f"{self.year}-{self.index:02d}", QUARTER: f"{self.year}-Q{self.index}",
                HALF: f"{self.year}-H{self.index}", YEAR: f"{self.year}"}[self.kind]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        if self.index > 1:
            return Period(self.kind, self.year, self.index - 1)
        return Period(self.kind, self.year - 1, 12 // _MONTHS[self.kind])

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) in time at head office (Asia/Shanghai by default): enrolments."""
        tz = clock.store_tz()
        return (dt.datetime.combine(self.start, dt.time.min, tzinfo=tz),
                dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))

    def __str__(self):
        return self.label


def _bad(value) -> ValidationFailed:
    message = _("Give the period as 2026-10 (month), 2026-Q3 (quarter), 2026-H1 (half year) or 2026 (year).")
    return ValidationFailed(message, fields={"period": message})


def parse_period(value) -> Period:
    if isinstance(value, Period):
        return value
    text = str(value or "").strip()
    for pattern, kind in _PATTERNS:
        found = pattern.match(text)
        if found:
            year = int(found.group(1))
            index = int(found.group(2)) if kind != YEAR else 1
            if not 1900 < year < 2200 or (kind == MONTH and not 1 <= index <= 12):
                raise _bad(value)
            return Period(kind, year, index)
    raise _bad(value)


def last_full_month(today: dt.date | None = None) -> Period:
    today = today or clock.today()
    first = today.replace(day=1) - dt.timedelta(days=1)
    return Period(MONTH, first.year, first.month)


def period_choices(kind: str, today: dt.date | None = None, count: int = 24) -> list[Period]:
    """The latest `count` finished periods of a kind, newest first (for the selector)."""
    today = today or clock.today()
    current = parse_period({MONTH: f"{today.year}-{today.month}", QUARTER: f"{today.year}-Q{(today.month - 1) // 3 + 1}",
                            HALF: f"{today.year}-H{(today.month - 1) // 6 + 1}", YEAR: f"{today.year}"}[kind])
    out = []
    for _i in range(count):
        current = current.previous()
        out.append(current)
    return out


@dataclass(frozen=True)
class Scope:
    kind: str  # "all", "region" or "store"
    code: str
    name: str
    store_ids: tuple[int, ...] | None  # None: every store (and sales of no store never happen)

    @property
    def key(self) -> str:
        return "all" if self.kind == "all" else f"{self.kind}:{self.code}"

    def __str__(self):
        return self.name


def require_reports(principal) -> None:
    require(principal, Action.REPORT_VIEW, _("You may not see reports."), system=False)


def parse_scope(principal, value=None) -> Scope:
    """"all" (or empty), "store:S001", "region:EAST", or a bare store or region code; refused
    (404-like) when the store or region is not one the principal may see."""
    require_reports(principal)
    allowed = store_ids_in_scope(principal)
    text = str(value or "").strip()
    kind, _sep, code = text.partition(":") if ":" in text else ("", "", text)
    if text in ("", "all"):
        if allowed is None:
            return Scope("all", "", _("All stores"), None)
        return Scope("all", "", _("My stores"), tuple(sorted(allowed)))
    missing = ValidationFailed(_("No store or region %(code)s in your scope.") % {"code": code},
                               fields={"scope": _("Not in your scope.")})
    store = Store.objects.filter(code=code).first() if kind in ("", "store") else None
    if store is not None:
        if allowed is not None and store.pk not in allowed:
            raise missing
        return Scope("store", store.code, store.name, (store.pk,))
    region = Region.objects.filter(code=code).first() if kind in ("", "region") else None
    if region is None:
        raise missing
    ids = set(region.stores.values_list("pk", flat=True))
    if allowed is not None:
        ids &= set(allowed)
        if not ids:
            raise missing
    return Scope("region", region.code, region.name, tuple(sorted(ids)))


def scope_choices(principal) -> list[Scope]:
    """What the selector offers: everything the user sees, its regions, its stores."""
    stores = list(stores_in_scope(principal))
    region_ids = {s.region_id for s in stores if s.region_id}
    out = [parse_scope(principal, "all")]
    out += [Scope("region", r.code, r.name, None) for r in Region.objects.filter(pk__in=region_ids).order_by("code")]
    out += [Scope("store", s.code, s.name, (s.pk,)) for s in stores]
    return out
