"""Returns: earned points go back in proportion, points paid come back once, spent points become debt or cash."""
import datetime as dt
from decimal import Decimal as D

import pytest

from vipdesk.points.choices import DebtPolicy, EntryKind, RuleKind
from vipdesk.points.models import EarnRule, PointsEntry, PointsLot
from vipdesk.points.redemption import points_redeem
from vipdesk.points.services import (
    catalogue_install_default, points_earn_for_sale, points_recompute, points_reverse_for_return, points_spend_for_sale, points_summary,
)

from .helpers import make_return, make_sale

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)
LATER = dt.date(2026, 3, 20)


def balance(member):
    return points_summary(member, on=LATER)["balance"]


def two_lines(member, store):
    sale = make_sale(member=member, store=store, on=DAY, lines=[("600.00", "女装", ""), ("400.00", "鞋", "")])
    points_earn_for_sale(sale=sale, level=None)
    return sale


def test_full_return_takes_back_exactly_what_was_earned(member, store_a, base_rule):
    sale = two_lines(member, store_a)
    out = points_reverse_for_return(sale_return=make_return(original=sale, on=LATER))
    assert (out.points_reversed, out.debt, out.points_refunded) == (1000, 0, 0)
    assert balance(member) == 0
    assert points_recompute(member=member)["ok"]


def test_partial_return_by_line_takes_back_that_line_s_points(member, store_a, base_rule):
    EarnRule.objects.create(kind=RuleKind.CATEGORY, category="鞋", multiplier=D("2"))  # shoes earn double
    sale = make_sale(member=member, store=store_a, on=DAY, lines=[("600.00", "女装", ""), ("400.00", "鞋", "")])
    assert points_earn_for_sale(sale=sale, level=None).points == 1400
    out = points_reverse_for_return(sale_return=make_return(original=sale, on=LATER, lines={2: "400.00"}))
    assert out.points_reversed == 800
    assert balance(member) == 600


def test_returning_an_excluded_line_takes_nothing_back(member, store_a, base_rule):
    EarnRule.objects.create(kind=RuleKind.EXCLUSION, category="黄金")
    sale = make_sale(member=member, store=store_a, on=DAY, lines=[("5000.00", "黄金", ""), ("100.00", "女装", "")])
    assert points_earn_for_sale(sale=sale, level=None).points == 100
    assert points_reverse_for_return(sale_return=make_return(original=sale, on=LATER, lines={1: "5000.00"})).points_reversed == 0
    assert balance(member) == 100


def test_returns_in_parts_never_take_back_more_than_was_earned(member, store_a, base_rule):
    sale = make_sale(member=member, store=store_a, on=DAY, lines=[("333.33", "女装", "")])
    assert points_earn_for_sale(sale=sale, level=None).points == 333
    total = 0
    for part in ("100.00", "100.00", "133.33"):
        total += points_reverse_for_return(sale_return=make_return(original=sale, on=LATER, lines={1: part})).points_reversed
    assert total == 333
    assert balance(member) == 0


def test_a_line_return_then_returns_by_amount_take_back_everything_once(member, store_a, base_rule):
    """Found by the coupons property test: after one line came back by name, the rest returned by
    amount took back nothing, so 124 of 215 points stayed. The unnamed money now takes its share of
    what the named returns left, and a receipt returned in full takes back all it earned."""
    EarnRule.objects.create(kind=RuleKind.CATEGORY, category="鞋", multiplier=D("2"))
    sale = make_sale(member=member, store=store_a, on=DAY, lines=[("600.00", "女装", ""), ("400.00", "鞋", "")])
    assert points_earn_for_sale(sale=sale, level=None).points == 1400
    got = [points_reverse_for_return(sale_return=make_return(original=sale, on=LATER, lines={2: "400.00"})).points_reversed]
    got.append(points_reverse_for_return(sale_return=make_return(original=sale, on=LATER, amount="300.00")).points_reversed)
    got.append(points_reverse_for_return(sale_return=make_return(original=sale, on=LATER, amount="300.00")).points_reversed)
    assert got == [800, 300, 300] and balance(member) == 0
    assert points_recompute(member=member)["ok"]


def test_return_after_the_points_were_redeemed_records_a_debt_paid_by_future_earnings(member, store_a, base_rule):
    sale = two_lines(member, store_a)
    catalogue_install_default()
    points_redeem(actor=None, member=member, item_code="GOODS-1000", store=store_a, at=dt.datetime(2026, 3, 12, 10, tzinfo=dt.UTC))
    out = points_reverse_for_return(sale_return=make_return(original=sale, on=LATER))
    assert (out.points_reversed, out.debt, out.shortfall) == (0, 1000, 1000)
    s = points_summary(member, on=LATER)
    assert (s["balance"], s["debt"]) == (0, 1000)
    # the next 300 points pay off 300 of the debt
    points_earn_for_sale(sale=make_sale(member=member, store=store_a, on=LATER, lines=[("300.00", "", "")]), level=None)
    s = points_summary(member, on=LATER)
    assert (s["balance"], s["debt"]) == (0, 700)
    assert PointsEntry.objects.filter(kind=EntryKind.DEBT_REPAY).get().points == -300
    assert points_recompute(member=member)["ok"]


def test_return_after_the_points_were_redeemed_with_cash_policy_deducts_cash(member, store_a, base_rule, points_policy):
    points_policy.debt_policy = DebtPolicy.CASH
    points_policy.save()
    sale = two_lines(member, store_a)
    catalogue_install_default()
    points_redeem(actor=None, member=member, item_code="GOODS-500", store=store_a, at=dt.datetime(2026, 3, 12, 10, tzinfo=dt.UTC))
    out = points_reverse_for_return(sale_return=make_return(original=sale, on=LATER))
    assert (out.points_reversed, out.shortfall, out.debt, out.cash_deduction) == (500, 500, 0, D("50.00"))
    entry = PointsEntry.objects.get(kind=EntryKind.RETURN_REVERSAL)
    assert entry.detail["cash_deduction"] == "50.00" and entry.detail["shortfall"] == 500  # recorded, never silent
    assert points_summary(member, on=LATER)["debt"] == 0


def test_points_that_paid_come_back_in_proportion_exactly_once(member, store_a, base_rule):
    points_earn_for_sale(sale=make_sale(member=member, store=store_a, on=dt.date(2026, 3, 1)), level=None)  # 1000
    paid = make_sale(member=member, store=store_a, on=DAY, lines=[("300.00", "女装", ""), ("100.00", "鞋", "")],
                     points_paid=1000, paid_by_points="100.00")
    points_spend_for_sale(sale=paid)
    assert points_earn_for_sale(sale=paid, level=None).points == 300  # 400 × (300/400) earns
    assert balance(member) == 300
    first = make_return(original=paid, on=LATER, lines={2: "100.00"})
    out = points_reverse_for_return(sale_return=first)
    assert (out.points_refunded, out.points_reversed) == (250, 75)
    again = points_reverse_for_return(sale_return=first)  # a replay of the same return
    assert (again.points_refunded, again.points_reversed) == (250, 75)
    assert balance(member) == 300 + 250 - 75
    rest = points_reverse_for_return(sale_return=make_return(original=paid, on=LATER, lines={1: "300.00"}))
    assert (rest.points_refunded, rest.points_reversed) == (750, 225)
    assert balance(member) == 1000
    assert PointsLot.objects.get(sale__receipt_no__isnull=False, earned_on=dt.date(2026, 3, 1)).remaining == 1000
    assert points_recompute(member=member)["ok"]


def test_return_after_an_upgrade_takes_back_the_multiplied_points(member, store_a, base_rule):
    EarnRule.objects.create(kind=RuleKind.TIER, level_code="gold", multiplier=D("1.5"))

    class Gold:
        code = "gold"

    sale = make_sale(member=member, store=store_a, on=DAY, lines=[("1000.00", "女装", "")])
    assert points_earn_for_sale(sale=sale, level=Gold()).points == 1500
    assert points_reverse_for_return(sale_return=make_return(original=sale, on=LATER)).points_reversed == 1500
    assert balance(member) == 0
