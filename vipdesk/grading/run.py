"""The monthly grading run, set-based: one aggregation query over the month's holdings gives every
customer's figures; the scores and bands are worked out in memory; the month's grades are
upserted in bulk; the level changes go through vipdesk.tiers.grading (history, signal); then the
month's manager credits (业绩认定) are rebuilt.

Downgrades wait: a customer whose band is below the level held keeps it until the band has been
below for `hold` consecutive months (the band's own hold, else the scheme's). Upgrades are at once.
Running a month again computes the same grades (the months-below count comes from the month
before, not from the run before).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from vipdesk.members.models import Member
from vipdesk.performance.period import Month, parse_month
from vipdesk.tiers.grading import tier_grade, tier_levels_of

from .choices import AumMeasure, Frequency, MeasureKind, ShareRule
from .models import CoManager, GradingRun, Holding, ManagerCredit, MonthGrade, Scheme

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=18, decimal_places=2)


def active_scheme() -> Scheme | None:
    return Scheme.objects.filter(active=True).prefetch_related("measures", "bands").first()


def month_figures(scheme: Scheme, month: Month) -> dict[int, dict]:
    """member id → {aum, products, kinds, fee, activity, new_products}: one GROUP BY over the month."""
    rows = Holding.objects.filter(on__gte=month.first, on__lte=month.last)
    held = Q(balance__gt=0)
    if scheme.aum_measure == AumMeasure.AVERAGE:
        # monthly rows carry the month's average (else their balance); daily rows are summed over the month's days
        aum = Sum(Case(When(frequency=Frequency.MONTHLY, then=Coalesce("average_balance", "balance")),
                       default=F("balance") / Value(Decimal(month.days)), output_field=MONEY), output_field=MONEY)
    else:
        last = Holding.objects.filter(member=OuterRef("member"), on__gte=month.first, on__lte=month.last).order_by("-on").values("on")[:1]
        aum = Sum("balance", filter=Q(on=Subquery(last)), output_field=MONEY)
    out = {}
    for r in rows.values("member_id").annotate(
            aum=aum, fee=Sum("fee_income"), activity=Sum("activity"),
            products=Count("product_code", distinct=True, filter=held), kinds=Count("kind", distinct=True, filter=held),
            new_products=Count("product_code", distinct=True, filter=Q(opened_on__gte=month.first, opened_on__lte=month.last))):
        out[r["member_id"]] = {"aum": (r["aum"] or ZERO).quantize(Decimal("0.01")), "fee": r["fee"] or ZERO,
                               "activity": r["activity"] or 0, "products": r["products"], "kinds": r["kinds"],
                               "new_products": r["new_products"]}
    return out


def _tenure_months(enrolled: dt.datetime, month: Month) -> int:
    return max(0, (month.last.year - enrolled.year) * 12 + month.last.month - enrolled.month)


def score_of(scheme: Scheme, figures: dict, tenure: int) -> Decimal:
    total = ZERO
    for m in scheme.measures.all():
        value = tenure if m.kind == MeasureKind.TENURE else figures.get(m.kind, 0)
        total += m.weight * Decimal(value)
    return total.quantize(Decimal("0.01"))


def grading_run(*, month, scheme: Scheme | None = None) -> dict:
    """Grade every customer with holdings in `month` or a level held; returns what it did."""
    scheme = scheme or active_scheme()
    month = parse_month(month)
    if scheme is None:
        return {"month": month.label, "graded": 0}
    bands = sorted(scheme.bands.all(), key=lambda b: b.min_score)
    rank = {b.level_code: i for i, b in enumerate(bands, start=1)}
    figures = month_figures(scheme, month)
    held = {pk: code for pk, code in tier_levels_of().items() if code}
    ids = sorted(set(figures) | set(held))
    needs_tenure = any(m.kind == MeasureKind.TENURE for m in scheme.measures.all())
    enrolled = dict(Member.objects.filter(pk__in=ids).values_list("pk", "enrolled_at")) if needs_tenure else {}
    previous = dict(MonthGrade.objects.filter(month=_previous(month).first, member_id__in=ids)
                    .values_list("member_id", "months_below")) if len(ids) < 20000 else \
        dict(MonthGrade.objects.filter(month=_previous(month).first).values_list("member_id", "months_below"))
    grades, decisions = [], {}
    for pk in ids:
        f = figures.get(pk, {})
        score = score_of(scheme, f, _tenure_months(enrolled[pk], month) if needs_tenure else 0)
        band = next((b for b in reversed(bands) if score >= b.min_score), None)
        band_code = band.level_code if band else ""
        current = held.get(pk)
        below = 0
        target = band_code
        if current in rank and rank.get(band_code, 0) < rank[current]:
            below = previous.get(pk, 0) + 1
            hold = next(b for b in bands if b.level_code == current).hold_months or scheme.downgrade_after_months
            if below < hold:
                target = current
            else:
                below = 0
        decisions[pk] = target or None
        grades.append(MonthGrade(member_id=pk, month=month.first, aum=f.get("aum", ZERO), score=score, band_code=band_code,
                                 level_code=target, months_below=below))
    with transaction.atomic():
        MonthGrade.objects.bulk_create(grades, batch_size=5000, update_conflicts=True, unique_fields=["member", "month"],
                                       update_fields=["aum", "score", "band_code", "level_code", "months_below"])
    changes = {pk: code for pk, code in decisions.items() if held.get(pk) != code}
    applied = tier_grade(decisions=changes, on=month.last, note=f"{scheme.name} {month.label}") if changes else {}
    credits = credit_month(scheme=scheme, month=month, figures=figures)
    result = {"month": month.label, "graded": len(ids), "upgraded": applied.get("upgraded", 0),
              "downgraded": applied.get("downgraded", 0), "kept_by_override": applied.get("kept_by_override", 0),
              "waiting_to_downgrade": sum(1 for g in grades if g.months_below), "managers_credited": credits}
    GradingRun.objects.update_or_create(scheme=scheme, month=month.first, defaults={"result": result})
    return result


def _previous(month: Month) -> Month:
    return Month((month.first - dt.timedelta(days=1)).replace(day=1))


def credit_month(*, scheme: Scheme, month: Month, figures: dict[int, dict]) -> int:
    """业绩认定 of the month: each manager's credited balance (the customers' AUM) and new products.
    A shared customer's figures are split by the co-managers' shares (the owner keeps the rest) or
    go to the owner alone, as the scheme says. Rebuilt from scratch on every run of the month."""
    owners = dict(Member.objects.filter(pk__in=list(figures), owner__isnull=False).values_list("pk", "owner_id"))
    shares: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    if scheme.share_rule == ShareRule.SPLIT:
        for member_id, staff_id, share in CoManager.objects.filter(member_id__in=list(owners)).values_list("member_id", "staff_id", "share"):
            shares[member_id].append((staff_id, share))
    totals: dict[int, dict] = defaultdict(lambda: {"customers": 0, "balance": Decimal("0"), "new": Decimal("0")})
    for member_id, owner in owners.items():
        f = figures[member_id]
        parts = shares.get(member_id, [])
        parts = [(owner, Decimal(1) - sum(s for _st, s in parts)), *parts]
        for staff_id, share in parts:
            t = totals[staff_id]
            t["customers"] += 1
            t["balance"] += f["aum"] * share
            t["new"] += Decimal(f["new_products"]) * share
    with transaction.atomic():
        ManagerCredit.objects.filter(month=month.first).delete()
        ManagerCredit.objects.bulk_create([
            ManagerCredit(staff_id=staff_id, month=month.first, customers=t["customers"],
                          credited_balance=t["balance"].quantize(Decimal("0.01")), new_products=t["new"].quantize(Decimal("0.01")))
            for staff_id, t in totals.items()], batch_size=2000)
    return len(totals)
