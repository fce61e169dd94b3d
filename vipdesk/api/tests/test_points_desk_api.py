"""Issue 15 §3 through the API: a till reverses a redemption, a parking system records benefit
uses idempotently by its reference, a partner's spend is reported once per reference."""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from vipdesk.points.choices import BonusAction, RuleKind
from vipdesk.points.models import EarnRule, ItemStock, PointsAccount, RedemptionItem
from vipdesk.points.redemption import points_redeem
from vipdesk.points.services import catalogue_install_default, earn_rule_install_default, points_credit_bonus
from vipdesk.tiers.config import programme_install
from vipdesk.tiers.models import BenefitUsage
from vipdesk.tiers.presets import DEPARTMENT_STORE
from vipdesk.till.services import sale_post

pytestmark = pytest.mark.django_db


def balance(member) -> int:
    return PointsAccount.objects.get(member=member).balance


@pytest.fixture
def redeemed(member_a, store_a):
    catalogue_install_default()
    item = RedemptionItem.objects.create(code="GIFT-UMB", name="晴雨伞", kind="gift", points=300, value=Decimal("39.00"))
    ItemStock.objects.create(item=item, store=store_a, on_hand=5)
    points_credit_bonus(member=member_a, points=1000, action="test", store=store_a, on=timezone.localdate() - dt.timedelta(days=2))
    return points_redeem(actor=None, member=member_a, item_code="GIFT-UMB", store=store_a)


def test_a_desk_key_reverses_a_redemption(desk_a, till_a, member_a, redeemed):
    assert balance(member_a) == 700 and ItemStock.objects.get().on_hand == 4
    url = f"/api/v1/redemptions/{redeemed.pk}/cancel/"
    assert till_a.post(url, {"reason": "赠品未领取"}).status_code == 403  # a cashier's till may not
    missing = desk_a.post(url, {})
    assert missing.status_code == 400 and "reason" in missing.json()["fields"]
    assert desk_a.post(url, {"reason": "x", "extra": 1}).json()["code"] == "unknown_field"
    done = desk_a.post(url, {"reason": "赠品未领取"})
    assert done.status_code == 200, done.content
    assert done.json() == {"id": redeemed.pk, "status": "cancelled", "points_returned": 300, "balance": 1000}
    assert ItemStock.objects.get().on_hand == 5
    again = desk_a.post(url, {"reason": "赠品未领取"})
    assert again.status_code == 409 and again.json()["code"] == "already_cancelled"
    assert desk_a.post("/api/v1/redemptions/999999/cancel/", {"reason": "x"}).status_code == 404


def test_reversal_of_another_stores_member_is_not_found(desk_a, member_b, store_b):
    catalogue_install_default()
    points_credit_bonus(member=member_b, points=600, action="test", store=store_b, on=timezone.localdate() - dt.timedelta(days=2))
    red = points_redeem(actor=None, member=member_b, item_code="GOODS-500", store=store_b)
    assert desk_a.post(f"/api/v1/redemptions/{red.pk}/cancel/", {"reason": "x"}).status_code == 404


@pytest.fixture
def silver_parking(member_a):
    programme_install(spec=DEPARTMENT_STORE)
    earn_rule_install_default(yuan_per_point=1)
    sale_post(actor=None, data={"store": "SA01", "terminal": "T1", "receipt_no": "R1", "occurred_at": timezone.now().isoformat(),
                                "member": {"mobile": member_a.mobile}, "amount_paid": "1599.00",
                                "lines": [{"sku": "A", "unit_price": "1599.00", "quantity": 1, "amount": "1599.00"}],
                                "payments": [{"method": "cash", "amount": "1599.00"}]})  # 普卡: parking 1 hour a day


def test_a_parking_system_records_a_use_once_per_reference(till_a, member_a, silver_parking):
    body = {"member": {"mobile": member_a.mobile}, "code": "parking", "quantity": 1, "reference": "P-0042"}
    first = till_a.post("/api/v1/benefit-uses/", body)
    assert first.status_code == 201, first.content
    assert first.json()["remaining"] == 0 and first.json()["replayed"] is False and first.json()["code"] == "parking"
    retry = till_a.post("/api/v1/benefit-uses/", body)
    assert retry.status_code == 200 and retry.json()["replayed"] is True and retry.json()["id"] == first.json()["id"]
    assert BenefitUsage.objects.count() == 1
    over = till_a.post("/api/v1/benefit-uses/", {**body, "reference": "P-0043"})
    assert over.status_code == 409 and over.json()["code"] == "benefit_quota_exceeded"
    clash = till_a.post("/api/v1/benefit-uses/", {**body, "quantity": 2})
    assert clash.status_code == 409 and clash.json()["code"] == "reference_conflict"
    nothing = till_a.post("/api/v1/benefit-uses/", {**body, "code": "lounge", "reference": "P-0044"})
    assert nothing.status_code == 409 and nothing.json()["code"] == "benefit_not_available"
    assert till_a.post("/api/v1/benefit-uses/", {**body, "store": "SB01"}).json()["code"] == "store_out_of_scope"


def test_auditor_may_not_record_a_use(auditor_api, member_a, silver_parking):
    body = {"store": "SA01", "member": {"mobile": member_a.mobile}, "code": "parking"}
    assert auditor_api.post("/api/v1/benefit-uses/", body).status_code == 403


def test_partner_spend_once_per_reference(hq_api, desk_a, till_a, member_a):
    EarnRule.objects.create(kind=RuleKind.BONUS, action=BonusAction.PARTNER, bonus_points=100)
    body = {"member": {"mobile": member_a.mobile}, "partner": "悦享影城", "reference": "YX-1", "amount": "88.00",
            "spent_on": timezone.localdate().isoformat()}
    assert till_a.post("/api/v1/partner-spends/", body).status_code == 403
    first = hq_api.post("/api/v1/partner-spends/", body)
    assert first.status_code == 201, first.content
    assert first.json()["points"] == 100 and balance(member_a) == 100
    retry = desk_a.post("/api/v1/partner-spends/", body)
    assert retry.status_code == 200 and retry.json()["replayed"] is True and balance(member_a) == 100
    clash = hq_api.post("/api/v1/partner-spends/", {**body, "amount": "99.00"})
    assert clash.status_code == 409 and clash.json()["code"] == "reference_conflict"
    future = hq_api.post("/api/v1/partner-spends/", {**body, "reference": "YX-2",
                                                      "spent_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat()})
    assert future.status_code == 400 and "spent_on" in future.json()["fields"]
