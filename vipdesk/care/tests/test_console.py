"""Console pages of care: the work list, completing a task, the team view, ownership tools, the 360° pane."""
import pytest

from vipdesk.care.models import CareTask, ContactLog, OwnershipChange

from .helpers import member, rule, run
from vipdesk.core import clock


@pytest.fixture
def today_call(guide_a, store_a):
    from vipdesk.points.tests.helpers import make_sale

    rule("1311-same-day")
    m = member(guide_a, "王芳")
    make_sale(member=m, store=store_a, on=clock.today())
    run(clock.today())
    return CareTask.objects.get(member=m)


def test_work_list_complete_and_timeline(client, guide_a, manager_a, today_call):
    client.force_login(guide_a)
    page = client.get("/care/today/")
    assert page.status_code == 200 and f'id="task-{today_call.pk}"' in page.content.decode()
    response = client.post(f"/care/tasks/{today_call.pk}/", {"outcome": "reached", "note": "很满意", "act": "complete"})
    assert response.status_code == 302
    assert ContactLog.objects.get().outcome == "reached"
    detail = client.get(f"/members/{today_call.member_id}/").content.decode()
    assert "很满意" in detail and 'id="contact-timeline"' in detail
    client.force_login(manager_a)
    team = client.get("/care/team/").content.decode()
    assert 'id="team"' in team and "100%" in team


def test_guide_may_not_open_the_team_view_or_ownership(client, guide_a, guide_b, today_call):
    client.force_login(guide_a)
    assert client.get("/care/team/").status_code == 403
    assert client.get("/care/ownership/").status_code == 403
    client.force_login(guide_b)
    client.post(f"/care/tasks/{today_call.pk}/", {"outcome": "reached"})
    assert CareTask.objects.get(pk=today_call.pk).status == "open"


def test_manager_spreads_the_book_from_the_ownership_page(client, manager_a, guide_a, guide_a2, hq, store_a):
    from vipdesk.testing.factories import make_member

    people = [make_member(actor=hq, store=store_a, name=f"会员{i}") for i in range(3)]
    client.force_login(manager_a)
    assert client.get("/care/ownership/").status_code == 200
    client.post("/care/ownership/", {"store": store_a.code, "act": "distribute", "by": "count", "guides": [guide_a.pk, guide_a2.pk]})
    assert [p.__class__.objects.get(pk=p.pk).owner for p in people] == [guide_a, guide_a2, guide_a]
    assert OwnershipChange.objects.filter(reason="distribute").count() == 3


def test_contact_logged_from_the_member_page(client, guide_a):
    m = member(guide_a, "王芳")
    client.force_login(guide_a)
    client.post(f"/members/{m.pk}/contacts/", {"kind": "call", "channel": "phone", "outcome": "reached", "note": "来电咨询"})
    assert ContactLog.objects.get(member=m).note == "来电咨询"


def test_care_pages_speak_chinese_by_default(client, guide_a, manager_a, today_call):
    """The care pages' strings live in the console catalogue: a stray makemessages once left them
    obsolete and the pages turned English in the Chinese UI."""
    client.force_login(guide_a)
    page = client.get("/care/today/").content.decode()
    assert "今日任务" in page and "Today's tasks" not in page
    client.force_login(manager_a)
    team = client.get("/care/team/").content.decode()
    assert "Today's tasks" not in team and "团队" in team
