"""What a partner's counter does with its key (R11.2): find a member and see what she gets here,
record a benefit use within its limits, report a spend (the partner earn rule's points) and take
points as payment. Every function takes the partner the key belongs to and sees only its rows;
a retry with the partner's reference answers the first record (`replayed`)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import PARTNER_KEY_ROLE
from vipdesk.core import clock
from vipdesk.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from vipdesk.core.masking import mask_name
from vipdesk.core.models import locked_row
from vipdesk.core.money import quantize
from vipdesk.members.identification import identify_member
from vipdesk.points.bonuses import points_partner_spend, points_spend_at_partner
from vipdesk.points.models import PartnerSpend
from vipdesk.tiers.programme import tier_of

from .models import BenefitUse, Partner, PartnerBenefit, PartnerMonth, PartnerRedemption

PARTNER_KEYS = ("card", "ecard", "mobile")  # how a partner's counter names a member
PRESENT_KEYS = ("card", "ecard")  # what only the member at the counter can show: paying with points needs one


def partner_for_key(client) -> Partner:
    """The partner a counter key belongs to; refused when the key is no partner's or the partner is
    switched off or out of contract."""
    if getattr(client, "role", None) != PARTNER_KEY_ROLE:
        raise PermissionDenied(_("Only a partner's counter key may do this."))
    partner = Partner.objects.filter(api_client_id=client.pk).first()
    if partner is None:
        raise PermissionDenied(_("This key belongs to no partner."))
    if not partner.in_contract(clock.today()):
        raise PermissionDenied(_("The partner's contract is not in force."), code="partner_not_in_contract")
    return partner


def _member(partner: Partner, ref: dict):
    if not ref or len(ref) != 1 or next(iter(ref)) not in PARTNER_KEYS:
        raise ValidationFailed(_("Identify the member by card, e-card code or mobile."),
                               fields={"member": _("Identify the member by card, e-card code or mobile.")})
    member, _card, _how = identify_member(ref)
    return member


def _period(on: dt.date) -> str:
    return on.strftime("%Y-%m")


def _used_this_month(partner: Partner, member, code: str, period: str) -> int:
    return int(BenefitUse.objects.filter(partner=partner, member=member, benefit__code=code, period=period)
               .aggregate(n=Sum("quantity"))["n"] or 0)


def offers(partner: Partner, member, on: dt.date | None = None) -> list[dict]:
    """The benefits this partner gives the member's level, with what is left this month."""
    on = on or clock.today()
    level = tier_of(member)
    if level is None:
        return []
    out = []
    for b in PartnerBenefit.objects.filter(partner=partner, level=level, active=True).order_by("code"):
        left = None
        if b.per_month is not None:
            left = max(b.per_month - _used_this_month(partner, member, b.code, _period(on)), 0)
        out.append({"code": b.code, "name": b.name, "kind": b.kind, "discount": b.discount, "per_visit": b.per_visit,
                    "per_month": b.per_month, "remaining_this_month": left})
    return out


def member_card(partner: Partner, ref: dict) -> dict:
    """What the counter may see of a member: the masked name, the level and this partner's benefits."""
    member = _member(partner, ref)
    level = tier_of(member)
    return {"name": mask_name(member.name), "level": level.name if level else "", "benefits": offers(partner, member)}


def _replay_use(first: BenefitUse, member, code: str, quantity: int) -> BenefitUse:
    if (first.member_id, first.benefit.code, first.quantity) != (member.pk, code, quantity):
        raise Conflict(_("Reference %(ref)s was already used for another use.") % {"ref": first.reference}, code="reference_conflict")
    first.replayed = True
    return first


def _reference(raw) -> str:
    reference = str(raw or "").strip()
    if not reference or len(reference) > 60:
        raise ValidationFailed(_("Give the partner's reference of this use (up to 60 characters)."),
                               fields={"reference": _("Give the partner's reference of this use (up to 60 characters).")})
    return reference


def benefit_use_record(*, partner: Partner, ref: dict, code: str, reference: str, quantity: int = 1,
                       amount: Decimal | None = None) -> BenefitUse:
    """Record that the member used one of this partner's benefits, within its per-visit and monthly
    limits (the partner-member-month row is locked, so two counters cannot both take the last use).
    Refusals: validation_error, benefit_not_available (409), benefit_limit_exceeded (409),
    reference_conflict (409)."""
    reference = _reference(reference)
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise ValidationFailed(_("Quantity must be at least 1."), fields={"quantity": _("Quantity must be at least 1.")})
    member = _member(partner, ref)
    first = BenefitUse.objects.filter(partner=partner, reference=reference).select_related("benefit").first()
    if first is not None:
        return _replay_use(first, member, code, quantity)
    try:
        return _use(partner, member, code, reference, quantity, amount)
    except IntegrityError:  # a twin with the same reference committed first
        first = BenefitUse.objects.filter(partner=partner, reference=reference).select_related("benefit").first()
        if first is None:
            raise
        return _replay_use(first, member, code, quantity)


@transaction.atomic
def _use(partner, member, code, reference, quantity, amount) -> BenefitUse:
    on = clock.today()
    period = _period(on)
    locked_row(PartnerMonth, partner=partner, member=member, period=period)
    first = BenefitUse.objects.filter(partner=partner, reference=reference).select_related("benefit").first()
    if first is not None:  # a twin that held the lock first
        return _replay_use(first, member, code, quantity)
    level = tier_of(member)
    benefit = PartnerBenefit.objects.filter(partner=partner, level=level, code=code, active=True).first() if level else None
    if benefit is None:
        message = _("The member's level has no such benefit here.")
        raise DomainError(message, code="benefit_not_available", status=409, fields={"code": message})
    if quantity > benefit.per_visit:
        message = _("At most %(n)s per visit.") % {"n": benefit.per_visit}
        raise DomainError(message, code="benefit_limit_exceeded", status=409, fields={"quantity": message})
    if benefit.per_month is not None:
        left = benefit.per_month - _used_this_month(partner, member, code, period)
        if quantity > left:
            message = (_("This month's uses of the benefit are used up.") if left <= 0
                       else _("Only %(n)s left this month.") % {"n": left})
            raise DomainError(message, code="benefit_limit_exceeded", status=409, fields={"quantity": message})
    use = BenefitUse.objects.create(partner=partner, benefit=benefit, member=member, quantity=quantity, reference=reference,
                                    amount=amount, used_on=on, period=period)
    use.replayed = False
    return use


def spend_report(*, partner: Partner, ref: dict, reference: str, amount: Decimal, spent_on: dt.date) -> PartnerSpend:
    """A spend the partner reports: the points app records it under the partner's code and awards
    the partner earn rule's points (once per reference)."""
    member = _member(partner, ref)
    return points_partner_spend(actor=None, member=member, partner=partner.code, reference=_reference(reference), amount=amount,
                                spent_on=spent_on, store=member.home_store)


def _replay_redemption(first: PartnerRedemption, member, points: int) -> PartnerRedemption:
    if (first.member_id, first.points) != (member.pk, points):
        raise Conflict(_("Reference %(ref)s was already used for another payment.") % {"ref": first.reference},
                       code="reference_conflict")
    first.replayed = True
    return first


def points_redeem_at_partner(*, partner: Partner, ref: dict, reference: str, points: int) -> PartnerRedemption:
    """The member pays with points at the partner: the points leave her account and HQ owes the
    partner points × the contract's value per point. She must be there: the card or the e-card's code,
    never the mobile alone (member_present_required). Refusals: validation_error, member_present_required,
    insufficient_points, reference_conflict."""
    reference = _reference(reference)
    if not isinstance(points, int) or isinstance(points, bool) or points < 1:
        raise ValidationFailed(_("Points must be a whole number above 0."), fields={"points": _("Points must be a whole number above 0.")})
    if ref and len(ref) == 1 and next(iter(ref)) not in PRESENT_KEYS:  # anyone may know her mobile
        message = _("Paying with points needs the member's card or e-card.")
        raise DomainError(message, code="member_present_required", status=400, fields={"member": message})
    member = _member(partner, ref)
    first = PartnerRedemption.objects.filter(partner=partner, reference=reference).first()
    if first is not None:
        return _replay_redemption(first, member, points)
    try:
        with transaction.atomic():
            on = clock.today()
            value = quantize(partner.point_value * points)
            entry = points_spend_at_partner(member=member, points=points, value=value, partner=partner.code, reference=reference, on=on)
            redemption = PartnerRedemption.objects.create(partner=partner, member=member, reference=reference, points=points,
                                                          value=value, used_on=on, period=_period(on), entry=entry)
    except IntegrityError:
        first = PartnerRedemption.objects.filter(partner=partner, reference=reference).first()
        if first is None:
            raise
        return _replay_redemption(first, member, points)
    redemption.replayed = False
    return redemption


def use_for(partner: Partner, pk) -> BenefitUse:
    use = BenefitUse.objects.filter(partner=partner, pk=pk).select_related("benefit").first() if str(pk).isdigit() else None
    if use is None:
        raise NotFound(_("No such use at this partner."))
    return use
