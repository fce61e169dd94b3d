"""撤销签到 at the door (issue 18 §2) in a real headless Chromium on a 1024×768 tablet: the guide
checks in 林晓红 by mistake for 林小红, opens 撤销签到 on her row, gives the reason, confirms, and
checks in the right member; the points come back once."""
import datetime as dt

import pytest
from django.utils import timezone

from vipdesk.accounts.roles import Role
from vipdesk.events.models import CheckInUndo, Invitation
from vipdesk.events.rsvp import rsvp_by_staff
from vipdesk.events.services import event_open, event_save
from vipdesk.events.tests.conftest import event_data, vip
from vipdesk.points.models import PointsAccount, PointsPolicy
from vipdesk.testing.factories import StaffFactory, StoreFactory
from vipdesk.tiers.config import programme_install
from vipdesk.tiers.presets import PRESETS

from .browser import MARKS, page, shot, sign_in_as  # noqa: F401  (page is a fixture)
from .conftest import PASSWORD

pytestmark = MARKS


@pytest.mark.django_db(transaction=True)
def test_a_wrong_check_in_is_undone_at_the_door(live_server, page, clock):
    programme_install(spec=PRESETS["department-store"])
    PointsPolicy.objects.get_or_create(code="default")
    store = StoreFactory(code="SA01", name="新玛特总店")
    hq = StaffFactory(username="hq_zong", display_name="王总", role=Role.HQ_ADMIN)
    guide = StaffFactory(username="guide_li", display_name="李娜", role=Role.GUIDE, stores=[store])
    right, wrong = vip(store, "林小红", "GOLD"), vip(store, "林晓红", "GOLD")
    event = event_open(actor=hq, event=event_save(actor=hq, data=event_data(capacity="20", points="100")))
    for m in (right, wrong):
        rsvp_by_staff(actor=guide, event=event, member=m, answer="accept")
    clock.move_to(event.starts_at + dt.timedelta(minutes=15))
    url = live_server.url

    sign_in_as(page, url, "guide_li", PASSWORD)
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{url}/events/{event.pk}/door/")
    page.fill("#door-code", wrong.mobile)  # the clerk typed the wrong mobile
    page.click("#door-check-in")
    assert page.inner_text("#door-arrived") == "1"
    pk = Invitation.objects.get(event=event, member=wrong).pk
    page.click(f"#door-undo-r{pk} summary")
    page.fill(f"#door-undo-reason-r{pk}", "扫错会员，应为林小红")
    shot(page, "events-door-undo-1024x768.png", full_page=False)
    page.once("dialog", lambda dialog: dialog.accept())  # 撤销林晓红的签到？
    page.click(f"#door-undo-go-r{pk}")
    page.wait_for_url(f"{url}/events/{event.pk}/door/")
    assert "已撤销林晓红的签到，退回 100 积分" in page.inner_text("body")
    assert page.inner_text("#door-arrived") == "0"
    shot(page, "events-door-undo-done-1024x768.png", full_page=False)
    page.fill("#door-code", right.mobile)
    page.click("#door-check-in")
    assert page.inner_text("#door-arrived") == "1" and "林小红" in page.inner_text("#door-count")
    shot(page, "events-door-undone-1024x768.png", full_page=False)
    assert PointsAccount.objects.get(member=wrong).balance == 500 and PointsAccount.objects.get(member=right).balance == 400
    assert CheckInUndo.objects.get().reason == "扫错会员，应为林小红"
    assert Invitation.objects.get(pk=pk).status == "accepted"
    assert timezone.now() < event.ends_at
