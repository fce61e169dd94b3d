"""The marketing campaigns' section of the report page in a real (headless Debian) Chromium, in
Chinese, at 1280 and 1024 pixels: the campaign's delivery and response against the control group."""
import os

import pytest

from vipdesk.campaigns.report import campaign_report
from vipdesk.console.tests.browser import MARKS, SHOTS, page, sign_in_as  # noqa: F401  (page is a fixture)
from vipdesk.console.tests.conftest import PASSWORD

from .test_marketing import sent  # noqa: F401  (the fixture: a campaign of 2026-10-14 to 100 members of two stores)

pytestmark = MARKS


@pytest.mark.django_db(transaction=True)
def test_the_marketing_section_at_both_widths(live_server, page, settings, hq, sent):  # noqa: F811
    campaign, _members = sent
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    hq.set_password(PASSWORD)
    hq.save()
    sign_in_as(page, live_server.url, hq.username, PASSWORD)
    page.goto(f"{live_server.url}/reports/?period=2026-10&scope=all")
    section = page.locator("#section-marketing")
    section.scroll_into_view_if_needed()
    text = section.inner_text()
    report = campaign_report(campaign)
    assert "营销活动：相对对照组的响应" in text and "十月VIP专场" in text and "目标组：购买" in text and "提升（95% 区间）" in text
    assert "95% 置信区间" in text and "Uplift" not in text
    assert f"{report['target']['buyers']} / {report['target']['members']}" in text
    assert f"{report['uplift'] * 100:.2f}%" in text
    for width in (1280, 1024):
        page.set_viewport_size({"width": width, "height": 900})
        table = page.locator("#table-marketing")
        # the whole table is reachable: it fits, or its wrapper scrolls sideways
        assert table.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth + 1 || "
                              "getComputedStyle(t.parentElement).overflowX !== 'visible'")
        if os.environ.get("VIPDESK_SCREENSHOTS"):
            SHOTS.mkdir(parents=True, exist_ok=True)
            section.screenshot(path=str(SHOTS / f"report-marketing-{width}.png"))
