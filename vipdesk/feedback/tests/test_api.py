"""/api/v1/feedback/…: surveys, complaints with transitions, referrals; scoped like the console."""
import pytest

from vipdesk.accounts.roles import Role
from vipdesk.api.tests.conftest import Api
from vipdesk.org.services import api_client_create

pytestmark = pytest.mark.django_db


def key(name, **kw) -> Api:
    return Api(api_client_create(name=name, **kw)[1])


@pytest.fixture
def desk_a(store_a):
    return key("Desk A", store_code=store_a.code, role=Role.STORE_MANAGER)


def test_complaint_life_cycle_over_the_api(categories, desk_a, store_b, member_a):
    made = desk_a.post("/api/v1/feedback/complaints/", {"category": "service.attitude", "description": "导购态度冷淡",
                                                        "member": member_a.pk, "channel": "phone"})
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["store"] == "SA01" and body["status"] == "open" and body["events"][0]["verb"] == "created"
    url = f"/api/v1/feedback/complaints/{body['id']}/transition/"
    refused = desk_a.post(url, {"to": "resolved"})
    assert refused.status_code == 400 and "remedy" in refused.json()["fields"]
    assert desk_a.post(url, {"to": "resolved", "remedy": "店长致歉，赠送护理券"}).json()["status"] == "resolved"
    bad = desk_a.post(url, {"to": "open"})
    assert bad.status_code == 409 and bad.json()["code"] == "illegal_transition"
    closed = desk_a.post(url, {"to": "closed", "closure_note": "回访满意"})
    assert closed.json()["status"] == "closed" and [e["to_status"] for e in closed.json()["events"]] == ["open", "resolved", "closed"]
    listed = desk_a.get("/api/v1/feedback/complaints/?status=closed").json()
    assert [c["number"] for c in listed["results"]] == [body["number"]]
    other = key("Desk B", store_code=store_b.code, role=Role.STORE_MANAGER)
    assert other.get(f"/api/v1/feedback/complaints/{body['id']}/").status_code == 404
    assert other.get("/api/v1/feedback/complaints/").json()["results"] == []


def test_referral_and_survey_over_the_api(surveys, store_a, hq, member_a):
    from vipdesk.testing.factories import make_member

    friend = make_member(actor=hq, store=store_a, mobile="13612340001")
    till = key("POS A1", store_code=store_a.code)
    first = till.post("/api/v1/feedback/referrals/", {"referrer": member_a.pk, "referred": friend.pk})
    again = till.post("/api/v1/feedback/referrals/", {"referrer": member_a.pk, "referred": friend.pk})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["points"] == 100 and again.json()["id"] == first.json()["id"] and not again.json()["created"]
    for score in (10, 9, 3):
        assert till.post("/api/v1/feedback/surveys/responses/", {"survey": "nps", "score": score}).status_code == 201
    assert till.post("/api/v1/feedback/surveys/responses/", {"survey": "csat", "score": 6}).status_code == 400
    report = key("HQ").get("/api/v1/feedback/surveys/report/").json()
    assert report["total"]["nps"]["score"] == "33.3"  # (2 − 1) / 3


def test_an_auditor_reads_but_does_not_write(categories, store_a):
    auditor = key("Audit", role=Role.AUDITOR)
    assert auditor.get("/api/v1/feedback/complaints/").status_code == 200
    assert auditor.post("/api/v1/feedback/complaints/", {"store": "SA01", "category": "product", "description": "x"}).status_code == 403
