"""Issue 15 §14 in a real (headless Debian) Chromium, at 1280 and 1024 px: a member's calls of the
day are one task with its reasons, and the guide must choose the call's result before "done"."""
import pytest

from vipdesk.accounts.roles import Role
from vipdesk.care.models import CareTask
from vipdesk.console.tests.browser import MARKS, page, shot  # noqa: F401  (page is a fixture)
from vipdesk.core import clock
from vipdesk.members.models import Consent
from vipdesk.points.models import PointsAccount
from vipdesk.points.tests.helpers import make_sale
from vipdesk.testing.factories import StaffFactory, StoreFactory, make_member

from .helpers import rule, run

pytestmark = MARKS
PASSWORD = "Vipdesk#2026"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 1024])
def test_one_call_with_its_reasons_and_a_result_chosen_by_the_guide(live_server, page, width):
    store = StoreFactory(code="SH01", name="上海南京西路店")
    guide = StaffFactory(username="daogou", display_name="林晓", role=Role.GUIDE, stores=[store])
    rule("1311-same-day")
    rule("points-near")
    her = make_member(actor=guide, store=store, name="陈美玲", mobile="13812348000")
    Consent.objects.create(member=her, purpose="marketing", channel="phone", granted=True, source="console")
    quiet = make_member(actor=guide, store=store, name="周静", mobile="13912348000", preferred_contact="none")
    for m in (her, quiet):
        make_sale(member=m, store=store, on=clock.today())
        PointsAccount.objects.update_or_create(member=m, defaults={"balance": 9500})
    run(clock.today())
    task = CareTask.objects.get(member=her, kind="call", status="open")
    assert not CareTask.objects.filter(member=quiet, kind="call").exists()

    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "daogou")
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/care/today/")
    page.wait_for_selector(f"#task-{task.pk}")
    assert "2 个事由" in page.inner_text(f"#reasons-{task.pk}")
    assert page.input_value(f"#outcome-{task.pk}") == ""  # nothing chosen for the guide
    shot(page, f"care-today-merged-{width}.png")
    page.click(f"#complete-{task.pk}")  # without a result: the browser keeps the form (required)
    assert CareTask.objects.get(pk=task.pk).status == "open"
    page.select_option(f"#outcome-{task.pk}", "no_answer")
    page.click(f"#complete-{task.pk}")
    page.wait_for_selector("#care-done")
    assert CareTask.objects.get(pk=task.pk).outcome == "no_answer"
