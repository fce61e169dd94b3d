"""A points-mall item paid in coupons, then the redemption cancelled: the coupon it issued is voided
with the points given back — and if the coupon was already spent, the cancellation is refused and
nothing changes (points never come back for a coupon that was used)."""
import datetime as dt

import pytest

from vipdesk.core.errors import DomainError
from vipdesk.coupons.campaigns import campaign_save
from vipdesk.coupons.models import Coupon
from vipdesk.coupons.services import format_code
from vipdesk.points.choices import ItemKind, RedemptionStatus
from vipdesk.points.mall import mall_order
from vipdesk.points.models import RedemptionItem
from vipdesk.points.redemption import points_redemption_cancel
from vipdesk.points.services import earn_rule_install_default, points_summary
from vipdesk.till.services import sale_post

from .helpers import D, line, sale_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(clock, hq, member):
    earn_rule_install_default(yuan_per_point=1)
    sale_post(actor=None, data=sale_data(lines=[line("2000.00")]))
    clock.shift(dt.timedelta(days=10))  # the points are hers and not earned today
    campaign = campaign_save(actor=hq, data={"code": "PT60", "name": "积分换券", "kind": "voucher", "face_value": "60.00",
                                             "valid_until": "2099-12-31"})
    RedemptionItem.objects.create(code="CPN60", name="60元券", kind=ItemKind.VIRTUAL, points=600, value=D("6.00"),
                                  tracks_stock=False, fulfilment=f"coupon:{campaign.code}")
    before = points_summary(member)["balance"]
    redemption = mall_order(member=member, item_code="CPN60")
    assert points_summary(member)["balance"] == before - 600
    return redemption, before


def test_cancelling_voids_the_coupon_and_gives_the_points_back(order, member, manager_a):
    redemption, before = order
    coupon = Coupon.objects.get(batch=f"points-{redemption.pk}")
    points_redemption_cancel(actor=manager_a, redemption=redemption, reason="顾客不要了")
    coupon.refresh_from_db()
    redemption.refresh_from_db()
    assert coupon.status == "void" and redemption.status == RedemptionStatus.CANCELLED
    assert points_summary(member)["balance"] == before


def test_a_coupon_already_spent_keeps_the_redemption(order, member, manager_a):
    redemption, before = order
    coupon = Coupon.objects.get(batch=f"points-{redemption.pk}")
    sale_post(actor=None, data=sale_data(lines=[line("500.00")], pay=[("coupon", "60.00", format_code(coupon.code)),
                                                                      ("cash", "440.00")]))
    balance = points_summary(member)["balance"]
    with pytest.raises(DomainError) as refused:
        points_redemption_cancel(actor=manager_a, redemption=redemption, reason="顾客不要了")
    assert refused.value.code == "coupon_already_used"
    coupon.refresh_from_db()
    redemption.refresh_from_db()
    assert coupon.status == "used" and redemption.status == RedemptionStatus.DONE
    assert points_summary(member)["balance"] == balance
