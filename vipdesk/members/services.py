"""Writes on the member file. Console, API, imports, portal and jobs all call these.

Each service is keyword-only, runs in one transaction, checks the actor's right to act on the
member (scoping), and records what it did in the audit trail.
"""
from __future__ import annotations

import hashlib
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, Role, require
from vipdesk.audit.models import PiiAccess
from vipdesk.audit.services import actor_fields as _event_actor, event_record, pii_access_record
from vipdesk.core.errors import DomainError, NotFound, ValidationFailed
from vipdesk.core.models import Sequence

from .choices import CardStatus, ConsentChannel, ConsentPurpose, ConsentSource, MemberStatus
from .completeness import completeness_score
from .models import Card, CardEvent, Consent, Member, Tag
from .signals import member_enrolled, member_owner_changed, member_updated, member_withdrawing, member_withdrawn
from .validation import clean_member_data, identity_taken

PII_FIELDS = ("name", "mobile", "email", "address", "id_number", "birthday")


def member_for_actor(actor, pk=None, *, action: str = Action.VIEW, member_no: str | None = None, lock: bool = False) -> Member:
    """Fetch one member within the actor's scope; outside it the member does not exist (404)."""
    qs = Member.objects.all() if actor is None else Member.objects.restrict(actor, action)
    if lock:
        qs = qs.select_for_update()
    lookup = {"pk": pk} if pk is not None else {"member_no": member_no}
    try:
        return qs.get(**lookup)
    except (Member.DoesNotExist, ValueError):
        raise NotFound(_("No such member."))


def _check_store_in_scope(actor, store) -> None:
    """Store roles may only file members into their own stores."""
    if actor is None or store is None or getattr(actor, "is_superuser", False):
        return
    if getattr(actor, "role", None) in Role.STORE_ROLES | {Role.ACCOUNT_MANAGER} and store.pk not in actor.store_ids:
        raise ValidationFailed(_("You can only enrol members into your own stores."), fields={"home_store": _("Not one of your stores.")})


def _apply(member: Member, cleaned: dict[str, Any]) -> list[str]:
    tags = cleaned.pop("tags", None)
    changed = []
    for key, value in cleaned.items():
        if getattr(member, key, None) != value if key not in ("home_store", "owner", "referrer") else \
                getattr(member, f"{key}_id") != getattr(value, "pk", None):
            setattr(member, key, value)
            changed.append(key)
    if "mobile" in cleaned:
        member.mobile_last4 = (member.mobile or "")[-4:]
    cleaned["tags"] = tags
    return changed


def _set_tags(member: Member, names: list[str] | None) -> None:
    if names is None:
        return
    tags = []
    for name in names:
        tag, _created = Tag.objects.get_or_create(name=name)
        tags.append(tag)
    member.tags.set(tags)


MEMBER_NO_START = 10000000


def format_member_no(value: int) -> str:
    return f"M{value:08d}"


def next_member_no() -> str:
    return format_member_no(Sequence.next("member_no", start=MEMBER_NO_START))


def reserve_member_nos(count: int) -> list[str]:
    """Member numbers for a batch, reserved before the batch's transaction opens."""
    return [format_member_no(v) for v in Sequence.reserve("member_no", count, start=MEMBER_NO_START)]


@transaction.atomic
def member_enrol(*, actor, data: dict[str, Any], consents: dict | None = None, source: str = ConsentSource.CONSOLE,
                 member_no: str | None = None) -> Member:
    """Create a member. The owner defaults to the staff member who enrolled (R10.2).

    `member_no` is for batches that reserved their numbers up front (`reserve_member_nos`).
    """
    require(actor, Action.ENROL)
    data = dict(data)
    if not data.get("home_store") and actor is not None and getattr(actor, "store_ids", None):
        data["home_store"] = actor.store_ids[0]
    cleaned = clean_member_data(data)
    _check_store_in_scope(actor, cleaned["home_store"])
    staff = actor if actor is not None and getattr(actor, "_meta", None) and actor._meta.model_name == "staff" else None
    if cleaned.get("owner") is None and staff is not None and staff.role != Role.AUDITOR:
        cleaned["owner"] = staff
    member = Member(member_no=member_no or next_member_no(), enrolled_by=staff, enrolled_at=timezone.now())
    _apply(member, cleaned)
    member.completeness = completeness_score(member)
    _save(member)
    _set_tags(member, cleaned.get("tags"))
    for (purpose, channel), granted in (consents or {}).items():
        _consent_write(member=member, purpose=purpose, channel=channel, granted=granted, source=source, actor=staff)
    event_record(actor=actor, verb="member.enrolled", obj=member, payload={"store": member.home_store.code, "source": source})
    # care logs the opener as owner (R10.2); coupons gives the registration coupons (issue 4 §2)
    member_enrolled.send(sender=Member, member=member, actor=actor)
    return member


def _save(member: Member) -> None:
    """Save the file; a mobile or ID number that a racing till gave another member in the meantime
    (the unique index refuses the row) is the same 409 as one taken before."""
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        taken = identity_taken(member)
        if taken is None:
            raise
        raise taken from None


@transaction.atomic
def member_update(*, actor, member: Member, data: dict[str, Any]) -> Member:
    require(actor, Action.CHANGE)
    member = member_for_actor(actor, member.pk, action=Action.CHANGE, lock=True)
    if member.is_withdrawn:
        raise DomainError(_("This member has withdrawn; the file can no longer be changed."), code="member_withdrawn", status=409)
    cleaned = clean_member_data(data, instance=member, partial=True)
    if "home_store" in cleaned:
        _check_store_in_scope(actor, cleaned["home_store"])
    owner_before = member.owner_id
    changed = _apply(member, cleaned)
    member.completeness = completeness_score(member)
    _save(member)
    if "owner" in changed:
        member_owner_changed.send(sender=Member, member=member, from_staff_id=owner_before, actor=actor)
    _set_tags(member, cleaned.get("tags"))
    if changed or cleaned.get("tags") is not None:
        # Record which fields changed, never their personal values.
        event_record(actor=actor, verb="member.updated", obj=member, payload={"fields": sorted(changed)})
        member_updated.send(sender=Member, member=member, fields=sorted(changed), actor=actor)  # webhooks
    return member


@transaction.atomic
def member_reveal(*, actor, member: Member, reason: str) -> dict[str, Any]:
    """Full personal data of one member for a role that may reveal it, with the reason recorded."""
    require(actor, Action.REVEAL)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationFailed(_("Say why you need to see the full data."), fields={"reason": _("A reason is required.")})
    member = member_for_actor(actor, member.pk, action=Action.REVEAL)
    pii_access_record(actor=actor, kind=PiiAccess.Kind.REVEAL, member=member, fields=PII_FIELDS, reason=reason[:200])
    return {
        "name": member.name, "mobile": member.mobile or "", "email": member.email, "address": member.address,
        "id_number": member.id_number, "birthday": member.birthday.isoformat() if member.birthday else "",
    }


def _consent_write(*, member, purpose, channel, granted, source, actor) -> Consent:
    return Consent.objects.create(member=member, purpose=purpose, channel=channel, granted=bool(granted), source=source, actor=actor)


@transaction.atomic
def consent_set(*, actor, member: Member, purpose: str, channel: str, granted: bool, source: str = ConsentSource.CONSOLE) -> Consent:
    """Give or withdraw consent for one purpose on one channel; every change is a new row."""
    require(actor, Action.CONSENT)
    errors = {}
    if purpose not in ConsentPurpose.values:
        errors["purpose"] = _("Unknown purpose.")
    if channel not in ConsentChannel.values:
        errors["channel"] = _("Unknown channel.")
    if source not in ConsentSource.values:
        errors["source"] = _("Unknown source.")
    if errors:
        raise ValidationFailed(next(iter(errors.values())), fields=errors)
    member = member_for_actor(actor, member.pk, action=Action.CONSENT)
    if member.is_withdrawn:
        raise DomainError(_("This member has withdrawn."), code="member_withdrawn", status=409)
    staff = actor if getattr(actor, "_meta", None) and actor._meta.model_name == "staff" else None
    consent = _consent_write(member=member, purpose=purpose, channel=channel, granted=granted, source=source, actor=staff)
    event_record(actor=actor, verb="consent.granted" if granted else "consent.withdrawn", obj=member,
                 payload={"purpose": purpose, "channel": channel, "source": source})
    return consent


def consent_state(member: Member) -> dict[tuple[str, str], Consent | None]:
    """Current consent per (purpose, channel): the latest row, or None if never asked.

    Each row carries `ever_granted`: a refusal after a consent is a withdrawal (已撤回), a refusal
    that was never preceded by a consent is simply "not agreed" (未同意)."""
    state: dict[tuple[str, str], Consent | None] = {(p, c): None for p in ConsentPurpose.values for c in ConsentChannel.values}
    granted_once: set[tuple[str, str]] = set()
    for row in member.consents.order_by("at", "id"):
        key = (row.purpose, row.channel)
        if row.granted:
            granted_once.add(key)
        row.ever_granted = key in granted_once
        state[key] = row
    return state


def pseudonym_for(member: Member) -> str:
    return "W" + hashlib.sha256(f"{member.pk}:{member.member_no}".encode()).hexdigest()[:10].upper()


@transaction.atomic
def member_withdraw(*, actor, member: Member, reason: str = "") -> Member:
    """退会: anonymise the person, close the cards, keep transactions and ledgers on a pseudonym.

    Other apps may refuse first (`member_withdrawing`): stored value with principal left answers
    409 `stored_value_not_refunded` — the money is refunded before the person is forgotten."""
    require(actor, Action.WITHDRAW)
    member = member_for_actor(actor, member.pk, action=Action.WITHDRAW, lock=True)
    if member.is_withdrawn:
        raise DomainError(_("This member has already withdrawn."), code="member_withdrawn", status=409)
    member_withdrawing.send(sender=Member, member=member, actor=actor)  # e.g. stored value: refund the principal first
    for card in member.cards.select_for_update().exclude(status__in=[CardStatus.CLOSED, CardStatus.REPLACED, CardStatus.INVALID, CardStatus.REJECTED]):
        old = card.status
        card.status = CardStatus.CLOSED
        card.save(update_fields=["status", "updated_at"])
        CardEvent.objects.create(card=card, verb="closed", from_status=old, to_status=CardStatus.CLOSED, reason="member withdrawn",
                                 **_event_actor(actor))
    for (purpose, channel), row in consent_state(member).items():
        if row is not None and row.granted:
            _consent_write(member=member, purpose=purpose, channel=channel, granted=False, source=ConsentSource.CONSOLE, actor=None)
    pseudonym = pseudonym_for(member)
    member.name = pseudonym
    member.mobile = None
    member.mobile_last4 = ""
    for field in ("email", "address", "id_number", "id_number_hash", "ethnicity", "clothing_size", "shoe_size", "occupation",
                  "personality", "consumption_habits", "style_preferences", "hobbies", "lifestyle", "preferred_contact",
                  "promo_receptiveness", "values", "notes"):
        setattr(member, field, "")
    member.birthday = None
    member.lunar_birth_month = member.lunar_birth_day = None
    member.lunar_birth_leap = False
    member.family = {}
    member.gender = "U"
    member.status = MemberStatus.WITHDRAWN
    member.withdrawn_at = timezone.now()
    member.completeness = 0
    member.save()
    member.tags.clear()
    Card.objects.filter(member=member, kind="supplementary").update(holder_name="", holder_mobile="")
    member_withdrawn.send(sender=Member, member=member, actor=actor)  # messages erased, care tasks cancelled
    event_record(actor=actor, verb="member.withdrawn", obj=member, payload={"reason": (reason or "")[:200], "pseudonym": pseudonym})
    return member
