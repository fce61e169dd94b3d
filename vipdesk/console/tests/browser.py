"""Shared plumbing of the console's browser tests: Debian's Chromium through Playwright (never a
downloaded browser), one page per test, optional screenshots for a human to look at."""
import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SHOTS = Path(os.environ.get("VIPDESK_SCREENSHOTS_DIR", "/tmp/shots"))

MARKS = [
    pytest.mark.browser,
    # CI sets VIPDESK_REQUIRE_BROWSER: there a missing Chromium must fail, never skip quietly.
    pytest.mark.skipif(not os.path.exists(CHROMIUM) and not os.environ.get("VIPDESK_REQUIRE_BROWSER"),
                       reason="Debian chromium is not installed (apt-get install chromium chromium-driver)"),
]


@pytest.fixture
def page(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; Django's async guard would then
    # refuse the ORM calls the tests make (live_server serves from its own thread).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1024, "height": 900}, locale="zh-CN")
        yield context.new_page()
        context.close()
        browser.close()


def shot(page, name: str, *, full_page: bool = True) -> None:
    """With VIPDESK_SCREENSHOTS set, keep a screenshot in SHOTS for review: the full page, or with
    full_page=False what the viewport shows (a first screen)."""
    if os.environ.get("VIPDESK_SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / name), full_page=full_page)


def nav_to(page, entry_id: str) -> None:
    """Follow a link of the main menu: open its group (a details element), then click the link."""
    link = page.locator(f"#mainnav #{entry_id}")
    link.locator("xpath=ancestor::details[1]/summary").click()
    link.click()


def sign_in_as(page, url: str, username: str, password: str) -> None:
    """A fresh console session for `username` (an earlier sign-in's cookies cleared first)."""
    page.context.clear_cookies()
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{url}/")


def shots_at(page, name: str, widths=(1280, 1024)) -> None:
    """The page's screenshot at each width (kept only with VIPDESK_SCREENSHOTS)."""
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})
        shot(page, f"{name}-{width}.png")
