"""Bonus points that no purchase triggers (R5.1): the registration bonus, given once when a member
enrols (points.receivers listens to members.signals.member_enrolled), and the partner bonus, for
spending a partner merchant reports (异业联盟), once per partner reference.

Both are earn rules of kind "bonus" (HQ sets them in the earn-rules screen): the registration rule
gives its fixed bonus points; the partner rule gives floor(amount ÷ its yuan per point) when a rate
is set, else its fixed bonus points per report.
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_FLOOR, Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Role
from vipdesk.core import clock
from vipdesk.core.errors import Conflict, DomainError, ValidationFailed
from vipdesk.core.money import quantize
from vipdesk.members.services import member_for_actor

from . import rules
from .choices import BonusAction, EntryKind, RuleKind
from .ledger import _credit, _locked_account, _record_uses, _refuse_short, _require_role, _staff, _take, _usable, _write, policy
from .models import EarnRule, PartnerSpend, PointsEntry


def _rule(action: str, store, on: dt.date) -> EarnRule | None:
    probe = rules.SaleIn(store_id=getattr(store, "pk", None), business_date=on, level_code=None, lines=())
    found = [r for r in EarnRule.objects.filter(active=True, kind=RuleKind.BONUS, action=action) if rules._in_window(r, probe)]
    found.sort(key=lambda r: (r.store_id is None, r.id or 0))  # the store's own rule wins over the chain's
    return found[0] if found else None


# ---- registration ------------------------------------------------------------------------------

@transaction.atomic
def points_award_registration(*, member, actor=None) -> int:
    """The registration bonus of the rules in force at the member's home store, once per member
    (a second call gives nothing; a partial unique index on the entries is the backstop)."""
    store = member.home_store
    on = clock.today(store)
    rule = _rule(BonusAction.REGISTRATION, store, on)
    if rule is None or not rule.bonus_points:
        return 0
    account = _locked_account(member.pk)
    if PointsEntry.objects.filter(account=account, kind=EntryKind.BONUS, action=BonusAction.REGISTRATION).exists():
        return 0
    _credit(account, kind=EntryKind.BONUS, points=int(rule.bonus_points), store=store, on=on, action=BonusAction.REGISTRATION,
            note=str(rule)[:200], actor=_staff(actor), detail={"rule": rule.pk})
    return int(rule.bonus_points)


# ---- partner spend -----------------------------------------------------------------------------

def partner_points(rule: EarnRule | None, amount: Decimal) -> int:
    if rule is None:
        return 0
    if rule.yuan_per_point:
        return int((amount / rule.yuan_per_point).to_integral_value(rounding=ROUND_FLOOR))
    return int(rule.bonus_points)


def _check(partner: str, reference: str, amount, spent_on, today: dt.date) -> tuple[str, str, Decimal]:
    fields = {}
    partner, reference = (partner or "").strip(), (reference or "").strip()
    if not partner:
        fields["partner"] = _("Give the partner's name.")
    if not reference:
        fields["reference"] = _("Give the partner's reference of this spend.")
    try:
        amount = quantize(Decimal(str(amount)))
        if amount <= 0:
            raise ValueError
    except Exception:  # noqa: BLE001 — any unreadable amount is the same refusal
        fields["amount"] = _("Give an amount greater than zero.")
    if not isinstance(spent_on, dt.date):
        fields["spent_on"] = _("Give the date of the spend.")
    elif spent_on > today:
        fields["spent_on"] = _("The date of the spend cannot be in the future.")
    if fields:
        raise ValidationFailed(next(iter(fields.values())), fields=fields)
    return partner[:60], reference[:60], amount


def _replay(first: PartnerSpend, member, amount: Decimal) -> PartnerSpend:
    if first.member_id != member.pk or first.amount != amount:
        raise Conflict(_("The partner's reference %(ref)s was already recorded for another spend.") % {"ref": first.reference},
                       code="reference_conflict")
    first.replayed = True
    return first


def points_partner_spend(*, actor, member, partner: str, reference: str, amount, spent_on: dt.date, store=None) -> PartnerSpend:
    """Record what a partner reports a member spent there and award the partner rule's points.
    The same partner and reference again answers the first record (`replayed`), whatever the
    rules say now; another member or amount under that reference is a conflict. Refusals:
    validation_error, no_partner_rule (422), reference_conflict (409)."""
    _require_role(actor, Role.HQ_ADMIN, Role.STORE_MANAGER)
    if actor is not None:
        member = member_for_actor(actor, member.pk)
    partner, reference, amount = _check(partner, reference, amount, spent_on, clock.today(store))
    first = PartnerSpend.objects.filter(partner=partner, reference=reference).first()
    if first is not None:
        return _replay(first, member, amount)
    try:
        return _record(actor=actor, member=member, partner=partner, reference=reference, amount=amount, spent_on=spent_on,
                       store=store or member.home_store)
    except IntegrityError:  # a twin report committed first
        first = PartnerSpend.objects.filter(partner=partner, reference=reference).first()
        if first is None:
            raise
        return _replay(first, member, amount)


@transaction.atomic
def _record(*, actor, member, partner, reference, amount, spent_on, store) -> PartnerSpend:
    account = _locked_account(member.pk)
    first = PartnerSpend.objects.filter(partner=partner, reference=reference).first()  # a twin that held the lock first
    if first is not None:
        return _replay(first, member, amount)
    today = clock.today(store)
    rule = _rule(BonusAction.PARTNER, store, today)
    points = partner_points(rule, amount)
    if points <= 0:
        raise DomainError(_("No partner bonus rule is in force: HQ sets one in the earn rules."), code="no_partner_rule", status=422)
    entry, _lot = _credit(account, kind=EntryKind.BONUS, points=points, store=store, on=today, action=BonusAction.PARTNER,
                          note=f"{partner} {reference}"[:200], actor=_staff(actor),
                          detail={"rule": rule.pk, "partner": partner, "reference": reference, "amount": str(amount),
                                  "spent_on": spent_on.isoformat()})
    spend = PartnerSpend.objects.create(member=member, partner=partner, reference=reference, amount=amount, spent_on=spent_on,
                                        points=points, entry=entry, store=store, actor=_staff(actor))
    spend.replayed = False
    return spend



# ---- points paid at a partner ------------------------------------------------------------------

@transaction.atomic(savepoint=False)  # inside the caller's transaction: its record and this entry stand or fall together
def points_spend_at_partner(*, member, points: int, value: Decimal, partner: str, reference: str, on: dt.date) -> PointsEntry:
    """Deduct `points` a member paid with at a partner merchant (a "spend" entry with action
    "partner", the lots it took recorded with their share of `value`). The caller (vipdesk.partners)
    keeps the record that makes it once per partner reference. Refusals: insufficient_points,
    same_day_points (422)."""
    if not isinstance(points, int) or isinstance(points, bool) or points <= 0:
        raise ValidationFailed(_("Points must be a whole number above 0."), fields={"points": _("Points must be a whole number above 0.")})
    pol = policy()
    account = _locked_account(member.pk)
    _refuse_short(account, points, on, same_day_ok=pol.same_day_redeemable)
    entry = _write(account, kind=EntryKind.SPEND, points=-points, business_date=on, action=BonusAction.PARTNER,
                   note=f"{partner} {reference}"[:200], detail={"partner": partner, "reference": reference, "value": str(value)})
    _record_uses(entry, _take(_usable(account, on, same_day_ok=pol.same_day_redeemable), points), value=value)
    return entry
