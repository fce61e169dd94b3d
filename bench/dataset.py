"""Set-based generation of a purchase history for the benchmarks (bench/daily_jobs.py, bench/posting.py).

Everything is INSERT … SELECT over generate_series in PostgreSQL — no ORM loops — and every value
follows from the row number through hashint8extended, so a data set is the same each time it is
built, whatever the chunking. Given the members already loaded (bench/member_lookup.py) and the
programme installed by `vipdesk init`, it writes, as of business date D (`as_of`):

  sales        S sales over the 25 months before D (15 % anonymous), amounts skewed (many small,
               few large), 3 % partly returned with their return rows; each identified sale carries
               a posting `result` of the size the API stores;
  points       one account per buying member, one lot and one earn entry per identified sale, lots
               expired by earlier daily runs already at 0 with their expire entry, lots of the
               return window still pending; the lots whose last day was D − 1 are left for the
               job of D to expire, those usable from D for it to unlock;
  tiers        a MemberTier per buying member at the level its spending qualifies for as of D − 1
               (the same SQL as the baseline); members whose tier anniversary is D are, one in two,
               a level above what they still qualify for (they are due for a downgrade); one member
               in 2,000 has an HQ override that ended on D − 1;
  dormant      cards flagged dormant as the job of D − 1 left them; cards issued four years ago.

The bulk load drops the secondary indexes of the big tables and builds them again afterwards
(the definitions come from the catalogue, so they are the product's own), skips FK triggers
(session_replication_role = replica; the data is consistent by construction) and ends with
VACUUM ANALYZE, as a production database would be after autovacuum.
"""
from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor

HISTORY_MONTHS = 25
ANONYMOUS = 0.15
RETURNED = 0.03
LOAD_TABLES = ("sales_sale", "points_pointslot", "points_pointsentry", "points_pointsaccount", "tiers_membertier")
CHUNK = 500_000


def _u(k: int, col: str = "s") -> str:
    """A uniform [0, 1) number from row number `col` and stream k (deterministic)."""
    return f"((hashint8extended({col}::bigint, {k}) & 2147483647)::float8 / 2147483648.0)"


def _noop(_msg: str) -> None:
    pass


def qualify_sql(conn, *, as_of: dt.date, members_table: str | None = None) -> tuple[str, list]:
    """SQL giving (member_id, rank) — the highest level each buying member qualifies for as of `as_of`
    (rank 0: none) — with one GROUP BY over the sales, built from the active programme's rule rows.

    Supports the condition kinds the presets use; the manual-approval gate counts as met only with
    an approved TierApproval. Spend is net of returns over sales not wholly returned, by business
    date, as vipdesk/tiers/metrics.py defines it."""
    programme_id = conn.execute("SELECT id FROM tiers_programme WHERE active").fetchone()[0]
    rows = conn.execute(
        "SELECT l.id, l.rank, l.mode, g.id, g.mode, c.kind, c.amount, c.months, c.count FROM tiers_level l"
        " JOIN tiers_rulegroup g ON g.level_id = l.id JOIN tiers_condition c ON c.group_id = g.id"
        " WHERE l.programme_id = %s ORDER BY l.rank DESC, g.position, g.id, c.id", (programme_id,)).fetchall()

    def add_months(day: dt.date, months: int) -> dt.date:
        import calendar

        index = day.year * 12 + day.month - 1 + months
        year, month = divmod(index, 12)
        return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))

    def start(months: int) -> str:
        return (add_months(as_of, -months) + dt.timedelta(days=1)).isoformat()

    q_start = dt.date(as_of.year, 3 * ((as_of.month - 1) // 3) + 1, 1).isoformat()
    aggs: dict[str, str] = {}
    net = "(s.amount - s.returned_amount)"
    levels: dict[int, dict] = {}
    for level_id, rank, level_mode, group_id, group_mode, kind, amount, months, count in rows:
        level = levels.setdefault(rank, {"id": level_id, "mode": level_mode, "groups": {}})
        group = level["groups"].setdefault(group_id, {"mode": group_mode, "conds": []})
        if kind == "rolling_window_spend":
            aggs.setdefault(f"spend_{months}", f"coalesce(sum({net}) FILTER (WHERE s.business_date >= '{start(months)}'), 0)")
            cond = f"spend_{months} >= {amount}"
        elif kind == "single_purchase_amount":
            aggs.setdefault(f"single_{months}", f"coalesce(max({net}) FILTER (WHERE s.business_date >= '{start(months)}'), 0)")
            cond = f"single_{months} >= {amount}"
        elif kind == "visits":
            aggs.setdefault(f"visits_{months}", f"count(DISTINCT s.business_date) FILTER (WHERE s.business_date >= '{start(months)}')")
            cond = f"visits_{months} >= {count}"
        elif kind == "calendar_quarter_spend":
            aggs.setdefault("quarter", f"coalesce(sum({net}) FILTER (WHERE s.business_date >= '{q_start}'), 0)")
            cond = f"quarter >= {amount}"
        elif kind == "calendar_year_spend":
            aggs.setdefault("year", f"coalesce(sum({net}) FILTER (WHERE s.business_date >= '{as_of.year}-01-01'), 0)")
            cond = f"year >= {amount}"
        elif kind == "first_purchase_amount":
            aggs.setdefault("first_purchase", f"(array_agg({net} ORDER BY s.business_date, s.occurred_at, s.id))[1]")
            cond = f"coalesce(first_purchase >= {amount}, false)"
        elif kind == "manual_approval":
            cond = (f"EXISTS (SELECT 1 FROM tiers_tierapproval a WHERE a.member_id = m.member_id AND a.level_id = {level_id}"
                    " AND a.status = 'approved')")
        else:
            raise ValueError(f"unknown condition kind {kind}")
        group["conds"].append(cond)
    cases = []
    for rank in sorted(levels, reverse=True):
        level = levels[rank]
        groups = [("(" + (" AND " if g["mode"] == "all" else " OR ").join(g["conds"]) + ")") for g in level["groups"].values()]
        cases.append(f"WHEN {(' AND ' if level['mode'] == 'all' else ' OR ').join(groups)} THEN {rank}")
    member_filter = f" AND s.member_id IN (SELECT member_id FROM {members_table})" if members_table else ""
    sql = (f"SELECT m.member_id, CASE {' '.join(cases)} ELSE 0 END AS rank FROM ("
           f"SELECT s.member_id, {', '.join(f'{expr} AS {name}' for name, expr in aggs.items())} FROM sales_sale s"
           f" WHERE s.kind = 'sale' AND s.member_id IS NOT NULL AND s.business_date <= '{as_of.isoformat()}'"
           f" AND s.amount > s.returned_amount{member_filter} GROUP BY s.member_id) m")
    return sql, []


# ---- the bulk load --------------------------------------------------------------------------------

def _secondary_indexes(conn, tables) -> list[tuple[str, str]]:
    """(name, CREATE INDEX …) of the indexes that no constraint owns."""
    return conn.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
        " JOIN pg_class t ON t.oid = x.indrelid WHERE t.relname = ANY(%s)"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)", (list(tables),)).fetchall()


def _parallel(url: str, statements: list[tuple[str, tuple]], workers: int = 2) -> None:
    import psycopg

    def run(item):
        sql, params = item
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SET session_replication_role = replica")
            conn.execute("SET synchronous_commit = off")
            conn.execute("SET maintenance_work_mem = '1GB'")
            conn.execute(sql, params)

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(run, statements))


def _expires_sql(policy: dict, col: str) -> str:
    kind = policy["expiry_kind"]
    if kind == "never":
        return "NULL::date"
    if kind == "rolling_days":
        return f"({col} + {int(policy['expiry_n']) - 1})"
    if kind == "rolling_months":
        return f"(({col} + make_interval(months => {int(policy['expiry_n'])}))::date - 1)"
    y = f"(extract(year FROM {col})::int + {int(policy['clearing_years_after'])})"
    m = int(policy["clearing_month"])
    last = f"extract(day FROM (make_date({y}, {m}, 1) + interval '1 month - 1 day'))::int"
    return f"make_date({y}, {m}, least({int(policy['clearing_day'])}, {last}))"


def generate_history(url: str, *, sales: int, as_of: dt.date, log=_noop, workers: int = 2) -> dict:
    """Write the history described in the module docstring; returns counts and seconds."""
    import psycopg

    t_all = time.monotonic()
    out: dict = {"sales": sales}
    with psycopg.connect(url, autocommit=True) as conn:
        lo, hi, n = conn.execute("SELECT min(id), max(id), count(*) FROM members_member").fetchone()
        assert n and hi - lo + 1 == n, "bench members must have consecutive ids (bench/member_lookup.py loads them so)"
        stores = [r[0] for r in conn.execute("SELECT id FROM org_store WHERE code LIKE 'BENCH%%' ORDER BY id")]
        pol = conn.execute("SELECT expiry_kind, expiry_n, clearing_month, clearing_day, clearing_years_after, pending_days"
                           " FROM points_pointspolicy WHERE code = 'default'").fetchone()
        if pol is None:
            conn.execute("INSERT INTO points_pointspolicy (created_at, updated_at, code, expiry_kind, expiry_n, clearing_month,"
                         " clearing_day, clearing_years_after, pending_days, same_day_redeemable, debt_policy, value_per_point,"
                         " earn_on_points_paid, earn_on_stored_value_principal, earn_on_stored_value_bonus, earn_on_coupon_paid)"
                         " VALUES (now(), now(), 'default', 'calendar', 24, 12, 31, 1, 0, false, 'debt', 0.1, false, true, false, false)")
            pol = ("calendar", 24, 12, 31, 1, 0)
        policy = dict(zip(("expiry_kind", "expiry_n", "clearing_month", "clearing_day", "clearing_years_after", "pending_days"), pol))
        programme_id = conn.execute("SELECT id FROM tiers_programme WHERE active").fetchone()[0]
        level_ids = dict(conn.execute("SELECT rank, id FROM tiers_level WHERE programme_id = %s", (programme_id,)))
        base = conn.execute("SELECT coalesce(max(id), 0) FROM sales_sale").fetchone()[0] + 1
        indexes = _secondary_indexes(conn, LOAD_TABLES)
        for name, _ddl in indexes:
            conn.execute(f'DROP INDEX "{name}"')
    log(f"history: {sales:,} sales for {n:,} members as of {as_of} ({policy['expiry_kind']} expiry); "
        f"{len(indexes)} secondary indexes dropped for the load")

    d = as_of.isoformat()
    span_start = _months_back(as_of, HISTORY_MONTHS)
    span_days = (as_of - span_start).days
    store_arr = "ARRAY[" + ",".join(map(str, stores)) + "]::bigint[]"

    # ---- sales: one statement per chunk of row numbers, two connections at a time
    t0 = time.monotonic()
    amount = f"round((20 + 3000 * power({_u(3)}, 2.6))::numeric, 2)"
    member = f"CASE WHEN {_u(1)} < {ANONYMOUS} THEN NULL ELSE {lo} + floor({n} * power({_u(2)}, 1.6))::bigint END"
    bd = f"('{d}'::date - 1 - floor({_u(4)} * {span_days})::int)"
    sale_sql = f"""
        INSERT INTO sales_sale (id, created_at, updated_at, kind, terminal, receipt_no, occurred_at, business_date,
            identified_by, amount, amount_paid, returned_amount, content_hash, result, member_id, store_id)
        SELECT id, at, at, 'sale', 'T1', 'H' || id, at, bd, CASE WHEN mid IS NULL THEN 'none' ELSE 'member_no' END,
               amt, amt, CASE WHEN {_u(6, 'g')} < {RETURNED} THEN round(amt * (0.2 + 0.8 * {_u(7, 'g')})::numeric, 2) ELSE 0 END,
               md5(id::text),
               CASE WHEN mid IS NULL THEN jsonb_build_object('id', id, 'receipt_no', 'H' || id, 'business_date', bd, 'amount', amt::text)
                                         || '{{"kind": "sale", "member": null, "points": null, "tier": null, "benefits": [], "replayed": false}}'::jsonb
                    ELSE jsonb_build_object('id', id, 'receipt_no', 'H' || id, 'business_date', bd, 'amount', amt::text,
                                            'member', mid) || %s::jsonb END,
               mid, sid
        FROM (SELECT *, ({store_arr})[1 + CASE WHEN mid IS NOT NULL AND {_u(8, 'g')} < 0.8 THEN mod(mid - {lo}, {len(stores)})
                                              ELSE floor({_u(9, 'g')} * {len(stores)})::bigint END] AS sid
              FROM (SELECT g, {base} + g - 1 AS id, {member.replace('(s::', '(g::')} AS mid, {amount.replace('(s::', '(g::')} AS amt,
                           {bd.replace('(s::', '(g::')} AS bd,
                           (({bd.replace('(s::', '(g::')} + make_interval(secs => 36000 + floor({_u(5, 'g')} * 39600)::int))
                            AT TIME ZONE 'Asia/Shanghai') AS at
                    FROM generate_series(%s::bigint, %s::bigint) AS g) AS q1) AS q
    """
    # The rest of a member posting's answer, the same for every history row: the width of the row is what matters here.
    loyalty = ('{"kind": "sale", "store": "BENCH01", "amount_paid": "0.00", "replayed": false, '
               '"points": {"earned": 0, "pending": false, "spent": 0, "balance": 0, "points_debt": 0}, '
               '"tier": {"before": {"code": "PK", "name": "普卡", "rank": 1, "is_vip": false}, '
               '"after": {"code": "PK", "name": "普卡", "rank": 1, "is_vip": false}, "changed": false}, '
               '"benefits": [{"code": "parking", "name": "免费停车1小时", "value": "1.00", "unit": "小时", "quota": 1, "period": "day"}, '
               '{"code": "partner_discount", "name": "联盟商家9.5折", "value": "9.50", "unit": "折", "quota": null, "period": ""}]}')
    chunks = [(a, min(a + CHUNK - 1, sales)) for a in range(1, sales + 1, CHUNK)]
    _parallel(url, [(sale_sql, (loyalty, a, b)) for a, b in chunks], workers)
    log(f"  sales: {sales:,} rows in {time.monotonic() - t0:.0f} s")

    # ---- returns of the partly returned sales (their own rows, kind=return, pointing at the original)
    t0 = time.monotonic()
    ret_base = base + sales
    _parallel(url, [(f"""
        INSERT INTO sales_sale (id, created_at, updated_at, kind, terminal, receipt_no, occurred_at, business_date,
            identified_by, amount, amount_paid, returned_amount, content_hash, result, member_id, store_id, original_id)
        SELECT {ret_base} + s.id - {base}, s.occurred_at + interval '2 days', s.occurred_at + interval '2 days', 'return', 'T1',
               'HR' || s.id, least(s.occurred_at + interval '2 days', '{d}'::date - 1 + time '12:00'),
               least(s.business_date + 2, '{d}'::date - 1), s.identified_by, s.returned_amount, s.returned_amount, 0,
               md5('r' || s.id), '{{}}'::jsonb, s.member_id, s.store_id, s.id
        FROM sales_sale s WHERE s.id BETWEEN %s AND %s AND s.returned_amount > 0""", (base + a - 1, base + b - 1)) for a, b in chunks], workers)
    with psycopg.connect(url, autocommit=True) as conn:
        out["returns"] = conn.execute("SELECT count(*) FROM sales_sale WHERE kind = 'return' AND id >= %s", (ret_base,)).fetchone()[0]
        conn.execute("SELECT setval(pg_get_serial_sequence('sales_sale', 'id'), (SELECT max(id) FROM sales_sale))")
    log(f"  returns: {out['returns']:,} rows in {time.monotonic() - t0:.0f} s")

    # ---- points: accounts, lots (expired ones at 0), earn and expire entries
    t0 = time.monotonic()
    expires = _expires_sql(policy, "s.business_date")
    pending = int(policy["pending_days"])
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute("INSERT INTO points_pointsaccount (member_id, balance, debt, updated_at)"
                     f" SELECT DISTINCT member_id, 0, 0, now() FROM sales_sale WHERE member_id IS NOT NULL AND id >= {base}"
                     " ON CONFLICT (member_id) DO NOTHING")
    points = "floor(s.amount - s.returned_amount)::int"
    _parallel(url, [(f"""
        INSERT INTO points_pointslot (account_id, store_id, sale_id, earned_on, available_on, expires_on, original, remaining, pending)
        SELECT a.id, s.store_id, s.id, s.business_date, s.business_date + {pending}, {expires}, {points},
               CASE WHEN {expires} < '{d}'::date - 1 THEN 0 ELSE {points} END, s.business_date + {pending} >= '{d}'::date AND {pending} > 0
        FROM sales_sale s JOIN points_pointsaccount a ON a.member_id = s.member_id
        WHERE s.id BETWEEN %s AND %s AND s.kind = 'sale' AND s.amount - s.returned_amount >= 1
        ORDER BY s.id""", (base + a - 1, base + b - 1)) for a, b in chunks], workers)
    with psycopg.connect(url, autocommit=True) as conn:
        lot_lo, lot_hi = conn.execute("SELECT min(l.id), max(l.id) FROM points_pointslot l JOIN sales_sale s ON s.id = l.sale_id"
                                      " WHERE s.id >= %s", (base,)).fetchone()
    lot_chunks = [(a, min(a + CHUNK - 1, lot_hi)) for a in range(lot_lo, lot_hi + 1, CHUNK)] if lot_lo else []
    _parallel(url, [(f"""
        INSERT INTO points_pointsentry (account_id, kind, points, debt, business_date, created_at, store_id, sale_id, lot_id, action, note, detail)
        SELECT l.account_id, k.kind, CASE k.kind WHEN 'earn' THEN l.original ELSE -l.original END, 0,
               CASE k.kind WHEN 'earn' THEN l.earned_on ELSE l.expires_on + 1 END,
               (CASE k.kind WHEN 'earn' THEN l.earned_on ELSE l.expires_on + 1 END + time '12:00') AT TIME ZONE 'Asia/Shanghai',
               l.store_id, CASE k.kind WHEN 'earn' THEN l.sale_id END, l.id, '', '',
               CASE k.kind WHEN 'earn' THEN '{{"rate": "1.00", "rules": [], "level": null}}'::jsonb ELSE '{{}}'::jsonb END
        FROM points_pointslot l CROSS JOIN (VALUES ('earn'), ('expire')) AS k(kind)
        WHERE l.id BETWEEN %s AND %s AND (k.kind = 'earn' OR (l.remaining = 0 AND l.original > 0))
        ORDER BY l.id, k.kind""", (a, b)) for a, b in lot_chunks], workers)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE points_pointsaccount a SET balance = t.s FROM (SELECT account_id, sum(remaining) AS s"
                     " FROM points_pointslot GROUP BY account_id) t WHERE t.account_id = a.id")
        out["lots"], out["lots_due"], out["lots_pending_due"] = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE remaining > 0 AND expires_on < %s),"
            " count(*) FILTER (WHERE pending AND available_on <= %s) FROM points_pointslot", (as_of, as_of)).fetchone()
    log(f"  points: {out['lots']:,} lots ({out['lots_due']:,} to expire on {d}) in {time.monotonic() - t0:.0f} s")

    # ---- secondary indexes back, statistics; then the tiers (their SQL needs the indexes and statistics)
    t0 = time.monotonic()
    _parallel(url, [(ddl, ()) for _name, ddl in indexes], workers)
    log(f"  {len(indexes)} indexes rebuilt in {time.monotonic() - t0:.0f} s")
    t0 = time.monotonic()
    with psycopg.connect(url, autocommit=True) as conn:
        for table in ("sales_sale", "points_pointslot", "points_pointsentry", "points_pointsaccount"):
            conn.execute(f"VACUUM ANALYZE {table}")
    log(f"  vacuum analyze in {time.monotonic() - t0:.0f} s")

    t0 = time.monotonic()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute("SET work_mem = '256MB'")
        qualified, _params = qualify_sql(conn, as_of=as_of - dt.timedelta(days=1))
        h = "hashint8extended(q.member_id, 11)"
        due = f"(({h} & 2147483647) % 365 = 0)"
        bumped = f"({due} AND ((hashint8extended(q.member_id, 12) & 1) = 0))"
        overridden = f"((NOT {due}) AND ({h} & 2147483647) % 2000 = 7 AND q.rank BETWEEN 1 AND 3)"
        level = f"CASE WHEN {bumped} THEN least(greatest(q.rank + 1, 2), 4) WHEN {overridden} THEN q.rank + 1 ELSE q.rank END"
        level_case = "CASE " + " ".join(f"WHEN {rank} THEN {lid}" for rank, lid in level_ids.items()) + " END"
        reached = (f"CASE WHEN {due} THEN make_date({as_of.year} - 1 - (({h} & 2147483647) % 3)::int, {as_of.month}, {as_of.day})"
                   f" ELSE '{d}'::date - 1 - ((({h} & 2147483647) / 365) % 1095)::int END")
        if (as_of.month, as_of.day) == (2, 29):
            raise ValueError("choose an as-of date other than 29 February")
        conn.execute(f"""
            INSERT INTO tiers_membertier (member_id, programme_id, level_id, reached_on, last_qualified_on, evaluated_on,
                                          override_from_id, override_until, override_reason)
            SELECT q.member_id, {programme_id}, ({level_case.replace('CASE ', 'CASE lv ')}), r, r, NULL,
                   CASE WHEN {overridden} THEN ({level_case.replace('CASE ', 'CASE q.rank ')}) END,
                   CASE WHEN {overridden} THEN '{d}'::date - 1 END, CASE WHEN {overridden} THEN 'bench override' ELSE '' END
            FROM ({qualified}) q, LATERAL (SELECT {level} AS lv) x,
                 LATERAL (SELECT CASE WHEN ({level}) > 0 THEN
                     CASE WHEN extract(month FROM ({reached})) = {as_of.month} AND extract(day FROM ({reached})) = {as_of.day}
                               AND NOT {due} THEN ({reached}) - 1 ELSE ({reached}) END END AS r) y
            ON CONFLICT (member_id) DO NOTHING""")
        conn.execute("INSERT INTO tiers_membertier (member_id, programme_id, override_reason)"
                     f" SELECT DISTINCT member_id, {programme_id}, '' FROM sales_sale WHERE member_id IS NOT NULL AND id >= {base}"
                     " ON CONFLICT (member_id) DO NOTHING")
        conn.execute("VACUUM ANALYZE tiers_membertier")
        due_where = (f"level_id IS NOT NULL AND extract(month FROM reached_on) = {as_of.month}"
                     f" AND extract(day FROM reached_on) = {as_of.day} AND reached_on < '{d}'")
        out["tiers"], out["tiers_due"], out["overrides_ending"] = conn.execute(
            f"SELECT count(*) FILTER (WHERE level_id IS NOT NULL), count(*) FILTER (WHERE {due_where}),"
            f" count(*) FILTER (WHERE override_until < '{d}') FROM tiers_membertier").fetchone()
    log(f"  tiers: {out['tiers']:,} members with a level, {out['tiers_due']:,} due on {d}, "
        f"{out['overrides_ending']:,} overrides ending, in {time.monotonic() - t0:.0f} s")

    # ---- cards issued four years ago; dormant flags as the job of D − 1 left them
    t0 = time.monotonic()
    cutoff = _months_back(as_of - dt.timedelta(days=1), 12)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute(f"UPDATE members_card SET issued_at = '{_months_back(as_of, 48)}'::date AT TIME ZONE 'Asia/Shanghai'")
        conn.execute(f"UPDATE members_member SET enrolled_at = '{_months_back(as_of, 48)}'::date AT TIME ZONE 'Asia/Shanghai'")
        conn.execute(f"""
            INSERT INTO sales_dormantcard (card_id, since, last_purchase_on)
            SELECT c.id, '{d}'::date - 1 - (hashint8extended(c.id, 13) & 255)::int, l.last
            FROM members_card c LEFT JOIN (SELECT member_id, max(business_date) AS last FROM sales_sale
                                           WHERE member_id IS NOT NULL GROUP BY member_id) l ON l.member_id = c.member_id
            WHERE c.status = 'active' AND (l.last IS NULL OR l.last <= '{cutoff}')
            ON CONFLICT (card_id) DO NOTHING""")
        for table in ("members_card", "members_member", "sales_dormantcard"):
            conn.execute(f"VACUUM ANALYZE {table}")
        out["dormant_cards"] = conn.execute("SELECT count(*) FROM sales_dormantcard").fetchone()[0]
    log(f"  {out['dormant_cards']:,} cards dormant as of {as_of - dt.timedelta(days=1)}, in {time.monotonic() - t0:.0f} s")
    out["seconds"] = round(time.monotonic() - t_all, 1)
    return out


def _months_back(day: dt.date, months: int) -> dt.date:
    import calendar

    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
