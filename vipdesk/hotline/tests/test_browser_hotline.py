"""The hotline page in a real (headless Debian) Chromium: the dedicated manager sees the roster with
the phones' presence, sets herself away, reads the call log (route, who answered, wait) and the
missed call to call back; another store's calls are not there. Screenshots at 1280 and 1024 px."""
import pytest

from vipdesk.console.tests.browser import MARKS, page, shot  # noqa: F401  (page is a fixture)
from vipdesk.console.tests.test_browser_quote import sign_in
from vipdesk.hotline import services
from vipdesk.hotline.choices import AgentStatus
from vipdesk.hotline.models import Seat
from vipdesk.testing.factories import StoreFactory

from .test_scoping import other_store_call

pytestmark = MARKS


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 1024])
def test_manager_reads_roster_and_call_log_and_sets_herself_away(live_server, page, hotline, width):
    for seat in (hotline["seat"], hotline["desk1"]):
        services.seat_registered(seat.username, 3600)
    services.call_route(caller=hotline["vip"].mobile, dialled="95588", call_id="b1")
    services.call_event(call_id="b1", event="failed", step=1, code=408)
    services.call_event(call_id="b1", event="answered", step=3, code=200)
    services.call_event(call_id="b1", event="ended", step=0)
    services.call_route(caller=hotline["vip"].mobile, dialled="95588", call_id="b2")
    services.call_event(call_id="b2", event="unanswered", step=4, code=480)
    other_store_call()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, "kehujingli")
    page.goto(f"{live_server.url}/hotline/")
    assert page.inner_text("h1") == "VIP 专线"
    assert "空闲" in page.inner_text(f"#seat-{hotline['desk1'].pk}")
    assert "未注册" in page.inner_text(f"#seat-{hotline['desk2'].pk}")
    log = page.inner_text("#call-log")
    assert "值班台1" in log and "客户经理专席" in log and "无人接听" in log
    assert "1380000" not in log and "0001" in log  # the caller's mobile masked
    assert "C店" not in page.content()  # another store's call is not shown
    assert "GD" in page.inner_text("#missed-calls")  # the service-desk ticket opened for the missed call
    shot(page, f"hotline-{width}.png")
    page.click(f"#away-{hotline['seat'].pk}")
    assert "离开" in page.inner_text(f"#seat-{hotline['seat'].pk}")
    assert Seat.objects.get(pk=hotline["seat"].pk).agent_status == AgentStatus.AWAY
    shot(page, f"hotline-away-{width}.png", full_page=False)
