"""The e-card page on its own, in headless Chromium at phone size (issue 16, E-card): the page's
script fetches the next code by itself (no reload) and the code it shows works at the till; with
the service worker installed, the card opened offline still shows the card face and the last
balances, the stale code hidden behind the note that it needs a connection."""
from __future__ import annotations

import datetime as dt
import json
import os

import pytest
from django.core.cache import cache

from vipdesk.console.tests.browser import ARGS, CHROMIUM, MARKS
from vipdesk.members.identification import identify_member
from vipdesk.members.models import Member
from vipdesk.members.services import consent_state
from vipdesk.portal.auth import COOKIE, member_session_token

from .data import loyalty_setup, rich_member
from .test_browser import SHOTS

pytestmark = [*MARKS, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(monkeypatch):
    """A phone with service workers allowed (the other portal browser tests block them)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True, service_workers="allow")
        yield context
        context.close()
        browser.close()


def _signed_in(context, live_server, member):
    host = live_server.url.split("://", 1)[1].split(":")[0]
    context.add_cookies([{"name": COOKIE, "value": member_session_token(member), "domain": host, "path": "/"}])
    return context.new_page()


def _snap(page, name):
    if os.environ.get("VIPDESK_SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"portal-phone-{name}.png"), full_page=True)


def test_the_card_page_fetches_the_next_code_by_itself(live_server, phone, store_a, clock):
    loyalty_setup()
    member = rich_member(store_a)
    page = _signed_in(phone, live_server, member)
    page.goto(f"{live_server.url}/m/card/")
    first = page.get_attribute("#ecard-code", "data-code")
    clock.shift(dt.timedelta(seconds=60))
    # What the page does every 60 s and whenever it comes back to the front: fetch the next code.
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    page.wait_for_function("(old) => document.querySelector('#ecard-code').dataset.code !== old", arg=first, timeout=10000)
    box = page.locator("#ecard-code")
    assert "offline" not in (box.get_attribute("class") or "")
    fresh = box.get_attribute("data-code")
    digits = page.inner_text("#ecard-code .digits").replace(" ", "")
    assert digits == fresh and page.locator("#ecard-code .qr svg").count() == 1
    assert page.locator("#ecard-code .barcode svg").count() == 1
    assert page.locator("#ecard-code").count() == 1  # replaced in place, not nested
    assert identify_member({"ecard": fresh})[0].pk == member.pk  # what the till does with it


def test_offline_the_card_shows_its_face_and_last_balances_and_says_the_code_needs_a_connection(live_server, phone, store_a):
    loyalty_setup()
    member = rich_member(store_a)
    page = _signed_in(phone, live_server, member)
    page.goto(f"{live_server.url}/m/card/")
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.ready.then(() => true)", timeout=10000)
    page.reload()  # now under the service worker's control, which keeps a copy of the page
    page.wait_for_function("!!navigator.serviceWorker.controller", timeout=10000)
    page.goto(f"{live_server.url}/m/card/")  # a visit it saw through: kept
    phone.set_offline(True)
    page.goto(f"{live_server.url}/m/card/")
    text = page.inner_text("main")
    assert member.member_no in text and "¥4,000.00" in text  # the card face and the last stored value (¥3,000 + the bonus)
    assert "offline" in (page.get_attribute("#ecard-code", "class") or "")
    assert page.locator("#ecard-code .offline-note").is_visible()
    assert "需联网" in page.inner_text("#ecard-code .offline-note")
    _snap(page, "13-card-offline")
    page.goto(f"{live_server.url}/m/points/")  # a page not seen before: the kept card instead of an error
    assert page.locator("#ecard-code").count() == 1
    phone.set_offline(False)


def test_a_visitor_joins_on_her_phone_with_no_consent_ticked_for_her(live_server, phone, store_a, settings, tmp_path):
    """开卡 at phone size (the one portal page the other browser tests did not show): she proves her
    mobile, joins with a lunar birthday and one consent she ticks herself, and lands on her card."""
    settings.VIPDESK = {**settings.VIPDESK, "SMS": {"BACKEND": "file"}}
    settings.DATA_DIR = tmp_path
    cache.clear()
    loyalty_setup()
    page = phone.new_page()
    page.goto(f"{live_server.url}/m/sign-in/")
    page.fill("#mobile", "138 1111 2222")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/m/sign-in/code/**")
    code = json.loads(next((tmp_path / "sms").glob("*.jsonl")).read_text(encoding="utf-8").splitlines()[-1])["params"]["code"]
    page.fill("#code", code)
    page.press("#code", "Enter")
    page.wait_for_url("**/m/join/")
    assert page.evaluate("Array.from(document.querySelectorAll('input[type=checkbox]')).every(c => !c.checked)")
    _snap(page, "00-join")
    page.fill("#name", "周小雨")
    page.check("input[name=gender][value=F]")
    page.check("input[name=calendar][value=lunar]")
    page.fill("input[name=lunar_month]", "8")
    page.fill("input[name=lunar_day]", "15")
    page.select_option("#home_store", str(store_a.pk))
    page.check("input[name=consent_service]")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/m/")
    joined = Member.objects.get(mobile="13811112222")
    assert joined.name == "周小雨" and joined.lunar_birth_month == 8 and joined.home_store == store_a
    assert joined.name in page.inner_text("main") and joined.member_no in page.inner_text("main")
    state = consent_state(joined)
    assert state[("service", "sms")].granted and not (state[("marketing", "sms")] and state[("marketing", "sms")].granted)
