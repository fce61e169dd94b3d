"""Staff endpoints: templates, preview, enqueue, a member's outbox — capability MESSAGE, scoped."""
import pytest
from rest_framework.test import APIClient

from vipdesk.accounts.roles import Role
from vipdesk.api.tests.conftest import Api
from vipdesk.org.services import api_client_create
from vipdesk.testing.factories import StaffFactory, make_member

from .helpers import consent

pytestmark = pytest.mark.django_db


def key(name, **kw) -> Api:
    return Api(api_client_create(name=name, **kw)[1])


def staff_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_templates_list(birthday, event, guide_a):
    response = staff_client(guide_a).get("/api/v1/messaging/templates/")
    assert response.status_code == 200
    assert [t["code"] for t in response.json()] == ["birthday", "vip_event"]


def test_preview_shows_text_and_decision_masked_for_a_guide(member, event, guide_a, hq):
    body = {"member": member.pk, "channel": "sms", "context": {"event_date": "5月9日"}}
    response = staff_client(guide_a).post("/api/v1/messaging/templates/vip_event/preview/", body, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["status"], data["reason"]) == ("suppressed", "no_consent")
    assert data["body"].startswith("陈女士：5月9日 A店")
    consent(member, "marketing", "sms", True)
    evening = {**body, "at": "2099-05-06T22:00:00+08:00"}
    later = staff_client(guide_a).post("/api/v1/messaging/templates/vip_event/preview/", evening, format="json").json()
    assert (later["status"], later["reason"], later["scheduled_at"]) == ("deferred", "quiet_hours", "2099-05-07T09:00:00+08:00")
    from vipdesk.messaging.models import OutboxMessage

    assert not OutboxMessage.objects.exists()  # a preview writes nothing


def test_enqueue_and_replay(member, birthday, guide_a):
    client = staff_client(guide_a)
    body = {"member": member.pk, "template": "birthday", "channel": "sms", "source": "care_task:9"}
    first = client.post("/api/v1/messaging/outbox/", body, format="json")
    assert first.status_code == 201, first.json()
    data = first.json()
    assert data["status"] in ("queued", "deferred") and data["recipient"] == "136****5678"
    assert data["replayed"] is False and data["signed_by"] == str(guide_a)
    again = client.post("/api/v1/messaging/outbox/", body, format="json")
    assert again.status_code == 200 and again.json()["id"] == data["id"] and again.json()["replayed"] is True


def test_suppressed_is_an_answer_not_an_error(member, event, guide_a):
    response = staff_client(guide_a).post("/api/v1/messaging/outbox/", {
        "member": member.pk, "template": "vip_event", "channel": "email", "context": {"event_date": "5月9日"}}, format="json")
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["reason"]) == ("suppressed", "no_consent")
    assert response.json()["reason_text"]


def test_bad_input(member, event, guide_a):
    client = staff_client(guide_a)
    missing = client.post("/api/v1/messaging/outbox/", {"member": member.pk, "template": "vip_event", "channel": "sms"}, format="json")
    assert missing.status_code == 400 and "event_date" in missing.json()["message"]
    unknown = client.post("/api/v1/messaging/outbox/", {"member": member.pk, "template": "nope", "channel": "sms"}, format="json")
    assert unknown.status_code == 404 and unknown.json()["code"] == "template_not_found"
    assert unknown.json()["message"] == "没有代码为 nope 的启用中的消息模板。"
    english = client.post("/api/v1/messaging/outbox/", {"member": member.pk, "template": "nope", "channel": "sms"}, format="json",
                          HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["message"] == "No active message template with the code nope."


def test_scope_and_capability(member, birthday, guide_b, cashier_a, auditor, store_b, account_manager_a):
    body = {"member": member.pk, "template": "birthday", "channel": "inbox"}
    assert staff_client(guide_b).post("/api/v1/messaging/outbox/", body, format="json").status_code == 404  # other store
    assert staff_client(cashier_a).post("/api/v1/messaging/outbox/", body, format="json").status_code == 403
    assert staff_client(auditor).get(f"/api/v1/members/{member.pk}/messages/").status_code == 403
    # an account manager messages his own book only
    assert staff_client(account_manager_a).post("/api/v1/messaging/outbox/", body, format="json").status_code == 404
    own = make_member(store=member.home_store, owner=account_manager_a)
    assert staff_client(account_manager_a).post("/api/v1/messaging/outbox/", {**body, "member": own.pk}, format="json").status_code == 201


def test_api_key_of_the_store(member, birthday, store_a):
    desk = key("Desk A", store_code=store_a.code, role=Role.STORE_MANAGER)
    assert desk.post("/api/v1/messaging/outbox/", {"member": member.pk, "template": "birthday", "channel": "inbox"}).status_code == 201
    till = key("POS A1", store_code=store_a.code)  # a cashier key
    assert till.post("/api/v1/messaging/outbox/", {"member": member.pk, "template": "birthday", "channel": "inbox"}).status_code == 403


def test_member_outbox_masks_for_staff_and_shows_events(member, birthday, guide_a, hq):
    consent(member, "service", "sms", True)
    client = staff_client(guide_a)
    client.post("/api/v1/messaging/outbox/", {"member": member.pk, "template": "birthday", "channel": "sms"}, format="json")
    client.post("/api/v1/messaging/outbox/", {"member": member.pk, "template": "birthday", "channel": "email"}, format="json")
    page = client.get(f"/api/v1/members/{member.pk}/messages/").json()
    assert page["count"] == 2
    latest = page["results"][0]
    assert latest["channel"] == "email" and latest["recipient"] == "m***@example.cn"
    assert latest["events"][0]["kind"] in ("queued", "deferred")
    assert page["results"][1]["recipient"] == "136****5678"
    full = staff_client(hq).get(f"/api/v1/members/{member.pk}/messages/").json()["results"][0]
    assert full["recipient"] == "m***@example.cn"  # even HQ reads the recipient masked here
    assert staff_client(guide_a).get("/api/v1/members/99999999999999999999999/messages/").status_code == 404


def test_name_in_text_is_masked_without_see_full(store_a, guide_a, hq):
    from .helpers import birthday_template

    birthday_template(code="named", body_zh="{name}，生日快乐")
    member = make_member(store=store_a, name="欧阳娜娜", owner=guide_a)
    client = staff_client(guide_a)
    made = client.post("/api/v1/messaging/outbox/", {"member": member.pk, "template": "named", "channel": "inbox"}, format="json")
    assert made.json()["body"] == "欧**娜，生日快乐"
    assert staff_client(hq).get(f"/api/v1/members/{member.pk}/messages/").json()["results"][0]["body"] == "欧阳娜娜，生日快乐"


def test_endpoints_are_in_the_schema(db):
    schema = Api().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = set(schema["paths"])
    for path in ("/api/v1/messaging/templates/", "/api/v1/messaging/templates/{code}/preview/", "/api/v1/messaging/outbox/",
                 "/api/v1/messaging/callbacks/", "/api/v1/members/{id}/messages/"):
        assert path in paths or path.replace("{id}", "{pk}") in paths, (path, sorted(p for p in paths if "messag" in p))
