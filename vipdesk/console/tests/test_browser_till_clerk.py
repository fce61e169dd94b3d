"""Issue 15 §12–13, a cashier at a counter tablet: the terminal remembers how members are
identified, a tap on an amount selects it (a typed 1280 replaces the pre-filled amount), a form that
comes back with an error shows what was posted, a redemption asks first, numbers get the keypad."""
import datetime as dt

import pytest
from django.utils import timezone

from vipdesk.accounts.roles import Role
from vipdesk.points.models import Redemption
from vipdesk.points.services import catalogue_install_default, earn_rule_install_default
from vipdesk.till.services import sale_post
from vipdesk.testing.factories import StaffFactory, StoreFactory, make_member
from vipdesk.tiers.config import programme_install
from vipdesk.tiers.presets import DEPARTMENT_STORE

from .browser import MARKS, page, shot  # noqa: F401  (page is a fixture)
from .conftest import PASSWORD

pytestmark = MARKS


def _cashier(live_server, page, *, width=1280):
    store = StoreFactory(code="SA01", name="A店")
    hq = StaffFactory(username="hq_till", role=Role.HQ_ADMIN)
    StaffFactory(username="shouyin", display_name="杨军", role=Role.CASHIER, stores=[store])
    member = make_member(actor=hq, store=store, name="张小明", mobile="13812348000")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "shouyin")
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{live_server.url}/")
    return store, hq, member


@pytest.mark.django_db(transaction=True)
def test_the_terminal_remembers_how_members_are_identified(live_server, page):
    _cashier(live_server, page)
    page.goto(f"{live_server.url}/pos/sale/")
    assert page.input_value("#id_member_by") == "card"  # a new terminal: the server's default
    page.select_option("#id_member_by", "mobile")
    page.goto(f"{live_server.url}/pos/sale/")
    assert page.input_value("#id_member_by") == "mobile"
    page.goto(f"{live_server.url}/pos/redeem/")
    assert page.input_value("#id_member_by") == "mobile"  # the same terminal, another till screen


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 1024])
def test_a_typed_amount_replaces_the_prefilled_one_and_a_refused_form_shows_what_was_posted(live_server, page, width):
    _cashier(live_server, page, width=width)
    page.goto(f"{live_server.url}/pos/sale/")
    page.fill("#id_receipt_no", "R-1280")
    page.fill("#id_lines-0-sku", "SCF-01")
    page.fill("#id_lines-0-unit_price", "1280")
    page.fill("#id_lines-0-quantity", "1")
    page.locator("#id_lines-0-quantity").dispatch_event("input")
    assert page.input_value("#id_amount_paid") == "1280.00"  # pre-filled from the lines
    assert page.get_attribute("#id_amount_paid", "inputmode") == "decimal"
    page.click("#id_amount_paid")
    page.keyboard.type("1280")
    assert page.input_value("#id_amount_paid") == "1280"  # replaced, not 1280.001280
    page.click("h1")  # elsewhere, then back: the field is selected again
    page.click("#id_amount_paid")
    page.keyboard.type("12801280")  # the cashier's slip: refused, and the form shows what was posted
    shot(page, f"till-sale-{width}.png")
    page.click("#sale-submit")
    page.wait_for_selector("#pos-error")
    assert page.input_value("#id_amount_paid") == "12801280"
    posted = page.locator("#posted-amount_paid")
    assert posted.count() == 1 and "12801280" in posted.inner_text() and "您输入的是" in posted.inner_text()
    shot(page, f"till-sale-error-{width}.png")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 1024])
def test_a_redemption_asks_for_confirmation_first(live_server, page, width):
    store, hq, member = _cashier(live_server, page, width=width)
    programme_install(spec=DEPARTMENT_STORE)
    earn_rule_install_default(yuan_per_point=1)
    catalogue_install_default()
    yesterday = (timezone.now() - dt.timedelta(days=1)).isoformat()  # 5,000 points earned yesterday
    sale_post(actor=hq, data={"store": "SA01", "receipt_no": "OLD", "occurred_at": yesterday, "member": {"mobile": "13812348000"},
                              "lines": [{"sku": "BAG", "unit_price": "5000.00", "quantity": 1, "amount": "5000.00"}],
                              "payments": [{"method": "cash", "amount": "5000.00"}], "amount_paid": "5000.00"})
    page.goto(f"{live_server.url}/pos/redeem/?store=SA01&member_by=mobile&member_value=13812348000")
    page.wait_for_selector("#catalogue-table")
    assert page.get_attribute("#item-GOODS-500 input[name=quantity]", "inputmode") == "numeric"
    assert page.evaluate("Array.from(document.querySelectorAll('input[type=number]')).every(i => i.inputMode)")
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.click("#item-GOODS-500 button[type=submit]")
    assert asked and "确认兑换" in asked[0] and "500" in asked[0]
    assert Redemption.objects.count() == 0  # dismissed: nothing was redeemed
    shot(page, f"till-redeem-{width}.png")
    page.once("dialog", lambda d: d.accept())
    page.click("#item-GOODS-500 button[type=submit]")
    page.wait_for_selector(".msg-success, .messages")
    assert Redemption.objects.count() == 1
