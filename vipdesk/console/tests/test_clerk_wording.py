"""Issue 15, wording and numbers: what a clerk reads on the console (consents, counts, formats)."""
import pytest
from django.urls import reverse

from vipdesk.members.models import Consent

pytestmark = pytest.mark.django_db


def _cell(page: str, purpose: str, channel: str) -> str:
    return page[page.index(f'id="consent-{purpose}-{channel}"'):][:700]


def test_a_consent_never_given_reads_not_agreed_and_a_withdrawn_one_withdrawn(login, guide_a, member_a):
    client = login(guide_a)
    url = reverse("console:consent_set", args=[member_a.pk])
    client.post(url, {"purpose": "marketing", "channel": "sms", "granted": "0"})  # asked, said no
    client.post(url, {"purpose": "marketing", "channel": "email", "granted": "1"})
    client.post(url, {"purpose": "marketing", "channel": "email", "granted": "0"})  # said yes, then no
    assert Consent.objects.filter(member=member_a).count() == 3
    page = client.get(reverse("console:member_detail", args=[member_a.pk])).content.decode()
    refused = _cell(page, "marketing", "sms")
    assert "未同意" in refused and "已撤回" not in refused and "badge-bad" not in refused
    withdrawn = _cell(page, "marketing", "email")
    assert "已撤回" in withdrawn and "badge-bad" in withdrawn


# ---- §12 points earned today, the refusal said once, what the member counts count -----------------

def _till_sale_then_redeem(login, cashier_a):
    from vipdesk.points.services import catalogue_install_default
    from .test_pos import SALE_URL, redeem, sale_form

    catalogue_install_default()
    client = login(cashier_a)
    assert client.post(SALE_URL, sale_form("R1")).status_code == 302  # 1,599 points earned today
    return client, redeem(client, "GOODS-500").content.decode()


def test_points_earned_today_are_not_shown_as_usable_and_the_refusal_is_said_once(login, cashier_a, member_a, programme_installed):
    _client, page = _till_sale_then_redeem(login, cashier_a)
    assert page.count("当天获得的积分") == 1, "the same-day refusal must be printed once"
    assert 'data-code="same_day_points"' in page
    stats = page[page.index('id="redeem-member"'):page.index('id="catalogue"')]
    assert "当前可用" not in stats
    usable = stats[stats.index("今日可兑换"):][:200]
    assert '<span class="stat-num" id="redeem-available">0</span>' in usable
    pending = stats[stats.index('id="redeem-earned-today"') - 40:][:300]
    assert "mini-warn" in pending and "今日获得·明日起可用" in pending and "1,599" in pending


def test_the_member_page_says_points_of_today_are_usable_tomorrow(login, cashier_a, hq, member_a, programme_installed):
    from .test_pos import SALE_URL, sale_form

    assert login(cashier_a).post(SALE_URL, sale_form("R1")).status_code == 302
    page = login(hq).get(reverse("console:member_detail", args=[member_a.pk])).content.decode()
    pane = page[page.index('id="pane-points"'):][:2000]
    assert "当前可用" not in pane and '<span class="stat-num" id="points-available">0</span>' in pane
    assert "今日获得·明日起可用" in pane and "1,599" in pane


def test_the_member_list_says_what_it_counts(login, hq, member_a, member_b):
    from vipdesk.members.services import member_withdraw

    member_withdraw(actor=hq, member=member_b, reason="顾客要求")
    page = login(hq).get(reverse("console:member_list")).content.decode()
    count = page[page.index('id="member-count"'):][:200]
    assert "共 2 名会员档案（含已退会 1 名）" in count and "首页只统计在册会员" in count
    found = login(hq).get(reverse("console:member_list"), {"q": "8000"}).content.decode()
    assert "找到 1 名会员" in found


def test_the_site_serves_its_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file, from the package


def test_the_outbox_names_the_care_rule_not_its_key(login, hq, member_a):
    from vipdesk.messaging.services import enqueue_text

    enqueue_text(member_a, "sms", body="您好", source="care:test:1", label="care:after_purchase")
    page = login(hq).get(reverse("console:outbox")).content.decode()
    assert "care:after_purchase" not in page and "客户关怀 · 购后回访（1311）" in page
