"""Card services (R2): numbering, application and approval, life cycle, lost-card replacement,
supplementary cards, legacy migration, and the check made whenever a card is presented."""
from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, can, require
from vipdesk.audit.services import actor_fields as _event_actor
from vipdesk.audit.services import event_record
from vipdesk.core.errors import DomainError, NotFound, ValidationFailed
from vipdesk.core.models import Sequence
from vipdesk.core.validators import luhn_check_digit, normalize_id_number, normalize_mobile

from .choices import CARD_TRANSITIONS, CARD_UNUSABLE, CardKind, CardMedia, CardStatus
from .models import Card, CardEvent, Member
from .services import member_for_actor


class CardInvalid(DomainError):
    code = "card_invalid"
    status = 422


class CardPending(DomainError):
    """A card applied for and not yet approved: refused at every till, but not flagged for
    confiscation (the holder is a member whose card simply waits for the manager's approval)."""

    code = "card_pending"
    status = 422


class IllegalTransition(DomainError):
    code = "illegal_transition"
    status = 409


def card_number_new() -> str:
    cfg = settings.VIPDESK
    body = f"{cfg['CARD_PREFIX']}{Sequence.next('card_no'):0{cfg['CARD_SEQUENCE_DIGITS']}d}"
    return body + luhn_check_digit(body)


def _log(card: Card, verb: str, actor, old: str = "", reason: str = "", **payload) -> None:
    CardEvent.objects.create(card=card, verb=verb, from_status=old, to_status=card.status, reason=(reason or "")[:200],
                             payload=payload, **_event_actor(actor))


def _transition(card: Card, to: str, *, actor, verb: str, reason: str = "", **payload) -> Card:
    if to not in CARD_TRANSITIONS[card.status]:
        raise IllegalTransition(
            _("A card that is %(from)s cannot become %(to)s.") % {"from": card.get_status_display(), "to": CardStatus(to).label}
        )
    old = card.status
    card.status = to
    if to == CardStatus.ACTIVE and card.issued_at is None:
        card.issued_at = timezone.now()
    card.save(update_fields=["status", "issued_at", "updated_at"])
    _log(card, verb, actor, old, reason, **payload)
    return card


def _locked_card(actor, card: Card, action: str = Action.CARD_ISSUE) -> Card:
    require(actor, action)
    member_for_actor(actor, card.member_id, action=Action.VIEW)  # scope check: 404 outside scope
    return Card.objects.select_for_update().get(pk=card.pk)


def _check_media(media: str) -> str:
    if media not in CardMedia.values:
        raise ValidationFailed(_("Unknown card media."), fields={"media": _("Choose one of: %(values)s.") % {"values": ", ".join(CardMedia.values)}})
    return media


@transaction.atomic
def card_apply(*, actor, member: Member, media: str = CardMedia.BARCODE, store=None, note: str = "") -> Card:
    """An application for a card; it becomes usable once a supervisor approves it (R2.2)."""
    require(actor, Action.CARD_ISSUE)
    member = member_for_actor(actor, member.pk, action=Action.VIEW)
    if member.is_withdrawn:
        raise DomainError(_("This member has withdrawn."), code="member_withdrawn", status=409)
    _check_media(media)
    card = Card.objects.create(
        number=card_number_new(), member=member, media=media, status=CardStatus.PENDING,
        token=secrets.token_urlsafe(24) if media == CardMedia.QR else None,
        issue_store=store or member.home_store,
    )
    _log(card, "applied", actor, reason=note)
    return card


@transaction.atomic
def card_approve(*, actor, card: Card, note: str = "") -> Card:
    card = _locked_card(actor, card, Action.CARD_APPROVE)
    return _transition(card, CardStatus.ACTIVE, actor=actor, verb="approved", reason=note)


@transaction.atomic
def card_reject(*, actor, card: Card, reason: str) -> Card:
    if not (reason or "").strip():
        raise ValidationFailed(_("Give a reason for the rejection."), fields={"reason": _("A reason is required.")})
    card = _locked_card(actor, card, Action.CARD_APPROVE)
    return _transition(card, CardStatus.REJECTED, actor=actor, verb="rejected", reason=reason)


@transaction.atomic
def card_issue(*, actor, member: Member, media: str = CardMedia.BARCODE, store=None) -> Card:
    """Apply, and approve at once when the actor is a supervisor; otherwise the card waits for review."""
    card = card_apply(actor=actor, member=member, media=media, store=store)
    if actor is None or can(actor, Action.CARD_APPROVE):
        card = card_approve(actor=actor, card=card)
    return card


# Simple life-cycle moves: verb → (target status, required action)
_MOVES = {
    "freeze": (CardStatus.FROZEN, Action.CARD_ISSUE),
    "unfreeze": (CardStatus.ACTIVE, Action.CARD_ISSUE),
    "report_lost": (CardStatus.LOST, Action.CARD_ISSUE),
    "found": (CardStatus.ACTIVE, Action.CARD_ISSUE),
    "invalidate": (CardStatus.INVALID, Action.CARD_APPROVE),
    "close": (CardStatus.CLOSED, Action.CARD_APPROVE),
}


@transaction.atomic
def card_change_status(*, actor, card: Card, move: str, reason: str = "") -> Card:
    if move not in _MOVES:
        raise ValidationFailed(_("Unknown card action."), fields={"action": _("Unknown card action.")})
    to, action = _MOVES[move]
    if move == "unfreeze" and card.status != CardStatus.FROZEN or move == "found" and card.status != CardStatus.LOST:
        raise IllegalTransition(_("A card that is %(from)s cannot become %(to)s.") % {"from": card.get_status_display(), "to": CardStatus(to).label})
    card = _locked_card(actor, card, action)
    return _transition(card, to, actor=actor, verb=move, reason=reason)


def _identity_facts(member: Member, facts: dict) -> list[str]:
    """Which of the offered facts match the member (values are compared, never stored)."""
    matched = []
    name = (facts.get("name") or "").strip()
    if name and name == member.name:
        matched.append("name")
    if facts.get("mobile"):
        try:
            if normalize_mobile(facts["mobile"]) == member.mobile:
                matched.append("mobile")
        except Exception:
            pass
    if facts.get("id_number") and member.id_number:
        try:
            if normalize_id_number(facts["id_number"]) == member.id_number:
                matched.append("id_number")
        except Exception:
            pass
    if facts.get("birthday") and member.birthday and str(facts["birthday"]).strip() == member.birthday.isoformat():
        matched.append("birthday")
    if facts.get("card_number"):
        if member.cards.filter(number=str(facts["card_number"]).strip()).exists():
            matched.append("card_number")
    return matched


def card_replace_lost(*, actor, card: Card, facts: dict, media: str | None = None) -> Card:
    """Replace a lost card after the holder proves identity with at least two facts (R2.3).

    The new card belongs to the same member, so every balance stays where it is. A failed
    identity check is recorded (committed on its own) before the refusal is raised.
    """
    require(actor, Action.CARD_ISSUE)
    member_for_actor(actor, card.member_id, action=Action.VIEW)
    card.refresh_from_db()
    if card.status != CardStatus.LOST:
        raise IllegalTransition(_("Only a card reported lost can be replaced; report it lost first."))
    matched = _identity_facts(card.member, facts or {})
    needed = settings.VIPDESK["LOST_CARD_MIN_FACTS"]
    if len(matched) < needed:
        offered = sorted(k for k, v in (facts or {}).items() if v)
        with transaction.atomic():
            CardEvent.objects.create(card=card, verb="identity_check_failed", from_status=card.status, to_status=card.status,
                                     payload={"offered": offered, "matched": matched}, **_event_actor(actor))
        raise DomainError(
            _("Identity not confirmed: at least %(n)s facts (name, mobile, ID number, birthday, card number) must match.") % {"n": needed},
            code="identity_not_confirmed", status=422, fields={"facts": _("%(k)s of %(n)s matched.") % {"k": len(matched), "n": needed}},
        )
    return _replace(actor=actor, card=card, matched=matched, media=media)


@transaction.atomic
def _replace(*, actor, card: Card, matched: list[str], media: str | None) -> Card:
    card = Card.objects.select_for_update().get(pk=card.pk)
    if card.status != CardStatus.LOST:  # changed while the facts were checked
        raise IllegalTransition(_("Only a card reported lost can be replaced; report it lost first."))
    member = card.member
    media = _check_media(media or card.media)
    new = Card.objects.create(
        number=card_number_new(), member=member, media=media, kind=card.kind, principal=card.principal,
        holder_name=card.holder_name, holder_mobile=card.holder_mobile, status=CardStatus.ACTIVE, issued_at=timezone.now(),
        token=secrets.token_urlsafe(24) if media == CardMedia.QR else None, replaces=card, issue_store=card.issue_store,
    )
    _transition(card, CardStatus.REPLACED, actor=actor, verb="replaced", new_card=new.number, identity_facts=matched)
    _log(new, "issued_as_replacement", actor, replaces=card.number, identity_facts=matched)
    # Supplementary cards hang on to the principal card that replaced the lost one.
    Card.objects.filter(principal=card).update(principal=new)
    event_record(actor=actor, verb="card.replaced", obj=member, payload={"old": card.number, "new": new.number, "identity_facts": matched})
    return new


@transaction.atomic
def card_add_supplementary(*, actor, principal: Card, holder_name: str, holder_mobile: str = "", media: str = CardMedia.BARCODE) -> Card:
    """A supplementary card (附属卡) on the principal's account, e.g. for family or as a gift (R2.5)."""
    principal = _locked_card(actor, principal, Action.CARD_ISSUE)
    errors = {}
    if principal.kind != CardKind.PRINCIPAL or principal.status != CardStatus.ACTIVE:
        raise IllegalTransition(_("Supplementary cards hang on an active principal card."))
    holder_name = (holder_name or "").strip()
    if not holder_name:
        errors["holder_name"] = _("Name is required (a surname alone is enough).")
    mobile = ""
    if holder_mobile:
        try:
            mobile = normalize_mobile(holder_mobile)
        except Exception as exc:
            errors["holder_mobile"] = getattr(exc, "messages", [str(exc)])[0]
    if errors:
        raise ValidationFailed(next(iter(errors.values())), fields=errors)
    card = Card.objects.create(
        number=card_number_new(), member=principal.member, media=_check_media(media), kind=CardKind.SUPPLEMENTARY, principal=principal,
        holder_name=holder_name, holder_mobile=mobile, status=CardStatus.PENDING, issue_store=principal.issue_store,
        token=secrets.token_urlsafe(24) if media == CardMedia.QR else None,
    )
    _log(card, "applied", actor, principal=principal.number)
    if actor is None or can(actor, Action.CARD_APPROVE):
        _transition(card, CardStatus.ACTIVE, actor=actor, verb="approved")
    return card


@transaction.atomic
def card_migrate_legacy(*, actor, member: Member, legacy_number: str, media: str = CardMedia.BARCODE) -> Card:
    """新卡换旧卡: record the old card as replaced and issue a new one that remembers it."""
    require(actor, Action.CARD_ISSUE)
    member = member_for_actor(actor, member.pk, action=Action.VIEW)
    legacy_number = (legacy_number or "").strip()
    if not legacy_number or len(legacy_number) > 32:
        raise ValidationFailed(_("Enter the old card number."), fields={"legacy_number": _("Enter the old card number.")})
    if Card.objects.filter(legacy_number=legacy_number).exists():
        raise DomainError(_("This old card has already been migrated."), code="already_migrated", status=409)
    old = Card.objects.filter(number=legacy_number).first()
    if old is not None and old.member_id != member.pk:
        raise DomainError(_("This card number belongs to another member."), code="card_other_member", status=409)
    if old is None:
        old = Card.objects.create(number=legacy_number, member=member, media=CardMedia.MAGSTRIPE, status=CardStatus.ACTIVE,
                                  issue_store=member.home_store)
        _log(old, "legacy_recorded", actor)
    new = Card.objects.create(number=card_number_new(), member=member, media=_check_media(media), status=CardStatus.ACTIVE,
                              issued_at=timezone.now(), legacy_number=legacy_number, replaces=old, issue_store=member.home_store,
                              token=secrets.token_urlsafe(24) if media == CardMedia.QR else None)
    _transition(old, CardStatus.REPLACED, actor=actor, verb="migrated", new_card=new.number)
    _log(new, "issued_for_legacy", actor, legacy_number=legacy_number)
    return new


def card_present(*, number: str, actor=None, store=None) -> Card:
    """The check every till, API and screen makes when a card (or e-card token) is shown.

    An unknown number is `card_not_found`; a card that may not be used is refused with
    `card_invalid`, flagged for confiscation and recorded (R2.4); a card awaiting approval is refused
    with `card_pending`, recorded and not flagged (issue 15 §2). The flag is committed in its
    own transaction before the refusal is raised, so call this before opening the transaction of
    the posting it guards; otherwise the caller's rollback would undo the flag.
    """
    value = (number or "").strip()
    card = Card.objects.filter(number=value).select_related("member").first() if value else None
    if card is None and value:
        card = Card.objects.filter(token=value).select_related("member").first()
    if card is None:
        raise NotFound(_("No card with this number."), code="card_not_found")
    if card.status == CardStatus.PENDING and not card.member.is_withdrawn:
        with transaction.atomic():
            _log(card, "presented_pending", actor, card.status, store=getattr(store, "code", None))
        raise CardPending(_("This card is awaiting approval and cannot be used yet."))
    if card.status in CARD_UNUSABLE or card.status == CardStatus.PENDING or card.member.is_withdrawn:
        with transaction.atomic():
            flag = card.status != CardStatus.PENDING  # a withdrawn member's card still waiting: refused, not kept
            Card.objects.filter(pk=card.pk).update(flagged_for_confiscation=flag, updated_at=timezone.now())
            card.flagged_for_confiscation = flag
            _log(card, "presented_invalid", actor, card.status, store=getattr(store, "code", None))
        raise CardInvalid(_("This card is %(status)s and cannot be used. Keep the card and call the membership desk.")
                          % {"status": card.get_status_display()})
    if card.status == CardStatus.FROZEN:
        raise DomainError(_("This card is frozen."), code="card_frozen", status=422)
    return card
