"""The benefits of a member's level and their quotas: what is left this period, and recording a use."""
from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, Role, can
from vipdesk.core.clock import today
from vipdesk.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed

from .choices import BenefitPeriod
from .models import Benefit, BenefitUsage
from .programme import _locked_tier, _staff, active_programme, benefits_of, load, tier_of


def _period_start(period: str, on: dt.date) -> dt.date:
    if period == BenefitPeriod.DAY:
        return on
    if period == BenefitPeriod.MONTH:
        return on.replace(day=1)
    return on.replace(month=1, day=1)


def benefit_summary(member, on: dt.date | None = None) -> list[dict]:
    on = on or today()
    level = tier_of(member)
    out = []
    for item, benefit in zip(benefits_of(level), level.benefits.all() if level else []):
        used = None
        if benefit.quota is not None:
            used = _used(member, benefit, on)
        out.append({**item, "used": used, "remaining": None if used is None else max(benefit.quota - used, 0)})
    return out


def _used(member, benefit: Benefit, on: dt.date) -> int:
    # counted by code across the programme's levels: an upgrade at noon does not refill the day's parking
    return (BenefitUsage.objects.filter(member_id=member.pk, benefit__code=benefit.code,
                                        benefit__level__programme_id=benefit.level.programme_id,
                                        used_on__gte=_period_start(benefit.period, on), used_on__lte=on)
            .aggregate(n=Sum("quantity"))["n"] or 0)


def _require_desk(actor, store) -> None:
    """A use is recorded at a store's counter or device: staff who sell, at their own stores (HQ
    anywhere); the member may belong to any store of the chain, as at a till."""
    if actor is None or getattr(actor, "is_superuser", False):
        return
    if not can(actor, Action.SELL):
        raise PermissionDenied(_("Your role may not record the use of a benefit."))
    role = getattr(actor, "role", None)
    if role in Role.STORE_ROLES | {Role.ACCOUNT_MANAGER} and (store is None or store.pk not in actor.store_ids):
        raise PermissionDenied(_("You may only record uses at your own stores."), code="store_out_of_scope")


def _used_before(store, reference: str, *, member, code: str, quantity: int) -> BenefitUsage | None:
    if not reference:
        return None
    first = BenefitUsage.objects.filter(store=store, reference=reference).select_related("benefit").first()
    if first is None:
        return None
    if (first.member_id, first.benefit.code, first.quantity) != (member.pk, code, quantity):
        raise Conflict(_("Reference %(ref)s was already used at this store for another use.") % {"ref": reference},
                       code="reference_conflict")
    first.replayed = True
    return first


def benefit_use(*, actor, member, code: str, quantity: int = 1, on: dt.date | None = None, store=None, note: str = "",
                reference: str = "") -> BenefitUsage:
    """Record the use of a benefit of the member's current level, within its quota for the period
    (parking hours, lounge visits). The member's tier row is locked, so two uses at once cannot
    both take the last of a quota. `reference` (a device's id for the use) makes a retry answer
    the first use (`replayed`); the same reference for another member, benefit or quantity is
    `reference_conflict`. Refusals: validation_error, benefit_not_available, benefit_quota_exceeded."""
    _require_desk(actor, store)
    reference = (reference or "").strip()[:60]
    if reference and store is None:
        raise ValidationFailed(_("Give the store of the device."), fields={"store": _("Give the store of the device.")})
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise ValidationFailed(_("Quantity must be at least 1."), fields={"quantity": _("Quantity must be at least 1.")})
    first = _used_before(store, reference, member=member, code=code, quantity=quantity)
    if first is not None:
        return first
    programme = active_programme()
    if programme is None:
        raise NotFound(_("No active tier programme."))
    on = on or today(store)
    try:
        with transaction.atomic():
            row = _locked_tier(member, load(programme))  # serialises uses by the same member
            row.save()
            first = _used_before(store, reference, member=member, code=code, quantity=quantity)  # a twin that held the lock
            if first is not None:
                return first
            benefit = Benefit.objects.filter(level=row.level, code=code).select_related("level").first() if row.level_id else None
            if benefit is None:
                raise DomainError(_("This benefit is not part of the member's tier."), code="benefit_not_available", status=409,
                                  fields={"code": _("This benefit is not part of the member's tier.")})
            if benefit.quota is not None:
                left = max(benefit.quota - _used(member, benefit, on), 0)
                if quantity > left:
                    message = _("The benefit's quota for this period is used up.") if not left else \
                        _("Only %(left)s left of this benefit's quota for this period.") % {"left": left}
                    raise DomainError(message, code="benefit_quota_exceeded", status=409, fields={"quantity": message})
            usage = BenefitUsage.objects.create(member_id=member.pk, benefit=benefit, used_on=on, quantity=quantity, store=store,
                                                actor=_staff(actor), note=note[:200], reference=reference)
    except IntegrityError:  # a twin with the same reference committed first
        first = _used_before(store, reference, member=member, code=code, quantity=quantity)
        if first is None:
            raise
        return first
    usage.replayed = False
    return usage
