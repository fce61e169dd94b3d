"""Reads for pricing: what applies to a member in a store on a day."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from vipdesk.core import confcache

from .models import MemberDay, MemberPrice, PricingPolicy, Promotion, Special

ONE = Decimal("1")


def policy() -> PricingPolicy:
    return confcache.policy_row(PricingPolicy)  # kept per process until HQ changes it


def member_day(*, store_code: str, on: dt.date, level_code: str | None) -> MemberDay | None:
    """The member day of the date, if any; of several, the one with the best discount (then the highest multiplier)."""
    active = confcache.cached("pricing", "member_days", lambda: list(MemberDay.objects.filter(active=True)))
    days = [d for d in active if d.falls_on(on) and d.applies(on=on, store_code=store_code, level_code=level_code)]
    if not days:
        return None
    return min(days, key=lambda d: (d.discount_zhe if d.discount_zhe is not None else Decimal(10), -(d.points_multiplier or ONE), d.pk))


def member_day_multiplier(*, store, on: dt.date, level_code: str | None) -> Decimal:
    """Points multiplier of a member day for a posting (1 when none). Anonymous sales earn nothing anyway."""
    day = member_day(store_code=getattr(store, "code", store), on=on, level_code=level_code)
    return day.points_multiplier if day is not None and day.points_multiplier is not None else ONE


def suspending_promotion(*, store_code: str, on: dt.date, level_code: str | None) -> Promotion | None:
    for promo in confcache.cached("pricing", "suspending_promotions",
                                  lambda: list(Promotion.objects.filter(active=True, suspend_level_discount=True).order_by("pk"))):
        if promo.applies(on=on, store_code=store_code, level_code=level_code):
            return promo
    return None


def member_prices(skus, *, store_code: str, on: dt.date, level_code: str | None) -> dict:
    """sku → the lowest member price that applies (a member of no level gets the every-member prices only)."""
    out = {}
    for row in MemberPrice.objects.filter(sku__in=list(skus), active=True).order_by("price", "pk"):
        if row.sku not in out and row.applies(on=on, store_code=store_code, level_code=level_code):
            out[row.sku] = row.price
    return out


def specials(skus, *, store_code: str, on: dt.date, level_code: str | None) -> list[Special]:
    return [s for s in Special.objects.filter(sku__in=list(skus), active=True).order_by("price", "code")
            if s.applies(on=on, store_code=store_code, level_code=level_code)]
