"""The demo's points mall (issue 16): a gift kept in stock at the stores, and an open order of the
portal's demo member waiting at her home store, so staff can hand it over in the console
(收银台 › 积分商城订单) and she sees it "to collect" in the member centre."""
from __future__ import annotations

from decimal import Decimal

from vipdesk.core.errors import DomainError
from vipdesk.org.models import Store
from vipdesk.points.choices import ItemKind, StockMove
from vipdesk.points.mall import mall_order
from vipdesk.points.models import Redemption, RedemptionItem
from vipdesk.points.services import points_summary, stock_move

GIFT = "MALL-SCARF"
REFERENCE = "DEMO-PORTAL-MALL"


def demo_gift() -> RedemptionItem:
    """真丝围巾, 1,200 points (¥120 at the liability's ¥0.10 a point), 5 in stock at every store (bought, stocked in at HQ, allocated, received)."""
    item = RedemptionItem.objects.filter(code=GIFT).first()
    if item is not None:
        return item
    item = RedemptionItem.objects.create(code=GIFT, name="真丝围巾（积分商城）", kind=ItemKind.GIFT, points=1200,
                                         value=Decimal("120.00"))
    stores = list(Store.objects.filter(active=True).order_by("code"))
    total = 5 * len(stores)
    if total:
        stock_move(actor=None, item=item, kind=StockMove.PURCHASE, quantity=total)
        stock_move(actor=None, item=item, kind=StockMove.STOCK_IN, quantity=total)
    for store in stores:
        stock_move(actor=None, item=item, kind=StockMove.ALLOCATION, quantity=5, store=store)
        stock_move(actor=None, item=item, kind=StockMove.RECEIPT, quantity=5, store=store)
    return item


def demo_mall_order(member):
    """An open order of the demo gift for `member`, to collect at her home store (None if her points
    redeemable today do not cover it)."""
    item = demo_gift()
    placed = Redemption.objects.filter(account__member=member, store=member.home_store, reference=REFERENCE).first()
    if placed is not None:  # a second load replays the order it placed
        return placed
    if points_summary(member)["redeemable_today"] < item.points:
        return None
    try:
        return mall_order(member=member, item_code=item.code, store=member.home_store, reference=REFERENCE)
    except DomainError:
        return None
