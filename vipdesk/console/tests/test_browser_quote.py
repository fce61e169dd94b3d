"""A cashier at 报价收银 in a real (headless Debian) Chromium: the member's coupon and stored value on a
quote, 成交, then the member's 360° page shows the coupon used and the new balance. With
VIPDESK_SCREENSHOTS set, the till, HQ and 360° pages are kept as screenshots (1280 px) for review."""
import pytest

from vipdesk.accounts.roles import Role
from vipdesk.coupons.campaigns import campaigns_install_default
from vipdesk.coupons.models import Coupon
from vipdesk.coupons.services import coupons_issue_bulk, format_code
from vipdesk.members.models import Member
from vipdesk.points.services import earn_rule_install_default
from vipdesk.pricing.models import MemberDay, MemberPrice
from vipdesk.sales.models import Sale
from vipdesk.testing.factories import StaffFactory, StoreFactory, make_member
from vipdesk.tiers.presets import DEPARTMENT_STORE
from vipdesk.tiers.config import programme_install
from vipdesk.wallet.models import WalletAccount
from vipdesk.wallet.bonus_rules import topup_rules_install_default

from .browser import MARKS, page, shot  # noqa: F401  (page is a fixture)
from .conftest import PASSWORD

pytestmark = MARKS


def sign_in(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{base}/")


@pytest.mark.django_db(transaction=True)
def test_cashier_quotes_with_a_coupon_and_stored_value_and_the_360_page_shows_both(live_server, page):
    programme_install(spec=DEPARTMENT_STORE)
    earn_rule_install_default(yuan_per_point=1)
    topup_rules_install_default()
    campaigns = {c.code: c for c in campaigns_install_default()}
    store = StoreFactory(code="SH01", name="上海南京西路店")
    hq = StaffFactory(username="hq_quote", role=Role.HQ_ADMIN)
    StaffFactory(username="shouyin", display_name="赵敏", role=Role.CASHIER, stores=[store])
    member = make_member(actor=hq, store=store, name="张小明", mobile="13812348000")
    coupons_issue_bulk(actor=None, campaign=campaigns["A50"], members=Member.objects.filter(pk=member.pk))
    code = format_code(Coupon.objects.get().code)
    MemberPrice.objects.create(sku="COAT-7", price="900.00")
    page.set_viewport_size({"width": 1280, "height": 900})
    base = live_server.url

    sign_in(page, base, "shouyin")
    # the top-up first, at the till: 3000 reaches 充3000送1000
    page.goto(f"{base}/pos/topup/?store=SH01&member_by=mobile&member_value=13812348000")
    page.wait_for_selector("#topup-form")
    page.fill("#id_amount", "3000")
    assert "充3000送1000" in page.inner_text("#topup-preview") and "¥4,000.00" in page.inner_text("#topup-preview")
    shot(page, "till-topup.png")
    page.click("#topup-submit")
    page.wait_for_selector("#topup-result")
    assert page.inner_text("#result-wallet-balance") == "¥4,000.00"

    page.click("#tab-quote")
    page.wait_for_selector("#quote-form")
    page.select_option("#id_member_by", "mobile")
    page.fill("#id_member_value", "13812348000")
    page.click("#member-lookup")
    page.wait_for_selector("#member-preview.is-ok")
    for field, value in (("sku", "COAT-7"), ("name", "羊绒大衣"), ("brand", "示例"), ("category", "女装"), ("unit_price", "1000.00"),
                         ("quantity", "1")):
        page.fill(f"#id_lines-0-{field}", value)
    page.check("#id_coupon_mode_1")
    page.fill("#id_coupon_codes", code)
    page.check("#id_stored_value_mode_1")
    page.click("#quote-submit")
    page.wait_for_selector("#quote-result")
    lines = page.inner_text("#quote-lines")
    assert "¥900.00" in lines and "会员价" in lines
    summary = page.inner_text("#quote-sum")
    assert code in summary and "−¥50.00" in summary and "−¥850.00" in summary
    assert page.inner_text("#quote-to-pay") == "¥0.00"
    shot(page, "till-quote.png")

    page.fill("#id_receipt_no", "SH01-Q001")
    page.click("#commit-submit")
    page.wait_for_selector("#posting-result")
    assert code in page.inner_text("#result-coupons-used")
    assert page.inner_text("#result-wallet-balance") == "¥3,150.00"
    shot(page, "till-quote-posted.png")
    assert Sale.objects.get(receipt_no="SH01-Q001").amount == 900
    account = WalletAccount.objects.get(member=member)
    assert account.principal + account.bonus == 3150

    page.click(f"#posting-result a[href^='/members/{member.pk}/']")
    page.wait_for_selector("#pane-wallet")
    assert page.inner_text("#pane-wallet #wallet-balance") == "¥3,150.00"
    assert page.inner_text("#coupons-usable") == "0"
    page.click("#coupons-all-link")
    page.wait_for_selector(f"#coupons tr[data-coupon='{code}']")
    row = page.inner_text(f"#coupons tr[data-coupon='{code}']")
    assert "已使用" in row and "SH01-Q001" in row
    page.locator("#pane-coupons").scroll_into_view_if_needed()
    shot(page, "member-360-coupons-wallet.png")


@pytest.mark.django_db(transaction=True)
def test_hq_pages_render_for_review(live_server, page):
    """Not a flow: opens each HQ page once (and the refund) so their screenshots can be looked at."""
    campaigns_install_default()
    topup_rules_install_default()
    store = StoreFactory(code="SH01", name="上海南京西路店")
    StaffFactory(username="hq_pages", role=Role.HQ_ADMIN)
    MemberDay.objects.create(name="逢3会员日", month_days=[3, 13, 23], discount_zhe="9.5", points_multiplier="2")
    make_member(store=store, name="李四", mobile="13812345555")
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, "hq_pages")
    for path, selector, name in (("/loyalty/wallet/", "#topup-rules", "hq-wallet.png"),
                                 ("/loyalty/coupons/", "#campaigns", "hq-campaigns.png"),
                                 ("/loyalty/coupons/new/", "#campaign-form", "hq-campaign-new.png"),
                                 ("/loyalty/pricing/member-days/", "#active-rows", "hq-member-days.png"),
                                 ("/loyalty/pricing/policy/", "#pricing-policy-form", "hq-pricing-policy.png"),
                                 ("/coupons/issue/", "#issue-form", "hq-issue.png"),
                                 ("/pos/wallet-refund/?store=SH01&member_by=mobile&member_value=13812345555", "#wallet-member",
                                  "till-refund.png")):
        page.goto(live_server.url + path)
        page.wait_for_selector(selector)
        assert "Server Error" not in page.content()
        shot(page, name)
    page.goto(live_server.url + "/loyalty/coupons/new/")
    page.select_option("#id_kind", "discount")
    assert page.is_visible("#id_discount_zhe") and not page.is_visible("#id_face_value")
    page.fill("#id_code", "Z85")
    page.fill("#id_name", "8.5折券")
    page.click("#campaign-save")
    page.wait_for_selector("#error-discount_zhe")
    assert "折扣券须填写折数" in page.inner_text("#error-discount_zhe")
    shot(page, "hq-campaign-refused.png")


@pytest.mark.django_db(transaction=True)
def test_best_coupons_on_the_till_say_why_the_others_were_left_out(live_server, page):
    """Issue 13 §15: 15 × ¥60 B券 on one ¥899 bag — one B券 per ¥300 of goods, the A券 beside them,
    and the 13 B券 left out listed with the reason."""
    campaigns = {c.code: c for c in campaigns_install_default()}
    store = StoreFactory(code="SH01", name="上海南京西路店")
    StaffFactory(username="shouyin2", display_name="赵敏", role=Role.CASHIER, stores=[store])
    member = make_member(store=store, name="张小明", mobile="13812348001")
    mine = Member.objects.filter(pk=member.pk)
    coupons_issue_bulk(actor=None, campaign=campaigns["B60"], members=mine, count=15)
    coupons_issue_bulk(actor=None, campaign=campaigns["A50"], members=mine)
    page.set_viewport_size({"width": 1280, "height": 900})
    base = live_server.url
    sign_in(page, base, "shouyin2")
    page.goto(f"{base}/pos/quote/?store=SH01")
    page.wait_for_selector("#quote-form")
    page.select_option("#id_member_by", "mobile")
    page.fill("#id_member_value", "13812348001")
    for field, value in (("sku", "BAG-88"), ("name", "手提包"), ("brand", "雅致"), ("category", "箱包"), ("unit_price", "899.00"),
                         ("quantity", "1")):
        page.fill(f"#id_lines-0-{field}", value)
    page.check("#id_coupon_mode_2")
    page.click("#quote-submit")
    page.wait_for_selector("#quote-result")
    assert page.inner_text("#quote-to-pay") == "¥729.00"  # 899 − 2 × 60 − 50
    left = page.inner_text("#quote-left-out")
    assert "未使用的券及原因" in left and "13 张" in left and "每满 ¥300.00可用一张" in left and "最多 2 张" in left
    shot(page, "till-quote-best.png")
