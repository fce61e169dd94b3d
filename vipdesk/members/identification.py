"""Who is at the till: a member reference ({"card"|"ecard"|"mobile"|"member_no": value}) checked,
then resolved to the member, the card shown and how she was identified. Shared by sale posting
(the till), checkout quotes (pricing) and the stored-value desk (wallet)."""
from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _

from vipdesk.core import parsing
from vipdesk.core.errors import Conflict, NotFound
from vipdesk.core.validators import normalize_mobile

from .cards import card_present
from .ecard import ecard_member, looks_dynamic
from .choices import IdentifiedBy
from .models import Member

MEMBER_KEYS = ("card", "ecard", "mobile", "member_no")


def member_ref(value, errors: parsing.Problems) -> dict:
    if value in (None, "", {}):
        return {}
    if not isinstance(value, dict):
        errors.add("member", _("Must be an object with one of: card, ecard, mobile, member_no."))
        return {}
    given = {k: v for k, v in value.items() if v not in (None, "")}
    unknown = set(given) - set(MEMBER_KEYS)
    if unknown or len(given) > 1:
        errors.add("member", _("Identify the member by exactly one of: card, ecard, mobile, member_no."))
        return {}
    if not given:
        return {}
    key, raw = next(iter(given.items()))
    if not isinstance(raw, (str, int)) or isinstance(raw, bool):
        errors.add(f"member.{key}", _("Must be text."))
        return {}
    raw = str(raw).strip()
    if len(raw) > 40 or "\x00" in raw or not raw:
        errors.add(f"member.{key}", _("Not a valid value."))
        return {}
    if key == "mobile":
        try:
            raw = normalize_mobile(raw)
        except DjangoValidationError as exc:
            errors.add("member.mobile", exc.messages[0])
            return {}
    return {key: raw}


def identify_member(ref: dict, *, actor=None, store=None, withdrawn_ok: bool = False):
    """(member, card, identified_by) from {"card"|"ecard"|"mobile"|"member_no": value}.

    An `ecard` value is the portal's dynamic code ("88" + id + TOTP: the current or previous minute's
    only, else `ecard_expired`) or a printed QR card's static token.

    Cards go through `card_present`, which flags and records an invalid card in its own
    transaction: call this BEFORE opening the posting's transaction, so the refusal keeps its flag.
    A withdrawn member is refused (no sale is credited to him) unless `withdrawn_ok`: the stored-value
    till finds him to refund his principal, and its services give their own refusals.
    """
    if not ref:
        return None, None, IdentifiedBy.NONE
    key, value = next(iter(ref.items()))
    if key == "ecard" and looks_dynamic(value):  # the phone's dynamic code (members/ecard.py)
        member, card, how = ecard_member(value), None, IdentifiedBy.ECARD
    elif key in ("card", "ecard"):
        card = card_present(number=value, actor=actor, store=store)
        member, how = card.member, IdentifiedBy.CARD if key == "card" else IdentifiedBy.ECARD
    else:
        card = None
        member = Member.objects.filter(**{key: value}).first()
        how = IdentifiedBy.MOBILE if key == "mobile" else IdentifiedBy.MEMBER_NO
        if member is None:
            raise NotFound(_("No member with this %(what)s.") % {"what": _("mobile number") if key == "mobile" else _("member number")},
                           code="member_not_found")
    if member.is_withdrawn and not withdrawn_ok:
        raise Conflict(_("The member has withdrawn; the sale cannot be credited."), code="member_withdrawn")
    return member, card, how
