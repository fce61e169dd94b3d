"""Issue 18 §2 in a real (headless Debian) Chromium, zh-CN: HQ creates a closed-store night (a bad
number of places refused beside its field first) and opens it; a member answers through the reply
link in her SMS, another is put on the waiting list, staff answer for a third; on the evening a
guide checks members in at the door on a 1024×768 tablet by e-card code and by the last digits of a
mobile — a second scan changes nothing — and admits a walk-in; the results page. Screenshots at 1280
and 1024 px wide (the door also at 1024×768)."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from vipdesk.accounts.roles import Role
from vipdesk.events.links import rsvp_token
from vipdesk.events.models import Event, Invitation
from vipdesk.members.ecard import ecard_code
from vipdesk.points.models import PointsAccount, PointsPolicy
from vipdesk.points.services import points_credit_bonus
from vipdesk.testing.factories import StaffFactory, StoreFactory, make_member
from vipdesk.tiers.config import programme_install
from vipdesk.tiers.models import Level, MemberTier
from vipdesk.tiers.presets import DEPARTMENT_STORE

from .browser import MARKS, page, shot, shots_at, sign_in_as  # noqa: F401  (page is a fixture)
from .conftest import PASSWORD

pytestmark = MARKS
SHANGHAI = ZoneInfo("Asia/Shanghai")


def shots(page, name):
    shots_at(page, f"events-{name}", (1280, 1024))


@pytest.mark.django_db(transaction=True)
def test_closed_store_night_from_planning_to_the_door(live_server, page, clock):
    day = timezone.now().astimezone(SHANGHAI).date()
    clock.move_to(dt.datetime.combine(day, dt.time(11, 0), tzinfo=SHANGHAI))
    programme = programme_install(spec=DEPARTMENT_STORE)
    PointsPolicy.objects.get_or_create(code="default")
    store = StoreFactory(code="XM01", name="新玛特总店")
    StaffFactory(username="hq_zong", display_name="王总", role=Role.HQ_ADMIN)
    StaffFactory(username="guide_li", display_name="李娜", role=Role.GUIDE, stores=[store])
    members = []
    for i, name in enumerate(["林小红", "欧阳娜娜", "张伟", "王芳"]):
        m = make_member(store=store, name=name)
        MemberTier.objects.create(member=m, programme=programme, level=Level.objects.get(programme=programme, code="GOLD"),
                                  reached_on=day - dt.timedelta(days=30))
        points_credit_bonus(member=m, points=300, action="test", store=store, on=day - dt.timedelta(days=1))
        members.append(m)
    url = live_server.url

    sign_in_as(page, url, "hq_zong", PASSWORD)
    page.goto(f"{url}/events/")
    assert "VIP活动邀约" in page.inner_text("h1")
    page.click("#event-new")
    start = dt.datetime.combine(day + dt.timedelta(days=10), dt.time(19, 0))
    page.fill("#ev-name", "奥迪之夜")
    page.fill("#ev-start", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#ev-end", (start + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#ev-venue", "新玛特总店一楼")
    page.fill("#ev-capacity", "0")
    page.fill("#ev-guests", "1")
    page.fill("#ev-points", "100")
    page.check("input[name=stores][value=XM01]")
    for code in ("GOLD", "DIAMOND", "PURPLE"):
        page.check(f"input[name=levels][value={code}]")
    page.fill("#ev-budget-venue", "20000")
    page.fill("#ev-actual-venue", "18000")
    page.click("#event-save")
    assert "不能小于 1" in page.inner_text(".field.has-error")  # the places, refused beside the field
    shots(page, "form-error")
    page.fill("#ev-capacity", "4")
    page.click("#event-save")
    event = Event.objects.get(name="奥迪之夜")
    page.wait_for_url(f"{url}/events/{event.pk}/")
    page.click("#event-open")
    assert "接受报名" in page.inner_text(".page-head h1")
    assert Invitation.objects.filter(event=event).count() == 4

    # the member's side: the reply link in her SMS
    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{url}/e/{rsvp_token(Invitation.objects.get(event=event, member=members[0]).pk)}/")
    page.select_option("#rsvp-guests", "1")
    page.click("#rsvp-accept")
    assert "已报名" in page.inner_text("#rsvp-status")
    shot(page, "events-rsvp-390.png")
    page.goto(f"{url}/e/{rsvp_token(Invitation.objects.get(event=event, member=members[1]).pk)}/")
    page.select_option("#rsvp-guests", "1")
    page.click("#rsvp-accept")
    page.goto(f"{url}/e/{rsvp_token(Invitation.objects.get(event=event, member=members[2]).pk)}/")
    page.click("#rsvp-accept")
    assert "候补第 1 位" in page.inner_text("#rsvp-status")  # 4 places taken by two members and their guests

    # staff: a cancellation promotes the waiting list
    sign_in_as(page, url, "hq_zong", PASSWORD)
    page.goto(f"{url}/events/{event.pk}/")
    page.fill("#reply-member", members[1].mobile)
    page.select_option("#reply-answer", "cancel")
    page.click("#reply-save")
    assert "已取消" in page.inner_text(".messages, .flash, body")
    assert Invitation.objects.get(event=event, member=members[2]).status == "accepted"
    shots(page, "detail")

    # the evening: the door on a tablet
    clock.move_to(timezone.make_aware(start) + dt.timedelta(minutes=10))
    sign_in_as(page, url, "guide_li", PASSWORD)
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{url}/events/{event.pk}/door/")
    page.fill("#door-code", ecard_code(members[0])["code"])
    page.click("#door-check-in")
    assert "欢迎 林小红" in page.inner_text("body")
    page.fill("#door-code", ecard_code(members[0])["code"])
    page.click("#door-check-in")
    assert "已签到" in page.inner_text("body")
    assert PointsAccount.objects.get(member=members[0]).balance == 200  # taken once
    page.fill("#door-q", members[2].mobile[-4:])
    page.click("#door-find")
    page.click(f"#door-in-{Invitation.objects.get(event=event, member=members[2]).pk}")
    assert page.inner_text("#door-arrived") == "2"
    page.fill("#door-code", members[3].mobile)
    page.click("#door-check-in")
    assert "现场来宾" in page.inner_text("#door-error")
    page.check("#door-walk-in")
    page.click("#door-check-in")
    assert page.inner_text("#door-arrived") == "3"
    shot(page, "events-door-1024x768.png", full_page=False)
    shots(page, "door")

    sign_in_as(page, url, "hq_zong", PASSWORD)
    page.goto(f"{url}/members/{members[0].pk}/#pane-events")  # the 360° page: her invitation
    assert "奥迪之夜" in page.inner_text("#pane-events") and "已到场" in page.inner_text("#pane-events")
    page.goto(f"{url}/events/{event.pk}/results/")
    assert page.inner_text("#r-attended") == "3" and page.inner_text("#r-invited") == "4"
    shots(page, "results")
    with page.expect_download() as download:
        page.click("#event-export")
    assert download.value.suggested_filename == f"event-{event.pk}.xlsx"
