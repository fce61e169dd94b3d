"""VIP events (issue 15 §3) in a real (headless Debian) Chromium, zh-CN: a store manager plans his
store's event and sees the day the notice rules will call; a refusal shows beside the field.
With VIPDESK_SCREENSHOTS set the pages are kept (1280 and 1024 px)."""
import datetime as dt

import pytest
from django.utils import timezone

from vipdesk.accounts.roles import Role
from vipdesk.care.models import CareEvent
from vipdesk.care.services import care_rules_install_default
from vipdesk.testing.factories import StaffFactory, StoreFactory
from vipdesk.tiers.config import programme_install
from vipdesk.tiers.presets import DEPARTMENT_STORE

from .browser import MARKS, page, shot  # noqa: F401  (page is a fixture)
from .test_browser_approvals_attach import NARROW, WIDE, sign_in

pytestmark = MARKS


@pytest.mark.django_db(transaction=True)
def test_a_manager_plans_a_vip_event(live_server, page):
    programme_install(spec=DEPARTMENT_STORE)
    care_rules_install_default()
    store = StoreFactory(code="SH01", name="上海南京西路店")
    StaffFactory(username="sh_manager", display_name="店长王芳", role=Role.STORE_MANAGER, stores=[store])
    base = live_server.url
    page.set_viewport_size(WIDE)
    sign_in(page, base, "sh_manager")
    page.goto(f"{base}/care/events/")
    page.click("#care-event-new")
    page.wait_for_selector("#care-event-form")
    page.fill("#id_name", "冬季新品品鉴会")
    page.fill("#id_date", (timezone.localdate() - dt.timedelta(days=1)).isoformat())
    page.click("#care-event-save")
    page.wait_for_selector("#error-date")
    assert "将来" in page.inner_text("#error-date")
    shot(page, "care-event-refused-1280.png")
    day = timezone.localdate() + dt.timedelta(days=6)
    page.fill("#id_date", day.isoformat())
    page.fill("#id_time", "19:00")
    page.check("input[name=levels][value=DIAMOND]")
    page.check("input[name=levels][value=PURPLE]")
    page.click("#care-event-save")
    page.wait_for_selector("#care-events")
    event = CareEvent.objects.get()
    row = page.inner_text(f"#event-{event.pk}")
    assert "冬季新品品鉴会" in row and (day - dt.timedelta(days=3)).isoformat() in row
    shot(page, "care-events-1280.png")
    page.set_viewport_size(NARROW)
    shot(page, "care-events-1024.png")
