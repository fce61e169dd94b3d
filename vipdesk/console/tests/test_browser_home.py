"""Issue 15 §4–§7 in a real (headless Debian) Chromium, zh-CN, at 1280×900 and 1024×768: the store's
home for a cashier and a store manager, HQ's home with the stores side by side, the member's summary
strip within the first screen, the grouped menu on one line (a group opened), the 404 and 403 pages.
With VIPDESK_SCREENSHOTS set, every page is kept as a screenshot for review."""
import datetime as dt

import pytest
from django.utils import timezone

from vipdesk.accounts.roles import Role
from vipdesk.care.models import CareTask
from vipdesk.core import clock
from vipdesk.coupons.campaigns import campaigns_install_default
from vipdesk.coupons.services import coupons_give
from vipdesk.feedback.services import categories_install_default, complaint_create
from vipdesk.members.cards import card_apply
from vipdesk.members.services import consent_set
from vipdesk.points.services import earn_rule_install_default, points_credit_bonus
from vipdesk.testing.factories import StaffFactory, StoreFactory, make_member
from vipdesk.tiers.config import programme_install
from vipdesk.tiers.presets import DEPARTMENT_STORE
from vipdesk.till.services import sale_post
from vipdesk.wallet.services import wallet_topup

from .browser import MARKS, nav_to, page, shot  # noqa: F401  (page is a fixture)
from .test_browser_quote import sign_in

pytestmark = MARKS
SIZES = ((1280, 900), (1024, 768))
STRIP = ("#sum-level", "#sum-points", "#sum-expiring", "#sum-wallet", "#sum-coupons", "#sum-owner", "#sum-care", "#sum-consent")


def sell(store, receipt, amount, member=None):
    at = (timezone.now() - dt.timedelta(minutes=10)).isoformat()
    data = {"store": store.code, "terminal": "T1", "receipt_no": receipt, "occurred_at": at,
            "lines": [{"sku": "SKU-1", "name": "羊绒大衣", "unit_price": amount, "quantity": 1, "amount": amount}],
            "payments": [{"method": "cash", "amount": amount}], "amount_paid": amount}
    if member is not None:
        data["member"] = {"mobile": member.mobile}
    sale_post(actor=None, data=data)


def chain():
    programme_install(spec=DEPARTMENT_STORE)
    earn_rule_install_default(yuan_per_point=1)
    s1 = StoreFactory(code="S001", name="王府井店")
    s2 = StoreFactory(code="S002", name="西单店")
    hq = StaffFactory(username="hq", role=Role.HQ_ADMIN, display_name="总部管理员")
    StaffFactory(username="s001_cashier1", role=Role.CASHIER, stores=[s1], display_name="收银员一")
    StaffFactory(username="s001_manager", role=Role.STORE_MANAGER, stores=[s1], display_name="王店长")
    guide = StaffFactory(username="s001_guide1", role=Role.GUIDE, stores=[s1], display_name="李导购")
    on = clock.today(s1)
    member = make_member(actor=hq, store=s1, name="林小红", mobile="13766667777", owner=guide,
                         birthday=(on + dt.timedelta(days=2)).replace(year=1990))
    make_member(actor=hq, store=s2, name="周杰", birthday=on.replace(year=1988))
    points_credit_bonus(member=member, points=2600, action="test", store=s1, on=on - dt.timedelta(days=40))
    sell(s1, "S001-1", "1280.00", member)
    sell(s1, "S001-2", "420.00")
    sell(s2, "S002-1", "860.00")
    wallet_topup(actor=None, member=member, store=s1, amount="2000.00", reference="TU-1")
    voucher = next(c for c in campaigns_install_default() if c.code == "A50")
    coupons_give(campaign=voucher, member_id=member.pk, count=2, on=on, source_key="home")
    consent_set(actor=hq, member=member, purpose="marketing", channel="sms", granted=True)
    category = categories_install_default()[0]
    complaint_create(actor=hq, store=s1, category=category, description="大衣掉色", member=member)
    for n, days in enumerate((0, 0, 3)):
        CareTask.objects.create(member=member, store=s1, owner=guide, kind="call", channel="phone",
                                due_on=on - dt.timedelta(days=days), due_at=timezone.now(), source_key=f"browser-home-{n}")
    card_apply(actor=hq, member=member)
    return member


def in_viewport(page, selector) -> bool:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"] and box["x"] + box["width"] <= size["width"]


@pytest.mark.django_db(transaction=True)
def test_store_and_hq_homes_the_member_strip_the_menu_and_the_error_pages(live_server, page):
    member = chain()
    base = live_server.url

    for username in ("s001_cashier1", "s001_manager"):
        page.context.clear_cookies()
        sign_in(page, base, username)
        assert "今日 王府井店" in page.inner_text("#today-title")
        assert page.inner_text("#fig-member-sales .figure-value") == "¥1,280.00"
        assert page.inner_text("#fig-member-share .figure-value") == "75.3%"
        if username == "s001_manager":
            assert "另有 1 项逾期" in page.inner_text("#fig-care")
        else:
            assert page.locator("#fig-care").count() == 0  # a cashier works no care tasks
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            assert in_viewport(page, "#fig-pending-cards")
            shot(page, f"home-{username}-{width}.png")

    page.context.clear_cookies()
    sign_in(page, base, "hq")
    assert page.locator("#stores-today tbody tr").count() == 2
    assert "¥2,560.00" in page.inner_text("#stores-total")
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        # the six groups stay on one line, inside the top bar
        tops = {round(page.locator(f"#nav-group-{g} summary").bounding_box()["y"]) for g in
                ("members", "till", "marketing", "care", "reports", "settings")}
        assert len(tops) == 1
        assert page.locator(".topbar").bounding_box()["height"] < 60
        settings = page.locator("#nav-group-settings summary").bounding_box()
        assert settings["x"] + settings["width"] < page.locator(".topbar-tools").bounding_box()["x"]  # no overlap
        shot(page, f"home-hq-{width}.png")

    # the menu: a group opens with the keyboard, Escape closes it; the current page is marked
    page.set_viewport_size({"width": 1024, "height": 768})
    page.focus("#nav-group-care summary")
    page.keyboard.press("Enter")
    assert page.locator("#nav-care-rules").is_visible()
    shot(page, "nav-care-open-1024.png")
    page.keyboard.press("Escape")
    page.wait_for_selector("#nav-care-rules", state="hidden")
    nav_to(page, "nav-care-rules")
    page.wait_for_url("**/care/rules/")
    assert page.get_attribute("#nav-care-rules", "aria-current") == "page"
    assert page.get_attribute("#nav-group-care summary", "aria-current") == "true"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("#nav-group-reports summary")
    shot(page, "nav-reports-open-1280.png")
    page.click("#nav-group-settings summary")  # one group open at a time
    page.wait_for_selector("#nav-reports", state="hidden")  # the toggle event closes the other group
    assert page.locator("#nav-loyalty").is_visible()

    # the member's first screen: the strip within the viewport, no scrolling
    for username in ("s001_cashier1", "s001_guide1"):
        page.context.clear_cookies()
        sign_in(page, base, username)
        page.goto(f"{base}/members/{member.pk}/")
        assert page.inner_text("#sum-points .sum-value") == "2,600"  # today's 1,280 points wait until tomorrow
        assert "1,280" in page.inner_text("#sum-points .sum-note")
        assert page.inner_text("#sum-wallet .sum-value") == "¥2,000.00"
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            page.evaluate("window.scrollTo(0, 0)")
            for selector in STRIP:
                assert in_viewport(page, selector), (username, width, selector)
            shot(page, f"member-360-{username}-{width}.png", full_page=False)

    # error pages, in Chinese with a way home
    page.goto(f"{base}/no-such-page/")
    assert "找不到此页面" in page.inner_text("#error-page")
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        shot(page, f"error-404-{width}.png")
    page.goto(f"{base}/loyalty/programme/")
    assert "您的角色无权使用此页面" in page.inner_text("#error-page")
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        shot(page, f"error-403-{width}.png")
    page.click("#error-home")
    page.wait_for_url(f"{base}/")
