"""The benefits of a member's level and their quotas: what is left this period, and recording a use."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from vipdesk.core.clock import today
from vipdesk.core.errors import DomainError, NotFound, ValidationFailed

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


def benefit_use(*, actor, member, code: str, quantity: int = 1, on: dt.date | None = None, store=None, note: str = "") -> BenefitUsage:
    """Record the use of a benefit of the member's current level, within its quota."""
    if quantity <= 0:
        raise ValidationFailed(_("Quantity must be at least 1."), fields={"quantity": _("Quantity must be at least 1.")})
    programme = active_programme()
    if programme is None:
        raise NotFound(_("No active tier programme."))
    on = on or today(store)
    with transaction.atomic():
        row = _locked_tier(member, load(programme))  # serialises uses by the same member
        row.save()
        benefit = Benefit.objects.filter(level=row.level, code=code).select_related("level").first() if row.level_id else None
        if benefit is None:
            raise DomainError(_("This benefit is not part of the member's tier."), code="benefit_not_available", status=409)
        if benefit.quota is not None and _used(member, benefit, on) + quantity > benefit.quota:
            raise DomainError(_("The benefit's quota for this period is used up."), code="benefit_quota_exceeded", status=409)
        usage = BenefitUsage.objects.create(member_id=member.pk, benefit=benefit, used_on=on, quantity=quantity, store=store,
                                            actor=_staff(actor), note=note[:200])
    return usage
