"""Counter tablets in a real (headless Debian) Chromium: a guide signed in on a tablet and a phone signs
out on all devices from the tablet; the phone's next page is the login page. A cashier's tablet left
idle (the frozen clock moved on, no sleeping) shows the login page with the reason."""
from datetime import timedelta

import pytest

from vipdesk.accounts.roles import Role
from vipdesk.testing.factories import StaffFactory, StoreFactory

from .browser import ARGS, CHROMIUM, MARKS, shot
from .conftest import PASSWORD

pytestmark = MARKS


@pytest.fixture
def browser(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # see browser.page
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


def _device(browser, live_server, username):
    """A separate browser context: its own cookies, as a second tablet or a phone would have."""
    page = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN").new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{live_server.url}/")
    return page


@pytest.mark.django_db(transaction=True)
def test_sign_out_on_all_devices_reaches_the_other_device(live_server, browser):
    store = StoreFactory(code="SH01", name="上海南京西路店")
    StaffFactory(username="daogou", display_name="王丽", role=Role.GUIDE, stores=[store])
    tablet, phone = _device(browser, live_server, "daogou"), _device(browser, live_server, "daogou")
    shot(tablet, "console-sign-out-everywhere-button.png")

    tablet.click("#user-menu > summary")
    tablet.click("#sign-out-everywhere-button")
    tablet.wait_for_url(f"{live_server.url}/login/")
    assert "已在所有设备上退出登录" in tablet.content()

    phone.goto(f"{live_server.url}/members/")
    assert phone.url.startswith(f"{live_server.url}/login/")
    assert phone.locator("#id_username").is_visible()


@pytest.mark.django_db(transaction=True)
def test_an_idle_tablet_shows_the_login_page_with_the_reason(live_server, browser, clock):
    store = StoreFactory(code="SH01", name="上海南京西路店")
    StaffFactory(username="shouyin", display_name="李娜", role=Role.CASHIER, stores=[store])
    tablet = _device(browser, live_server, "shouyin")
    clock.shift(timedelta(minutes=16))
    tablet.goto(f"{live_server.url}/members/")
    assert tablet.url.startswith(f"{live_server.url}/login/?next=/members/")
    assert "长时间未操作，已自动退出" in tablet.content()
    shot(tablet, "console-idle-sign-out.png")
