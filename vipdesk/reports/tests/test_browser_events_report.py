"""The VIP events' section of the report page ("VIP活动效果") in a real (headless Debian) Chromium, in
Chinese, at 1280 and 1024 pixels: each event held in the period with its own results."""
import os

import pytest

from vipdesk.console.tests.browser import MARKS, SHOTS, page, sign_in_as  # noqa: F401  (page is a fixture)
from vipdesk.console.tests.conftest import PASSWORD
from vipdesk.events.results import event_results

from .test_events_report import held  # noqa: F401  (the fixture: three events held in October 2026)

pytestmark = MARKS


@pytest.mark.django_db(transaction=True)
def test_the_events_section_at_both_widths(live_server, page, settings, hq, held):  # noqa: F811
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    hq.set_password(PASSWORD)
    hq.save()
    sign_in_as(page, live_server.url, hq.username, PASSWORD)
    page.goto(f"{live_server.url}/reports/?period=2026-10&scope=all")
    section = page.locator("#section-events")
    section.scroll_into_view_if_needed()
    text = section.inner_text()
    r = event_results(held["night"])
    assert "VIP活动效果" in text and "奥迪之夜" in text and "秋季沙龙" in text and "全店答谢会" in text and "所有门店" in text
    assert "到场会员净销售额" in text and "人均成本" in text and "投资回报率" in text and "ROI" not in text
    assert f"¥{r['attendees']['net_sales']:,.2f}" in text and f"{r['roi'] * 100:.1f}%" in text
    assert "closed_store" not in text and "None" not in text
    for width in (1280, 1024):
        page.set_viewport_size({"width": width, "height": 900})
        table = page.locator("#table-events")
        # the whole table is reachable: it fits, or its wrapper scrolls sideways
        assert table.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth + 1 || "
                              "getComputedStyle(t.parentElement).overflowX !== 'visible'")
        if os.environ.get("VIPDESK_SCREENSHOTS"):
            SHOTS.mkdir(parents=True, exist_ok=True)
            section.screenshot(path=str(SHOTS / f"report-events-{width}.png"))
