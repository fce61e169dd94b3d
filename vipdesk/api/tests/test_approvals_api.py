"""The approval queue over the API (issue 15 §2) and a card awaiting approval at the till API."""
import pytest
from django.utils import timezone

from vipdesk.members.cards import card_apply, card_issue
from vipdesk.members.choices import CardStatus
from vipdesk.points.services import catalogue_install_default, earn_rule_install_default
from vipdesk.tiers.choices import ApprovalStatus
from vipdesk.tiers.config import programme_install
from vipdesk.tiers.models import Level, TierApproval
from vipdesk.tiers.presets import DEPARTMENT_STORE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def programme(db):
    programme_install(spec=DEPARTMENT_STORE)
    earn_rule_install_default(yuan_per_point=1)


def sale(card_number, receipt="P1"):
    return {"store": "SA01", "receipt_no": receipt, "occurred_at": timezone.now().isoformat(), "member": {"card": card_number},
            "lines": [{"sku": "A", "unit_price": "100.00", "quantity": 1, "amount": "100.00"}],
            "payments": [{"method": "cash", "amount": "100.00"}], "amount_paid": "100.00"}


def test_a_pending_card_is_refused_at_the_till_as_awaiting_approval_not_confiscated(till_a, member_a, guide_a):
    card = card_issue(actor=guide_a, member=member_a)
    assert card.status == CardStatus.PENDING
    till_a.lang = "zh-hans"
    response = till_a.post("/api/v1/sales/", sale(card.number))
    assert response.status_code == 422 and response.json()["code"] == "card_pending"
    assert "此卡尚待审批，暂不能使用" in response.json()["message"] and "收回" not in response.json()["message"]
    card.refresh_from_db()
    assert not card.flagged_for_confiscation
    catalogue_install_default()
    redeemed = till_a.post("/api/v1/redemptions/", {"member": {"card": card.number}, "item_code": "GOODS-500"})
    assert redeemed.status_code == 422 and redeemed.json()["code"] == "card_pending"


def test_pending_cards_listed_for_approvers_of_their_stores(desk_a, hq_api, till_a, member_a, member_b, guide_a, guide_b):
    mine = card_apply(actor=guide_a, member=member_a, note="顾客要求实体卡")
    theirs = card_apply(actor=guide_b, member=member_b)
    listed = desk_a.get("/api/v1/approvals/cards/").json()
    assert [c["number"] for c in listed["results"]] == [mine.number]
    row = listed["results"][0]
    assert row["applied_by"] == guide_a.username and row["note"] == "顾客要求实体卡" and row["store"] == "SA01"
    assert {c["number"] for c in hq_api.get("/api/v1/approvals/cards/").json()["results"]} == {mine.number, theirs.number}
    assert till_a.get("/api/v1/approvals/cards/").status_code == 403
    approved = desk_a.post(f"/api/v1/cards/{mine.number}/approve/", {"reason": "资料齐全"})
    assert approved.status_code == 200 and approved.json()["status"] == "active"
    assert desk_a.get("/api/v1/approvals/cards/").json()["results"] == []


def test_tier_upgrades_listed_and_decided_by_hq_only(desk_a, hq_api, member_a, member_b):
    purple = Level.objects.order_by("-rank").first()
    mine = TierApproval.objects.create(member=member_a, level=purple, requested_on=timezone.localdate())
    TierApproval.objects.create(member=member_b, level=purple, requested_on=timezone.localdate())
    listed = desk_a.get("/api/v1/approvals/tiers/").json()["results"]
    assert [r["id"] for r in listed] == [mine.pk] and listed[0]["level"]["code"] == purple.code
    assert len(hq_api.get("/api/v1/approvals/tiers/").json()["results"]) == 2
    refused = desk_a.post(f"/api/v1/approvals/tiers/{mine.pk}/approve/", {"note": "同意"})
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert hq_api.post(f"/api/v1/approvals/tiers/{mine.pk}/approve/", {"note": "x", "extra": 1}).status_code == 400
    done = hq_api.post(f"/api/v1/approvals/tiers/{mine.pk}/reject/", {"note": "信用记录不足"})
    assert done.status_code == 200 and done.json()["status"] == "rejected" and done.json()["note"] == "信用记录不足"
    mine.refresh_from_db()
    assert mine.status == ApprovalStatus.REJECTED
    again = hq_api.post(f"/api/v1/approvals/tiers/{mine.pk}/approve/", {})
    assert again.status_code == 409
    assert hq_api.post("/api/v1/approvals/tiers/999999/approve/", {}).status_code == 404


def test_the_schema_documents_the_queue(hq_api):
    schema = hq_api.get("/api/schema/?format=json").json()
    for url in ("/api/v1/approvals/cards/", "/api/v1/approvals/tiers/", "/api/v1/approvals/tiers/{id}/approve/",
                "/api/v1/approvals/tiers/{id}/reject/"):
        assert url in schema["paths"], url
