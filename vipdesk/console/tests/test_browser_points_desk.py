"""Issue 15 §3 in a real (headless Debian) Chromium, zh-CN: a store manager asks for a points
adjustment on the member's page, HQ approves it in the queue and the points arrive; the manager
reverses a redemption on its confirmation page. Screenshots at 1280 and 1024 px wide."""
import datetime as dt

import pytest
from django.utils import timezone

from vipdesk.accounts.roles import Role
from vipdesk.points.models import PointsAccount
from vipdesk.points.redemption import points_redeem
from vipdesk.points.services import catalogue_install_default, earn_rule_install_default, points_credit_bonus
from vipdesk.testing.factories import StaffFactory, StoreFactory, make_member
from vipdesk.tiers.config import programme_install
from vipdesk.tiers.presets import DEPARTMENT_STORE

from .browser import MARKS, page, shot  # noqa: F401  (page is a fixture)
from .conftest import PASSWORD

pytestmark = MARKS
WIDTHS = (1280, 1024)


def sign_in(page, url, username):
    page.context.clear_cookies()
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{url}/")


def balance(member) -> int:
    return PointsAccount.objects.get(member=member).balance


@pytest.mark.django_db(transaction=True)
def test_adjustment_asked_by_a_manager_and_approved_by_hq(live_server, page):
    programme_install(spec=DEPARTMENT_STORE)
    earn_rule_install_default(yuan_per_point=1)
    store = StoreFactory(code="SH01", name="上海南京西路店")
    hq = StaffFactory(username="hq_zong", display_name="王总", role=Role.HQ_ADMIN)
    StaffFactory(username="dianzhang", display_name="李店长", role=Role.STORE_MANAGER, stores=[store])
    member = make_member(actor=hq, store=store, name="张小明", mobile="13812348000")
    points_credit_bonus(member=member, points=2000, action="test", store=store, on=timezone.localdate() - dt.timedelta(days=5))

    sign_in(page, live_server.url, "dianzhang")
    page.goto(f"{live_server.url}/members/{member.pk}/#pane-points-desk")
    page.click("#adjust-open")
    page.fill("#id_points", "0")
    page.click("#adjust-submit")
    assert "请填写非零的整数积分" in page.inner_text("#error-points")  # beside the field, on the form's own page
    page.fill("#id_points", "1,500")
    page.fill("#id_reason", "小票 SH01-0815 漏积分")
    page.click("#adjust-form-submit")
    assert "已提交审批" in page.inner_text("body")
    assert balance(member) == 2000
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.locator("#pane-points-desk").scroll_into_view_if_needed()
        shot(page, f"points-desk-member-{width}.png")

    # the manager may not approve his own request
    page.goto(f"{live_server.url}/points/adjustments/")
    assert "您提出的申请，须由他人审批" in page.inner_text("#adjustments-waiting")

    sign_in(page, live_server.url, "hq_zong")
    page.goto(f"{live_server.url}/points/adjustments/")
    row = page.locator("#adjustments-waiting tbody tr").first
    assert "+1,500" in row.inner_text() and "李店长" in row.inner_text() and "2,000" in row.inner_text()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        shot(page, f"points-adjustments-queue-{width}.png")
    row.locator("button[value=approve]").click()
    page.wait_for_selector("#adjustments-none")
    assert "已批准" in page.inner_text("body") and balance(member) == 3500
    shot(page, "points-adjustments-approved-1024.png")


@pytest.mark.django_db(transaction=True)
def test_manager_reverses_a_redemption(live_server, page):
    catalogue_install_default()
    store = StoreFactory(code="SH01", name="上海南京西路店")
    hq = StaffFactory(username="hq_zong", role=Role.HQ_ADMIN)
    StaffFactory(username="dianzhang", display_name="李店长", role=Role.STORE_MANAGER, stores=[store])
    member = make_member(actor=hq, store=store, name="张小明", mobile="13812348000")
    points_credit_bonus(member=member, points=800, action="test", store=store, on=timezone.localdate() - dt.timedelta(days=5))
    red = points_redeem(actor=None, member=member, item_code="GOODS-500", store=store)

    sign_in(page, live_server.url, "dianzhang")
    page.goto(f"{live_server.url}/members/{member.pk}/")
    page.click(f"#reverse-{red.pk}")
    page.wait_for_selector("#cancel-form")
    page.click("#cancel-submit")
    assert "请填写冲正原因" in page.inner_text("#error-reason") and "请勾选以确认冲正" in page.inner_text("#error-confirm")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        shot(page, f"redemption-cancel-{width}.png")
    page.fill("#id_reason", "赠品未领取")
    page.check("#id_confirm")
    page.click("#cancel-submit")
    page.wait_for_url(f"{live_server.url}/members/{member.pk}/#pane-points")
    assert "兑换已冲正：500 积分已退还会员" in page.inner_text("body") and balance(member) == 800
    assert "已冲正" in page.inner_text(f"#redemption-{red.pk}")
