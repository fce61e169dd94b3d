"""Property: whatever sequence of sales, returns, redemptions, points payments and expiry runs,
the balance is the sum of the entries and of the lots, no lot is over-consumed, nothing is
negative, and no receipt gives back more than it earned or gets back more than it paid."""
import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vipdesk.core.errors import DomainError
from vipdesk.points.choices import DebtPolicy, EntryKind, ExpiryKind
from vipdesk.points.models import PointsAccount, PointsEntry, PointsLot, PointsPolicy
from vipdesk.points.redemption import points_redeem
from vipdesk.points.services import (
    catalogue_install_default, earn_rule_install_default, points_earn_for_sale, points_reverse_for_return, points_run_daily, points_spend_for_sale,
)

from .helpers import at, make_return, make_sale

pytestmark = pytest.mark.django_db

START = dt.date(2026, 1, 5)
ALLOWED = {"insufficient_points", "same_day_points"}

op = st.one_of(
    st.tuples(st.just("sale"), st.integers(1, 3000), st.integers(0, 40)),
    st.tuples(st.just("pay"), st.integers(1, 30), st.integers(0, 40)),      # points paid in hundreds
    st.tuples(st.just("return"), st.integers(0, 50), st.integers(1, 100)),  # which sale, percent of what is left
    st.tuples(st.just("redeem"), st.sampled_from(["CASH-100", "GOODS-500", "GOODS-1000"]), st.integers(0, 40)),
    st.tuples(st.just("expire"), st.integers(0, 120), st.just(0)),
)


def check(member):
    account = PointsAccount.objects.get(member=member)
    sums = PointsEntry.objects.filter(account=account).aggregate(p=Sum("points"), d=Sum("debt"))
    lots = PointsLot.objects.filter(account=account)
    assert account.balance == (sums["p"] or 0) == (lots.aggregate(s=Sum("remaining"))["s"] or 0)
    assert account.debt == (sums["d"] or 0)
    assert account.balance >= 0 and account.debt >= 0
    assert not lots.filter(remaining__lt=0).exists()
    for lot in lots:
        assert lot.remaining <= lot.original
    for earn in PointsEntry.objects.filter(account=account, kind=EntryKind.EARN):
        back = sum(int(e.detail["owed"]) for e in PointsEntry.objects.filter(sale__original=earn.sale_id, kind=EntryKind.RETURN_REVERSAL))
        assert back <= earn.points
    for spend in PointsEntry.objects.filter(account=account, kind=EntryKind.SPEND):
        refunded = PointsEntry.objects.filter(sale__original=spend.sale_id, kind=EntryKind.RETURN_REFUND).aggregate(s=Sum("points"))["s"] or 0
        assert refunded <= -spend.points


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(op, min_size=1, max_size=14), debt_policy=st.sampled_from([DebtPolicy.DEBT, DebtPolicy.CASH]))
def test_ledger_invariants_hold_for_any_sequence(member, store_a, ops, debt_policy):
    with transaction.atomic():
        PointsPolicy.objects.update_or_create(code="default", defaults={
            "expiry_kind": ExpiryKind.ROLLING_DAYS, "expiry_n": 90, "debt_policy": debt_policy, "pending_days": 0})
        earn_rule_install_default(yuan_per_point=1)
        catalogue_install_default()
        PointsAccount.objects.get_or_create(member=member)
        day, sales = START, []
        for kind, a, b in ops:
            try:
                with transaction.atomic():
                    if kind == "sale":
                        day += dt.timedelta(days=b)
                        sale = make_sale(member=member, store=store_a, on=day, lines=[(f"{a}.00", "女装", "")])
                        points_earn_for_sale(sale=sale, level=None)
                        sales.append(sale)
                    elif kind == "pay":
                        day += dt.timedelta(days=b)
                        sale = make_sale(member=member, store=store_a, on=day, lines=[(f"{a * 10 + 5}.00", "鞋", "")],
                                         points_paid=a * 100, paid_by_points=f"{a * 10}.00")
                        points_spend_for_sale(sale=sale)
                        points_earn_for_sale(sale=sale, level=None)
                        sales.append(sale)
                    elif kind == "return" and sales:
                        sale = sales[a % len(sales)]
                        sale.refresh_from_db()
                        left = sale.amount - sale.returned_amount
                        part = (left * b / 100).quantize(D("0.01"))
                        if part > 0:
                            points_reverse_for_return(sale_return=make_return(original=sale, on=day, lines={1: str(part)}))
                    elif kind == "redeem":
                        day += dt.timedelta(days=b)
                        points_redeem(actor=None, member=member, item_code=a, store=store_a, at=at(day))
                    elif kind == "expire":
                        day += dt.timedelta(days=a)
                        points_run_daily(on=day)
            except DomainError as exc:
                assert exc.code in ALLOWED, exc.code
            check(member)
        transaction.set_rollback(True)
