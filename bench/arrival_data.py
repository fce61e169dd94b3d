"""What an arrival notice reads besides the member row, generated set-based for bench/arrival.py.

The members come from bench/member_lookup.py (COPY). This adds, once per database (a marker table
`bench_arrival_history` remembers for how many members it was built; later runs reuse it), with
INSERT … SELECT over the bench members in PostgreSQL — no ORM loops — and every value following
from the member's index i (member_no − M50000000) through hashint8extended, so the data is the same
each time:

  owners        100 staff (5 per bench store); one member in three has an owner at the home store;
  members       lifetime spend (skewed), last purchase (four in five), notes and style for one in ten;
                one in 500 withdrawn;
  consents      the recognition choice for one in 40 (one in 200 said no);
  tiers         a level for one member in two (a bench programme, inactive, when none exists);
  complaints    one for one member in 40 (half still open);
  tickets       one for one member in 100 (half open or accepted);
  care tasks    one for one member in ten, due within ±30 days of the build (so some are today's);
  arrivals      one to three past arrivals for one member in five (at any of the stores), each with its notice.

Withdrawn and opted-out members are never picked by the bench (the service would rightly not announce
them): `announceable(i)` says which indexes may be picked.
"""
from __future__ import annotations

import time

MEMBER_NO_BASE = 50_000_000
OWNERS_PER_STORE = 5


def withdrawn(i: int) -> bool:
    return i % 500 == 499


def opted_out(i: int) -> bool:
    return i % 200 == 137


def announceable(i: int) -> bool:
    return not (withdrawn(i) or opted_out(i))


def _h(k: int) -> str:
    return f"(hashint8extended(x.i, {k}) & 2147483647)"


def _u(k: int) -> str:
    return f"({_h(k)}::float8 / 2147483648.0)"


def _fixtures(stores):
    """Owners, a complaint category, a ticket kind and a tier programme (ORM, a handful of rows)."""
    from vipdesk.accounts.models import Staff
    from vipdesk.accounts.roles import Role
    from vipdesk.feedback.models import ComplaintCategory
    from vipdesk.servicedesk.models import TicketKind
    from vipdesk.tiers.models import Level, Programme

    owners = []
    for s, store in enumerate(stores):
        for k in range(OWNERS_PER_STORE):
            staff, created = Staff.objects.get_or_create(username=f"bench_owner_{s:02d}_{k}",
                                                         defaults={"role": Role.GUIDE, "display_name": f"导购{s:02d}{k}"})
            if created:
                staff.set_unusable_password()
                staff.save()
                staff.stores.add(store)
            owners.append(staff.pk)
    category = ComplaintCategory.objects.order_by("pk").first()
    if category is None:
        category = ComplaintCategory.objects.create(**_required(ComplaintCategory, code="bench", name="服务态度"))
    kind = TicketKind.objects.order_by("pk").first() or TicketKind.objects.create(code="bench_after_sales", name="售后", hours=24)
    programme = Programme.objects.filter(active=True).first()
    if programme is None:
        programme, _ = Programme.objects.get_or_create(code="bench_arrival", defaults={"name": "基准等级", "active": False})
    levels = list(Level.objects.filter(programme=programme).order_by("rank").values_list("pk", flat=True))
    if not levels:
        levels = [Level.objects.create(programme=programme, rank=r, code=c, name=n, is_vip=r >= 3).pk
                  for r, c, n in ((1, "PK", "普卡"), (2, "YK", "银卡"), (3, "JK", "金卡"), (4, "ZS", "钻石卡"))]
    return owners, category.pk, kind.pk, programme.pk, levels


def _required(model, **given):
    """`given` plus a plain value for each other required field of a small data model."""
    out = dict(given)
    for f in model._meta.concrete_fields:
        if f.primary_key or f.name in out or f.null or f.has_default() or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            continue
        if f.get_internal_type() in ("CharField", "TextField"):
            out[f.name] = "bench"
        elif f.get_internal_type() in ("PositiveIntegerField", "PositiveSmallIntegerField", "IntegerField"):
            out[f.name] = 1
    return out


def build_history(url: str, stores, members: int, log) -> bool:
    """Build the notice's data for the first `members` bench members unless already built.
    Returns whether anything was built."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_arrival_history"
                     " (step text PRIMARY KEY, members bigint NOT NULL, built_at timestamptz NOT NULL)")
        built = dict(conn.execute("SELECT step, members FROM bench_arrival_history").fetchall())
    if built.get("all") is not None and built["all"] >= members:
        return False
    if any(v != members for v in built.values()):
        raise SystemExit(f"the notice data was built for {max(built.values()):,} members; "
                         f"use a new database to build it for {members:,}")
    t_all = time.monotonic()
    owners, category, ticket_kind, programme, levels = _fixtures(stores)
    store_ids = [s.pk for s in stores]
    owner_arr = "ARRAY[" + ",".join(map(str, owners)) + "]::bigint[]"
    store_arr = "ARRAY[" + ",".join(map(str, store_ids)) + "]::bigint[]"
    level_arr = "ARRAY[" + ",".join(map(str, levels)) + "]::bigint[]"
    n_stores = len(store_ids)
    # x: the bench members with their index i and home-store position.
    x = (f"(SELECT m.id, (substr(m.member_no, 2)::bigint - {MEMBER_NO_BASE}) AS i, m.home_store_id AS store_id"
         f" FROM members_member m WHERE m.home_store_id = ANY({store_arr}) AND m.member_no LIKE 'M5%%') x")
    owner_of = f"({owner_arr})[1 + mod(x.i, {n_stores}) * {OWNERS_PER_STORE} + mod(x.i / 3, {OWNERS_PER_STORE})]"
    steps = [
        ("members", f"""
            UPDATE members_member m SET
                owner_id = CASE WHEN mod(x.i, 3) = 0 THEN {owner_of} END,
                total_spend = round((200000 * power({_u(31)}, 4))::numeric, 2),
                last_purchase_at = CASE WHEN {_u(32)} < 0.8 THEN now() - make_interval(days => 1 + ({_h(33)} % 700)::int) END,
                notes = CASE WHEN mod(x.i, 10) = 4 THEN '不喝咖啡；工作时间勿来电' ELSE '' END,
                style_preferences = CASE WHEN mod(x.i, 10) = 4 THEN '偏好简约款，常买丝巾' ELSE '' END,
                status = CASE WHEN mod(x.i, 500) = 499 THEN 'withdrawn' ELSE 'active' END,
                withdrawn_at = CASE WHEN mod(x.i, 500) = 499 THEN now() - interval '30 days' END
            FROM {x} WHERE m.id = x.id"""),
        ("consents", f"""
            INSERT INTO members_consent (purpose, channel, granted, at, source, member_id)
            SELECT 'recognition', 'sms', mod(x.i, 200) <> 137, now() - interval '100 days', 'console', x.id
            FROM {x} WHERE mod(x.i, 40) = 17 OR mod(x.i, 200) = 137"""),
        ("tiers", f"""
            INSERT INTO tiers_membertier (member_id, programme_id, level_id, reached_on, last_qualified_on, override_reason)
            SELECT x.id, {programme}, ({level_arr})[1 + ({_h(34)} % {len(levels)})], current_date - 200, current_date - 200, ''
            FROM {x} WHERE mod(x.i, 2) = 0 ON CONFLICT (member_id) DO NOTHING"""),
        ("complaints", f"""
            INSERT INTO feedback_complaint (created_at, updated_at, number, member_id, store_id, category_id, channel, description,
                                            received_at, deadline, status, remedy, closure_note, escalated)
            SELECT now(), now(), 'BC' || x.i, x.id, x.store_id, {category}, 'in_store', '基准投诉',
                   now() - make_interval(days => ({_h(35)} % 90)::int), current_date + 5,
                   CASE WHEN {_h(36)} % 2 = 0 THEN 'open' ELSE 'closed' END, '', '', false
            FROM {x} WHERE mod(x.i, 40) = 11"""),
        ("tickets", f"""
            INSERT INTO servicedesk_ticket (created_at, updated_at, number, kind_id, member_id, store_id, source, description, status,
                                            opened_at, due_at, reference, satisfaction)
            SELECT now(), now(), 'BT' || x.i, {ticket_kind}, x.id, x.store_id, 'console', '基准工单',
                   (ARRAY['open', 'accepted', 'resolved', 'closed'])[1 + {_h(37)} % 4],
                   now() - make_interval(days => ({_h(38)} % 60)::int), now() + interval '1 day', '',
                   CASE WHEN {_h(37)} % 4 = 3 THEN 1 + {_h(43)} % 5 END
            FROM {x} WHERE mod(x.i, 100) = 7"""),
        ("care tasks", f"""
            INSERT INTO care_caretask (created_at, updated_at, member_id, store_id, owner_id, kind, channel, due_on, due_at, script,
                                       context, reasons, status, outcome, note, source_key)
            SELECT now(), now(), x.id, x.store_id, CASE WHEN mod(x.i, 3) = 0 THEN {owner_of} END,
                   (ARRAY['call', 'visit', 'message', 'gift_prep'])[1 + {_h(39)} % 4], 'phone', d, d + time '10:00', '',
                   '{{}}'::jsonb, '[]'::jsonb, 'open', '', '', 'bench:' || x.i
            FROM {x}, LATERAL (SELECT current_date + (({_h(40)} % 61)::int - 30) AS d) dd WHERE mod(x.i, 10) = 3"""),
        ("arrivals", f"""
            INSERT INTO arrivals_arrival (store_id, point, identified_by, member_id, outcome, audience, at)
            SELECT ({store_arr})[1 + mod(x.i + k * 7, {n_stores})], 'entrance', 'card', x.id, 'announced', 'duty',
                   now() - make_interval(days => (1 + (hashint8extended(x.i * 4 + k, 41) & 2147483647) % 300)::int)
            FROM {x}, generate_series(1, 3) AS k WHERE mod(x.i, 5) = 1 AND k <= 1 + {_h(42)} % 3"""),
        ("notices", f"""
            INSERT INTO arrivals_notice (arrival_id, staff_id, payload, state, created_at)
            SELECT a.id, ({owner_arr})[1 + mod(a.id, {len(owners)})], '{{"bench": true}}'::jsonb, 'greeted', a.at
            FROM arrivals_arrival a WHERE a.store_id = ANY({store_arr}) AND a.device_id IS NULL
              AND NOT EXISTS (SELECT 1 FROM arrivals_notice n WHERE n.arrival_id = a.id)"""),
    ]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET work_mem = '128MB'")
        for name, sql in steps:
            if name in built:  # an interrupted build goes on where it stopped (each step is one statement)
                continue
            t0 = time.monotonic()
            with conn.transaction():
                rows = conn.execute(sql).rowcount
                conn.execute("INSERT INTO bench_arrival_history (step, members, built_at) VALUES (%s, %s, now())", (name, members))
            log(f"  {name}: {rows:,} rows in {time.monotonic() - t0:.0f} s")
        t0 = time.monotonic()
        for table in ("members_member", "members_consent", "tiers_membertier", "feedback_complaint", "servicedesk_ticket",
                      "care_caretask", "arrivals_arrival", "arrivals_notice"):
            conn.execute(f"VACUUM ANALYZE {table}")
        log(f"  vacuum analyze in {time.monotonic() - t0:.0f} s")
        conn.execute("INSERT INTO bench_arrival_history (step, members, built_at) VALUES ('all', %s, now())", (members,))
    log(f"notice data built in {time.monotonic() - t_all:.0f} s")
    return True
