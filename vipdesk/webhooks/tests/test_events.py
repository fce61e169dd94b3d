"""Every event type from the real services that make it: a posting with its loyalty effects (sale,
tier, stored value, coupons), a return, points redeemed and expired, a care task by hand."""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from vipdesk.care.services import care_task_create
from vipdesk.coupons.campaigns import campaigns_install_default
from vipdesk.coupons.services import coupons_give
from vipdesk.points.redemption import points_redeem
from vipdesk.points.services import catalogue_install_default, earn_rule_install_default, points_credit_bonus, points_run_daily
from vipdesk.testing.factories import make_member
from vipdesk.tiers.config import programme_install
from vipdesk.tiers.presets import DEPARTMENT_STORE
from vipdesk.till.services import return_post, sale_post
from vipdesk.wallet.services import wallet_topup
from vipdesk.webhooks.choices import EventType
from vipdesk.webhooks.delivery import deliver_due
from vipdesk.webhooks.models import Event

pytestmark = pytest.mark.django_db


def _types():
    return [e.type for e in Event.objects.order_by("id")]


@pytest.fixture
def everything(subscribe):
    return subscribe(events=EventType.values)


@pytest.fixture
def shopper(everything, guide_a, store_a):
    return make_member(actor=guide_a, name="陈美玲", mobile="13612345678")


def a_sale(receipt, amount, occurred_at, **extra):
    return {"store": "SA01", "terminal": "T1", "receipt_no": receipt, "occurred_at": occurred_at.isoformat(),
            "member": {"mobile": "13612345678"},
            "lines": [{"line_no": 1, "sku": "COAT-7", "name": "羊绒大衣", "unit_price": amount, "quantity": 1, "amount": amount}],
            "payments": [{"method": "cash", "amount": amount}], "amount_paid": amount, **extra}


def test_a_posting_and_its_return_announce_sale_tier_and_return(shopper, receiver):
    programme_install(spec=DEPARTMENT_STORE)
    earn_rule_install_default(yuan_per_point=1)
    when = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=5)
    sale_post(actor=None, data=a_sale("R1", "2000.00", when))
    assert "sale.posted" in _types() and "tier.changed" in _types()
    sale = Event.objects.get(type="sale.posted").payload["data"]
    assert sale["sale"]["amount"] == "2000.00" and sale["sale"]["receipt_no"] == "R1" and sale["member"]["id"] == shopper.pk
    tier = Event.objects.get(type="tier.changed").payload["data"]
    assert tier["from_level"] is None and tier["to_level"] and tier["reason"] == "upgrade"
    return_post(actor=None, data={"store": "SA01", "terminal": "T1", "receipt_no": "T1", "original": {"receipt_no": "R1"},
                                  "occurred_at": timezone.now().replace(microsecond=0).isoformat()})
    ret = Event.objects.filter(type="return.posted").get().payload["data"]
    assert ret["return"]["original"]["receipt_no"] == "R1" and ret["return"]["amount"] == "2000.00"
    assert deliver_due()["delivered"] == Event.objects.count() and all(r["verified"] for r in receiver.requests)


def test_points_redeemed_and_expired(shopper, store_a):
    earn_rule_install_default(yuan_per_point=1)
    catalogue_install_default()
    on = timezone.localdate()
    points_credit_bonus(member=shopper, points=5000, action="test", store=store_a, on=on - dt.timedelta(days=40))
    points_redeem(actor=None, member=shopper, item_code="GOODS-500", store=store_a)
    red = Event.objects.get(type="redemption.created").payload["data"]
    assert red["redemption"]["item"] == "GOODS-500" and red["redemption"]["points"] == 500 and red["member"]["id"] == shopper.pk
    points_run_daily(on=on + dt.timedelta(days=3 * 366))
    expired = Event.objects.get(type="points.expired").payload["data"]
    assert expired["points"] == 4500 and expired["member"]["member_no"] == shopper.member_no


def test_stored_value_coupons_and_care_tasks(shopper, store_a, hq, cashier_a):
    wallet_topup(actor=cashier_a, member=shopper, store=store_a, amount=Decimal("3000.00"), reference="TOP-1")
    sv = Event.objects.filter(type="stored_value.changed").order_by("id").last().payload["data"]
    assert sv["balance"]["principal"] == "3000.00" and sv["member"]["id"] == shopper.pk
    campaign = campaigns_install_default()[0]
    coupons = coupons_give(campaign=campaign, member_id=shopper.pk, count=1, on=timezone.localdate(), source_key="hook-test")
    issued = Event.objects.get(type="coupon.issued").payload["data"]
    assert issued["coupon"]["code_last4"] == coupons[0].code[-4:] and coupons[0].code not in str(issued)
    care_task_create(actor=hq, member=shopper, kind="call", channel="phone", due_on=timezone.localdate(), script="陈美玲您好")
    task = Event.objects.get(type="care_task.created").payload["data"]
    assert task["task"]["kind"] == "call" and "陈美玲" not in str(task)


def test_a_coupon_used_at_the_till(shopper):
    earn_rule_install_default(yuan_per_point=1)
    voucher = campaigns_install_default()[1]  # A50: 50 yuan off anything
    code = coupons_give(campaign=voucher, member_id=shopper.pk, count=1, on=timezone.localdate(), source_key="hook-use")[0].code
    when = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=5)
    sale_post(actor=None, data=a_sale("R2", "2000.00", when, payments=[{"method": "coupon", "amount": "50.00", "reference": code},
                                                                      {"method": "cash", "amount": "1950.00"}]))
    used = Event.objects.get(type="coupon.used").payload["data"]
    assert used["coupon"]["used_amount"] == "50.00" and used["sale"]["receipt_no"] == "R2" and code not in str(used)
    assert used["member"]["id"] == shopper.pk
