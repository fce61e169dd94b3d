"""What a member sees of the partner merchants (the member centre's 联盟商家, issue 18 §3): the
partners in force today (active, within their contract) that give her level something, each
benefit with its limits and how many she has used this month — counted exactly as a partner's
counter counts them (counter.py: per partner, benefit code and calendar month)."""
from __future__ import annotations

import datetime as dt

from django.db.models import Sum

from vipdesk.core import clock
from vipdesk.tiers.programme import tier_of

from .models import BenefitUse, Partner, PartnerBenefit


def member_partner_benefits(member, *, on: dt.date | None = None) -> dict:
    """{"level": her level or None, "period": "YYYY-MM", "partners": [{"partner", "benefits": [...]}]};
    each benefit: the PartnerBenefit with `used` (this month) and `left` (None: no monthly limit)."""
    on = on or clock.today()
    period = on.strftime("%Y-%m")
    level = tier_of(member)
    if level is None:
        return {"level": None, "period": period, "partners": []}
    live = Partner.objects.filter(active=True, contract_start__lte=on, contract_end__gte=on)
    benefits = list(PartnerBenefit.objects.filter(partner__in=live, level=level, active=True).select_related("partner")
                    .order_by("partner__name", "partner__code", "code"))
    used = {(p, c): int(n or 0) for p, c, n in BenefitUse.objects.filter(member=member, period=period, partner__in=live)
            .values_list("partner_id", "benefit__code").annotate(n=Sum("quantity")).values_list("partner_id", "benefit__code", "n")}
    partners: dict[int, dict] = {}
    for b in benefits:
        b.used = used.get((b.partner_id, b.code), 0)
        b.left = max(b.per_month - b.used, 0) if b.per_month is not None else None
        partners.setdefault(b.partner_id, {"partner": b.partner, "benefits": []})["benefits"].append(b)
    return {"level": level, "period": period, "partners": list(partners.values())}
