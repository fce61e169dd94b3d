"""The monthly grading run, set-based: one aggregation query over the month's holdings gives every
customer's figures; the scores and bands are worked out in memory over plain tuples; the month's
grades are upserted in bulk (COPY + one INSERT … ON CONFLICT on PostgreSQL, bulk_create elsewhere);
the level changes go through vipdesk.tiers.grading (history, signal, one UPDATE per level reached);
then the month's manager credits (业绩认定) are rebuilt.

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

from .bulk import grades_write
from .choices import AumMeasure, Frequency, MeasureKind, ShareRule
from .models import CoManager, GradingRun, Holding, ManagerCredit, MonthGrade, Scheme

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
CHUNK = 5000
NOTHING: dict = {}
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
        out[r["member_id"]] = {"aum": (r["aum"] or ZERO).quantize(CENT), "fee": r["fee"] or ZERO,
                               "activity": r["activity"] or 0, "products": r["products"], "kinds": r["kinds"],
                               "new_products": r["new_products"]}
    return out


def _tenure_months(enrolled: dt.datetime, month: Month) -> int:
    return max(0, (month.last.year - enrolled.year) * 12 + month.last.month - enrolled.month)


def score_of(scheme: Scheme, figures: dict, tenure: int) -> Decimal:
    return _score([(m.kind, m.weight) for m in scheme.measures.all()], figures, tenure)


def _score(measures: list[tuple[str, Decimal]], figures: dict, tenure: int) -> Decimal:
    total = ZERO
    for kind, weight in measures:
        value = tenure if kind == MeasureKind.TENURE else figures.get(kind, 0)
        total += weight * Decimal(value)
    return total.quantize(CENT)


def _in_chunks(queryset, field: str, ids: list[int], *values: str) -> list[tuple]:
    """values_list of the rows whose `field` is in `ids`, a statement per CHUNK ids."""
    out = []
    for start in range(0, len(ids), CHUNK):
        out.extend(queryset.filter(**{f"{field}__in": ids[start:start + CHUNK]}).values_list(*values))
    return out


def grading_run(*, month, scheme: Scheme | None = None) -> dict:
    """Grade every customer with holdings in `month` or a level held; returns what it did.

    Set-based: one GROUP BY for the month's figures, one read each of the levels held, of last
    month's grades and (for tenure) of the enrolment dates; the rules below run over plain tuples
    in memory; the grades are written by one COPY + upsert (bulk.grades_write) and the level
    changes by tiers' bulk tier_grade."""
    scheme = scheme or active_scheme()
    month = parse_month(month)
    if scheme is None:
        return {"month": month.label, "graded": 0}
    bands = sorted(scheme.bands.all(), key=lambda b: b.min_score)
    rank = {b.level_code: i for i, b in enumerate(bands, start=1)}
    hold_of = {b.level_code: b.hold_months or scheme.downgrade_after_months for b in bands}
    steps = [(b.min_score, b.level_code) for b in reversed(bands)]  # the highest band reached wins
    measures = [(m.kind, m.weight) for m in scheme.measures.all()]
    figures = month_figures(scheme, month)
    held = {pk: code for pk, code in tier_levels_of().items() if code}
    ids = sorted(set(figures) | set(held))
    needs_tenure = any(kind == MeasureKind.TENURE for kind, _w in measures)
    enrolled = dict(_in_chunks(Member.objects.all(), "pk", ids, "pk", "enrolled_at")) if needs_tenure else {}
    last_month = MonthGrade.objects.filter(month=_previous(month).first)
    previous = dict(_in_chunks(last_month, "member_id", ids, "member_id", "months_below") if len(ids) < 20000
                    else last_month.values_list("member_id", "months_below"))
    grades, decisions, waiting = [], {}, 0
    for pk in ids:
        f = figures.get(pk, NOTHING)
        score = _score(measures, f, _tenure_months(enrolled[pk], month) if needs_tenure else 0)
        band_code = next((code for low, code in steps if score >= low), "")
        current = held.get(pk)
        below = 0
        target = band_code
        if current in rank and rank.get(band_code, 0) < rank[current]:
            below = previous.get(pk, 0) + 1
            if below < hold_of[current]:
                target = current
                waiting += 1
            else:
                below = 0
        decisions[pk] = target or None
        grades.append((pk, f.get("aum", ZERO), score, band_code, target, below))
    with transaction.atomic():
        grades_write(month.first, grades)
    changes = {pk: code for pk, code in decisions.items() if held.get(pk) != code}
    applied = tier_grade(decisions=changes, on=month.last, note=f"{scheme.name} {month.label}") if changes else {}
    credits = credit_month(scheme=scheme, month=month, figures=figures)
    result = {"month": month.label, "graded": len(ids), "upgraded": applied.get("upgraded", 0),
              "downgraded": applied.get("downgraded", 0), "kept_by_override": applied.get("kept_by_override", 0),
              "waiting_to_downgrade": waiting, "managers_credited": credits}
    GradingRun.objects.update_or_create(scheme=scheme, month=month.first, defaults={"result": result})
    return result


def _previous(month: Month) -> Month:
    return Month((month.first - dt.timedelta(days=1)).replace(day=1))


def credit_month(*, scheme: Scheme, month: Month, figures: dict[int, dict]) -> int:
    """业绩认定 of the month: each manager's credited balance (the customers' AUM) and new products.
    A shared customer's figures are split by the co-managers' shares (the owner keeps the rest) or
    go to the owner alone, as the scheme says. Rebuilt from scratch on every run of the month."""
    owners = {pk: owner for pk, owner in Member.objects.filter(owner__isnull=False).values_list("pk", "owner_id")
              if pk in figures}  # every owned customer in one read, not a statement with every id graded
    shares: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    if scheme.share_rule == ShareRule.SPLIT:
        for member_id, staff_id, share in CoManager.objects.values_list("member_id", "staff_id", "share"):
            if member_id in owners:
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
