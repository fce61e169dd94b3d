"""VIP commission (R10.3, seed 002 M.PLANCK 五):

    [该组VIP月消费总金额 × 1%] ÷ [该组人员总上班天数] × [个人上班天数]

A group's VIPs are the members its people own (seed: a new VIP belongs to whoever opened the card,
existing VIPs are spread evenly, and each group serves the VIPs of its two members). Their monthly
spend is net of returns, sum(amount − returned_amount) over their sales whose business date falls in
the month, at any store of the chain (HQ pays the commission "on top of the sales commission"), the
same definition of spend the tiers use.

Rounding: each person's share is computed in full precision (spend × rate × days ÷ total days, the
division last) and rounded once, half up, to the fen. The shares then need not add up to the
group's pool rounded on its own; the difference (at most half a fen per person) is reported as
`remainder` and is not paid out, so nobody is paid a fen more than the formula gives him.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from vipdesk.core.money import quantize
from vipdesk.sales.choices import SaleKind
from vipdesk.sales.models import Sale

from .models import DaysWorked, StaffGroup
from .period import Month, parse_month

ZERO = Decimal("0.00")


def default_rate() -> Decimal:
    return Decimal(str(settings.VIPDESK.get("VIP_COMMISSION_RATE", "0.01")))


@dataclass(frozen=True)
class Split:
    spend: Decimal
    rate: Decimal
    pool: Decimal                      # spend × rate, rounded to the fen (what the group earned)
    total_days: Decimal
    shares: dict = field(default_factory=dict)  # key → Decimal amount, rounded half up to the fen
    remainder: Decimal = ZERO          # pool − sum(shares): rounding, not paid out


def split(spend: Decimal, days: dict, rate: Decimal = Decimal("0.01")) -> Split:
    """The seed's formula for one group. `days` maps a person to his days worked. Pure: no database."""
    if any(isinstance(v, float) for v in (spend, rate, *days.values())):
        raise TypeError("money, rates and days must not be floats")
    spend, rate = Decimal(spend), Decimal(rate)
    total = sum((Decimal(d) for d in days.values()), Decimal(0))
    earned = max(spend, ZERO) * rate  # a month with more returns than sales earns nothing, not a debt
    if total <= 0:
        return Split(spend=spend, rate=rate, pool=quantize(earned), total_days=total,
                     shares={k: ZERO for k in days}, remainder=quantize(earned))
    shares = {k: quantize(earned * Decimal(d) / total) for k, d in days.items()}
    pool = quantize(earned)
    return Split(spend=spend, rate=rate, pool=pool, total_days=total, shares=shares, remainder=pool - sum(shares.values(), ZERO))


def vip_spend(staff_ids: list[int], month: Month) -> Decimal:
    """Net spend in the month of the members the given people own (summed in Decimal, not in SQL:
    SQLite adds decimals as floats)."""
    rows = Sale.objects.filter(kind=SaleKind.SALE, business_date__gte=month.first, business_date__lte=month.last,
                               member__owner_id__in=staff_ids).values_list("amount", "returned_amount")
    return sum((amount - returned for amount, returned in rows.iterator()), ZERO)


def monthly_commission(group: StaffGroup, month, rate: Decimal | None = None) -> dict:
    """One group's commission for a month: the pool and each person's share (Decimal, 2 places).
    Everyone's days must be in (a missing figure would shift money between people): until then the
    group is `complete: False` and no amounts are given."""
    month = parse_month(month)
    rate = default_rate() if rate is None else Decimal(rate)
    members = list(group.memberships.select_related("staff").order_by("seat_no", "staff_id"))
    staff_ids = [m.staff_id for m in members]
    days = dict(DaysWorked.objects.filter(staff_id__in=staff_ids, month=month.first).values_list("staff_id", "days"))
    missing = [m.staff for m in members if m.staff_id not in days]
    spend = vip_spend(staff_ids, month)
    result = split(spend, {sid: days.get(sid, Decimal(0)) for sid in staff_ids}, rate)
    complete = not missing and result.total_days > 0
    return {
        "group": group, "month": month, "rate": rate, "spend": spend, "pool": result.pool, "total_days": result.total_days,
        "complete": complete, "missing": missing, "remainder": result.remainder if complete else None,
        "shares": [{"staff": m.staff, "seat_no": m.seat_no, "days": days.get(m.staff_id),
                    "amount": result.shares[m.staff_id] if complete else None} for m in members],
    }


def store_commission(store, month, rate: Decimal | None = None) -> list[dict]:
    groups = StaffGroup.objects.filter(store=store, active=True).order_by("name")
    return [monthly_commission(g, month, rate) for g in groups]
