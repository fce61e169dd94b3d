"""Cards over the API: issue, check at the till, life cycle moves, lost-card replacement (R2)."""
import pytest

from vipdesk.members.models import Card

pytestmark = pytest.mark.django_db


def card_url(number, action=""):
    return f"/api/v1/cards/{number}/" + (f"{action}/" if action else "")


def issue(api, member, media="barcode"):
    return api.post(f"/api/v1/members/{member.pk}/cards/", {"media": media})


def test_enrol_issue_report_lost_and_replace(desk_a, store_a):
    member = desk_a.post("/api/v1/members/", {"name": "陈静", "mobile": "13611112222", "birthday": "1985-05-05"}).json()
    response = desk_a.post(f"/api/v1/members/{member['id']}/cards/", {"media": "ic"})
    assert response.status_code == 201
    old = response.json()
    assert old["status"] == "active" and old["media"] == "ic" and old["kind"] == "principal"

    check = desk_a.get(card_url(old["number"]))
    assert check.status_code == 200 and check.json()["member"]["member_no"] == member["member_no"]

    response = desk_a.post(card_url(old["number"], "report-lost"), {"reason": "顾客来电挂失"})
    assert response.status_code == 200 and response.json()["status"] == "lost"

    # One matching fact (the name) is not enough.
    response = desk_a.post(card_url(old["number"], "replace"), {"facts": {"name": "陈静", "mobile": "13900000000"}})
    assert response.status_code == 422
    assert response.json()["code"] == "identity_not_confirmed" and "facts" in response.json()["fields"]

    response = desk_a.post(card_url(old["number"], "replace"),
                           {"facts": {"name": "陈静", "mobile": "136 1111 2222"}, "media": "qr"})
    assert response.status_code == 201, response.json()
    new = response.json()
    assert new["number"] != old["number"] and new["status"] == "active" and new["media"] == "qr"

    refused = desk_a.get(card_url(old["number"]))
    assert refused.status_code == 422 and refused.json()["code"] == "card_invalid"
    assert Card.objects.get(number=old["number"]).flagged_for_confiscation
    assert desk_a.get(card_url(new["number"])).status_code == 200
    cards = {c["number"]: c["status"] for c in desk_a.get(f"/api/v1/members/{member['id']}/").json()["cards"]}
    assert cards == {old["number"]: "replaced", new["number"]: "active"}


def test_replace_needs_lost_card_first(desk_a, member_a):
    number = issue(desk_a, member_a).json()["number"]
    response = desk_a.post(card_url(number, "replace"), {"facts": {"name": "林小红", "mobile": "13766667777"}})
    assert response.status_code == 409 and response.json()["code"] == "illegal_transition"


def test_cashier_card_waits_for_approval(till_a, desk_a, member_a):
    card = issue(till_a, member_a).json()
    assert card["status"] == "pending"
    response = till_a.get(card_url(card["number"]))
    assert response.status_code == 422 and response.json()["code"] == "card_pending"  # awaiting approval: not to be kept
    assert till_a.post(card_url(card["number"], "approve")).json()["code"] == "permission_denied"
    assert desk_a.post(card_url(card["number"], "approve")).json()["status"] == "active"
    assert till_a.get(card_url(card["number"])).status_code == 200


def test_reject_needs_reason(desk_a, till_a, member_a):
    number = issue(till_a, member_a).json()["number"]
    assert desk_a.post(card_url(number, "reject"), {}).status_code == 400
    assert desk_a.post(card_url(number, "reject"), {"reason": "资料不全"}).json()["status"] == "rejected"


def test_freeze_and_unfreeze(desk_a, member_a):
    number = issue(desk_a, member_a).json()["number"]
    assert desk_a.post(card_url(number, "freeze"), {"reason": "疑似盗用"}).json()["status"] == "frozen"
    response = desk_a.get(card_url(number))
    assert response.status_code == 422 and response.json()["code"] == "card_frozen"
    assert desk_a.post(card_url(number, "unfreeze"), {}).json()["status"] == "active"
    response = desk_a.post(card_url(number, "unfreeze"), {})
    assert response.status_code == 409 and response.json()["code"] == "illegal_transition"


def test_cards_outside_scope_are_not_found(desk_a, hq_api, member_b):
    number = issue(hq_api, member_b).json()["number"]
    for response in [desk_a.get(card_url(number)), desk_a.post(card_url(number, "report-lost"), {})]:
        assert response.status_code == 404 and response.json()["code"] == "card_not_found"
    assert desk_a.get(card_url("8860000000000")).json()["code"] == "card_not_found"
    assert Card.objects.get(number=number).status == "active"


def test_e_card_code_is_accepted_at_the_till(hq_api, member_a):
    issue(hq_api, member_a, media="qr")
    token = Card.objects.get(member=member_a).token
    assert hq_api.get(card_url(token)).json()["member"]["member_no"] == member_a.member_no


def test_card_check_masks_the_holder_for_a_till(till_a, hq_api, member_a):
    number = issue(hq_api, member_a).json()["number"]
    holder = till_a.get(card_url(number)).json()["member"]
    assert holder["mobile"] == "137****7777" and holder["name"] == "林*红"


def test_unknown_media_is_validation_error(hq_api, member_a):
    response = issue(hq_api, member_a, media="punchcard")
    assert response.status_code == 400 and "media" in response.json()["fields"]
