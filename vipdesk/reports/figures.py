"""The figures of the monthly / quarterly / half-yearly / yearly report (R8.4, seed 000 篇6:
"价格带、品牌销售变化、客层及年龄性别的变化 … 监控VIP对本档企划活动的反应 … VIPtop500的跟踪报告").

Each section is one function `section(period, scope) -> dict` of plain values (money and
percentages as strings), the period's figures next to the previous period's and the change.
Each runs a fixed number of set-based queries (GROUP BY in the database), whatever the number of
members or sales; only the top-500 list looks at single members, and only at those 500.

Definitions shared by every section (docs/user-guide/reports.md says the same in Chinese):
- Sales are receipts of kind "sale" whose business date falls in the period, rung up in a store of
  the scope, net of what was later returned of them (amount − returned amount), as elsewhere in
  vipdesk (performance KPIs, tiers). Goods figures use the lines' own net amounts.
- A buyer is a member with at least one such receipt in the period.
- A VIP is a member whose tier level at the end of the period carries the VIP mark
  (tiers.Level.is_vip; seed 000 篇6: "只有钻石卡和紫金钻石卡上可以附带VIP字样"). The level at a
  date comes from the tier history (sql.level_at).
- Member counts (new, total, dormant, tiers, liabilities) go by the member's home store.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Case, CharField, Count, DecimalField, Exists, ExpressionWrapper, F, IntegerField, OuterRef, Q, Sum, Value, When
from django.utils.translation import gettext as _

from vipdesk.core.masking import mask_name
from vipdesk.members.choices import Gender
from vipdesk.members.models import Member
from vipdesk.sales.choices import SaleKind
from vipdesk.core.dates import months_before
from vipdesk.members.dormancy import dormant_months
from vipdesk.sales.models import Sale, SaleLine
from vipdesk.tiers.models import Level
from vipdesk.points.models import PointsEntry
from vipdesk.points.services import policy
from vipdesk.wallet.models import WalletEntry
from vipdesk.coupons.choices import CouponStatus
from vipdesk.coupons.models import Campaign, Coupon

from .periods import Period, Scope
from .sql import in_stores, level_at, money, q, rows, table

ONE_PLACE = Decimal("0.1")
TOP_N = 500
DEFAULT_PRICE_BANDS = [100, 300, 500, 1000, 2000, 5000]
AGE_BANDS = [(None, 25), (25, 35), (35, 45), (45, 55), (55, None)]  # [from, to) in whole years at the period end


# ---- numbers ------------------------------------------------------------------------------

def pct(part, whole) -> str | None:
    """part / whole in per cent to one decimal, None when there is no whole."""
    part, whole = Decimal(part), Decimal(whole)
    if not whole:
        return None
    return str((Decimal(100) * part / whole).quantize(ONE_PLACE, rounding=ROUND_HALF_UP))


def delta(current, previous) -> dict:
    """The change from the previous period: absolute and in per cent of the previous figure."""
    if isinstance(current, str) or isinstance(previous, str):
        cur, prev = Decimal(current or 0), Decimal(previous or 0)
        diff = str(cur - prev)
    else:
        cur, prev = Decimal(current or 0), Decimal(previous or 0)
        diff = int(cur - prev)
    return {"change": diff, "change_pct": pct(cur - prev, prev) if prev else None}


def compare(current: dict, previous: dict, fields) -> dict:
    return {f: {"current": current[f], "previous": previous[f], **delta(current[f], previous[f])} for f in fields}


def compare_rows(current: list[dict], previous: list[dict], key: str, fields) -> list[dict]:
    """Rows of both periods matched by `key`, the current period's order first, then rows found
    only in the previous period; each field gets `<field>_prev`, `<field>_change` and
    `<field>_change_pct`."""
    now = {r[key]: r for r in current}
    before = {r[key]: r for r in previous}
    out = []
    for k in [r[key] for r in current] + [k for k in before if k not in now]:
        row = dict(now[k]) if k in now else {key: k, **{f: _zero_like(before[k][f]) for f in fields}}
        for f in fields:
            prev_value = before[k][f] if k in before else _zero_like(row[f])
            d = delta(row[f], prev_value)
            row[f"{f}_prev"], row[f"{f}_change"], row[f"{f}_change_pct"] = prev_value, d["change"], d["change_pct"]
        out.append(row)
    return out


def _zero_like(value):
    return "0.00" if isinstance(value, str) else 0


# ---- common filters -----------------------------------------------------------------------

def _sales(period: Period, scope: Scope):
    qs = Sale.objects.filter(kind=SaleKind.SALE, business_date__gte=period.start, business_date__lte=period.end)
    return qs if scope.store_ids is None else qs.filter(store_id__in=scope.store_ids)


def _lines(period: Period, scope: Scope):
    qs = SaleLine.objects.filter(sale__kind=SaleKind.SALE, sale__business_date__gte=period.start, sale__business_date__lte=period.end)
    return qs if scope.store_ids is None else qs.filter(sale__store_id__in=scope.store_ids)


def _members(scope: Scope):
    return Member.objects.all() if scope.store_ids is None else Member.objects.filter(home_store_id__in=scope.store_ids)


SALE_NET = ExpressionWrapper(F("amount") - F("returned_amount"), output_field=DecimalField(max_digits=14, decimal_places=2))
LINE_NET = ExpressionWrapper(F("amount") - F("returned_amount"), output_field=DecimalField(max_digits=14, decimal_places=2))
LINE_QTY = ExpressionWrapper(F("quantity") - F("returned_quantity"), output_field=IntegerField())


def _member_spend_sql(period: Period, scope: Scope) -> tuple[str, list]:
    """Per buying member: net spend and receipts in the period, at the scope's stores."""
    where, params = in_stores("s.store_id", scope.store_ids)
    sql = (f"SELECT s.member_id, SUM(s.amount - s.returned_amount) AS net, COUNT(*) AS receipts, "
           f"COUNT(DISTINCT s.business_date) AS days FROM {table(Sale)} s "
           f"WHERE s.kind = %s AND s.business_date >= %s AND s.business_date <= %s AND s.member_id IS NOT NULL AND {where} "
           f"GROUP BY s.member_id")
    return sql, [SaleKind.SALE, period.start, period.end, *params]


def _levels():
    return {lv.pk: lv for lv in Level.objects.select_related("programme").order_by("programme__code", "rank")}


# ---- 1. VIP share of sales and the Pareto curve -------------------------------------------

def _vip_share(period: Period, scope: Scope) -> dict:
    totals = _sales(period, scope).aggregate(total=Sum(SALE_NET), receipts=Count("id"),
                                             guest=Sum(SALE_NET, filter=Q(member__isnull=True)))
    spend_sql, spend_params = _member_spend_sql(period, scope)
    level_sql, level_params = level_at(period.end)
    found = rows(
        f"WITH spend AS ({spend_sql}), lv AS ({level_sql}) "
        f"SELECT CASE WHEN l.is_vip THEN 1 ELSE 0 END AS vip, COUNT(*), SUM(spend.net) FROM spend "
        f"LEFT JOIN lv ON lv.member_id = spend.member_id LEFT JOIN {table(Level)} l ON l.id = lv.level_id "
        f"GROUP BY CASE WHEN l.is_vip THEN 1 ELSE 0 END",
        spend_params + level_params)
    by = {int(vip): (n, money(amount)) for vip, n, amount in found}
    vip_n, vip_amount = by.get(1, (0, money(0)))
    other_n, other_amount = by.get(0, (0, money(0)))
    total = money(totals["total"])
    members_amount = vip_amount + other_amount
    buyers = vip_n + other_n
    return {
        "total_sales": str(total), "receipts": totals["receipts"], "guest_sales": str(money(totals["guest"])),
        "member_sales": str(members_amount), "vip_sales": str(vip_amount), "buyers": buyers, "vip_buyers": vip_n,
        "member_share_pct": pct(members_amount, total), "vip_share_pct": pct(vip_amount, total),
        "vip_buyer_share_pct": pct(vip_n, buyers),
        "pareto": _pareto(spend_sql, spend_params, buyers, members_amount),
    }


def _pareto(spend_sql: str, params: list, buyers: int, total: Decimal) -> list[dict]:
    """Buying members ranked by net spend, most first: the share of member sales made by the top
    10 %, 20 % … 100 % of them (the 80/20 check: 二八定律). One windowed query."""
    if not buyers:
        return []
    ranks = {k: math.ceil(buyers * k / 10) for k in range(1, 11)}
    wanted = sorted(set(ranks.values()))
    found = dict(rows(
        f"WITH spend AS ({spend_sql}) SELECT rn, cum FROM ("
        f"SELECT ROW_NUMBER() OVER (ORDER BY net DESC, member_id) AS rn, "
        f"SUM(net) OVER (ORDER BY net DESC, member_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum FROM spend) ranked "
        f"WHERE rn IN ({', '.join(['%s'] * len(wanted))})", params + wanted))
    return [{"buyers_pct": k * 10, "buyers": ranks[k], "sales": str(money(found[ranks[k]])),
             "sales_pct": pct(money(found[ranks[k]]), total)} for k in range(1, 11)]


def vip_share(period: Period, scope: Scope) -> dict:
    cur, prev = _vip_share(period, scope), _vip_share(period.previous(), scope)
    fields = ["total_sales", "receipts", "guest_sales", "member_sales", "vip_sales", "buyers", "vip_buyers"]
    out = compare(cur, prev, fields)
    for f in ("member_share_pct", "vip_share_pct", "vip_buyer_share_pct"):
        out[f] = {"current": cur[f], "previous": prev[f],
                  "change": str(Decimal(cur[f]) - Decimal(prev[f])) if cur[f] is not None and prev[f] is not None else None}
    top20 = lambda p: next((x["sales_pct"] for x in p if x["buyers_pct"] == 20), None)  # noqa: E731
    out["top20_share_pct"] = {"current": top20(cur["pareto"]), "previous": top20(prev["pareto"])}
    out["pareto"] = cur["pareto"]
    out["pareto_prev"] = prev["pareto"]
    return out


# ---- 2. price bands, brands, categories ---------------------------------------------------

def price_band_edges() -> list[Decimal]:
    return [Decimal(str(x)) for x in settings.VIPDESK.get("REPORT_PRICE_BANDS", DEFAULT_PRICE_BANDS)]


def band_label(low, high) -> str:
    if low is None:
        return f"<{high}"
    if high is None:
        return f"≥{low}"
    return f"{low}–{high}"


def price_bands() -> list[tuple]:
    """[(label, low, high)]: a line's unit price p falls in the band low ≤ p < high."""
    edges = price_band_edges()
    bounds = [None, *edges, None]
    return [(band_label(bounds[i], bounds[i + 1]), bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]


def band_case(field: str = "unit_price") -> Case:
    whens = []
    for label, low, high in price_bands():
        cond = Q()
        if low is not None:
            cond &= Q(**{f"{field}__gte": low})
        if high is not None:
            cond &= Q(**{f"{field}__lt": high})
        whens.append(When(cond, then=Value(label)))
    return Case(*whens, output_field=CharField())


def _goods(period: Period, scope: Scope, group, keys=()) -> list[dict]:
    """Net amount, net quantity and receipts per value of `group`, most sold first; `keys` are
    shown even when nothing of them sold."""
    qs = (_lines(period, scope).annotate(key=group).values("key")
          .annotate(amount=Sum(LINE_NET), quantity=Sum(LINE_QTY), receipts=Count("sale", distinct=True)))
    found = {r["key"] or "": (money(r["amount"]), int(r["quantity"] or 0), r["receipts"]) for r in qs}
    for k in keys:
        found.setdefault(k, (Decimal("0.00"), 0, 0))
    total = sum((a for a, _q, _r in found.values()), Decimal("0.00"))
    out = [{"key": k, "amount": str(a), "quantity": n, "receipts": r, "share_pct": pct(a, total)} for k, (a, n, r) in found.items()]
    out.sort(key=lambda r: (-Decimal(r["amount"]), r["key"]))
    return out


def _goods_section(period: Period, scope: Scope, group, keys=()) -> dict:
    merged = compare_rows(_goods(period, scope, group, keys), _goods(period.previous(), scope, group, keys),
                          "key", ["amount", "quantity", "receipts"])
    for row in merged:
        row.setdefault("share_pct", None)
    if keys:
        order = {k: i for i, k in enumerate(keys)}
        merged.sort(key=lambda r: order.get(r["key"], len(order)))
    return {"rows": merged, "total": _total(merged)}


def _total(merged: list[dict]) -> dict:
    amount = sum((Decimal(r["amount"]) for r in merged), Decimal("0.00"))
    amount_prev = sum((Decimal(r["amount_prev"]) for r in merged), Decimal("0.00"))
    return {"amount": str(amount), "amount_prev": str(amount_prev),
            **{f"amount_{k}": v for k, v in delta(str(amount), str(amount_prev)).items()},
            "quantity": sum(r["quantity"] for r in merged), "quantity_prev": sum(r["quantity_prev"] for r in merged)}


def price_band_sales(period: Period, scope: Scope) -> dict:
    return _goods_section(period, scope, band_case(), keys=[label for label, _l, _h in price_bands()])


def brand_sales(period: Period, scope: Scope) -> dict:
    return _goods_section(period, scope, F("brand"))


def category_sales(period: Period, scope: Scope) -> dict:
    return _goods_section(period, scope, F("category"))


# ---- 3. age and gender of the buyers ------------------------------------------------------

UNKNOWN_AGE = "unknown"


def age_bands() -> list[str]:
    """Keys of the age bands (labels are the same text, but for the unknown band)."""
    return [band_label(low, high) for low, high in AGE_BANDS] + [UNKNOWN_AGE]


def _age_case(on: dt.date) -> Case:
    """Age in whole years on `on`, by comparing birthdays with dates: portable and indexable."""
    def born_years_before(years):
        try:
            return on.replace(year=on.year - years)
        except ValueError:  # 29 February
            return on.replace(year=on.year - years, day=28)

    whens = []
    for low, high in AGE_BANDS:
        cond = Q(member__birthday__isnull=False)
        if low is not None:
            cond &= Q(member__birthday__lte=born_years_before(low))   # at least `low` years old
        if high is not None:
            cond &= Q(member__birthday__gt=born_years_before(high))   # not yet `high`
        whens.append(When(cond, then=Value(band_label(low, high))))
    return Case(*whens, default=Value(UNKNOWN_AGE), output_field=CharField())


def _demographics(period: Period, scope: Scope) -> dict:
    qs = (_sales(period, scope).filter(member__isnull=False).annotate(age=_age_case(period.end), gender=F("member__gender"))
          .values("age", "gender").annotate(buyers=Count("member", distinct=True), amount=Sum(SALE_NET)))
    cells = {(r["age"], r["gender"]): (r["buyers"], money(r["amount"])) for r in qs}
    buyers = sum(n for n, _a in cells.values())
    amount = sum((a for _n, a in cells.values()), Decimal("0.00"))
    def rows_by(index, keys):
        out = []
        for key in keys:
            n = sum(v[0] for k, v in cells.items() if k[index] == key)
            a = sum((v[1] for k, v in cells.items() if k[index] == key), Decimal("0.00"))
            out.append({"key": key, "buyers": n, "amount": str(a), "buyers_pct": pct(n, buyers), "amount_pct": pct(a, amount)})
        return out
    return {"age": rows_by(0, age_bands()), "gender": rows_by(1, [g for g, _l in Gender.choices]), "buyers": buyers}


def demographics(period: Period, scope: Scope) -> dict:
    cur, prev = _demographics(period, scope), _demographics(period.previous(), scope)
    labels = dict(Gender.choices)
    out = {}
    for part in ("age", "gender"):
        merged = compare_rows(cur[part], prev[part], "key", ["buyers", "amount"])
        before = {r["key"]: r for r in prev[part]}
        for row in merged:
            row["buyers_pct_prev"] = before[row["key"]]["buyers_pct"]
            if part == "gender":
                row["label"] = str(labels.get(row["key"], row["key"]))
            else:
                row["label"] = _("Age unknown") if row["key"] == UNKNOWN_AGE else row["key"]
        out[part] = merged
    out["buyers"] = {"current": cur["buyers"], "previous": prev["buyers"], **delta(cur["buyers"], prev["buyers"])}
    return out


# ---- 4. tier migration --------------------------------------------------------------------

def _migration(period: Period, scope: Scope) -> dict[tuple, int]:
    """{(level at the start, level at the end): members}; levels are ids, None for no tier."""
    before_sql, before_params = level_at(period.start - dt.timedelta(days=1))
    after_sql, after_params = level_at(period.end)
    where, params = in_stores("m.home_store_id", scope.store_ids)
    found = rows(
        f"WITH a AS ({before_sql}), b AS ({after_sql}) "
        f"SELECT a.level_id, b.level_id, COUNT(*) FROM {table(Member)} m "
        f"LEFT JOIN a ON a.member_id = m.id LEFT JOIN b ON b.member_id = m.id "
        f"WHERE (a.level_id IS NOT NULL OR b.level_id IS NOT NULL) AND {where} GROUP BY a.level_id, b.level_id",
        before_params + after_params + params)
    return {(a, b): n for a, b, n in found}


def tier_migration(period: Period, scope: Scope) -> dict:
    levels = _levels()
    cur, prev = _migration(period, scope), _migration(period.previous(), scope)
    used = {lid for pair in list(cur) + list(prev) for lid in pair if lid is not None}
    order = [None] + [pk for pk in levels if pk in used]
    name = lambda pk: levels[pk].name if pk is not None else _("No tier")  # noqa: E731
    rank = lambda pk: levels[pk].rank if pk is not None else 0  # noqa: E731

    def moves(matrix):
        up = sum(n for (a, b), n in matrix.items() if rank(b) > rank(a))
        down = sum(n for (a, b), n in matrix.items() if rank(b) < rank(a))
        same = sum(n for (a, b), n in matrix.items() if a == b)
        return {"upgraded": up, "downgraded": down, "unchanged": same}

    return {
        "levels": [{"id": pk, "name": name(pk)} for pk in order],
        "matrix": [[cur.get((a, b), 0) for b in order] for a in order],
        "matrix_prev": [[prev.get((a, b), 0) for b in order] for a in order],
        "moves": compare(moves(cur), moves(prev), ["upgraded", "downgraded", "unchanged"]),
    }


# ---- 5. new, active and dormant members ---------------------------------------------------

def _member_counts(period: Period, scope: Scope) -> dict:
    start, end = period.bounds()
    cutoff = months_before(period.end, dormant_months())
    cutoff_start = dt.datetime.combine(cutoff + dt.timedelta(days=1), dt.time.min, tzinfo=start.tzinfo)
    on_file = Q(enrolled_at__lt=end) & (Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=end))
    recent = Sale.objects.filter(member_id=OuterRef("pk"), business_date__gt=cutoff, business_date__lte=period.end)
    counts = _members(scope).aggregate(
        total=Count("pk", filter=on_file),
        new=Count("pk", filter=Q(enrolled_at__gte=start, enrolled_at__lt=end)),
        dormant=Count("pk", filter=on_file & Q(enrolled_at__lt=cutoff_start) & ~Exists(recent)),
    )
    sales = Sale.objects.filter(kind=SaleKind.SALE, business_date__gte=period.start, business_date__lte=period.end, member__isnull=False)
    if scope.store_ids is not None:
        sales = sales.filter(member__home_store_id__in=scope.store_ids)
    counts["active"] = sales.values("member_id").distinct().count()
    counts["new_buyers"] = sales.filter(member__enrolled_at__gte=start, member__enrolled_at__lt=end).values("member_id").distinct().count()
    counts["active_pct"] = pct(counts["active"], counts["total"])
    counts["dormant_pct"] = pct(counts["dormant"], counts["total"])
    counts["dormant_cutoff"] = cutoff.isoformat()
    return counts


def member_counts(period: Period, scope: Scope) -> dict:
    cur, prev = _member_counts(period, scope), _member_counts(period.previous(), scope)
    out = compare(cur, prev, ["total", "new", "new_buyers", "active", "dormant"])
    for f in ("active_pct", "dormant_pct", "dormant_cutoff"):
        out[f] = {"current": cur[f], "previous": prev[f]}
    return out


# ---- 6. points and stored-value liabilities -----------------------------------------------

def _liabilities(period: Period, scope: Scope) -> dict:
    points = PointsEntry.objects.all()
    wallet = WalletEntry.objects.all()
    if scope.store_ids is not None:
        points = points.filter(account__member__home_store_id__in=scope.store_ids)
        wallet = wallet.filter(account__member__home_store_id__in=scope.store_ids)
    in_period = Q(business_date__gte=period.start, business_date__lte=period.end)
    p = points.filter(business_date__lte=period.end).aggregate(
        balance=Sum("points"), issued=Sum("points", filter=in_period & Q(points__gt=0)),
        used=Sum("points", filter=in_period & Q(kind__in=["spend", "redeem"])),
        expired=Sum("points", filter=in_period & Q(kind="expire")))
    w = wallet.filter(business_date__lte=period.end).aggregate(
        principal_sum=Sum("principal"), bonus_sum=Sum("bonus"),
        topped_up=Sum(F("principal") + F("bonus"), filter=in_period & Q(kind="topup")),
        paid=Sum(F("principal") + F("bonus"), filter=in_period & Q(kind="pay")))
    value = policy().value_per_point
    balance = int(p["balance"] or 0)
    principal, bonus = money(w["principal_sum"]), money(w["bonus_sum"])
    return {
        "points_balance": balance, "points_value": str(money(Decimal(balance) * value)),
        "points_issued": int(p["issued"] or 0), "points_used": -int(p["used"] or 0), "points_expired": -int(p["expired"] or 0),
        "stored_principal": str(principal), "stored_bonus": str(bonus), "stored_total": str(principal + bonus),
        "stored_topped_up": str(money(w["topped_up"])), "stored_paid": str(-money(w["paid"])),
        "value_per_point": str(value),
    }


def liabilities(period: Period, scope: Scope) -> dict:
    cur, prev = _liabilities(period, scope), _liabilities(period.previous(), scope)
    fields = [k for k in cur if k != "value_per_point"]
    return {**compare(cur, prev, fields), "value_per_point": cur["value_per_point"]}


# ---- 7. the top-500 VIP tracking list -----------------------------------------------------

def _favourites(member_ids: list[int], period: Period, scope: Scope, field: str) -> dict[int, str]:
    """Each member's most bought `field` (brand, category) by net amount in the period."""
    if not member_ids:
        return {}
    qs = (_lines(period, scope).filter(sale__member_id__in=member_ids).exclude(**{field: ""})
          .values("sale__member_id", field).annotate(amount=Sum(LINE_NET)))
    best: dict[int, tuple] = {}
    for r in qs:
        key = (money(r["amount"]), r[field])
        if r["sale__member_id"] not in best or key > best[r["sale__member_id"]][0]:
            best[r["sale__member_id"]] = (key, r[field])
    return {m: v[1] for m, v in best.items()}


def _ranked_vips(period: Period, scope: Scope, limit: int) -> list[tuple]:
    spend_sql, spend_params = _member_spend_sql(period, scope)
    level_sql, level_params = level_at(period.end)
    return rows(
        f"WITH spend AS ({spend_sql}), lv AS ({level_sql}) "
        f"SELECT spend.member_id, spend.net, spend.receipts, spend.days, l.id FROM spend "
        f"JOIN lv ON lv.member_id = spend.member_id JOIN {table(Level)} l ON l.id = lv.level_id "
        f"WHERE l.is_vip ORDER BY spend.net DESC, spend.member_id LIMIT %s",
        spend_params + level_params + [limit])


def top_vips(period: Period, scope: Scope, limit: int = TOP_N) -> dict:
    """The period's top VIPs by net spend with the previous period's spend, visits and favourite
    brand and category beside them (seed: "VIPtop500的跟踪报告,及时了解其喜好的变化")."""
    levels = _levels()
    ranked = _ranked_vips(period, scope, limit)
    ids = [r[0] for r in ranked]
    prev_period = period.previous()
    spend_sql, spend_params = _member_spend_sql(prev_period, scope)
    before = {}
    if ids:
        before = {m: (money(net), n, days) for m, net, n, days in rows(
            f"SELECT member_id, net, receipts, days FROM ({spend_sql}) spend WHERE member_id IN ({', '.join(['%s'] * len(ids))})",
            spend_params + ids)}
    members = {m.pk: m for m in Member.objects.filter(pk__in=ids).only("pk", "member_no", "name")}
    fav = {f: (_favourites(ids, period, scope, f), _favourites(ids, prev_period, scope, f)) for f in ("brand", "category")}
    out = []
    for rank, (member_id, net, receipts, days, level_id) in enumerate(ranked, start=1):
        prev_net, prev_receipts, prev_days = before.get(member_id, (Decimal("0.00"), 0, 0))
        m = members[member_id]
        row = {"rank": rank, "member_id": member_id, "member_no": m.member_no, "name": mask_name(m.name),
               "level": levels[level_id].name, "spend": str(money(net)), "spend_prev": str(prev_net),
               **{f"spend_{k}": v for k, v in delta(str(money(net)), str(prev_net)).items()},
               "receipts": receipts, "receipts_prev": prev_receipts, "days": days, "days_prev": prev_days}
        changed = False
        for f in ("brand", "category"):
            now, then = fav[f][0].get(member_id, ""), fav[f][1].get(member_id, "")
            row[f"top_{f}"], row[f"top_{f}_prev"] = now, then
            changed |= bool(now and then and now != then)
        row["preference_changed"] = changed
        out.append(row)
    return {"rows": out, "limit": limit}


# ---- 8. response of VIPs to each campaign -------------------------------------------------

def _campaigns(period: Period, scope: Scope) -> dict[int, dict]:
    """Per campaign: coupons issued in the period (members of the scope's stores), to VIPs, and
    how many of those VIP coupons were used by the period's end (the response); coupons used in
    the period at the scope's stores, by VIPs; the receipts that used them and their net sales."""
    level_sql, level_params = level_at(period.end)
    vip_join = f"LEFT JOIN lv ON lv.member_id = {{m}} LEFT JOIN {table(Level)} l ON l.id = lv.level_id"
    coupon, member, sale = table(Coupon), table(Member), table(Sale)
    home, home_params = in_stores("m.home_store_id", scope.store_ids)
    issued = rows(
        f"WITH lv AS ({level_sql}) SELECT c.campaign_id, COUNT(*), SUM(CASE WHEN l.is_vip THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN l.is_vip AND c.status = %s AND us.business_date <= %s THEN 1 ELSE 0 END) "
        f"FROM {coupon} c LEFT JOIN {member} m ON m.id = c.member_id LEFT JOIN {sale} us ON us.id = c.used_sale_id "
        f"{vip_join.format(m='c.member_id')} "
        f"WHERE c.issued_on >= %s AND c.issued_on <= %s AND {home} GROUP BY c.campaign_id",
        level_params + [CouponStatus.USED, period.end, period.start, period.end] + home_params)
    where, params = in_stores("s.store_id", scope.store_ids)
    used_filter = f"c.status = %s AND s.business_date >= %s AND s.business_date <= %s AND {where}"
    used_params = [CouponStatus.USED, period.start, period.end, *params]
    used = rows(
        f"WITH lv AS ({level_sql}) SELECT c.campaign_id, COUNT(*), SUM(CASE WHEN l.is_vip THEN 1 ELSE 0 END) "
        f"FROM {coupon} c JOIN {sale} s ON s.id = c.used_sale_id {vip_join.format(m='c.member_id')} "
        f"WHERE {used_filter} GROUP BY c.campaign_id",
        level_params + used_params)
    # Sales on the receipts that used a coupon of the campaign: each receipt once per campaign.
    receipts = rows(
        f"WITH lv AS ({level_sql}), r AS (SELECT DISTINCT c.campaign_id, s.id AS sale_id, s.member_id, "
        f"s.amount - s.returned_amount AS net FROM {coupon} c JOIN {sale} s ON s.id = c.used_sale_id WHERE {used_filter}) "
        f"SELECT r.campaign_id, COUNT(*), SUM(r.net), SUM(CASE WHEN l.is_vip THEN r.net ELSE 0 END) "
        f"FROM r {vip_join.format(m='r.member_id')} GROUP BY r.campaign_id",
        level_params + used_params)
    out: dict[int, dict] = defaultdict(_campaigns_zero)
    for cid, n, n_vip, n_vip_used in issued:
        out[cid].update(issued=n, issued_vip=int(n_vip or 0), issued_vip_used=int(n_vip_used or 0))
    for cid, n, n_vip in used:
        out[cid].update(used=n, used_vip=int(n_vip or 0))
    for cid, n, amount, vip_amount in receipts:
        out[cid].update(receipts=n, sales=money(amount), vip_sales=money(vip_amount))
    return out


def campaign_response(period: Period, scope: Scope) -> dict:
    cur, prev = _campaigns(period, scope), _campaigns(period.previous(), scope)
    campaigns = {c.pk: c for c in Campaign.objects.filter(pk__in=set(cur) | set(prev))}
    out = []
    def weight(cid):
        now = cur.get(cid) or _campaigns_zero()
        return (-(now["issued"] + now["used"]), campaigns[cid].code)

    for cid in sorted(set(cur) | set(prev), key=weight):
        now = cur.get(cid) or _campaigns_zero()
        then = prev.get(cid) or _campaigns_zero()
        out.append({
            "campaign_id": cid, "code": campaigns[cid].code, "name": campaigns[cid].name,
            **{k: (str(v) if isinstance(v, Decimal) else v) for k, v in now.items()},
            "vip_response_pct": pct(now["issued_vip_used"], now["issued_vip"]),
            "vip_response_pct_prev": pct(then["issued_vip_used"], then["issued_vip"]),
            "used_vip_prev": then["used_vip"], "vip_sales_prev": str(then["vip_sales"]),
        })
    return {"rows": out}


def _campaigns_zero() -> dict:
    return {"issued": 0, "issued_vip": 0, "issued_vip_used": 0, "used": 0, "used_vip": 0, "receipts": 0,
            "sales": Decimal("0.00"), "vip_sales": Decimal("0.00")}


# ---- the whole report ---------------------------------------------------------------------

SECTIONS = {
    "vip_share": vip_share,
    "price_bands": price_band_sales,
    "brands": brand_sales,
    "categories": category_sales,
    "demographics": demographics,
    "tier_migration": tier_migration,
    "members": member_counts,
    "liabilities": liabilities,
    "top_vips": top_vips,
    "campaigns": campaign_response,
}


def report(period: Period, scope: Scope, sections=None) -> dict:
    """Every section (or the named ones) for the period and scope."""
    previous = period.previous()
    return {
        "period": period.label, "start": period.start.isoformat(), "end": period.end.isoformat(),
        "previous": {"period": previous.label, "start": previous.start.isoformat(), "end": previous.end.isoformat()},
        "scope": {"key": scope.key, "name": str(scope.name)},
        **{name: SECTIONS[name](period, scope) for name in (sections or SECTIONS)},
    }
