"""Metrics from sales, for many members in ONE aggregate query (plus one for approvals).

Spend is net of returns: sum(amount − returned_amount) over kind=sale rows by business date.
The daily job passes a queryset of member ids, so the database does the grouping; nothing here
issues a query per member.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Max, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from vipdesk.members.models import Member
from vipdesk.sales.choices import SaleKind
from vipdesk.sales.models import Sale

from . import engine
from .choices import ApprovalStatus, ConditionKind
from .models import Level, TierApproval

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


def _money(value) -> Decimal:
    """An aggregate of money as the database answers it: Decimal on PostgreSQL, a float on SQLite
    (which adds decimals in binary) — back to the fen either way."""
    if value is None:
        return Decimal("0")
    return (value if isinstance(value, Decimal) else Decimal(str(value))).quantize(Decimal("0.01"))


def _day(value) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def one_member_metrics(member_id: int, *, as_of: dt.date, levels) -> engine.Metrics:
    """The same figures as `member_metrics` for ONE member, in one hand-written aggregate statement.

    A posting evaluates one member. The database sums her window from the covering index
    `sale_member_day_cover` (an index-only scan, no row comes to Python), and the statement is a
    string built from the programme's windows — no ORM compilation. Before issue 17 the rows were
    summed in Python, so a member with 10,000 sales in her window cost 10,000 rows per posting.
    Tests hold both paths to the same answers over random histories (tests/test_metrics.py).
    """
    need = engine.needs(levels)
    q_start, _q_end = engine.quarter_bounds(as_of)
    year_start = dt.date(as_of.year, 1, 1)
    starts = {m: engine.window_start(as_of, m) for m in need.spend | need.single | need.visits}
    earliest = min([q_start, year_start, *starts.values()])
    net = "(amount - returned_amount)"
    cols, params = [f"SUM(CASE WHEN business_date >= %s THEN {net} END)", f"SUM(CASE WHEN business_date >= %s THEN {net} END)"], \
        [q_start, year_start]
    names = ["quarter", "year"]
    for m, start in sorted(starts.items()):
        if m in need.spend:
            cols += [f"SUM(CASE WHEN business_date >= %s THEN {net} END)", "MIN(CASE WHEN business_date >= %s THEN business_date END)"]
            params += [start, start]
            names += [f"spend_{m}", f"first_{m}"]
        if m in need.single:
            cols.append(f"MAX(CASE WHEN business_date >= %s THEN {net} END)")
            params.append(start)
            names.append(f"single_{m}")
        if m in need.visits:
            cols.append("COUNT(DISTINCT CASE WHEN business_date >= %s THEN business_date END)")
            params.append(start)
            names.append(f"visits_{m}")
    table = Sale._meta.db_table
    tail = [member_id, SaleKind.SALE, earliest, as_of]
    if need.first_purchase:
        # the first purchase's amount and returns ride along as two scalar subqueries (one round trip);
        # subtracted in Python, as money (SQLite would subtract binary floats)
        first_sql = (f"(SELECT {{}} FROM {table} WHERE member_id = %s AND kind = %s AND business_date <= %s"
                     f" AND amount > returned_amount ORDER BY business_date, occurred_at, id LIMIT 1)")
        cols += [first_sql.format("amount"), first_sql.format("returned_amount")]
        params += [member_id, SaleKind.SALE, as_of] * 2
        names += ["first_amount", "first_returned"]
    gated = any(c.kind == ConditionKind.MANUAL_APPROVAL for level in levels for g in level.groups for c in g.conditions)
    if gated:
        # the levels approved for her by hand ride along too, as one text (codes joined by the unit separator)
        joined = "string_agg(l.code, chr(31))" if connection.vendor == "postgresql" else "group_concat(l.code, char(31))"
        cols.append(f"(SELECT {joined} FROM {TierApproval._meta.db_table} a JOIN {Level._meta.db_table} l ON l.id = a.level_id"
                    f" WHERE a.member_id = %s AND a.status = %s)")
        params += [member_id, ApprovalStatus.APPROVED]
        names.append("approved")
    sql = (f"SELECT {', '.join(cols)} FROM {table} WHERE member_id = %s AND kind = %s AND business_date >= %s"
           f" AND business_date <= %s AND amount > returned_amount")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *tail])
        row = dict(zip(names, cursor.fetchone()))
    first_purchase = None
    if need.first_purchase and row["first_amount"] is not None:
        first_purchase = _money(row["first_amount"]) - _money(row["first_returned"])
    approved = frozenset(row["approved"].split("\x1f")) if gated and row["approved"] else frozenset()
    return engine.Metrics(
        first_purchase=first_purchase,
        spend={m: _money(row[f"spend_{m}"]) for m in need.spend},
        single={m: _money(row[f"single_{m}"]) for m in need.single},
        visits={m: int(row[f"visits_{m}"] or 0) for m in need.visits},
        window_first={m: _day(row[f"first_{m}"]) for m in need.spend},
        quarter=_money(row["quarter"]), year=_money(row["year"]), approved=approved,
    )
