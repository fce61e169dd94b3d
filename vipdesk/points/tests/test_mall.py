"""The points mall (R5.4, issue 16): a member orders a gift to collect at a chosen store or a virtual
item; the same refusals as the till; staff hand the gift over to the member identified; the member
cancels an order still waiting and gets points and stock back."""
import datetime as dt
from decimal import Decimal as D

import pytest

from vipdesk.audit.models import Event
from vipdesk.core import clock as business
from vipdesk.core.errors import DomainError
from vipdesk.points.choices import Collection, ItemKind, RedemptionChannel, RedemptionStatus, StockMove
from vipdesk.points.mall import (
    mall_items, mall_order, mall_order_cancel, member_order, member_orders, order_status_label, orders_for_staff,
    redemption_collect,
)
from vipdesk.points.models import ItemStock, RedemptionItem
from vipdesk.points.redemption import points_redemption_cancel
from vipdesk.points.services import points_earn_for_sale, points_recompute, points_summary, stock_move
from vipdesk.testing.factories import make_member

from .helpers import make_sale

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(store_a):
    return business.today(store_a)


@pytest.fixture
def rich(member, store_a, base_rule, today):
    """5,000 points earned ten days ago."""
    points_earn_for_sale(sale=make_sale(member=member, store=store_a, on=today - dt.timedelta(days=10),
                                        lines=[("5000.00", "女装", "")]), level=None)
    return member


@pytest.fixture
def scarf(hq, store_a):
    item = RedemptionItem.objects.create(code="SCARF", name="真丝围巾", kind=ItemKind.GIFT, points=800, value=D("50.00"))
    for kind in (StockMove.PURCHASE, StockMove.STOCK_IN):
        stock_move(actor=hq, item=item, kind=kind, quantity=10)
    for kind in (StockMove.ALLOCATION, StockMove.RECEIPT):
        stock_move(actor=hq, item=item, kind=kind, quantity=3, store=store_a)
    return item


def on_hand(item, store):
    return ItemStock.objects.get(item=item, store=store).on_hand


def code_of(call):
    with pytest.raises(DomainError) as err:
        call()
    return err.value.code


def test_a_gift_ordered_in_the_mall_waits_at_the_chosen_store_with_points_and_stock_taken(rich, scarf, store_a):
    order = mall_order(member=rich, item_code="SCARF", store=store_a)
    assert (order.channel, order.collection, order.order_status) == (RedemptionChannel.PORTAL, Collection.TO_COLLECT, "to_collect")
    assert order_status_label(order) == str(Collection.TO_COLLECT.label)
    assert points_summary(rich)["balance"] == 4200
    assert on_hand(scarf, store_a) == 2
    assert order.result["collection"] == "to_collect"
    assert Event.objects.filter(verb="points.mall_order", object_id=str(order.pk)).exists()
    assert list(member_orders(rich)) == [order]
    assert points_recompute(member=rich)["ok"]


def test_staff_of_the_store_hand_the_gift_over_to_the_member_identified(rich, scarf, store_a, cashier_a, guide_b, member):
    order = mall_order(member=rich, item_code="SCARF", store=store_a)
    assert list(orders_for_staff(cashier_a)) == [order]
    assert list(orders_for_staff(guide_b)) == []  # another store's staff do not see it
    stranger = make_member(store=store_a, name="王小二")
    assert code_of(lambda: redemption_collect(actor=cashier_a, redemption=order, member=stranger)) == "wrong_member"
    assert code_of(lambda: redemption_collect(actor=guide_b, redemption=order, member=rich)) == "not_found"
    done = redemption_collect(actor=cashier_a, redemption=order, member=rich)
    assert (done.order_status, done.collected_by) == ("collected", cashier_a)
    assert done.collected_at is not None
    assert code_of(lambda: redemption_collect(actor=cashier_a, redemption=order, member=rich)) == "already_collected"
    assert list(orders_for_staff(cashier_a)) == []
    assert list(orders_for_staff(cashier_a, status=Collection.COLLECTED)) == [done]
    assert Event.objects.filter(verb="points.order_collected", object_id=str(order.pk), actor=cashier_a).exists()
    # a collected gift is no longer the member's to cancel; the store manager takes it back at the counter
    assert code_of(lambda: mall_order_cancel(member=rich, redemption=order)) == "not_cancellable"


def test_an_auditor_may_not_hand_over(rich, scarf, store_a, auditor):
    order = mall_order(member=rich, item_code="SCARF", store=store_a)
    with pytest.raises(DomainError):
        redemption_collect(actor=auditor, redemption=order, member=rich)


def test_the_member_cancels_an_order_waiting_and_gets_points_and_stock_back(rich, scarf, store_a):
    order = mall_order(member=rich, item_code="SCARF", store=store_a)
    other = make_member(store=store_a, name="李四")
    assert code_of(lambda: mall_order_cancel(member=other, redemption=order)) == "not_found"
    cancelled = mall_order_cancel(member=rich, redemption=order)
    assert cancelled.order_status == RedemptionStatus.CANCELLED
    assert points_summary(rich)["balance"] == 5000
    assert on_hand(scarf, store_a) == 3
    assert code_of(lambda: mall_order_cancel(member=rich, redemption=order)) == "already_cancelled"
    assert code_of(lambda: redemption_collect(actor=None, redemption=order, member=rich)) == "order_cancelled"
    assert Event.objects.filter(verb="points.mall_order_cancelled", object_id=str(order.pk)).exists()


def test_staff_cancel_through_the_existing_service(rich, scarf, store_a, manager_a):
    order = mall_order(member=rich, item_code="SCARF", store=store_a)
    points_redemption_cancel(actor=manager_a, redemption=order, reason="顾客不要了")
    assert points_summary(rich)["balance"] == 5000 and on_hand(scarf, store_a) == 3


def test_the_same_refusals_as_the_till(rich, scarf, store_a, store_b, today, base_rule):
    assert code_of(lambda: mall_order(member=rich, item_code="SCARF", store=store_b)) == "out_of_stock"
    assert code_of(lambda: mall_order(member=rich, item_code="SCARF", store=None)) == "validation_error"
    assert code_of(lambda: mall_order(member=rich, item_code="NOPE", store=store_a)) == "item_not_found"
    other_month = 1 if today.month != 1 else 2
    RedemptionItem.objects.filter(pk=scarf.pk).update(months=[other_month])
    assert code_of(lambda: mall_order(member=rich, item_code="SCARF", store=store_a)) == "outside_window"
    RedemptionItem.objects.filter(pk=scarf.pk).update(months=[today.month], points=6000)
    assert code_of(lambda: mall_order(member=rich, item_code="SCARF", store=store_a)) == "insufficient_points"
    # points earned today wait until tomorrow (002: 当天积分不能当天兑换)
    points_earn_for_sale(sale=make_sale(member=rich, store=store_a, on=today, lines=[("2000.00", "女装", "")]), level=None)
    assert code_of(lambda: mall_order(member=rich, item_code="SCARF", store=store_a)) == "same_day_points"
    assert on_hand(scarf, store_a) == 3


def test_a_virtual_item_is_fulfilled_at_once_at_the_home_store(rich, store_a):
    RedemptionItem.objects.create(code="EV-50", name="50元电子券", kind=ItemKind.VIRTUAL, points=500, value=D("50.00"),
                                  tracks_stock=False, fulfilment="voucher")
    order = mall_order(member=rich, item_code="EV-50")
    assert (order.store, order.collection, order.order_status) == (store_a, "", "done")
    assert order.fulfilment_code.startswith("EV")


def test_the_mall_lists_what_she_may_redeem_today(rich, scarf, store_a, today):
    RedemptionItem.objects.create(code="BIG", name="大礼包", kind=ItemKind.GIFT, points=9000, value=D("900.00"), tracks_stock=False)
    RedemptionItem.objects.create(code="LATER", name="季节礼品", kind=ItemKind.GIFT, points=100, value=D("10.00"), tracks_stock=False,
                                  months=[1 if today.month != 1 else 2])
    items, summary = mall_items(rich)
    by = {m.item.code: m for m in items}
    assert summary["redeemable_today"] == 5000
    assert by["SCARF"].orderable and by["SCARF"].stores == [(store_a, 3)]
    assert not by["BIG"].affordable and not by["BIG"].orderable
    assert not by["LATER"].in_window and not by["LATER"].orderable


def test_an_order_is_read_only_by_its_member(rich, scarf, store_a):
    order = mall_order(member=rich, item_code="SCARF", store=store_a)
    assert member_order(rich, order.pk) == order
    other = make_member(store=store_a, name="李四")
    with pytest.raises(DomainError):
        member_order(other, order.pk)


def test_a_coupon_item_issues_the_campaigns_coupons_at_once(rich, store_a):
    from vipdesk.coupons.campaigns import campaigns_install_default
    from vipdesk.coupons.models import Coupon

    campaign = campaigns_install_default()[0]
    RedemptionItem.objects.create(code="CPN", name="优惠券", kind=ItemKind.VIRTUAL, points=300, value=D("0.00"),
                                  tracks_stock=False, fulfilment=f"coupon:{campaign.code}")
    order = mall_order(member=rich, item_code="CPN")
    coupon = Coupon.objects.get(member=rich, campaign=campaign, batch=f"points-{order.pk}")
    assert order.fulfilment_code == coupon.code and order.order_status == "done"
    assert points_summary(rich)["balance"] == 4700
    campaign.active = False
    campaign.save()
    assert code_of(lambda: mall_order(member=rich, item_code="CPN")) == "item_unavailable"
    assert points_summary(rich)["balance"] == 4700
