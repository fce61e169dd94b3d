"""Issue 6 "done means": in a real (headless Debian) Chromium a shopping guide signs in, sees today's
tasks, completes a call with an outcome, finds the outcome on the member's timeline; then her
manager's team view shows the completion."""
import pytest

from vipdesk.accounts.roles import Role
from vipdesk.care.models import CareTask
from vipdesk.console.tests.browser import MARKS, page, shot, nav_to  # noqa: F401  (page is a fixture)
from vipdesk.core import clock
from vipdesk.points.tests.helpers import make_sale
from vipdesk.testing.factories import StaffFactory, StoreFactory, make_member

from .helpers import rule, run

pytestmark = MARKS
PASSWORD = "Vipdesk#2026"


def sign_in(page, url, username):
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{url}/")


@pytest.mark.django_db(transaction=True)
def test_guide_completes_a_call_and_the_manager_sees_it(live_server, page):
    store = StoreFactory(code="SH01", name="上海南京西路店")
    guide = StaffFactory(username="daogou", display_name="林晓", role=Role.GUIDE, stores=[store])
    StaffFactory(username="dianzhang", display_name="周店长", role=Role.STORE_MANAGER, stores=[store])
    rule("1311-same-day")
    member = make_member(actor=guide, store=store, name="张小明", mobile="13812348000")
    make_sale(member=member, store=store, on=clock.today())
    run(clock.today())
    task = CareTask.objects.get(member=member)

    sign_in(page, live_server.url, "daogou")
    nav_to(page, "nav-care")
    page.wait_for_selector(f"#task-{task.pk}")
    row = page.inner_text(f"#task-{task.pk}")
    assert "张*明" in row and "回访" in row and "电话" in row
    shot(page, "care-today.png")
    page.select_option(f"#outcome-{task.pk}", "appointment")
    page.fill(f"#note-{task.pk}", "周六下午到店试衣")
    page.click(f"#complete-{task.pk}")
    page.wait_for_selector("#no-tasks")
    assert "约好到店" in page.inner_text("#care-done")

    page.goto(f"{live_server.url}/members/{member.pk}/")
    page.wait_for_selector("#contact-timeline")
    timeline = page.inner_text("#contact-timeline")
    assert "约好到店" in timeline and "周六下午到店试衣" in timeline and "林晓" in timeline
    shot(page, "care-member-timeline.png")
    page.click("#user-menu > summary")
    page.click("#logout-button")

    sign_in(page, live_server.url, "dianzhang")
    nav_to(page, "nav-care")
    page.click("#tab-care-team")
    page.wait_for_selector("#team")
    assert page.inner_text(f"#team-{guide.pk} .done") == "1"
    assert page.inner_text(f"#team-{guide.pk} .rate") == "100%"
    assert page.inner_text("#team-rate") == "100%"
    shot(page, "care-team.png")
