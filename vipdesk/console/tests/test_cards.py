"""Card actions from the 360° page: issue, approve, freeze, lost, replace, supplementary, legacy."""
import pytest
from django.urls import reverse

from vipdesk.members.choices import CardStatus
from vipdesk.members.models import Card

pytestmark = pytest.mark.django_db


def _move(client, member, card, move, **data):
    return client.post(reverse("console:card_move", args=[member.pk, card.pk, move]), data, follow=True)


def test_guide_applies_and_manager_approves(login, client, guide_a, manager_a, member_a):
    login(guide_a)
    page = client.post(reverse("console:card_issue", args=[member_a.pk]), {"media": "qr"}, follow=True).content.decode()
    card = Card.objects.get(member=member_a)
    assert card.status == CardStatus.PENDING and card.media == "qr"
    assert card.number in page
    assert 'data-move="approve"' not in page  # a guide sees no approval button…
    _move(client, member_a, card, "approve")
    card.refresh_from_db()
    assert card.status == CardStatus.PENDING  # …and the service refuses the POST anyway
    login(manager_a)
    page = _move(client, member_a, card, "approve").content.decode()
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE
    assert f"会员卡 {card.number} 已审核通过。" in page


def test_reject_needs_a_reason(login, guide_a, manager_a, member_a, client):
    from vipdesk.members.cards import card_apply

    card = card_apply(actor=guide_a, member=member_a)
    login(manager_a)
    _move(client, member_a, card, "reject", reason="")
    card.refresh_from_db()
    assert card.status == CardStatus.PENDING
    _move(client, member_a, card, "reject", reason="资料不全")
    card.refresh_from_db()
    assert card.status == CardStatus.REJECTED


def test_lost_card_replaced_after_two_facts_and_history_shown(login, client, manager_a, member_a):
    login(manager_a)
    client.post(reverse("console:card_issue", args=[member_a.pk]), {"media": "barcode"})
    card = Card.objects.get(member=member_a)
    _move(client, member_a, card, "report_lost", reason="顾客挂失")
    card.refresh_from_db()
    assert card.status == CardStatus.LOST
    url = reverse("console:card_replace", args=[member_a.pk, card.pk])
    page = client.post(url, {"name": "张小明", "media": "barcode"}, follow=True).content.decode()
    assert Card.objects.filter(member=member_a).count() == 1
    assert "身份" in page  # identity not confirmed, in Chinese
    client.post(url, {"name": "张小明", "mobile": "13812348000", "media": "barcode"})
    card.refresh_from_db()
    assert card.status == CardStatus.REPLACED
    new = Card.objects.get(replaces=card)
    page = client.get(reverse("console:member_detail", args=[member_a.pk])).content.decode()
    assert new.number in page and "identity_check_failed" not in page


def test_freeze_unfreeze_supplementary_and_legacy(login, client, manager_a, member_a):
    login(manager_a)
    client.post(reverse("console:card_issue", args=[member_a.pk]), {"media": "barcode"})
    card = Card.objects.get(member=member_a)
    _move(client, member_a, card, "freeze", reason="暂停")
    card.refresh_from_db()
    assert card.status == CardStatus.FROZEN
    _move(client, member_a, card, "unfreeze")
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE
    client.post(reverse("console:card_supplementary", args=[member_a.pk, card.pk]),
                {"holder_name": "周强", "holder_mobile": "13912340000", "media": "barcode"})
    supp = Card.objects.get(principal=card)
    assert supp.status == CardStatus.ACTIVE and supp.holder_name == "周强"
    client.post(reverse("console:card_migrate", args=[member_a.pk]), {"legacy_number": "OLD-0001", "media": "ic"})
    assert Card.objects.filter(member=member_a, legacy_number="OLD-0001", status=CardStatus.ACTIVE).exists()


def test_unknown_move_is_404(login, manager_a, member_a):
    from vipdesk.members.cards import card_issue

    card = card_issue(actor=manager_a, member=member_a)
    assert login(manager_a).post(reverse("console:card_move", args=[member_a.pk, card.pk, "explode"])).status_code == 404


def test_illegal_move_shows_the_service_message(login, client, manager_a, member_a):
    from vipdesk.members.cards import card_issue

    card = card_issue(actor=manager_a, member=member_a)
    login(manager_a)
    page = _move(client, member_a, card, "found").content.decode()
    assert 'class="msg msg-error"' in page
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE
