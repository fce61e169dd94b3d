"""The member centre in headless Chromium, phone (390×844) and tablet (1024×768), zh-CN: sign in by
code, the figures on every page, a consent given and withdrawn, the dynamic code read from the
phone page used at the till, and a code from 3 minutes earlier refused with nothing written.
Screenshots (VIPDESK_SCREENSHOTS=1) of every page go to VIPDESK_SCREENSHOTS_DIR."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client

from vipdesk.console.tests.browser import ARGS, CHROMIUM, MARKS
from vipdesk.org.services import api_client_create
from vipdesk.sales.models import Sale

from .data import loyalty_setup, rich_member

pytestmark = [*MARKS, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("VIPDESK_SCREENSHOTS_DIR", "/tmp/shots"))
SIZES = {"phone": {"width": 390, "height": 844}, "tablet": {"width": 1024, "height": 768}}


@pytest.fixture(params=list(SIZES))
def device(request, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(viewport=SIZES[request.param], locale="zh-CN", is_mobile=request.param == "phone",
                                      has_touch=request.param == "phone", service_workers="block")
        yield request.param, context.new_page()
        context.close()
        browser.close()


def snap(page, size, name):
    if os.environ.get("VIPDESK_SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"portal-{size}-{name}.png"), full_page=True)


@pytest.fixture
def sms_dir(settings, tmp_path):
    settings.VIPDESK = {**settings.VIPDESK, "SMS": {"BACKEND": "file"}}
    settings.DATA_DIR = tmp_path
    cache.clear()
    return tmp_path / "sms"


def last_code(sms_dir: Path) -> str:
    lines = "".join(p.read_text(encoding="utf-8") for p in sorted(sms_dir.glob("*.jsonl"))).splitlines()
    return json.loads(lines[-1])["params"]["code"]


def sale(code, receipt):
    return {"store": "SA01", "receipt_no": receipt, "occurred_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
            "member": {"ecard": code}, "amount_paid": "300.00",
            "lines": [{"sku": "TEE-01", "unit_price": "300.00", "quantity": 1, "amount": "300.00"}],
            "payments": [{"method": "cash", "amount": "300.00"}]}


def test_member_centre_in_the_browser(live_server, device, store_a, sms_dir, clock):
    size, page = device
    loyalty_setup()
    member = rich_member(store_a)
    base = live_server.url

    # Sign in by code.
    page.goto(f"{base}/m/")
    assert "/m/sign-in/" in page.url
    snap(page, size, "01-sign-in")
    page.fill("#mobile", "137 6666 7777")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/m/sign-in/code/**")
    snap(page, size, "02-code")
    page.fill("#code", last_code(sms_dir))
    page.press("#code", "Enter")
    page.wait_for_url(f"{base}/m/")
    text = page.inner_text("main")
    assert "林小红" in text and "普卡" in text and "¥4,000.00" in text and "1,880" in text
    snap(page, size, "03-home")

    # The dynamic code on the phone identifies her at the till.
    page.goto(f"{base}/m/card/")
    code = page.get_attribute("#ecard-code", "data-code")
    assert page.locator("#ecard-code .qr svg").count() == 1 and page.locator("#ecard-code .barcode svg").count() == 1
    snap(page, size, "04-card")
    till = Client(HTTP_AUTHORIZATION=f"Bearer {api_client_create(name='POS', store_code='SA01')[1]}")
    posted = till.post("/api/v1/sales/", sale(code, f"B-{size}-1"), content_type="application/json")
    assert posted.status_code == 201 and posted.json()["member"]["member_no"] == member.member_no
    # A code from 3 minutes earlier is refused and nothing is written.
    old = page.get_attribute("#ecard-code", "data-code")
    clock.shift(dt.timedelta(minutes=3))
    before = Sale.objects.count()
    refused = till.post("/api/v1/sales/", sale(old, f"B-{size}-2"), content_type="application/json")
    assert refused.status_code == 422 and refused.json()["code"] == "ecard_expired"
    assert Sale.objects.count() == before
    # The page's refresh brings a new code that works.
    page.reload()
    fresh = page.get_attribute("#ecard-code", "data-code")
    assert fresh != old
    assert till.post("/api/v1/sales/", sale(fresh, f"B-{size}-3"), content_type="application/json").status_code == 201

    # Level, points, coupons, stored value, purchases, messages.
    page.goto(f"{base}/m/level/")
    assert "银卡" in page.inner_text("main") and "还差" in page.inner_text("main")
    snap(page, size, "05-level")
    page.goto(f"{base}/m/points/")
    assert re.search(r"\d", page.inner_text("#points-available")) and "过期" in page.inner_text("#points-expiry")
    snap(page, size, "06-points")
    page.goto(f"{base}/m/coupons/")
    page.click("#coupon-1 summary")
    assert page.locator("#coupon-1 .qr svg").is_visible()
    snap(page, size, "07-coupons")
    page.goto(f"{base}/m/stored-value/")
    assert "¥4,000.00" in page.inner_text("#wallet-balance") or "¥" in page.inner_text("#wallet-balance")
    assert "充 ¥3,000.00 送" in page.inner_text("main")
    snap(page, size, "08-stored-value")
    page.goto(f"{base}/m/purchases/")
    assert "羊毛大衣" in page.inner_text("main")
    snap(page, size, "09-purchases")
    page.goto(f"{base}/m/messages/")
    assert "生日月礼遇" in page.inner_text("main")
    snap(page, size, "10-messages")

    # Give and withdraw a consent.
    page.goto(f"{base}/m/profile/")
    page.click("#give-marketing-sms")
    assert page.inner_text("[data-consent=marketing-sms]") == "已同意"
    page.click("#withdraw-marketing-sms")
    assert page.inner_text("[data-consent=marketing-sms]") == "未同意"
    snap(page, size, "11-profile")
    page.goto(f"{base}/m/me/")
    snap(page, size, "12-me")
    page.click("#sign-out-everywhere")
    page.wait_for_url("**/m/sign-in/")
    page.goto(f"{base}/m/")
    assert "/m/sign-in/" in page.url
