"""The approval queue (issue 15 §2), and a card awaiting approval shown as such at the till and on
the member's page."""
import pytest
from django.utils import timezone

from vipdesk.members.cards import card_issue
from vipdesk.members.choices import CardStatus
from vipdesk.points.services import earn_rule_install_default
from vipdesk.tiers.choices import ApprovalStatus
from vipdesk.tiers.config import programme_install
from vipdesk.tiers.models import Level, TierApproval
from vipdesk.tiers.presets import DEPARTMENT_STORE

pytestmark = pytest.mark.django_db

URL = "/approvals/"


@pytest.fixture(autouse=True)
def programme(db):
    programme_install(spec=DEPARTMENT_STORE)
    earn_rule_install_default(yuan_per_point=1)


@pytest.fixture
def purple_request(member_a):
    return TierApproval.objects.create(member=member_a, level=Level.objects.order_by("-rank").first(),
                                       requested_on=timezone.localdate())


def test_the_till_says_awaiting_approval_and_keeps_no_card(login, cashier_a, guide_a, member_a):
    card = card_issue(actor=guide_a, member=member_a)
    data = {"store": "SA01", "terminal": "T1", "receipt_no": "R1", "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "member_by": "card", "member_value": card.number, "guide": "", "amount_paid": "100.00",
            "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-0-sku": "A", "lines-0-unit_price": "100.00",
            "lines-0-quantity": "1", "lines-0-amount": "100.00",
            "payments-TOTAL_FORMS": "1", "payments-INITIAL_FORMS": "0", "payments-0-method": "cash", "payments-0-amount": "100.00"}
    page = login(cashier_a).post("/pos/sale/", data).content.decode()
    assert 'data-code="card_pending"' in page and "此卡尚待审批，暂不能使用" in page and "收回" not in page
    card.refresh_from_db()
    assert not card.flagged_for_confiscation
    look = login(cashier_a).get("/pos/member/", {"by": "card", "value": card.number}).json()
    assert "尚待审批" in look["warning"] and "收回" not in look["warning"]


def test_the_member_page_shows_a_pending_card_as_not_issued(login, guide_a, member_a):
    response = login(guide_a).post(f"/members/{member_a.pk}/cards/issue/", {"media": "barcode"}, follow=True)
    page = response.content.decode()
    card = member_a.cards.get()
    assert card.status == CardStatus.PENDING
    assert "待店长审批" in page and "已办理" not in page
    assert f'id="card-{card.pk}-pending"' in page and "尚未发卡" in page


def test_the_queue_lists_cards_and_upgrades_side_by_side(login, manager_a, guide_a, member_a, member_b, guide_b, purple_request):
    mine = card_issue(actor=guide_a, member=member_a)
    theirs = card_issue(actor=guide_b, member=member_b)
    page = login(manager_a).get(URL)
    assert page.status_code == 200
    assert [c.pk for c in page.context["cards"]] == [mine.pk]
    assert [t.pk for t in page.context["tiers"]] == [purple_request.pk]
    text = page.content.decode()
    assert "待审批" in text and mine.number in text and theirs.number not in text and "紫金钻石卡" in text
    assert "由总部审批" in text and f"/approvals/tiers/{purple_request.pk}/approve/" not in text  # HQ decides upgrades


def test_a_manager_approves_a_card_and_a_rejection_needs_a_note(login, manager_a, guide_a, member_a):
    first, second = card_issue(actor=guide_a, member=member_a), card_issue(actor=guide_a, member=member_a)
    client = login(manager_a)
    done = client.post(f"/approvals/cards/{first.pk}/approve/", {"note": ""}, follow=True)
    first.refresh_from_db()
    assert first.status == CardStatus.ACTIVE and "已审批通过" in done.content.decode()
    refused = client.post(f"/approvals/cards/{second.pk}/reject/", {"note": ""})
    text = refused.content.decode()
    assert refused.status_code == 200 and f'id="error-card-{second.pk}"' in text and "请填写驳回原因" in text
    second.refresh_from_db()
    assert second.status == CardStatus.PENDING
    client.post(f"/approvals/cards/{second.pk}/reject/", {"note": "资料不全"})
    second.refresh_from_db()
    assert second.status == CardStatus.REJECTED


def test_hq_decides_an_upgrade_and_a_manager_may_not(login, hq, manager_a, purple_request):
    assert login(manager_a).post(f"/approvals/tiers/{purple_request.pk}/approve/", {"note": "同意"}).status_code == 403
    page = login(hq).get(URL).content.decode()
    assert f"/approvals/tiers/{purple_request.pk}/approve/" in page
    login(hq).post(f"/approvals/tiers/{purple_request.pk}/approve/", {"note": "信用良好"})
    purple_request.refresh_from_db()
    assert purple_request.status == ApprovalStatus.APPROVED and purple_request.note == "信用良好"
    assert purple_request.decided_by == hq


def test_only_approvers_open_the_queue(login, cashier_a, guide_a):
    assert login(cashier_a).get(URL).status_code == 403
    assert login(guide_a).get(URL).status_code == 403
