"""/api/v1/care/: my tasks, complete one, a member's contact log, log a contact, a VIP's check-out."""
import pytest
from rest_framework.test import APIClient

from vipdesk.care.models import CareTask, ContactLog
from vipdesk.core import clock
from vipdesk.points.tests.helpers import make_sale

from .helpers import member, rule, run


@pytest.fixture
def api():
    def _as(user):
        client = APIClient()
        client.force_authenticate(user)
        return client
    return _as


@pytest.fixture
def two_calls(guide_a, guide_a2, store_a):
    rule("1311-same-day")
    for guide, name in ((guide_a, "王芳"), (guide_a2, "李静")):
        make_sale(member=member(guide, name), store=store_a, on=clock.today())
    run(clock.today())


def test_my_tasks_complete_one_and_read_the_contact_log(api, guide_a, manager_a, two_calls):
    client = api(guide_a)
    rows = client.get("/api/v1/care/tasks/").json()["results"]
    assert len(rows) == 1 and rows[0]["kind"] == "call" and rows[0]["script"].startswith("致电 王*")  # name masked for a guide
    task_id = rows[0]["id"]
    done = client.post(f"/api/v1/care/tasks/{task_id}/complete/", {"outcome": "reached", "note": "满意"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "done"
    again = client.post(f"/api/v1/care/tasks/{task_id}/complete/", {"outcome": "reached"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "illegal_transition"
    assert client.get("/api/v1/care/tasks/").json()["results"] == []
    assert len(client.get("/api/v1/care/tasks/", {"status": "done"}).json()["results"]) == 1
    member_id = rows[0]["member"]["id"]
    log = client.get(f"/api/v1/members/{member_id}/contacts/").json()["results"]
    assert [(c["kind"], c["outcome"], c["note"], c["task"]) for c in log] == [("call", "reached", "满意", task_id)]
    team = api(manager_a).get("/api/v1/care/tasks/", {"scope": "team", "date": clock.today().isoformat()}).json()["results"]
    assert len(team) == 2


def test_a_guide_cannot_complete_a_colleagues_task(api, guide_a, two_calls):
    other = CareTask.objects.exclude(owner=guide_a).get()
    response = api(guide_a).post(f"/api/v1/care/tasks/{other.pk}/complete/", {"outcome": "reached"}, format="json")
    assert response.status_code == 404
    bad = api(guide_a).post("/api/v1/care/tasks/1/complete/", {"outcome": "nonsense"}, format="json")
    assert bad.status_code == 400


def test_log_a_contact_and_a_checkout(api, guide_a, guide_b, dept):
    from .helpers import set_level

    rule("after-visit")
    m = member(guide_a, "钱敏")
    set_level(m, "DIAMOND")
    client = api(guide_a)
    made = client.post(f"/api/v1/members/{m.pk}/contacts/", {"kind": "visit", "channel": "visit", "outcome": "visited"}, format="json")
    assert made.status_code == 201 and ContactLog.objects.get().kind == "visit"
    assert api(guide_b).get(f"/api/v1/members/{m.pk}/contacts/").status_code == 404
    out = client.post("/api/v1/care/checkouts/", {"member": m.pk}, format="json")
    assert out.status_code == 201 and [t["channel"] for t in out.json()] == ["sms"]
