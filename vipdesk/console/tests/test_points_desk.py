"""Issue 15 §3 on the console: adjustments asked on the member page and decided by another person
in the queue, reversing a redemption with a reason, recording a benefit use within its quota, a
partner's reported spend."""
import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from vipdesk.accounts.roles import Role
from vipdesk.points.choices import AdjustmentStatus, BonusAction, RedemptionStatus, RuleKind
from vipdesk.points.models import EarnRule, PointsAccount, PointsAdjustment, Redemption
from vipdesk.points.redemption import points_redeem
from vipdesk.points.services import catalogue_install_default, earn_rule_install_default, points_credit_bonus
from vipdesk.testing.factories import StaffFactory
from vipdesk.tiers.config import programme_install
from vipdesk.tiers.models import BenefitUsage
from vipdesk.tiers.presets import DEPARTMENT_STORE
from vipdesk.till.services import sale_post

pytestmark = pytest.mark.django_db


def balance(member) -> int:
    account = PointsAccount.objects.filter(member=member).first()
    return account.balance if account else 0


def page(client, member) -> str:
    response = client.get(reverse("console:member_detail", args=[member.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_adjustment_asked_on_the_member_page_and_approved_by_another(login, client, manager_a, hq, member_a, store_a):
    assert 'id="adjust-open"' in page(login(manager_a), member_a)
    url = reverse("console:points-adjust", args=[member_a.pk])
    refused = client.post(url, {"points": "abc", "reason": ""})
    assert refused.status_code == 200
    html = refused.content.decode()
    assert 'id="error-points"' in html and "请填写非零的整数积分" in html
    done = client.post(url, {"points": "1,500", "reason": "小票 0815 漏积分"})
    assert done.status_code == 302 and balance(member_a) == 0  # nothing moves before approval
    adj = PointsAdjustment.objects.get()
    assert adj.points == 1500 and adj.requested_by == manager_a and adj.store == store_a
    # the requester sees it in the queue but cannot decide it
    queue = client.get(reverse("console:points-adjustments")).content.decode()
    assert f'id="adjustment-{adj.pk}"' in queue and "您提出的申请，须由他人审批" in queue and f'id="approve-{adj.pk}"' not in queue
    client.post(reverse("console:points-adjustment-decide", args=[adj.pk]), {"decision": "approve"})
    adj.refresh_from_db()
    assert adj.status == AdjustmentStatus.REQUESTED and balance(member_a) == 0
    # HQ approves: the points arrive
    client.force_login(hq)
    assert f'id="approve-{adj.pk}"' in client.get(reverse("console:points-adjustments")).content.decode()
    response = client.post(reverse("console:points-adjustment-decide", args=[adj.pk]), {"decision": "approve"}, follow=True)
    assert "已批准" in response.content.decode()
    adj.refresh_from_db()
    assert adj.status == AdjustmentStatus.APPROVED and adj.decided_by == hq and balance(member_a) == 1500


def test_queue_scoped_to_the_managers_stores(login, client, hq, manager_a, member_b, store_b):
    from vipdesk.points.services import points_adjust

    adj = points_adjust(actor=hq, member=member_b, points=100, reason="补录", store=store_b)
    queue = login(manager_a).get(reverse("console:points-adjustments")).content.decode()
    assert f'id="adjustment-{adj.pk}"' not in queue
    assert client.post(reverse("console:points-adjustment-decide", args=[adj.pk]), {"decision": "approve"}).status_code == 404
    client.force_login(StaffFactory(username="guide_x", role=Role.GUIDE, stores=[store_b]))
    assert client.get(reverse("console:points-adjustments")).status_code == 403


@pytest.fixture
def redeemed(member_a, store_a):
    catalogue_install_default()
    points_credit_bonus(member=member_a, points=800, action="test", store=store_a, on=timezone.localdate() - dt.timedelta(days=3))
    return points_redeem(actor=None, member=member_a, item_code="GOODS-500", store=store_a)


def test_reverse_a_redemption_with_a_reason_and_a_confirmation(login, client, manager_a, member_a, redeemed):
    assert balance(member_a) == 300
    html = page(login(manager_a), member_a)
    assert f'id="reverse-{redeemed.pk}"' in html
    url = reverse("console:redemption-cancel", args=[member_a.pk, redeemed.pk])
    assert "500 积分兑换 300 元商品" in client.get(url).content.decode()
    refused = client.post(url, {"reason": "", "confirm": ""}).content.decode()
    assert 'id="error-reason"' in refused and "请填写冲正原因" in refused and 'id="error-confirm"' in refused
    assert balance(member_a) == 300
    done = client.post(url, {"reason": "赠品未领取", "confirm": "on"})
    assert done.status_code == 302 and balance(member_a) == 800
    redeemed.refresh_from_db()
    assert redeemed.status == RedemptionStatus.CANCELLED
    again = client.post(url, {"reason": "再来一次", "confirm": "on"}).content.decode()
    assert "此兑换已冲正" in again and balance(member_a) == 800


def test_a_guide_may_not_reverse(login, guide_a, member_a, redeemed):
    client = login(guide_a)
    assert f'id="reverse-{redeemed.pk}"' not in page(client, member_a)
    assert client.get(reverse("console:redemption-cancel", args=[member_a.pk, redeemed.pk])).status_code == 403


def test_benefit_use_recorded_within_the_quota(login, client, guide_a, member_a, store_a):
    programme_install(spec=DEPARTMENT_STORE)
    earn_rule_install_default(yuan_per_point=1)
    sale_post(actor=None, data={"store": "SA01", "terminal": "T1", "receipt_no": "R1", "occurred_at": timezone.now().isoformat(),
                                "member": {"mobile": "13812348000"}, "amount_paid": "1599.00",
                                "lines": [{"sku": "A", "unit_price": "1599.00", "quantity": 1, "amount": "1599.00"}],
                                "payments": [{"method": "cash", "amount": "1599.00"}]})  # → 普卡: parking 1 hour a day
    html = page(login(guide_a), member_a)
    assert 'id="benefit-open"' in html
    url = reverse("console:benefit-use", args=[member_a.pk])
    refused = client.post(url, {"code": "parking", "quantity": "2"}).content.decode()
    assert 'id="error-quantity"' in refused and "本期额度仅剩 1" in refused
    assert client.post(url, {"code": "parking", "quantity": "1"}).status_code == 302
    assert BenefitUsage.objects.get().store == store_a
    refused = client.post(url, {"code": "parking", "quantity": "1"}).content.decode()
    assert "本期该权益额度已用完" in refused and BenefitUsage.objects.count() == 1
    tier = page(client, member_a).split('id="tier-benefits"')[1].split("</table>")[0]
    assert '<strong class="bad-text">0</strong>' in tier


def test_partner_spend_form(login, client, manager_a, member_a):
    EarnRule.objects.create(kind=RuleKind.BONUS, action=BonusAction.PARTNER, yuan_per_point=Decimal("1"), name="联盟商家")
    login(manager_a)
    url = reverse("console:partner-spend", args=[member_a.pk])
    refused = client.post(url, {"partner": "悦享影城", "reference": "", "amount": "0", "spent_on": ""}).content.decode()
    assert 'id="error-reference"' in refused and 'id="error-spent_on"' in refused
    today = timezone.localdate().isoformat()
    response = client.post(url, {"partner": "悦享影城", "reference": "YX-9", "amount": "1,280.00", "spent_on": today}, follow=True)
    assert "1,280 积分" in response.content.decode() and balance(member_a) == 1280
    again = client.post(url, {"partner": "悦享影城", "reference": "YX-9", "amount": "1280", "spent_on": today}, follow=True)
    assert "已登记过" in again.content.decode() and balance(member_a) == 1280


def test_partner_rule_with_a_rate_set_in_the_earn_rules_screen(login, client, hq):
    login(hq)
    response = client.post(reverse("console:loyalty_earn_rules"), {"kind": "bonus", "name": "联盟商家", "action": "partner",
                                                                   "yuan_per_point": "2", "bonus_points": ""})
    assert response.status_code == 302, response.content.decode()[-2000:]
    rule = EarnRule.objects.get(kind=RuleKind.BONUS)
    assert rule.action == BonusAction.PARTNER and rule.yuan_per_point == Decimal("2.00") and rule.bonus_points == 0
    assert "联盟商家消费 每 ¥2.00 积 1 分" in " ".join(client.get(reverse("console:loyalty_earn_rules")).content.decode().split())
    # registration still needs its fixed bonus
    refused = client.post(reverse("console:loyalty_earn_rules"), {"kind": "bonus", "action": "registration", "bonus_points": ""})
    assert refused.status_code == 200 and 'id="error-bonus_points"' in refused.content.decode()
