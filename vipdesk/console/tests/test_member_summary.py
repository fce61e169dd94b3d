"""The summary strip at the top of the 360° page (issue 15 §4): level and the way to the next, points
usable now (today's points are not), expiring soonest, stored value, usable coupons, owner, today's
care tasks, open complaints and consent to marketing."""
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from vipdesk.care.models import CareTask
from vipdesk.core import clock
from vipdesk.coupons.campaigns import campaigns_install_default
from vipdesk.coupons.services import coupons_give
from vipdesk.feedback.services import categories_install_default, complaint_create
from vipdesk.members.services import consent_set
from vipdesk.points.services import earn_rule_install_default, points_credit_bonus
from vipdesk.testing.factories import make_member
from vipdesk.tiers.config import programme_install
from vipdesk.tiers.presets import DEPARTMENT_STORE
from vipdesk.till.services import sale_post
from vipdesk.wallet.services import wallet_topup

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def member(hq, store_a, guide_a):
    programme_install(spec=DEPARTMENT_STORE)
    earn_rule_install_default(yuan_per_point=1)
    member = make_member(actor=hq, store=store_a, name="林小红", mobile="13766667777", owner=guide_a)
    on = clock.today(store_a)
    points_credit_bonus(member=member, points=500, action="test", store=store_a, on=on - dt.timedelta(days=1))
    at = timezone.now() - dt.timedelta(minutes=5)
    sale_post(actor=None, data={"store": "SA01", "terminal": "T1", "receipt_no": "R-1", "occurred_at": at.isoformat(),
                                "member": {"mobile": member.mobile},
                                "lines": [{"sku": "COAT", "unit_price": "1280.00", "quantity": 1, "amount": "1280.00"}],
                                "payments": [{"method": "cash", "amount": "1280.00"}], "amount_paid": "1280.00"})
    wallet_topup(actor=None, member=member, store=store_a, amount=Decimal("1000.00"), reference="TU-1")
    voucher = next(c for c in campaigns_install_default() if c.code == "A50")
    coupons_give(campaign=voucher, member_id=member.pk, count=2, on=on, source_key="summary")
    consent_set(actor=hq, member=member, purpose="marketing", channel="sms", granted=True)
    category = categories_install_default()[0]
    complaint_create(actor=hq, store=store_a, category=category, description="褪色", member=member)
    CareTask.objects.create(member=member, store=store_a, owner=guide_a, kind="call", channel="phone", due_on=on,
                            due_at=timezone.now(), source_key="summary-1")
    return member


def strip(client, member) -> dict:
    html = client.get(reverse("console:member_detail", args=[member.pk]), **ZH).content.decode()
    start = html.index('id="member-summary"')
    section = html[start:html.index("</section>", start)]
    assert start < html.index('id="pane-profile"')  # the strip comes first, above the panes
    tiles = {}
    for tile_id, body in re.findall(r'<div class="sum" id="(sum-[a-z]+)">(.*?)</div>', section, re.S):
        tiles[tile_id] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()
    return tiles


def test_the_strip_shows_what_a_clerk_looks_for_first(login, guide_a, member):
    tiles = strip(login(guide_a), member)
    assert list(tiles) == ["sum-level", "sum-points", "sum-expiring", "sum-wallet", "sum-coupons", "sum-owner", "sum-care", "sum-consent"]
    assert tiles["sum-level"].startswith("等级")
    assert "升至" in tiles["sum-level"] or "最高等级" in tiles["sum-level"]
    # today's 1,280 points wait until tomorrow: only yesterday's 500 are usable now
    assert tiles["sum-points"] == "当前可用积分 500 待生效：1,280"
    assert tiles["sum-wallet"].startswith("储值 ¥1,000.00")
    assert tiles["sum-coupons"].startswith("可用券 2")
    assert guide_a.display_name in tiles["sum-owner"] or guide_a.username in tiles["sum-owner"]
    assert "1 项关怀任务到期" in tiles["sum-care"] and "1 件未结投诉" in tiles["sum-care"]
    assert tiles["sum-consent"] == "营销联系 已同意 短信"


def test_same_day_points_count_as_usable_when_the_policy_allows_it(login, guide_a, member):
    from vipdesk.points.models import PointsPolicy

    PointsPolicy.objects.update(same_day_redeemable=True)
    assert strip(login(guide_a), member)["sum-points"] == "当前可用积分 1,780 待生效：0"


def test_a_cashier_sees_no_care_figure_and_no_consent_means_not_agreed(login, cashier_a, hq, store_a):
    member = make_member(actor=hq, store=store_a)
    tiles = strip(login(cashier_a), member)
    assert tiles["sum-care"].startswith("今日关怀 · 投诉 — · 0")
    assert tiles["sum-consent"] == "营销联系 未同意 不可发送营销信息"
    assert tiles["sum-expiring"] == "最近到期积分 — 暂无到期积分"
