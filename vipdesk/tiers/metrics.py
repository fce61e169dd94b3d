"""Metrics from sales, for many members in ONE aggregate query (plus one for approvals).

Spend is net of returns: sum(amount − returned_amount) over kind=sale rows by business date.
The daily job passes a queryset of member ids, so the database does the grouping; nothing here
issues a query per member.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Max, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from vipdesk.members.models import Member
from vipdesk.sales.choices import SaleKind
from vipdesk.sales.models import Sale

from . import engine
from .choices import ApprovalStatus
from .models import TierApproval

MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = Value(Decimal("0"), output_field=MONEY)


def _net(prefix: str = ""):
    return ExpressionWrapper(F(f"{prefix}amount") - F(f"{prefix}returned_amount"), output_field=MONEY)


def member_metrics(member_ids, *, as_of: dt.date, levels, approved: dict[int, frozenset] | None = None) -> dict[int, engine.Metrics]:
    """{member_id: Metrics as of the end of business date `as_of`} for the given members."""
    need = engine.needs(levels)
    sale = Q(sales__kind=SaleKind.SALE, sales__business_date__lte=as_of, sales__amount__gt=F("sales__returned_amount"))
    net = _net("sales__")
    q_start, _q_end = engine.quarter_bounds(as_of)
    aggs = {
        "quarter": Coalesce(Sum(net, filter=sale & Q(sales__business_date__gte=q_start)), ZERO),
        "year": Coalesce(Sum(net, filter=sale & Q(sales__business_date__gte=dt.date(as_of.year, 1, 1))), ZERO),
    }
    for months in need.spend | need.single | need.visits:
        window = sale & Q(sales__business_date__gte=engine.window_start(as_of, months))
        if months in need.spend:
            aggs[f"spend_{months}"] = Coalesce(Sum(net, filter=window), ZERO)
            aggs[f"first_{months}"] = Min("sales__business_date", filter=window)
        if months in need.single:
            aggs[f"single_{months}"] = Coalesce(Max(net, filter=window), ZERO)
        if months in need.visits:
            aggs[f"visits_{months}"] = Count("sales__business_date", filter=window, distinct=True)
    qs = Member.objects.filter(pk__in=member_ids).values("pk").annotate(**aggs)
    if need.first_purchase:
        # The member's first sale that was not wholly returned, net of what was returned of it.
        first = (Sale.objects.filter(member=OuterRef("pk"), kind=SaleKind.SALE, business_date__lte=as_of,
                                     amount__gt=F("returned_amount"))
                 .order_by("business_date", "occurred_at", "id").annotate(net=_net()).values("net")[:1])
        qs = qs.annotate(first_purchase=Subquery(first, output_field=MONEY))
    if approved is None:
        approved = approved_levels(member_ids)
    out = {}
    for row in qs.iterator(chunk_size=2000):
        out[row["pk"]] = engine.Metrics(
            first_purchase=row.get("first_purchase"),
            spend={m: row[f"spend_{m}"] for m in need.spend},
            single={m: row[f"single_{m}"] for m in need.single},
            visits={m: row[f"visits_{m}"] for m in need.visits},
            window_first={m: row[f"first_{m}"] for m in need.spend},
            quarter=row["quarter"], year=row["year"],
            approved=approved.get(row["pk"], frozenset()),
        )
    return out


def approved_levels(member_ids) -> dict[int, frozenset]:
    found: dict[int, set] = {}
    for member_id, code in (TierApproval.objects.filter(member_id__in=member_ids, status=ApprovalStatus.APPROVED)
                            .values_list("member_id", "level__code")):
        found.setdefault(member_id, set()).add(code)
    return {k: frozenset(v) for k, v in found.items()}


def one_member_metrics(member_id: int, *, as_of: dt.date, levels) -> engine.Metrics:
    """The same figures as `member_metrics` for ONE member, summed in Python from his sale rows.

    A posting evaluates one member: two plain row queries and a loop cost a fraction of compiling
    the many-aggregate query above (which exists for the daily job's thousands of members at a
    time). Tests hold both paths to the same answers over random histories.
    """
    need = engine.needs(levels)
    q_start, _q_end = engine.quarter_bounds(as_of)
    starts = {m: engine.window_start(as_of, m) for m in need.spend | need.single | need.visits}
    earliest = min([q_start, dt.date(as_of.year, 1, 1), *starts.values()])
    sales = Sale.objects.filter(member_id=member_id, kind=SaleKind.SALE, business_date__lte=as_of,
                                amount__gt=F("returned_amount"))
    spend = {m: Decimal("0") for m in need.spend}
    single = {m: Decimal("0") for m in need.single}
    days: dict[int, set] = {m: set() for m in need.visits}
    window_first: dict[int, dt.date | None] = {m: None for m in need.spend}
    quarter = year = Decimal("0")
    for day, amount, returned in (sales.filter(business_date__gte=earliest)
                                  .values_list("business_date", "amount", "returned_amount").iterator()):
        net = amount - returned
        if day >= q_start:
            quarter += net
        if day.year == as_of.year:
            year += net
        for m, start in starts.items():
            if day < start:
                continue
            if m in spend:
                spend[m] += net
                window_first[m] = day if window_first[m] is None else min(window_first[m], day)
            if m in single:
                single[m] = max(single[m], net)
            if m in days:
                days[m].add(day)
    first_purchase = None
    if need.first_purchase:
        first = (sales.order_by("business_date", "occurred_at", "id").values_list("amount", "returned_amount").first())
        first_purchase = None if first is None else first[0] - first[1]
    return engine.Metrics(
        first_purchase=first_purchase, spend=spend, single=single,
        visits={m: len(d) for m, d in days.items()}, window_first=window_first,
        quarter=quarter, year=year, approved=approved_levels([member_id]).get(member_id, frozenset()),
    )
