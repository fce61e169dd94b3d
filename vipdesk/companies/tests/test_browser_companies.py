"""HQ in a real (headless Debian) Chromium: an organisation account's page (the contacts' purchases by
month and product, contacts masked, the agreement, a complaint), then 济钢's year evaluated, reviewed
by one HQ person and approved by another, with the certificate link. Screenshots at 1280 and 1024 px
(VIPDESK_SCREENSHOTS)."""
import pytest

from vipdesk.care.services import contact_log
from vipdesk.console.tests.browser import MARKS, nav_to, page, shot  # noqa: F401  (page is a fixture)
from vipdesk.console.tests.test_browser_quote import sign_in
from vipdesk.feedback.services import categories_install_default, complaint_create

from .helpers import by_name, jigang_year

pytestmark = MARKS


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 1024])
def test_account_page_and_the_evaluation_with_two_hq_people(live_server, page, width):
    year, companies, hq1, hq2 = jigang_year()
    company = by_name("山东重型机械有限公司")
    buyer = company.contacts.get().member
    category = categories_install_default()[0]
    complaint_create(actor=None, store=buyer.home_store, category=category, description="卷板边裂", member=buyer)
    contact_log(actor=hq1, member=buyer, kind="visit", channel="visit", outcome="visited", note="上门走访，征询卷板使用意见")
    page.set_viewport_size({"width": width, "height": 900})
    base = live_server.url

    sign_in(page, base, "hq_review")
    nav_to(page, "nav-companies")
    assert "山东重型机械有限公司" in page.inner_text("#companies")
    page.click(f"#company-{company.pk} a")
    assert "98,000" in page.inner_text("#company-months") and "¥4,900,000.00" in page.inner_text("#company-months")
    assert "热轧卷板Q235" in page.inner_text("#company-products")
    contacts = page.inner_text("#company-contacts")
    assert buyer.member_no in contacts and "主联系人" in contacts and buyer.mobile in contacts  # HQ sees personal data in full
    assert "JG-ZL-001" in page.inner_text("#company-agreements") and "有效" in page.inner_text("#company-agreements")
    assert category.name in page.inner_text("#company-complaints")
    assert "征询卷板使用意见" in page.inner_text("#company-log")
    shot(page, f"company-{width}.png")

    nav_to(page, "nav-evaluation")
    assert "年度合作量" in page.inner_text("#scheme-jigang-vip")
    page.goto(f"{base}/evaluation/{year.pk}/")
    page.click("#evaluation-run")
    page.locator("#ranking").get_by_text("低于门槛").first.wait_for()  # the evaluated year's page
    ranking = page.inner_text("#ranking")
    assert "年度合作量为41000吨，低于门槛50000吨" in ranking and "质量异议为2次，高于上限0次" in ranking
    page.click("#evaluation-review")
    page.wait_for_selector("#evaluation-approve")  # the reviewed year's page, after the form's round trip
    page.click("#evaluation-approve")
    page.wait_for_selector("text=另一位总部人员")  # the reviewer may not approve
    page.context.clear_cookies()

    sign_in(page, base, "hq_approve")
    page.goto(f"{base}/evaluation/{year.pk}/")
    page.click("#evaluation-approve")
    page.wait_for_selector("#evaluation-frozen")
    first = page.inner_text(f"#result-{company.pk}")
    assert "返利 ¥800,000.00" in first and "证书" in first
    assert page.locator("#evaluation-run").count() == 0
    shot(page, f"evaluation-{width}.png")
    response = page.request.get(f"{base}/evaluation/{year.pk}/certificates/{company.pk}.pdf")
    assert response.status == 200 and response.body().startswith(b"%PDF")
