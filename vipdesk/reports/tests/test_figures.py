"""Every report figure against a direct SQL query over the same crafted data (helpers.build_chain).

The reference queries are written differently from the report's: correlated subqueries instead of
window functions for the tier at a date, per-member rows bucketed in Python for ages and the
Pareto curve, so a mistake in one is not repeated in the other."""
import datetime as dt
import math
from collections import Counter, defaultdict
from decimal import Decimal

import pytest

from vipdesk.reports import figures
from vipdesk.reports.periods import Scope, parse_period

from .helpers import D, db_time, money, one, sql, stores_in

pytestmark = pytest.mark.django_db

PERIODS = ["2026-10", "2026-09", "2026-Q4", "2026-H2", "2026"]
SCOPES = ["all", "E1", "EAST", "W1"]


def scope_of(chain, key) -> Scope:
    if key == "all":
        return Scope("all", "", "all", None)
    if key in chain["stores"]:
        return Scope("store", key, key, (chain["stores"][key].pk,))
    return Scope("region", key, key, tuple(s.pk for s in chain["stores"].values() if s.region_id == chain["regions"][key].pk))


def vip_on(member_column: str) -> str:
    """SQL: whether the member's latest tier history row up to %s leads to a VIP level."""
    return (f"COALESCE((SELECT l.is_vip FROM tiers_tierhistory h JOIN tiers_level l ON l.id = h.to_level_id "
            f"WHERE h.member_id = {member_column} AND h.\"on\" <= %s ORDER BY h.\"on\" DESC, h.id DESC LIMIT 1), %s)")


def level_on(member_column: str) -> str:
    return (f"(SELECT h.to_level_id FROM tiers_tierhistory h WHERE h.member_id = {member_column} AND h.\"on\" <= %s "
            f"ORDER BY h.\"on\" DESC, h.id DESC LIMIT 1)")


def sales_where(p, scope):
    extra, params = stores_in(scope.store_ids, "s.store_id")
    return f"s.kind = 'sale' AND s.business_date >= %s AND s.business_date <= %s{extra}", [p.start, p.end, *params]


@pytest.fixture(params=[(p, s) for p in PERIODS for s in SCOPES], ids=lambda x: f"{x[0]}-{x[1]}")
def case(request, chain):
    p, s = request.param
    return parse_period(p), scope_of(chain, s)


def vip_share_by_sql(p, scope) -> dict:
    where, params = sales_where(p, scope)
    total = money(one(f"SELECT SUM(s.amount - s.returned_amount) FROM sales_sale s WHERE {where}", params))
    guest = money(one(f"SELECT SUM(s.amount - s.returned_amount) FROM sales_sale s WHERE {where} AND s.member_id IS NULL", params))
    vip = money(one(f"SELECT SUM(s.amount - s.returned_amount) FROM sales_sale s WHERE {where} AND {vip_on('s.member_id')}",
                    params + [p.end, False]))
    vip_buyers = one(f"SELECT COUNT(DISTINCT s.member_id) FROM sales_sale s WHERE {where} AND {vip_on('s.member_id')}",
                     params + [p.end, False])
    per_member = sql(f"SELECT s.member_id, SUM(s.amount - s.returned_amount) FROM sales_sale s WHERE {where} "
                     f"AND s.member_id IS NOT NULL GROUP BY s.member_id", params)
    spends = sorted((money(v) for _m, v in per_member), reverse=True)
    return {"total": total, "guest": guest, "vip": vip, "vip_buyers": vip_buyers, "spends": spends,
            "receipts": one(f"SELECT COUNT(*) FROM sales_sale s WHERE {where}", params)}


def test_vip_share_and_pareto(case):
    p, scope = case
    got = figures.vip_share(p, scope)
    for period, side in ((p, "current"), (p.previous(), "previous")):
        want = vip_share_by_sql(period, scope)
        assert D(got["total_sales"][side]) == want["total"]
        assert D(got["guest_sales"][side]) == want["guest"]
        assert D(got["member_sales"][side]) == want["total"] - want["guest"]
        assert D(got["vip_sales"][side]) == want["vip"]
        assert got["vip_buyers"][side] == want["vip_buyers"]
        assert got["buyers"][side] == len(want["spends"])
        assert got["receipts"][side] == want["receipts"]
        assert got["vip_share_pct"][side] == figures.pct(want["vip"], want["total"])
    want = vip_share_by_sql(p, scope)
    spends, n = want["spends"], len(want["spends"])
    assert len(got["pareto"]) == (10 if n else 0)
    for point in got["pareto"]:
        top = math.ceil(n * point["buyers_pct"] / 100)
        assert point["buyers"] == top
        assert D(point["sales"]) == sum(spends[:top], Decimal("0.00"))
        assert point["sales_pct"] == figures.pct(sum(spends[:top], Decimal("0.00")), sum(spends, Decimal("0.00")))


def test_vip_share_hand_figures(chain):
    """October, whole chain, by hand: VIPs at the end of October are 王大富, 李后来 and 周西西 (钻石卡);
    their October net sales 5,000 + (22,600 − 300 returned + 1,000) + 5,200 = 33,500."""
    got = figures.vip_share(parse_period("2026-10"), scope_of(chain, "all"))
    assert got["vip_buyers"]["current"] == 3
    assert got["vip_sales"]["current"] == "33500.00"
    assert got["guest_sales"]["current"] == "999.00"


def goods_by_sql(p, scope, column: str) -> dict:
    where, params = sales_where(p, scope)
    found = sql(f"SELECT {column}, SUM(l.amount - l.returned_amount), SUM(l.quantity - l.returned_quantity), COUNT(DISTINCT l.sale_id) "
                f"FROM sales_saleline l JOIN sales_sale s ON s.id = l.sale_id WHERE {where} GROUP BY {column}", params)
    return {k or "": (money(a), int(q), int(r)) for k, a, q, r in found}


def band_sql() -> str:
    parts, edges = [], figures.price_band_edges()
    bands = figures.price_bands()
    for (label, low, high) in bands:
        cond = " AND ".join([c for c in (f"l.unit_price >= {low}" if low is not None else "",
                                          f"l.unit_price < {high}" if high is not None else "") if c])
        parts.append(f"WHEN {cond} THEN '{label}'")
    assert edges
    return "CASE " + " ".join(parts) + " END"


@pytest.mark.parametrize("section,column", [("brands", "l.brand"), ("categories", "l.category"), ("price_bands", None)])
def test_goods_sections(case, section, column):
    p, scope = case
    got = {"brands": figures.brand_sales, "categories": figures.category_sales, "price_bands": figures.price_band_sales}[section](p, scope)
    column = column or band_sql()
    now, before = goods_by_sql(p, scope, column), goods_by_sql(p.previous(), scope, column)
    rows = {r["key"]: r for r in got["rows"]}
    for key in set(now) | set(before):
        a, q, r = now.get(key, (D("0.00"), 0, 0))
        assert (D(rows[key]["amount"]), rows[key]["quantity"], rows[key]["receipts"]) == (a, q, r), key
        pa, pq, pr = before.get(key, (D("0.00"), 0, 0))
        assert (D(rows[key]["amount_prev"]), rows[key]["quantity_prev"], rows[key]["receipts_prev"]) == (pa, pq, pr), key
        assert D(rows[key]["amount_change"]) == a - pa
    for key in set(rows) - set(now) - set(before):
        assert rows[key]["amount"] == rows[key]["amount_prev"] == "0.00"  # a price band nobody bought in
    assert D(got["total"]["amount"]) == sum((v[0] for v in now.values()), Decimal("0.00"))
    if section == "price_bands":
        assert [r["key"] for r in got["rows"]] == [label for label, _l, _h in figures.price_bands()]


def age_band(birthday, on: dt.date) -> str:
    if birthday is None:
        return figures.UNKNOWN_AGE
    if isinstance(birthday, str):
        birthday = dt.date.fromisoformat(birthday)
    age = on.year - birthday.year - ((on.month, on.day) < (birthday.month, birthday.day))
    for low, high in figures.AGE_BANDS:
        if (low is None or age >= low) and (high is None or age < high):
            return figures.band_label(low, high)
    raise AssertionError(age)


def test_demographics(case):
    p, scope = case
    got = figures.demographics(p, scope)
    for period, suffix in ((p, ""), (p.previous(), "_prev")):
        where, params = sales_where(period, scope)
        found = sql(f"SELECT m.id, m.gender, m.birthday, SUM(s.amount - s.returned_amount) FROM sales_sale s "
                    f"JOIN members_member m ON m.id = s.member_id WHERE {where} GROUP BY m.id, m.gender, m.birthday", params)
        by_age, by_gender = defaultdict(lambda: [0, D("0.00")]), defaultdict(lambda: [0, D("0.00")])
        for _id, gender, birthday, amount in found:
            for bucket, key in ((by_age, age_band(birthday, period.end)), (by_gender, gender)):
                bucket[key][0] += 1
                bucket[key][1] += money(amount)
        for part, want in (("age", by_age), ("gender", by_gender)):
            rows = {r["key"]: r for r in got[part]}
            for key, row in rows.items():
                assert row[f"buyers{suffix}"] == want[key][0], (part, key)
                assert D(row[f"amount{suffix}"]) == want[key][1], (part, key)
        assert (got["buyers"]["current" if not suffix else "previous"]) == len(found)


def test_tier_migration(case):
    p, scope = case
    got = figures.tier_migration(p, scope)
    extra, params = stores_in(scope.store_ids, "m.home_store_id")
    found = sql(f"SELECT {level_on('m.id')}, {level_on('m.id')} FROM members_member m WHERE 1=1{extra}",
                [p.start - dt.timedelta(days=1), p.end, *params])
    want = Counter((a, b) for a, b in found if a is not None or b is not None)
    ids = [lv["id"] for lv in got["levels"]]
    for i, a in enumerate(ids):
        for j, b in enumerate(ids):
            assert got["matrix"][i][j] == want.get((a, b), 0), (a, b)
    assert sum(map(sum, got["matrix"])) == sum(want.values())


def test_tier_migration_hand_figures(chain):
    """October: 李后来 none → 钻石卡 (upgrade at posting), 张小青 none → 金卡 (HQ override), 王大富 and 周西西 stay 钻石卡."""
    got = figures.tier_migration(parse_period("2026-10"), scope_of(chain, "all"))
    assert got["moves"]["upgraded"]["current"] == 2 and got["moves"]["unchanged"]["current"] == 2
    names = [lv["name"] for lv in got["levels"]]
    assert got["matrix"][names.index("钻石卡")][names.index("钻石卡")] == 2


def test_member_counts(case, settings):
    p, scope = case
    got = figures.member_counts(p, scope)
    from vipdesk.reports.periods import Period  # noqa: F401
    from vipdesk.core.dates import months_before

    for period, side in ((p, "current"), (p.previous(), "previous")):
        start, end = (db_time(x) for x in period.bounds())
        cutoff = months_before(period.end, settings.VIPDESK["DORMANT_MONTHS"])
        cutoff_start = db_time(dt.datetime.combine(cutoff + dt.timedelta(days=1), dt.time.min, tzinfo=period.bounds()[0].tzinfo))
        extra, params = stores_in(scope.store_ids, "m.home_store_id")
        on_file = "m.enrolled_at < %s AND (m.withdrawn_at IS NULL OR m.withdrawn_at >= %s)"
        assert got["total"][side] == one(f"SELECT COUNT(*) FROM members_member m WHERE {on_file}{extra}", [end, end, *params])
        assert got["new"][side] == one(f"SELECT COUNT(*) FROM members_member m WHERE m.enrolled_at >= %s AND m.enrolled_at < %s{extra}",
                                       [start, end, *params])
        assert got["dormant"][side] == one(
            f"SELECT COUNT(*) FROM members_member m WHERE {on_file} AND m.enrolled_at < %s{extra} AND NOT EXISTS "
            f"(SELECT 1 FROM sales_sale s WHERE s.member_id = m.id AND s.business_date > %s AND s.business_date <= %s)",
            [end, end, cutoff_start, *params, cutoff, period.end])
        assert got["active"][side] == one(
            f"SELECT COUNT(DISTINCT s.member_id) FROM sales_sale s JOIN members_member m ON m.id = s.member_id "
            f"WHERE s.kind = 'sale' AND s.business_date >= %s AND s.business_date <= %s{extra}", [period.start, period.end, *params])


def test_member_counts_hand_figures(chain):
    got = figures.member_counts(parse_period("2026-10"), scope_of(chain, "all"))
    assert got["new"]["current"] == 1          # 钱新新
    assert got["dormant"]["current"] == 1      # 孙睡睡: nothing since May 2025
    assert got["active"]["current"] == 6       # everyone but the sleeper bought in October


def test_liabilities(case):
    p, scope = case
    got = figures.liabilities(p, scope)
    from vipdesk.points.services import policy

    extra, params = stores_in(scope.store_ids, "m.home_store_id")
    for period, side in ((p, "current"), (p.previous(), "previous")):
        points = one(f"SELECT COALESCE(SUM(e.points), 0) FROM points_pointsentry e JOIN points_pointsaccount a ON a.id = e.account_id "
                     f"JOIN members_member m ON m.id = a.member_id WHERE e.business_date <= %s{extra}", [period.end, *params])
        assert got["points_balance"][side] == points
        assert D(got["points_value"][side]) == money(D(points) * policy().value_per_point)
        issued = one(f"SELECT COALESCE(SUM(e.points), 0) FROM points_pointsentry e JOIN points_pointsaccount a ON a.id = e.account_id "
                     f"JOIN members_member m ON m.id = a.member_id WHERE e.business_date >= %s AND e.business_date <= %s "
                     f"AND e.points > 0{extra}", [period.start, period.end, *params])
        assert got["points_issued"][side] == issued
        principal, bonus = sql(f"SELECT SUM(e.principal), SUM(e.bonus) FROM wallet_walletentry e "
                               f"JOIN wallet_walletaccount a ON a.id = e.account_id JOIN members_member m ON m.id = a.member_id "
                               f"WHERE e.business_date <= %s{extra}", [period.end, *params])[0]
        assert D(got["stored_principal"][side]) == money(principal)
        assert D(got["stored_bonus"][side]) == money(bonus)
        assert D(got["stored_total"][side]) == money(principal) + money(bonus)


def test_liabilities_hand_figures(chain):
    """Points are earned at 1 per yuan; by the end of September 王大富 holds 22,200 and 周西西 25,000 …"""
    got = figures.liabilities(parse_period("2026-10"), scope_of(chain, "all"))
    assert got["points_balance"]["current"] > got["points_balance"]["previous"] > 0
    assert D(got["stored_principal"]["current"]) == D("1500.00")  # two top-ups: 1,000 + 500


def test_top_vips(case):
    p, scope = case
    got = figures.top_vips(p, scope)
    where, params = sales_where(p, scope)
    want = sql(f"SELECT s.member_id, SUM(s.amount - s.returned_amount) AS net, COUNT(*), COUNT(DISTINCT s.business_date) "
               f"FROM sales_sale s WHERE {where} AND s.member_id IS NOT NULL AND {vip_on('s.member_id')} "
               f"GROUP BY s.member_id ORDER BY net DESC, s.member_id", params + [p.end, False])
    assert [(r["member_id"], D(r["spend"]), r["receipts"], r["days"]) for r in got["rows"]] == \
           [(m, money(net), n, days) for m, net, n, days in want]
    pwhere, pparams = sales_where(p.previous(), scope)
    for row in got["rows"]:
        prev = one(f"SELECT SUM(s.amount - s.returned_amount) FROM sales_sale s WHERE {pwhere} AND s.member_id = %s",
                   pparams + [row["member_id"]])
        assert D(row["spend_prev"]) == money(prev)
        brands = sql(f"SELECT l.brand, SUM(l.amount - l.returned_amount) AS a FROM sales_saleline l JOIN sales_sale s ON s.id = l.sale_id "
                     f"WHERE {where} AND s.member_id = %s AND l.brand <> '' GROUP BY l.brand", params + [row["member_id"]])
        best = max(brands, key=lambda b: (money(b[1]), b[0]))[0] if brands else ""
        assert row["top_brand"] == best


def test_top_vips_limit_and_masking(chain):
    got = figures.top_vips(parse_period("2026-10"), scope_of(chain, "all"), limit=2)
    assert len(got["rows"]) == 2 and got["rows"][0]["name"] == "李*来"
    assert got["rows"][0]["top_category"] == "珠宝"


def test_campaign_response(case):
    p, scope = case
    got = {r["code"]: r for r in figures.campaign_response(p, scope)["rows"]}
    extra_home, home_params = stores_in(scope.store_ids, "m.home_store_id")
    extra_store, store_params = stores_in(scope.store_ids, "s.store_id")
    codes = [c for (c,) in sql("SELECT code FROM coupons_campaign")]
    for code in codes:
        issued = sql(f"SELECT c.id, c.status, us.business_date, {vip_on('c.member_id')} FROM coupons_coupon c "
                     f"JOIN coupons_campaign k ON k.id = c.campaign_id JOIN members_member m ON m.id = c.member_id "
                     f"LEFT JOIN sales_sale us ON us.id = c.used_sale_id "
                     f"WHERE k.code = %s AND c.issued_on >= %s AND c.issued_on <= %s{extra_home}",
                     [p.end, False, code, p.start, p.end, *home_params])
        used = sql(f"SELECT c.id, s.id, s.amount - s.returned_amount, {vip_on('c.member_id')} FROM coupons_coupon c "
                   f"JOIN coupons_campaign k ON k.id = c.campaign_id JOIN sales_sale s ON s.id = c.used_sale_id "
                   f"WHERE k.code = %s AND c.status = 'used' AND s.business_date >= %s AND s.business_date <= %s{extra_store}",
                   [p.end, False, code, p.start, p.end, *store_params])
        if not issued and not used and code not in got:
            continue
        row = got[code]
        assert row["issued"] == len(issued)
        assert row["issued_vip"] == sum(1 for i in issued if i[3])
        vip_used = sum(1 for i in issued if i[3] and i[1] == "used" and i[2] is not None and str(i[2]) <= p.end.isoformat())
        assert row["issued_vip_used"] == vip_used
        assert row["used"] == len(used) and row["used_vip"] == sum(1 for u in used if u[3])
        receipts = {u[1]: (money(u[2]), bool(u[3])) for u in used}
        assert row["receipts"] == len(receipts)
        assert D(row["sales"]) == sum((a for a, _v in receipts.values()), Decimal("0.00"))
        assert D(row["vip_sales"]) == sum((a for a, v in receipts.values() if v), Decimal("0.00"))


def test_campaign_hand_figures(chain):
    """October, whole chain: AUTUMN went to 王大富 (2, both used on one receipt of 5,000), 李后来 (unused) in
    October, and to 张小青 in September (used in October; she was no VIP)."""
    got = {r["code"]: r for r in figures.campaign_response(parse_period("2026-10"), scope_of(chain, "all"))["rows"]}
    autumn = got["AUTUMN"]
    assert (autumn["issued"], autumn["issued_vip"], autumn["issued_vip_used"]) == (3, 3, 2)
    assert (autumn["used"], autumn["used_vip"], autumn["receipts"]) == (3, 2, 2)
    assert autumn["vip_sales"] == "5000.00"
    assert autumn["vip_response_pct"] == "66.7"


def test_report_has_every_section(chain):
    r = figures.report(parse_period("2026-10"), scope_of(chain, "EAST"))
    assert set(figures.SECTIONS) <= set(r) and r["previous"]["period"] == "2026-09"
