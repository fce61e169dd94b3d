"""A cashier at the till, in a real (headless Debian) Chromium: sign in, ring up a two-line sale for a
member by hand (rows added with the vendored JS, amounts computed), see the points earned, then open
the member's 360° page and find the points and the purchase there."""

import pytest

from vipdesk.accounts.roles import Role
from vipdesk.points.models import PointsAccount
from vipdesk.points.services import catalogue_install_default, earn_rule_install_default
from vipdesk.sales.models import Sale
from vipdesk.testing.factories import StaffFactory, StoreFactory, make_member
from vipdesk.tiers.presets import DEPARTMENT_STORE
from vipdesk.tiers.config import programme_install

from .browser import MARKS, page, shot, nav_to  # noqa: F401  (page is a fixture)
from .conftest import PASSWORD

pytestmark = MARKS


def _fill_line(page, i, sku, name, brand, category, price, qty):
    for field, value in (("sku", sku), ("name", name), ("brand", brand), ("category", category), ("unit_price", price), ("quantity", qty)):
        page.fill(f"#id_lines-{i}-{field}", value)


@pytest.mark.django_db(transaction=True)
def test_cashier_rings_up_a_sale_and_finds_it_on_the_360_page(live_server, page):
    programme_install(spec=DEPARTMENT_STORE)
    earn_rule_install_default(yuan_per_point=1)
    catalogue_install_default()
    store = StoreFactory(code="SH01", name="上海南京西路店")
    hq = StaffFactory(username="hq_till", role=Role.HQ_ADMIN)
    StaffFactory(username="shouyin", display_name="赵敏", role=Role.CASHIER, stores=[store])
    member = make_member(actor=hq, store=store, name="张小明", mobile="13812348000")

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "shouyin")
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{live_server.url}/")

    nav_to(page, "nav-pos")
    page.wait_for_selector("#sale-form")
    page.fill("#id_terminal", "T1")
    page.fill("#id_receipt_no", "SH01-0001")
    page.select_option("#id_member_by", "mobile")
    page.fill("#id_member_value", "13812348000")
    page.click("#member-lookup")
    page.wait_for_selector("#member-preview.is-ok")
    assert "张*明" in page.inner_text("#member-preview") and member.member_no in page.inner_text("#member-preview")

    _fill_line(page, 0, "SCF-01", "真丝围巾", "示例", "配饰", "399.50", "2")
    assert page.input_value("#id_lines-0-amount") == "799.00"  # unit price × quantity, in fen
    page.click("#add-line")
    _fill_line(page, 1, "COAT-7", "羊绒大衣", "示例", "女装", "800.00", "1")
    assert page.inner_text("#lines-total") == "¥1,599.00"
    page.select_option("#id_payments-0-method", "wechat")
    assert page.input_value("#id_payments-0-amount") == "1599.00"
    assert page.input_value("#id_amount_paid") == "1599.00"
    shot(page, "till-sale-form.png")

    page.click("#sale-submit")
    page.wait_for_selector("#posting-result")
    assert page.inner_text("#result-earned") == "+1,599"
    assert page.inner_text("#result-balance") == "1,599"
    assert "普卡" in page.inner_text("#result-tier")
    shot(page, "till-sale-result.png")
    sale = Sale.objects.get(receipt_no="SH01-0001")
    assert sale.lines.count() == 2 and PointsAccount.objects.get(member=member).balance == 1599

    page.click(f"#posting-result a[href^='/members/{member.pk}/']")
    page.wait_for_selector("#pane-points")
    assert page.inner_text("#points-balance") == "1,599"
    assert page.inner_text("#tier-current") == "普卡"
    purchases = page.inner_text("#purchases")
    assert "SH01-0001" in purchases and "¥1,599.00" in purchases and "真丝围巾×2" in purchases
    shot(page, "member-360-loyalty.png")

    page.click("#purchases a:has-text('SH01-0001')")
    page.wait_for_selector("#sale-lines")
    assert "羊绒大衣" in page.inner_text("#sale-lines") and "微信支付" in page.inner_text("#sale-payments")
    shot(page, "sale-detail.png")

    page.goto(f"{live_server.url}/pos/redeem/?store=SH01&member_by=mobile&member_value=13812348000")
    page.wait_for_selector("#catalogue-table")
    page.once("dialog", lambda d: d.accept())  # a redemption asks for confirmation (issue 15 §13)
    page.click("button[data-item='GOODS-500']")
    page.wait_for_selector("#pos-error")
    assert "当天获得的积分" in page.inner_text("#pos-error")  # earned today: redeemable from tomorrow
    shot(page, "till-redeem.png")

    page.goto(f"{live_server.url}/pos/return/?store=SH01&original_receipt_no=SH01-0001")
    page.wait_for_selector("#return-form")
    shot(page, "till-return.png")
