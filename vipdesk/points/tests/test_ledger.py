"""Earning and spending on the ledger: lots, cached balance, constraints."""
import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction

from vipdesk.core.errors import DomainError
from vipdesk.points.choices import EntryKind, ExpiryKind, RuleKind
from vipdesk.points.models import EarnRule, PointsAccount, PointsEntry, PointsLot
from vipdesk.points.services import (
    points_award_bonus, points_earn_for_sale, points_recompute, points_spend_for_sale, points_summary,
)

from .helpers import make_sale

pytestmark = pytest.mark.django_db


class Level:  # what tiers.models.Level offers to the points service: its code
    def __init__(self, code):
        self.code = code


def test_sale_earns_one_point_per_yuan_into_a_lot_at_its_store(member, store_a, base_rule, day):
    sale = make_sale(member=member, store=store_a, on=day, lines=[("1299.50", "女装", "示例")])
    out = points_earn_for_sale(sale=sale, level=None)
    assert (out.points, out.pending) == (1299, False)
    lot = PointsLot.objects.get(sale=sale)
    assert (lot.store, lot.original, lot.remaining, lot.earned_on) == (store_a, 1299, 1299, day)
    assert lot.expires_on == dt.date(2027, 12, 31)  # default: calendar clearing on 31 Dec of the following year
    assert PointsAccount.objects.get(member=member).balance == 1299


def test_tier_multiplier_comes_from_the_level_reached(member, store_a, base_rule, day):
    EarnRule.objects.create(kind=RuleKind.TIER, level_code="gold", multiplier=D("2"))
    sale = make_sale(member=member, store=store_a, on=day, lines=[("100.00", "女装", "")])
    assert points_earn_for_sale(sale=sale, level=Level("gold")).points == 200


def test_earning_twice_for_one_receipt_awards_once(member, store_a, base_rule, day):
    sale = make_sale(member=member, store=store_a, on=day)
    points_earn_for_sale(sale=sale, level=None)
    points_earn_for_sale(sale=sale, level=None)
    assert PointsEntry.objects.filter(sale=sale, kind=EntryKind.EARN).count() == 1
    assert points_summary(member, on=day)["balance"] == 1000


def test_sale_without_member_earns_nothing(store_a, base_rule, day):
    sale = make_sale(member=None, store=store_a, on=day)
    assert points_earn_for_sale(sale=sale, level=None).points == 0
    assert not PointsEntry.objects.exists()


def test_pending_points_are_unusable_until_the_window_closes(member, store_a, base_rule, points_policy, day):
    points_policy.pending_days = 7
    points_policy.save()
    out = points_earn_for_sale(sale=make_sale(member=member, store=store_a, on=day), level=None)
    assert out.pending
    s = points_summary(member, on=day)
    assert (s["balance"], s["available"], s["pending"]) == (1000, 0, 1000)
    assert points_summary(member, on=day + dt.timedelta(days=7))["available"] == 1000
    later = make_sale(member=member, store=store_a, on=day + dt.timedelta(days=1), points_paid=100, paid_by_points="10.00")
    with pytest.raises(DomainError) as err:
        points_spend_for_sale(sale=later)
    assert err.value.code == "insufficient_points"


def test_spending_consumes_soonest_expiring_lots_first(member, store_a, base_rule, points_policy):
    points_policy.expiry_kind, points_policy.expiry_n = ExpiryKind.ROLLING_MONTHS, 12
    points_policy.save()
    late = points_earn_for_sale(sale=make_sale(member=member, store=store_a, on=dt.date(2026, 5, 1), lines=[("300", "", "")]), level=None)
    early = points_earn_for_sale(sale=make_sale(member=member, store=store_a, on=dt.date(2026, 1, 1), lines=[("200", "", "")]), level=None)
    assert (late.points, early.points) == (300, 200)
    pay = make_sale(member=member, store=store_a, on=dt.date(2026, 6, 1), lines=[("100", "", "")], points_paid=250, paid_by_points="25.00")
    points_spend_for_sale(sale=pay)
    lots = {lot.earned_on: lot.remaining for lot in PointsLot.objects.all()}
    assert lots[dt.date(2026, 1, 1)] == 0 and lots[dt.date(2026, 5, 1)] == 250
    assert points_recompute(member=member)["ok"]


def test_points_paid_part_of_a_sale_does_not_earn(member, store_a, base_rule, day):
    points_earn_for_sale(sale=make_sale(member=member, store=store_a, on=day - dt.timedelta(days=1)), level=None)
    sale = make_sale(member=member, store=store_a, on=day, lines=[("500.00", "", "")], points_paid=1000, paid_by_points="100.00")
    points_spend_for_sale(sale=sale)
    assert points_earn_for_sale(sale=sale, level=None).points == 400


def test_points_may_not_pay_more_than_they_are_worth(member, store_a, base_rule, day):
    points_earn_for_sale(sale=make_sale(member=member, store=store_a, on=day - dt.timedelta(days=1)), level=None)
    sale = make_sale(member=member, store=store_a, on=day, lines=[("500.00", "", "")], points_paid=100, paid_by_points="50.00")
    with pytest.raises(DomainError) as err:
        points_spend_for_sale(sale=sale)
    assert err.value.code == "points_offset_invalid"


def test_bonus_points_for_registration(member, store_a, base_rule, day):
    EarnRule.objects.create(kind=RuleKind.BONUS, action="registration", bonus_points=200)
    assert points_award_bonus(member=member, action="registration", store=store_a, on=day) == 200
    assert points_award_bonus(member=member, action="deposit", store=store_a, on=day) == 0
    assert PointsEntry.objects.get(kind=EntryKind.BONUS).points == 200


def test_ledger_rows_cannot_be_changed_or_deleted(member, store_a, base_rule, day):
    points_earn_for_sale(sale=make_sale(member=member, store=store_a, on=day), level=None)
    entry = PointsEntry.objects.get()
    entry.points = 5
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        PointsEntry.objects.filter(pk=entry.pk).update(points=5)
    with pytest.raises(TypeError):
        PointsEntry.objects.all().delete()


def test_database_refuses_a_negative_balance_or_an_overdrawn_lot(member, store_a, base_rule, day):
    points_earn_for_sale(sale=make_sale(member=member, store=store_a, on=day), level=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsAccount.objects.filter(member=member).update(balance=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsLot.objects.update(remaining=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsLot.objects.update(remaining=1001)


def test_recompute_finds_and_fixes_a_drifted_cache(member, store_a, base_rule, day):
    points_earn_for_sale(sale=make_sale(member=member, store=store_a, on=day), level=None)
    PointsAccount.objects.filter(member=member).update(balance=7)
    report = points_recompute(member=member, fix=True)
    assert (report["ok"], report["balance"], report["cached_balance"]) == (False, 1000, 7)
    assert PointsAccount.objects.get(member=member).balance == 1000
    assert points_recompute(member=member)["ok"]
