"""Issue 18 §3 in a real (headless Debian) Chromium, zh-CN: HQ adds a partner (a form error beside
its field first), gives 金卡 9.5折 with a monthly limit, issues the counter key; the partner's staff
paste the key on the counter page, find 尚峰's 金卡 member by mobile (masked) and record a use; paying
with points by mobile is refused beside the form, by her card it is taken; the settlement shows it. Screenshots at 1280 and 1024 px wide."""
import datetime as dt

import pytest

from vipdesk.accounts.roles import Role
from vipdesk.core import clock
from vipdesk.members.cards import card_issue
from vipdesk.partners.models import BenefitUse, Partner, PartnerRedemption
from vipdesk.points.models import PointsAccount, PointsPolicy
from vipdesk.points.services import points_credit_bonus
from vipdesk.testing.factories import StaffFactory, StoreFactory, make_member
from vipdesk.tiers.config import programme_install
from vipdesk.tiers.models import Level
from vipdesk.tiers.overrides import tier_override
from vipdesk.tiers.presets import DEPARTMENT_STORE

from .browser import MARKS, page, shot, shots_at, sign_in_as  # noqa: F401  (page is a fixture)
from .conftest import PASSWORD

pytestmark = MARKS
WIDTHS = (1280, 1024)


def sign_in(page, url, username):
    sign_in_as(page, url, username, PASSWORD)


def shots(page, name):
    shots_at(page, f"partners-{name}", WIDTHS)


@pytest.mark.django_db(transaction=True)
def test_hq_sets_up_a_partner_and_its_counter_records_a_gold_cards_discount(live_server, page):
    programme_install(spec=DEPARTMENT_STORE)
    PointsPolicy.objects.get_or_create(code="default")
    store = StoreFactory(code="SF01", name="尚峰旗舰店")
    hq = StaffFactory(username="hq_zong", display_name="王总", role=Role.HQ_ADMIN)
    member = make_member(actor=hq, store=store, name="林小红", mobile="13766667777")
    tier_override(actor=hq, member=member, level="GOLD", reason="金卡", until=clock.today() + dt.timedelta(days=60))
    points_credit_bonus(member=member, points=1000, action="test", on=clock.today() - dt.timedelta(days=2))
    card = card_issue(actor=hq, member=member)
    url = live_server.url

    sign_in(page, url, "hq_zong")
    page.goto(f"{url}/partners/")
    assert "联盟商家" in page.inner_text("h1")
    page.click("#new-partner summary")
    page.fill("#pt-code", "YX")
    page.fill("#pt-name", "悦享影城")
    page.select_option("#pt-category", "cinema")
    page.fill("#pt-start", "2026-13-01")  # not a date: refused beside the field
    page.click("#partner-create")
    assert "请按 2026-01-31 的格式填写日期" in page.inner_text(".has-error")
    today = clock.today()
    page.fill("#pt-start", (today - dt.timedelta(days=10)).isoformat())
    page.fill("#pt-end", (today + dt.timedelta(days=355)).isoformat())
    page.fill("#pt-cn", "周经理")
    page.click("#partner-create")
    partner = Partner.objects.get(code="YX")
    page.wait_for_url(f"{url}/partners/{partner.pk}/")
    page.click("#new-benefit summary")
    page.select_option("#pb-level", str(Level.objects.get(code="GOLD").pk))
    page.fill("#pb-name", "联盟商家9.5折")
    page.fill("#pb-code", "partner_discount")
    page.fill("#pb-discount", "9.5")
    page.fill("#pb-month", "4")
    page.click("#benefit-save")
    assert "9.50" in page.inner_text("#partner-benefits") and "金卡" in page.inner_text("#partner-benefits")
    page.click("#partner-key")
    key = page.inner_text("#partner-new-key").strip()
    assert key.startswith("vd_")
    shots(page, "detail")

    # the partner's staff: no console sign-in, the key only
    page.context.clear_cookies()
    page.goto(f"{url}/partner/")
    assert "联盟商家柜台" in page.inner_text("body")
    page.fill("#counter-key", key)
    page.click("#counter-key-save")
    page.fill("#lookup-value", "13766667777")
    page.click("#lookup-go")
    page.wait_for_selector("#offer-partner_discount")
    assert page.inner_text("#member-name") == "林*红" and "金卡" in page.inner_text("#member-level")
    assert "13766667777" not in page.inner_text("#member")
    assert "9.5折 · 每次到店限 1 次 · 本月剩余 4 次" in page.inner_text("#offer-partner_discount")
    page.fill("#offer-partner_discount .use-ref", "YX-0815-001")
    page.fill("#offer-partner_discount .use-amount", "320")
    page.click("#offer-partner_discount .use-go")
    page.wait_for_selector("#offer-partner_discount >> text=本月剩余 3 次")
    assert BenefitUse.objects.filter(partner=partner, member=member, reference="YX-0815-001").count() == 1
    shots(page, "counter")
    # a retry of the same receipt answers the first use
    page.fill("#offer-partner_discount .use-ref", "YX-0815-001")
    page.click("#offer-partner_discount .use-go")
    page.wait_for_selector("#offer-partner_discount >> text=本月剩余 3 次")
    assert BenefitUse.objects.filter(partner=partner).count() == 1
    # paying with points: she was found by mobile, so the API refuses and the page says why beside the form
    page.fill("#redeem-points", "300")
    page.fill("#redeem-ref", "YX-0815-002")
    page.click("#redeem-go")
    page.wait_for_selector("#redeem-error:not([hidden])")
    assert page.inner_text("#redeem-error") == "积分支付需出示会员卡或电子会员卡"
    assert not PartnerRedemption.objects.exists() and PointsAccount.objects.get(member=member).balance == 1000
    shots(page, "counter-points-refused")
    # with her card: the points are taken
    page.select_option("#lookup-kind", "card")
    page.fill("#lookup-value", card.number)
    page.click("#lookup-go")
    page.wait_for_selector("#offer-partner_discount")
    page.fill("#redeem-points", "300")
    page.fill("#redeem-ref", "YX-0815-002")
    page.click("#redeem-go")
    page.wait_for_selector("#redeem-note >> text=已扣积分： 300")
    assert page.locator("#redeem-error").is_hidden()
    assert PartnerRedemption.objects.get(partner=partner, reference="YX-0815-002").points == 300
    assert PointsAccount.objects.get(member=member).balance == 700
    shots(page, "counter-points")
    # a wrong key: the API's refusal, in Chinese
    page.evaluate("window.sessionStorage.setItem('vipdesk-partner-key', 'vd_00000000_" + "x" * 30 + "')")
    page.click("#lookup-go")
    page.wait_for_selector("#lookup-error:not([hidden])")

    sign_in(page, url, "hq_zong")
    page.goto(f"{url}/partners/settlement/")
    row = page.inner_text("#settlement-YX")
    assert "悦享影城" in row and "1" in row
    shots(page, "settlement")
    page.goto(f"{url}/partners/")
    shots(page, "list")
