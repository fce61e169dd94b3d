#!/usr/bin/env python
"""Care task generation benchmark (issue 6): the care part of `run-jobs` for N members on one date.

    python bench/care.py [--members N] [--date YYYY-MM-DD] [--database-url URL] [--keep]

Builds a fresh PostgreSQL database (default vd_bench_care, dropped and created again), migrates,
runs `init --preset department-store` (which installs the seeds' 20 care rules), loads N members by
COPY (bench/member_lookup.py: birthdays spread over 55 years) and then, set-based: an owner per
member (8 guides per store), a lunar birthday for 10 %, a last purchase 0–499 days back, a tier
(20 % VIP levels), points accounts for a third (balances 0–11,999) with lots expiring over the next
60 days, sales for the 1311 steps (on D, D − 3, D − 1 month, D − 1 year), dormant cards since D and
one VIP event of the first store three days after D. The default date, Friday 2026-11-20, has the weekly VIP greeting.

Then, in the same run:

  baseline  the same members selected by hand-written SQL, one INSERT … SELECT per rule with the
            script built by concatenation — what a plain-SQL job would do — into a table built
            like care_caretask (LIKE … INCLUDING ALL plus its foreign keys: the same writes the
            job makes; the goal's baseline). The rule "level about to change" selects its review
            candidates only (its qualification check needs the tier engine). Rows per rule are
            compared with the tasks created.
  select    the same statements into a bare scratch table with one unique key (reported beside:
            mostly the cost of selecting the members).
  care      `generate(on=D)`: every active rule, one INSERT … SELECT each, owner, script and key
            computed in SQL (care/generation.py);
  handover  escalation and the hand-over of the message tasks to the outbox (enqueue_texts in
            batches of 2,000: consent, quiet hours, cap) — the rest of `care_run_daily`;
  rerun     `care_run_daily` on the same date again: must create and hand over nothing.

Prints ONE JSON line with the times and the ratio care / baseline. Goal: care under 60 s at
1,000,000 members and within 2× the baseline. `--members 20000` runs in about a minute.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from member_lookup import bench_fixture, load_members, log, setup_django  # noqa: E402
from posting import drop_database, recreate_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/vd_bench_care"
GOAL_S, GOAL_RATIO = 60, 2.0
GUIDES_PER_STORE = 8


def enrich(url: str, stores, on: dt.date) -> None:
    import psycopg

    from vipdesk.accounts.models import Staff
    from vipdesk.accounts.roles import Role
    from vipdesk.care.calendar import add_months
    from vipdesk.tiers.models import Level, Programme

    guides = {}
    for store in stores:
        people = []
        for k in range(GUIDES_PER_STORE):
            g, _ = Staff.objects.get_or_create(username=f"bench_g_{store.code}_{k}", defaults={"role": Role.GUIDE, "display_name": f"导购{k}"})
            g.stores.set([store])
            people.append(g.pk)
        m, _ = Staff.objects.get_or_create(username=f"bench_m_{store.code}", defaults={"role": Role.STORE_MANAGER})
        m.stores.set([store])
        guides[store.pk] = people
    programme = Programme.objects.get(active=True)
    levels = {lv.code: lv.pk for lv in Level.objects.filter(programme=programme)}
    month_ago, year_ago = add_months(on, -1), add_months(on, -12)
    log("owners, lunar birthdays, last purchases, tiers, points, sales")
    with psycopg.connect(url, autocommit=False) as conn:
        conn.execute("SET synchronous_commit = off")
        for store_id, people in guides.items():
            for k, gid in enumerate(people):
                conn.execute("UPDATE members_member SET owner_id = %s WHERE home_store_id = %s AND id %% %s = %s",
                             (gid, store_id, GUIDES_PER_STORE, k))
        conn.execute("""UPDATE members_member SET lunar_birth_month = 1 + id %% 12, lunar_birth_day = 1 + (id / 12) %% 30,
                        last_purchase_at = (%s::date - (id %% 500) * interval '1 day') + interval '7 hours'
                        WHERE id %% 10 = 0""", (on,))
        conn.execute("""UPDATE members_member SET last_purchase_at = (%s::date - (id %% 500) * interval '1 day') + interval '7 hours'
                        WHERE id %% 10 <> 0""", (on,))
        conn.execute("""INSERT INTO tiers_membertier (member_id, programme_id, level_id, reached_on, last_qualified_on, override_reason)
                        SELECT id, %s, CASE (id / 20) %% 10 WHEN 0 THEN %s WHEN 1 THEN %s WHEN 2 THEN %s WHEN 3 THEN %s ELSE %s END,
                               %s::date - (id %% 700)::int, %s::date - (id %% 700)::int, '' FROM members_member""",
                     (programme.pk, levels["DIAMOND"], levels["PURPLE"], levels["GOLD"], levels["SILVER"], levels["PK"], on, on))
        conn.execute("""INSERT INTO points_pointsaccount (member_id, balance, debt, updated_at)
                        SELECT id, (id * 37) % 12000, 0, now() FROM members_member WHERE id % 3 = 0""")
        conn.execute("""INSERT INTO points_pointslot (account_id, earned_on, available_on, expires_on, original, remaining, pending)
                        SELECT id, %s::date - 700, %s::date - 700, %s::date + (member_id %% 60)::int, 100, 100, false FROM points_pointsaccount""",
                     (on, on, on))
        for k, day in enumerate((on, on - dt.timedelta(days=3), month_ago, year_ago)):
            conn.execute("""INSERT INTO sales_sale (kind, store_id, terminal, receipt_no, occurred_at, business_date, member_id,
                                identified_by, amount, amount_paid, returned_amount, content_hash, result, created_at, updated_at)
                            SELECT 'sale', home_store_id, 'B', 'CARE' || %s || '-' || id, %s::date + interval '3 hours', %s, id,
                                   'member_no', 1000, 1000, 0, 'x', '{}', now(), now()
                            FROM members_member WHERE id %% 1000 = %s""", (k, day, day, k))
        conn.execute("""INSERT INTO sales_dormantcard (card_id, since) SELECT id, %s FROM members_card WHERE id %% 997 = 0""", (on,))
        conn.execute("""INSERT INTO care_careevent (name, store_id, starts_at, levels, created_at, updated_at)
                        VALUES ('基准VIP专场', %s, %s::date + 3 + interval '11 hours', '[]', now(), now())""", (stores[0].pk, on))
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        for table in ("members_member", "tiers_membertier", "points_pointsaccount", "points_pointslot", "sales_sale"):
            conn.execute(f"ANALYZE {table}")


def baseline(url: str, on: dt.date, *, into_task_table: bool) -> tuple[float, dict]:
    """Hand-written SQL: one INSERT … SELECT per rule, committed. `into_task_table`: into a table
    built like care_caretask (same indexes, checks and foreign keys: the same work the job does);
    else into a bare scratch table with one unique key (selecting the members, little more).
    Returns (seconds, rows per rule)."""
    import psycopg

    from vipdesk.care.calendar import add_months, lunar_birthday_days, solar_birthday_days

    def solar(day):
        return " OR ".join(f"(EXTRACT(MONTH FROM m.birthday) = {mo} AND EXTRACT(DAY FROM m.birthday) = {d})" for mo, d in solar_birthday_days(day))

    def lunar(day):
        _ld, pairs = lunar_birthday_days(day)
        return " OR ".join(f"(m.lunar_birth_month = {mo} AND m.lunar_birth_day = {d})" for mo, d in pairs) or "false"

    def birthday(day):
        return f"((m.lunar_birth_month IS NULL AND ({solar(day)})) OR ({lunar(day)}))"

    d = on.isoformat()
    vip, non_vip = "l.is_vip", "coalesce(l.is_vip, false) = false"
    rules = {
        "birthday-greeting": birthday(on),
        "birthday-gift": f"{vip} AND {birthday(on + dt.timedelta(days=7))}",
        "birthday-discount": birthday(on + dt.timedelta(days=3)),
        "missing-you": f"m.last_purchase_at >= '{d}'::date - 90 AND m.last_purchase_at < '{d}'::date - 89",
        "1311-same-day": f"EXISTS (SELECT 1 FROM sales_sale s WHERE s.member_id = m.id AND s.kind = 'sale' AND s.business_date = '{d}')",
        "1311-day-3": f"EXISTS (SELECT 1 FROM sales_sale s WHERE s.member_id = m.id AND s.kind = 'sale' AND s.business_date = '{on - dt.timedelta(days=3)}')",
        "1311-month-1": f"EXISTS (SELECT 1 FROM sales_sale s WHERE s.member_id = m.id AND s.kind = 'sale' AND s.business_date = '{add_months(on, -1)}')",
        "1311-year-1": f"EXISTS (SELECT 1 FROM sales_sale s WHERE s.member_id = m.id AND s.kind = 'sale' AND s.business_date = '{add_months(on, -12)}')",
        "event-notice-call": f"{vip} AND EXISTS (SELECT 1 FROM care_careevent e WHERE e.store_id = m.home_store_id AND e.starts_at >= '{on + dt.timedelta(days=3)}' AND e.starts_at < '{on + dt.timedelta(days=4)}')",
        "event-notice-sms": f"{non_vip} AND EXISTS (SELECT 1 FROM care_careevent e WHERE e.store_id = m.home_store_id AND e.starts_at >= '{on + dt.timedelta(days=3)}' AND e.starts_at < '{on + dt.timedelta(days=4)}')",
        "points-near": "EXISTS (SELECT 1 FROM points_pointsaccount a WHERE a.member_id = m.id AND a.balance >= 9000 AND a.balance < 10000)",
        "points-expiring": f"EXISTS (SELECT 1 FROM points_pointsaccount a JOIN points_pointslot pl ON pl.account_id = a.id WHERE a.member_id = m.id AND pl.expires_on = '{on + dt.timedelta(days=30)}' AND pl.remaining > 0)",
        "tier-review": f"t.reached_on < '{on + dt.timedelta(days=30)}' AND EXTRACT(MONTH FROM t.reached_on) = {(on + dt.timedelta(days=30)).month} AND EXTRACT(DAY FROM t.reached_on) = {(on + dt.timedelta(days=30)).day} AND NOT l.retention_exempt",
        "dormant-card": f"EXISTS (SELECT 1 FROM members_card c JOIN sales_dormantcard dc ON dc.card_id = c.id WHERE c.member_id = m.id AND dc.since = '{d}')",
        "weekly-greeting": f"{vip}" if on.weekday() == 4 else "false",
    }
    counts = {}
    with psycopg.connect(url, autocommit=False) as conn:
        if into_task_table:
            # a table exactly like care_caretask: its columns, indexes, checks and foreign keys
            conn.execute("CREATE TABLE scratch (LIKE care_caretask INCLUDING ALL)")
            for name, definition in conn.execute("""SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                                                    WHERE conrelid = 'care_caretask'::regclass AND contype = 'f'""").fetchall():
                conn.execute(f"ALTER TABLE scratch ADD CONSTRAINT scratch_{name} {definition}")
            insert = """INSERT INTO scratch (member_id, store_id, owner_id, rule_id, kind, channel, due_on, due_at, script, context,
                                             source_key, status, outcome, note, created_at, updated_at)
                        SELECT m.id, m.home_store_id, m.owner_id, r.id, r.task_kind, r.channel, '{d}', '{d} 10:00+08',
                               m.name || '，' || coalesce(l.name, '') || ' …', '{{}}', '{code}:' || m.id, 'open', '', '', now(), now()
                        FROM members_member m LEFT JOIN tiers_membertier t ON t.member_id = m.id
                        LEFT JOIN tiers_level l ON l.id = t.level_id, care_carerule r
                        WHERE r.code = '{code}' AND m.status = 'active' AND ({where}) ON CONFLICT DO NOTHING"""
        else:
            conn.execute("CREATE TEMP TABLE scratch (member_id int, owner_id int, store_id int, source_key varchar(120) UNIQUE, script text)")
            insert = """INSERT INTO scratch SELECT m.id, m.owner_id, m.home_store_id, '{code}:' || m.id,
                                   m.name || '，' || coalesce(l.name, '') || ' …'
                                   FROM members_member m LEFT JOIN tiers_membertier t ON t.member_id = m.id
                                   LEFT JOIN tiers_level l ON l.id = t.level_id
                                   WHERE m.status = 'active' AND ({where}) ON CONFLICT DO NOTHING"""
        conn.commit()
        t0 = time.monotonic()
        for code, where in rules.items():
            counts[code] = conn.execute(insert.format(code=code, where=where, d=d)).rowcount
        conn.commit()
        seconds = time.monotonic() - t0
        conn.execute("DROP TABLE scratch")
        conn.commit()
    return seconds, counts


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--date", default="2026-11-20")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    on = dt.date.fromisoformat(args.date)
    recreate_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    call_command("init", preset="department-store", stdout=open("/dev/null", "w"))
    stores, _hq = bench_fixture()
    load_members(args.database_url, args.members, stores)
    enrich(args.database_url, stores, on)

    from vipdesk.care.generation import escalate, generate
    from vipdesk.care.jobs import care_run_daily
    from vipdesk.care.models import CareTask
    from vipdesk.care.outbox import care_messages_to_outbox
    from vipdesk.messaging.models import OutboxMessage

    connection.close()
    log("baseline: plain SQL into a table like care_caretask")
    base_s, base_counts = baseline(args.database_url, on, into_task_table=True)
    log("baseline: plain SQL into a bare scratch table")
    select_s, _counts = baseline(args.database_url, on, into_task_table=False)
    log(f"care: generate({on})")
    t0 = time.monotonic()
    by_rule = generate(on=on)
    care_s = time.monotonic() - t0
    created = sum(by_rule.values())
    log(f"care: escalate and hand {created:,} tasks' messages to the outbox")
    t0 = time.monotonic()
    escalated = escalate(on=on)
    handover = care_messages_to_outbox(on=on)
    handover_s = time.monotonic() - t0
    log("care_run_daily again (must create and hand over nothing)")
    t0 = time.monotonic()
    again = care_run_daily(on=on)
    rerun_s = time.monotonic() - t0
    mismatched = {code: {"care": by_rule.get(code, 0), "baseline": n} for code, n in base_counts.items()
                  if n != by_rule.get(code, 0) and code != "tier-review"}
    out = {"bench": "care", "members": args.members, "date": on.isoformat(), "tasks": created,
           "by_rule": {k: v for k, v in by_rule.items() if v}, "care_s": round(care_s, 2),
           "baseline_s": round(base_s, 2), "ratio": round(care_s / base_s, 2) if base_s else None,
           "baseline_select_only_s": round(select_s, 2), "ratio_select_only": round(care_s / select_s, 2) if select_s else None,
           "handover_s": round(handover_s, 2), "messages": OutboxMessage.objects.count(), "handed": handover["handed"],
           "escalated": escalated, "run_daily_s": round(care_s + handover_s, 2),
           "rerun_s": round(rerun_s, 2), "rerun_created": again["created"], "rerun_handed": again["outbox"]["handed"],
           "baseline_mismatch": mismatched, "tasks_in_table": CareTask.objects.count(),
           "goal": {"seconds": GOAL_S, "ratio": GOAL_RATIO, "met": care_s < GOAL_S and base_s > 0 and care_s / base_s <= GOAL_RATIO}}
    connection.close()
    if not args.keep:
        drop_database(args.database_url)
    print(json.dumps(out, ensure_ascii=False))
    return out


if __name__ == "__main__":
    main()
