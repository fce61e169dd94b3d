"""Redemption (R5.4): catalogue, windows, same-day rule, limits, stock life cycle, virtual goods, cards."""
import datetime as dt
from decimal import Decimal as D

import pytest

from vipdesk.core.errors import DomainError
from vipdesk.members.cards import card_change_status, card_issue
from vipdesk.points import fulfilment
from vipdesk.points.choices import EntryKind, ItemKind, LimitPeriod, StockMove
from vipdesk.points.models import ItemStock, PointsEntry, RedemptionItem, StockMovement
from vipdesk.points.redemption import points_redeem, points_redemption_cancel
from vipdesk.points.services import (
    catalogue_install_default, points_earn_for_sale, points_recompute, points_summary, stock_move,
)

from .helpers import at, make_sale

pytestmark = pytest.mark.django_db

EARNED = dt.date(2026, 3, 1)
MARCH = dt.date(2026, 3, 10)


@pytest.fixture
def rich(member, store_a, base_rule):
    """A member with 5,000 points earned on 1 March 2026."""
    points_earn_for_sale(sale=make_sale(member=member, store=store_a, on=EARNED, lines=[("5000.00", "女装", "")]), level=None)
    return member


@pytest.fixture
def scarf(hq, store_a):
    """A gift kept in stock: bought, stocked in at HQ, 3 allocated to and received by store A."""
    item = RedemptionItem.objects.create(code="SCARF", name="真丝围巾", kind=ItemKind.GIFT, points=800, value=D("50.00"))
    stock_move(actor=hq, item=item, kind=StockMove.PURCHASE, quantity=10)
    stock_move(actor=hq, item=item, kind=StockMove.STOCK_IN, quantity=10)
    stock_move(actor=hq, item=item, kind=StockMove.ALLOCATION, quantity=3, store=store_a)
    stock_move(actor=hq, item=item, kind=StockMove.RECEIPT, quantity=3, store=store_a)
    return item


def code_of(call):
    with pytest.raises(DomainError) as err:
        call()
    return err.value.code


def redeem(member, code, store, *, when=at(MARCH), **kw):
    return points_redeem(actor=None, member=member, item_code=code, store=store, at=when, **kw)


def test_the_seed_table_500_1000_2000_3000(rich, store_a):
    items = {i.code: (i.points, i.value) for i in catalogue_install_default()}
    assert items == {"CASH-100": (100, D("10.00")), "GOODS-500": (500, D("300.00")), "GOODS-1000": (1000, D("800.00")),
                     "GOODS-2000": (2000, D("1800.00")), "GOODS-3000": (3000, D("3000.00"))}
    red = redeem(rich, "GOODS-2000", store_a)
    assert (red.points, red.value) == (2000, D("1800.00"))
    assert red.fulfilment_code.startswith("EV")  # the voucher handed over is recorded
    assert points_summary(rich, on=MARCH)["balance"] == 3000
    assert points_recompute(member=rich)["ok"]


def test_insufficient_points(rich, store_a):
    catalogue_install_default()
    redeem(rich, "GOODS-3000", store_a)
    assert code_of(lambda: redeem(rich, "GOODS-3000", store_a)) == "insufficient_points"
    assert points_summary(rich, on=MARCH)["balance"] == 2000


def test_redemption_window_march_and_august_only(rich, store_a):
    catalogue_install_default(months=[3, 8])
    assert code_of(lambda: redeem(rich, "GOODS-500", store_a, when=at(dt.date(2026, 4, 1)))) == "outside_window"
    assert redeem(rich, "GOODS-500", store_a, when=at(dt.date(2026, 3, 31), 23, 59)).points == 500
    assert redeem(rich, "GOODS-500", store_a, when=at(dt.date(2026, 8, 1), 0, 0)).points == 500


def test_points_earned_today_cannot_be_redeemed_today(member, store_a, base_rule):
    catalogue_install_default()
    points_earn_for_sale(sale=make_sale(member=member, store=store_a, on=MARCH, lines=[("600.00", "", "")]), level=None)
    assert code_of(lambda: redeem(member, "GOODS-500", store_a, when=at(MARCH, 20))) == "same_day_points"
    assert redeem(member, "GOODS-500", store_a, when=at(MARCH + dt.timedelta(days=1), 9)).points == 500


def test_per_member_limit(rich, store_a):
    RedemptionItem.objects.create(code="CUP", name="保温杯", kind=ItemKind.VIRTUAL, points=100, value=D("20"),
                                  tracks_stock=False, limit_per_member=2, limit_period=LimitPeriod.MONTH)
    redeem(rich, "CUP", store_a, quantity=2)
    assert code_of(lambda: redeem(rich, "CUP", store_a)) == "limit_reached"
    assert redeem(rich, "CUP", store_a, when=at(dt.date(2026, 4, 2))).quantity == 1


def test_stock_per_store_and_its_movements(rich, store_a, store_b, scarf):
    assert ItemStock.objects.get(item=scarf, store=None).on_hand == 7
    assert ItemStock.objects.get(item=scarf, store=store_a).on_hand == 3
    assert code_of(lambda: redeem(rich, "SCARF", store_b)) == "out_of_stock"
    redeem(rich, "SCARF", store_a, quantity=3)
    assert ItemStock.objects.get(item=scarf, store=store_a).on_hand == 0
    assert code_of(lambda: redeem(rich, "SCARF", store_a)) == "out_of_stock"
    kinds = list(StockMovement.objects.filter(item=scarf).order_by("id").values_list("kind", flat=True))
    assert kinds == ["purchase", "stock_in", "allocation", "receipt", "redemption"]


def test_allocation_cannot_exceed_the_warehouse(hq, store_a, scarf):
    assert code_of(lambda: stock_move(actor=hq, item=scarf, kind=StockMove.ALLOCATION, quantity=8, store=store_a)) == "out_of_stock"


def test_cancelled_redemption_returns_points_and_the_gift(rich, store_a, scarf, hq):
    red = redeem(rich, "SCARF", store_a)
    points_redemption_cancel(actor=hq, redemption=red, reason="顾客退回赠品")
    assert points_summary(rich, on=MARCH)["balance"] == 5000
    assert ItemStock.objects.get(item=scarf, store=store_a).on_hand == 3
    assert StockMovement.objects.filter(kind=StockMove.RETURN).count() == 1
    assert code_of(lambda: points_redemption_cancel(actor=hq, redemption=red, reason="again")) == "already_cancelled"
    assert points_recompute(member=rich)["ok"]


def test_virtual_goods_go_through_the_fulfilment_adapter(rich, store_a):
    issued = []

    def topup(item, member, quantity, redemption):
        issued.append((item.code, member.pk, quantity))
        return "TOPUP-13912345678-50"

    fulfilment.register("phone_topup", topup)
    RedemptionItem.objects.create(code="TOPUP50", name="话费充值 50 元", kind=ItemKind.VIRTUAL, points=600, value=D("50"),
                                  tracks_stock=False, fulfilment="phone_topup")
    red = redeem(rich, "TOPUP50", store_a)
    assert red.fulfilment_code == "TOPUP-13912345678-50"
    assert issued == [("TOPUP50", rich.pk, 1)]


def test_failed_fulfilment_deducts_nothing(rich, store_a):
    def broken(**kwargs):
        raise RuntimeError("provider down")

    fulfilment.register("broken", broken)
    RedemptionItem.objects.create(code="EV", name="电子券", kind=ItemKind.VIRTUAL, points=100, value=D("10"), tracks_stock=False,
                                  fulfilment="broken")
    with pytest.raises(RuntimeError):
        redeem(rich, "EV", store_a)
    assert points_summary(rich, on=MARCH)["balance"] == 5000
    assert not PointsEntry.objects.filter(kind=EntryKind.REDEEM).exists()


def test_invalid_card_is_refused(rich, store_a, hq):
    catalogue_install_default()
    card = card_issue(actor=None, member=rich)
    assert redeem(rich, "GOODS-500", store_a, card=card.number).card == card
    card_change_status(actor=hq, card=card, move="invalidate", reason="作废")
    assert code_of(lambda: redeem(rich, "GOODS-500", store_a, card=card.number)) == "card_invalid"


def test_someone_else_s_card_is_refused(rich, store_a):
    from vipdesk.testing.factories import make_member

    catalogue_install_default()
    other = card_issue(actor=None, member=make_member(store=store_a))
    assert code_of(lambda: redeem(rich, "GOODS-500", store_a, card=other.number)) == "card_invalid"


def test_a_retried_redemption_with_the_same_reference_redeems_once(rich, store_a, hq):
    catalogue_install_default()
    first = points_redeem(actor=None, member=rich, item_code="GOODS-500", store=store_a, at=at(MARCH), reference="POS1-0001")
    again = points_redeem(actor=None, member=rich, item_code="GOODS-500", store=store_a, at=at(MARCH), reference="POS1-0001")
    assert (first.replayed, again.replayed, again.pk) == (False, True, first.pk)
    assert points_summary(rich, MARCH)["balance"] == 4500 and PointsEntry.objects.filter(kind=EntryKind.REDEEM).count() == 1
    with pytest.raises(DomainError) as other:  # the same reference for something else is refused, not replayed
        points_redeem(actor=None, member=rich, item_code="GOODS-1000", store=store_a, at=at(MARCH), reference="POS1-0001")
    assert other.value.code == "reference_conflict"
    points_redeem(actor=None, member=rich, item_code="GOODS-500", store=store_a, at=at(MARCH))  # no reference: a new one
    assert points_summary(rich, MARCH)["balance"] == 4000
