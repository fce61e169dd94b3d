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


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 1024])
def test_store_manager_edits_a_lines_chain_and_hours_with_an_error_beside_the_field(live_server, page, hotline, width):
    line = hotline["line"]
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, "zhiban")  # store A's manager
    page.goto(f"{live_server.url}/hotline/")
    desk = hotline["desk1"]
    page.select_option(f"#staff-{desk.pk} select[name=user]", value=str(hotline["officer"].pk))  # she takes desk 1 herself
    page.click(f"#staff-{desk.pk} button")
    page.wait_for_selector(f"#staff-{desk.pk}")
    assert "值守" in page.content() and Seat.objects.get(pk=desk.pk).user_id == hotline["officer"].pk
    shot(page, f"hotline-roster-{width}.png")
    page.click("#to-lines")
    assert page.inner_text("h1") == "专线呼叫顺序与服务时间"
    assert "客户经理专席" in page.inner_text(f"#line-{line.pk}")
    page.click(f"#edit-line-{line.pk}")
    page.fill("input[name=steps-0-ring_seconds]", "500")
    page.fill("input[name=open_from]", "09:00")
    page.fill("input[name=open_to]", "21:00")
    page.click("#line-form button[type=submit]")
    error = page.inner_text("#error-steps-0-ring_seconds")
    assert "120" in error
    assert page.locator("#step-1 #error-steps-0-ring_seconds").count() == 1  # in the step's own row
    shot(page, f"hotline-line-error-{width}.png")
    page.fill("input[name=steps-0-ring_seconds]", "20")
    page.select_option("select[name=steps-1-kind]", "")  # the manager's mobile no longer rings
    page.click("#line-form button[type=submit]")
    page.wait_for_selector("#lines")
    assert "已保存" in page.content()
    line.refresh_from_db()
    assert [(s.kind, s.ring_seconds) for s in line.steps.all()] == [
        ("manager_seat", 20), ("duty_desk", 2), ("duty_mobile", 2)]
    assert (line.open_from.hour, line.open_to.hour) == (9, 21)
    shot(page, f"hotline-lines-{width}.png")
    page.goto(f"{live_server.url}/hotline/?start=2026-01-02&end=2026-01-01")
    assert page.inner_text("#error-end") == "结束日期早于开始日期。"
    shot(page, f"hotline-filter-{width}.png", full_page=False)
