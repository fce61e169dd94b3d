"""The seed's clearing example (003 篇6, R5.5) built through the points services, for the console
and API tests: 1000 points earned at franchisee A, a 50-yuan gift redeemed with them at
franchisee B → A owes B 50.00. A third franchisee C and a directly run store have their own
outstanding points, for the liability figures and for scoping."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from vipdesk.org.choices import Ownership
from vipdesk.org.models import Store
from vipdesk.points.choices import ItemKind
from vipdesk.points.models import RedemptionItem
from vipdesk.points.redemption import points_redeem
from vipdesk.points.services import earn_rule_install_default, points_earn_for_sale
from vipdesk.testing.factories import FranchiseeFactory, StoreFactory, make_member

from .helpers import at, make_sale

EARNED = dt.date(2026, 3, 1)
REDEEMED = dt.date(2026, 3, 15)
PERIOD = "2026-03"


@dataclass
class Example:
    store_a: Store   # franchisee A (FA)
    store_b: Store   # franchisee B (FB)
    store_c: Store   # franchisee C (FC), no clearing with anyone
    direct: Store    # run directly by HQ
    redemption: object


def build() -> Example:
    earn_rule_install_default(yuan_per_point=1)  # 1 yuan = 1 point, value per point 0.10 (the default policy)
    fa, fb, fc = (FranchiseeFactory(code=c, name=n) for c, n in (("FA", "甲加盟商"), ("FB", "乙加盟商"), ("FC", "丙加盟商")))
    store_a = StoreFactory(code="FA01", name="甲加盟店", ownership=Ownership.FRANCHISE, franchisee=fa)
    store_b = StoreFactory(code="FB01", name="乙加盟店", ownership=Ownership.FRANCHISE, franchisee=fb)
    store_c = StoreFactory(code="FC01", name="丙加盟店", ownership=Ownership.FRANCHISE, franchisee=fc)
    direct = StoreFactory(code="ZY01", name="直营旗舰店")
    RedemptionItem.objects.create(code="GIFT50", name="50元礼品", kind=ItemKind.GIFT, points=1000, value=Decimal("50.00"),
                                  tracks_stock=False)
    shopper = make_member(store=store_a, name="陈美玲")
    points_earn_for_sale(sale=make_sale(member=shopper, store=store_a, on=EARNED, lines=[("1000.00", "女装", "示例")]), level=None)
    redemption = points_redeem(actor=None, member=shopper, item_code="GIFT50", store=store_b, at=at(REDEEMED))
    # outstanding points: 300 at C, 250 at the direct store (liability 30.00 and 25.00 at 0.10 a point)
    other = make_member(store=store_c, name="王芳")
    points_earn_for_sale(sale=make_sale(member=other, store=store_c, on=EARNED, lines=[("300.00", "", "")]), level=None)
    points_earn_for_sale(sale=make_sale(member=other, store=direct, on=EARNED, lines=[("250.00", "", "")]), level=None)
    return Example(store_a, store_b, store_c, direct, redemption)
