"""Card life cycle (R2): numbering, approval, illegal transitions, lost-card replacement, legacy, invalid at the till."""
import pytest

from vipdesk.core.errors import DomainError, NotFound, PermissionDenied
from vipdesk.core.validators import luhn_valid
from vipdesk.members.cards import (
    CardInvalid, CardPending, IllegalTransition, card_add_supplementary, card_apply, card_approve, card_change_status, card_issue,
    card_migrate_legacy, card_present, card_reject, card_replace_lost,
)
from vipdesk.members.choices import CARD_TRANSITIONS, CardStatus
from vipdesk.members.models import Card, CardEvent
from vipdesk.testing.factories import make_member, valid_id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(guide_a):
    return make_member(actor=guide_a, name="林小红", mobile="13766667777", birthday="1992-02-02",
                       id_number=valid_id_number("19920202", 224))


def test_numbers_have_prefix_and_check_digit(member, manager_a, settings):
    settings.VIPDESK = {**settings.VIPDESK, "CARD_PREFIX": "6200"}
    card = card_issue(actor=manager_a, member=member)
    assert card.number.startswith("6200") and luhn_valid(card.number)
    assert card_issue(actor=manager_a, member=member).number != card.number


def test_guide_applies_supervisor_approves(member, guide_a, manager_a):
    card = card_issue(actor=guide_a, member=member, media="ic")
    assert card.status == CardStatus.PENDING
    with pytest.raises(PermissionDenied):
        card_approve(actor=guide_a, card=card)
    with pytest.raises(CardPending) as refused:
        card_present(number=card.number)
    assert refused.value.code == "card_pending" and refused.value.status == 422
    card = card_approve(actor=manager_a, card=card)
    assert card.status == CardStatus.ACTIVE and card.issued_at
    assert card_present(number=card.number) == card
    assert list(card.events.order_by("id").values_list("verb", flat=True)) == ["applied", "presented_pending", "approved"]
    assert not Card.objects.get(pk=card.pk).flagged_for_confiscation  # a pending card is refused, not confiscated


def test_rejection_needs_reason_and_is_final(member, guide_a, manager_a):
    card = card_apply(actor=guide_a, member=member)
    with pytest.raises(DomainError):
        card_reject(actor=manager_a, card=card, reason="")
    card = card_reject(actor=manager_a, card=card, reason="资料不全")
    assert card.status == CardStatus.REJECTED
    with pytest.raises(IllegalTransition):
        card_approve(actor=manager_a, card=card)


@pytest.mark.parametrize("status", [s for s in CardStatus.values])
def test_every_illegal_transition_is_refused(status, member, manager_a):
    card = card_issue(actor=manager_a, member=member)
    Card.objects.filter(pk=card.pk).update(status=status)
    card.refresh_from_db()
    for move, target in [("freeze", "frozen"), ("report_lost", "lost"), ("invalidate", "invalid"), ("close", "closed")]:
        if target in CARD_TRANSITIONS[status]:
            continue
        with pytest.raises(IllegalTransition):
            card_change_status(actor=manager_a, card=card, move=move)
        card.refresh_from_db()
        assert card.status == status


def test_freeze_unfreeze_and_unfreeze_only_from_frozen(member, manager_a):
    card = card_issue(actor=manager_a, member=member)
    with pytest.raises(IllegalTransition):
        card_change_status(actor=manager_a, card=card, move="unfreeze")
    card = card_change_status(actor=manager_a, card=card, move="freeze", reason="顾客要求")
    with pytest.raises(DomainError) as err:
        card_present(number=card.number)
    assert err.value.code == "card_frozen"
    card = card_change_status(actor=manager_a, card=card, move="unfreeze")
    assert card.status == CardStatus.ACTIVE


def test_lost_card_replaced_only_after_two_facts(member, guide_a, manager_a):
    card = card_issue(actor=manager_a, member=member)
    with pytest.raises(IllegalTransition):
        card_replace_lost(actor=guide_a, card=card, facts={"name": "林小红", "mobile": "13766667777"})
    card = card_change_status(actor=guide_a, card=card, move="report_lost")
    with pytest.raises(DomainError) as err:
        card_replace_lost(actor=guide_a, card=card, facts={"name": "林小红", "mobile": "13700000000"})
    assert err.value.code == "identity_not_confirmed"
    assert CardEvent.objects.filter(card=card, verb="identity_check_failed").exists()
    new = card_replace_lost(actor=guide_a, card=card, facts={"name": "林小红", "id_number": valid_id_number("19920202", 224)})
    card.refresh_from_db()
    assert card.status == CardStatus.REPLACED and new.replaces == card and new.member == member
    event = card.events.get(verb="replaced")
    assert sorted(event.payload["identity_facts"]) == ["id_number", "name"]
    assert "林小红" not in str(event.payload)  # facts are compared, not stored
    with pytest.raises(CardInvalid):
        card_present(number=card.number)
    card.refresh_from_db()
    assert card.flagged_for_confiscation
    assert card.events.filter(verb="presented_invalid").exists()


def test_supplementary_card_hangs_on_principal_and_follows_replacement(member, manager_a):
    principal = card_issue(actor=manager_a, member=member)
    supp = card_add_supplementary(actor=manager_a, principal=principal, holder_name="林妈妈", holder_mobile="13511110000")
    assert supp.member == member and supp.principal == principal and supp.status == CardStatus.ACTIVE
    with pytest.raises(IllegalTransition):
        card_add_supplementary(actor=manager_a, principal=supp, holder_name="X")
    card_change_status(actor=manager_a, card=principal, move="report_lost")
    new = card_replace_lost(actor=manager_a, card=principal, facts={"name": "林小红", "mobile": "13766667777"})
    supp.refresh_from_db()
    assert supp.principal == new


def test_legacy_migration_keeps_history_and_refuses_old_number(member, manager_a):
    new = card_migrate_legacy(actor=manager_a, member=member, legacy_number="OLD-000123")
    old = Card.objects.get(number="OLD-000123")
    assert new.legacy_number == "OLD-000123" and new.replaces == old and old.status == CardStatus.REPLACED
    with pytest.raises(DomainError) as err:
        card_migrate_legacy(actor=manager_a, member=member, legacy_number="OLD-000123")
    assert err.value.code == "already_migrated"
    with pytest.raises(CardInvalid):
        card_present(number="OLD-000123")


def test_unknown_card_and_e_card_token(member, manager_a):
    with pytest.raises(NotFound):
        card_present(number="999")
    ecard = card_issue(actor=manager_a, member=member, media="qr")
    assert ecard.token and card_present(number=ecard.token) == ecard


def test_guide_of_other_store_cannot_touch_card(member, manager_a, guide_b):
    card = card_issue(actor=manager_a, member=member)
    with pytest.raises(NotFound):
        card_change_status(actor=guide_b, card=card, move="freeze")
