"""Postings with the real points and tiers apps (department-store preset, 1 point per yuan)."""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from vipdesk.api.tests.conftest import Api
from vipdesk.org.services import api_client_create
from vipdesk.points.models import PointsAccount, PointsEntry
from vipdesk.points.services import earn_rule_install_default, points_summary
from vipdesk.till.services import return_post, sale_post
from vipdesk.tiers.presets import DEPARTMENT_STORE
from vipdesk.tiers.config import programme_install
from vipdesk.tiers.programme import tier_of

from .conftest import a_return, a_sale

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(db):
    programme_install(spec=DEPARTMENT_STORE)
    earn_rule_install_default(yuan_per_point=1)


def coat(receipt, price, member=None, **over):
    fields = {"lines": [{"sku": "COAT", "unit_price": price, "quantity": 1, "amount": price}],
              "payments": [{"method": "cash", "amount": price}], "amount_paid": price, **over}
    return a_sale(receipt, member=member or {"mobile": "13612345678"}, **fields)


def test_sale_earns_points_upgrades_and_answers_balance_and_benefits(programme, store_a, shopper):
    result = sale_post(actor=None, data=coat("R1", "5000.00")).data
    assert result["points"]["earned"] == 5000 and result["points"]["balance"] == 5000
    assert result["tier"]["before"] is None and result["tier"]["changed"] is True
    assert result["tier"]["after"]["code"] == tier_of(shopper).code
    assert result["benefits"] and all("code" in b for b in result["benefits"])
    assert points_summary(shopper)["balance"] == 5000


def test_replayed_receipt_earns_once(programme, store_a, shopper):
    data = coat("R1", "800.00")
    first = sale_post(actor=None, data=data)
    again = sale_post(actor=None, data=data)
    assert again.replayed and again.data["points"] == first.data["points"]
    assert PointsAccount.objects.get(member=shopper).balance == 800
    assert PointsEntry.objects.filter(sale=first.sale).count() == 1


def test_full_return_takes_the_points_back(programme, store_a, shopper):
    sale_post(actor=None, data=coat("R1", "800.00"))
    result = return_post(actor=None, data=a_return(original="R1")).data
    assert result["points"]["reversed"] == 800 and result["points"]["balance"] == 0
    assert PointsAccount.objects.get(member=shopper).balance == 0


def test_partial_return_takes_back_in_proportion(programme, store_a, shopper):
    sale_post(actor=None, data=a_sale("R1", member={"mobile": "13612345678"}))  # 1,299.00
    result = return_post(actor=None, data=a_return(original="R1", lines=[{"line_no": 2, "quantity": 1}])).data  # 500.00
    assert result["points"]["reversed"] == 500 and result["points"]["balance"] == 799


def test_points_payment_is_spent_and_refunded_on_return(programme, store_a, shopper):
    # Points earned today cannot pay today (R5.4): the points were earned yesterday.
    sale_post(actor=None, data=coat("R1", "3000.00", occurred_at=(timezone.now() - dt.timedelta(days=1)).isoformat()))
    paid = coat("R2", "100.00", payments=[{"method": "points", "amount": "100.00", "points": 1000}])
    result = sale_post(actor=None, data=paid).data
    assert result["points"]["spent"] == 1000
    balance_after_sale = result["points"]["balance"]
    back = return_post(actor=None, data=a_return(original="R2")).data
    assert back["points"]["refunded"] == 1000 and back["points"]["reversed"] == result["points"]["earned"]
    assert back["points"]["balance"] == balance_after_sale + 1000 - back["points"]["reversed"]


def test_a_return_pays_back_in_money_only_what_money_paid(programme, store_a, shopper):
    """1,200.00 paid 1,180.00 by WeChat and 200 points (20.00): returning 150.50 of it gives back
    148.00 less the points' share (2.51) in money and the rest as points, never both."""
    from vipdesk.core.errors import DomainError

    sale_post(actor=None, data=coat("R1", "3000.00", occurred_at=(timezone.now() - dt.timedelta(days=1)).isoformat()))
    lines = [{"line_no": 1, "sku": "SCF", "unit_price": "150.50", "quantity": 1, "amount": "150.50"},
             {"line_no": 2, "sku": "COAT", "unit_price": "1049.50", "quantity": 1, "amount": "1049.50"}]
    pays = [{"method": "wechat", "amount": "1180.00"}, {"method": "points", "amount": "20.00", "points": 200}]
    sale_post(actor=None, data=a_sale("R2", member={"mobile": "13612345678"}, lines=lines, payments=pays, amount_paid="1200.00"))
    with pytest.raises(DomainError) as refused:  # the whole 150.50 in money would pay the points part twice
        return_post(actor=None, data=a_return("T1", original="R2", lines=[{"line_no": 1, "quantity": 1}],
                                              payments=[{"method": "wechat", "amount": "150.50"}]))
    assert refused.value.code == "validation_error" and "147.99" in str(refused.value)
    part = return_post(actor=None, data=a_return("T1", original="R2", lines=[{"line_no": 1, "quantity": 1}],
                                                 payments=[{"method": "wechat", "amount": "147.99"}])).data
    assert part["refund"] == {"money": "147.99", "by_points": "2.51", "by_stored_value": "0.00", "by_coupon": "0.00", "coupon_charge_back": "0.00"} and part["points"]["refunded"] == 25
    rest = return_post(actor=None, data=a_return("T2", original="R2", payments=[{"method": "wechat", "amount": "1032.01"}])).data
    assert rest["refund"] == {"money": "1032.01", "by_points": "17.49", "by_stored_value": "0.00", "by_coupon": "0.00", "coupon_charge_back": "0.00"} and rest["points"]["refunded"] == 175
    # Over both returns: exactly the 1,180.00 of money and the 200 points, once.
    assert Decimal(part["refund"]["money"]) + Decimal(rest["refund"]["money"]) == Decimal("1180.00")
    assert part["points"]["refunded"] + rest["points"]["refunded"] == 200


def test_api_points_tier_and_redemption_endpoints(programme, store_a, shopper):
    till = Api(api_client_create(name="POS A1", store_code="SA01")[1])
    assert till.post("/api/v1/sales/", coat("R1", "5000.00")).status_code == 201
    points = till.get(f"/api/v1/members/{shopper.pk}/points/")
    assert points.status_code == 200 and points.json()["balance"] == 5000
    # Earned today: available, but not redeemable until tomorrow (R5.4); the ledger line is in the history.
    assert points.json()["available"] == 5000 and points.json()["redeemable_today"] == 0
    assert [(h["kind"], h["points"], h["receipt_no"]) for h in points.json()["history"]] == [("earn", 5000, "R1")]
    assert till.get(f"/api/v1/members/{shopper.pk}/points/?history=0").json()["history"] == []
    assert till.get(f"/api/v1/members/{shopper.pk}/points/?history=x").json()["code"] == "validation_error"
    tier = till.get(f"/api/v1/members/{shopper.pk}/tier/")
    assert tier.status_code == 200 and tier.json()["current"]["code"] == tier_of(shopper).code
    missing = till.post("/api/v1/redemptions/", {"member": {"mobile": "13612345678"}, "item_code": "NOPE"})
    assert missing.status_code == 404 and missing.json()["code"] == "item_not_found"
