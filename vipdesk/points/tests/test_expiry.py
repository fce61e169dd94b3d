"""Expiry in the store's business date and the idempotent daily job."""
import datetime as dt
from decimal import Decimal as D

import pytest

from vipdesk.core.errors import DomainError
from vipdesk.points.choices import EntryKind, ExpiryKind
from vipdesk.points.models import PointsEntry, PointsLot
from vipdesk.points.redemption import points_redeem
from vipdesk.points.services import (
    catalogue_install_default, points_earn_for_sale, points_recompute, points_run_daily, points_summary,
)

from .helpers import at, make_sale

pytestmark = pytest.mark.django_db


def test_points_expiring_on_31_december_are_spendable_at_2359_shanghai_and_gone_at_midnight(member, store_a, base_rule):
    # calendar clearing (default): earned in 2025 → last day 31 Dec 2026
    points_earn_for_sale(sale=make_sale(member=member, store=store_a, on=dt.date(2025, 6, 1), lines=[("1000.00", "", "")]), level=None)
    assert PointsLot.objects.get().expires_on == dt.date(2026, 12, 31)
    catalogue_install_default()
    # 23:59 Shanghai is 15:59 UTC on the 31st
    red = points_redeem(actor=None, member=member, item_code="GOODS-500", store=store_a, at=at(dt.date(2026, 12, 31), 23, 59))
    assert red.business_date == dt.date(2026, 12, 31)
    # 00:00 Shanghai on 1 Jan is still 31 Dec in UTC — and the points are gone all the same, before any job ran
    midnight = at(dt.date(2027, 1, 1), 0, 0)
    assert midnight.astimezone(dt.UTC).date() == dt.date(2026, 12, 31)
    with pytest.raises(DomainError) as err:
        points_redeem(actor=None, member=member, item_code="CASH-100", store=store_a, at=midnight)
    assert err.value.code == "insufficient_points"
    assert points_summary(member, on=dt.date(2027, 1, 1))["available"] == 0


def test_daily_job_expires_once_and_is_idempotent(member, store_a, base_rule):
    points_earn_for_sale(sale=make_sale(member=member, store=store_a, on=dt.date(2025, 6, 1), lines=[("700.00", "", "")]), level=None)
    points_earn_for_sale(sale=make_sale(member=member, store=store_a, on=dt.date(2026, 2, 1), lines=[("300.00", "", "")]), level=None)
    assert points_run_daily(on=dt.date(2026, 12, 31))["expired_points"] == 0  # last usable day: nothing yet
    first = points_run_daily(on=dt.date(2027, 1, 1))
    assert (first["expired_lots"], first["expired_points"], first["accounts"]) == (1, 700, 1)
    assert points_run_daily(on=dt.date(2027, 1, 1)) == {"expired_lots": 0, "expired_points": 0, "accounts": 0, "unlocked_lots": 0}
    assert points_summary(member, on=dt.date(2027, 1, 1))["balance"] == 300
    expiry = PointsEntry.objects.get(kind=EntryKind.EXPIRE)
    assert (expiry.points, expiry.business_date, expiry.lot.earned_on) == (-700, dt.date(2027, 1, 1), dt.date(2025, 6, 1))
    assert points_recompute(member=member)["ok"]


def test_daily_job_expires_partly_spent_lots_by_their_remainder(member, store_a, base_rule, points_policy):
    points_policy.expiry_kind, points_policy.expiry_n = ExpiryKind.ROLLING_DAYS, 30
    points_policy.save()
    points_earn_for_sale(sale=make_sale(member=member, store=store_a, on=dt.date(2026, 3, 1), lines=[("600.00", "", "")]), level=None)
    catalogue_install_default()
    points_redeem(actor=None, member=member, item_code="GOODS-500", store=store_a, at=at(dt.date(2026, 3, 30), 12))
    out = points_run_daily(on=dt.date(2026, 3, 31))
    assert out["expired_points"] == 100
    assert points_summary(member, on=dt.date(2026, 3, 31))["balance"] == 0
    assert points_recompute(member=member)["ok"]


def test_daily_job_unlocks_pending_points(member, store_a, base_rule, points_policy):
    points_policy.pending_days = 7
    points_policy.save()
    points_earn_for_sale(sale=make_sale(member=member, store=store_a, on=dt.date(2026, 3, 1)), level=None)
    assert PointsLot.objects.get().pending
    assert points_run_daily(on=dt.date(2026, 3, 7))["unlocked_lots"] == 0
    assert points_run_daily(on=dt.date(2026, 3, 8))["unlocked_lots"] == 1
    assert points_run_daily(on=dt.date(2026, 3, 8))["unlocked_lots"] == 0
    assert not PointsLot.objects.get().pending


def test_daily_job_over_many_members_is_set_based(store_a, base_rule, django_assert_max_num_queries):
    from vipdesk.testing.factories import make_member

    for i in range(15):
        points_earn_for_sale(sale=make_sale(member=make_member(store=store_a), store=store_a, on=dt.date(2025, 5, 1),
                                            lines=[(f"{100 + i}.00", "", "")]), level=None)
    with django_assert_max_num_queries(10):
        out = points_run_daily(on=dt.date(2027, 1, 1))
    assert (out["expired_lots"], out["accounts"]) == (15, 15)
    assert out["expired_points"] == sum(100 + i for i in range(15))
    assert D(out["expired_points"]) > 0
