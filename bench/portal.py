#!/usr/bin/env python
"""Member portal home benchmark (issue 16): GET /m/ — card + level + points + coupons + stored value —
over real HTTP for signed-in members, against the same reads as plain SQL, in the same run.

    python bench/portal.py [--members N] [--history-sales K] [--samples S] [--workers W] [--database-url URL]

Builds a fresh PostgreSQL database (default vd_bench_portal) with the product's commands (`vipdesk
migrate`, `vipdesk init --preset department-store`), then loads, set-based:

  members      N members with one active principal card each, by COPY (bench/member_lookup.py);
  history      K sales with lines, payments, tiers, points accounts, lots and entries
               (bench/dataset.py, generate_series; default one sale per member);
  stored value a third of the members hold an account (principal + bonus) with one top-up entry;
  coupons      half of the members hold two usable coupons of a seeded campaign;
  sessions     a portal session (vipdesk/portal/auth.py: SHA-256 of a random token) for each sampled member.

The server is gunicorn (VIPDESK_ENV=production, DEBUG off) in a subprocess, behind no proxy: the
client sends `X-Forwarded-Proto: https` as the TLS-terminating proxy would; the client is this
process, one keep-alive connection, the `vipdesk_m` cookie of a random sampled member per request.
The SQL side reads the same rows by psycopg, one round trip per read as the page does: the member
and her home store, her principal card, her tier and level, her sales of the last 12 months summed
by window (what the level's progress needs), her last 20 tier changes, the points account and its
live lots, the stored-value account and its 20 latest entries, her usable coupons with campaigns.

Prints ONE JSON line: p50/p95 for both sides, their ratio, the load average before and after, and
whether the goal (API p95 < 50 ms) is met. `--members 5000 --samples 100` runs in a minute, for CI.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import http.client
import json
import os
import random
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from posting import Server, business_today, drop_database, log, production_env, recreate_database, run_cli  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/vd_bench_portal"
GOAL_P95_MS = 50


def pct(samples: list[float]) -> dict:
    ordered = sorted(samples)
    if not ordered:
        return {"p50_ms": None, "p95_ms": None, "n": 0}
    at = lambda q: ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]  # noqa: E731
    return {"p50_ms": round(at(0.5), 2), "p95_ms": round(at(0.95), 2), "n": len(ordered)}


def load_wallets_and_coupons(url: str, today: dt.date) -> dict:
    """Stored value for every third member, two usable coupons for every second one (set-based SQL)."""
    import psycopg

    t0 = time.monotonic()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET synchronous_commit = off")
        lo, hi = conn.execute("SELECT min(id), max(id) FROM members_member").fetchone()
        conn.execute(
            "INSERT INTO wallet_walletaccount (member_id, principal, bonus, pin_hash, updated_at) "
            "SELECT id, 3000.00, 1000.00, '', now() FROM members_member WHERE id % 3 = 0")
        conn.execute(
            "INSERT INTO wallet_walletentry (account_id, kind, principal, bonus, business_date, created_at, note, detail) "
            "SELECT id, 'topup', 3000.00, 1000.00, %s, now(), '', '{}'::jsonb FROM wallet_walletaccount", (today - dt.timedelta(days=30),))
        campaign = conn.execute("SELECT id, face_value FROM coupons_campaign ORDER BY id LIMIT 1").fetchone()
        if campaign is None:
            raise RuntimeError("no coupon campaign: `vipdesk init` should have installed the default ones")
        conn.execute(
            "INSERT INTO coupons_coupon (created_at, updated_at, code, campaign_id, member_id, status, face_value, valid_from, "
            " valid_until, issued_on, source_key, batch) "
            "SELECT now(), now(), 'BP' || m.id || '-' || k, %s, m.id, 'issued', 60.00, %s, %s, %s, '', 'bench' "
            "FROM members_member m CROSS JOIN generate_series(1, 2) k WHERE m.id %% 2 = 0",
            (campaign[0], today - dt.timedelta(days=10), today + dt.timedelta(days=60), today - dt.timedelta(days=10)))
        for table in ("wallet_walletaccount", "wallet_walletentry", "coupons_coupon"):
            conn.execute(f"ANALYZE {table}")
        wallets = conn.execute("SELECT count(*) FROM wallet_walletaccount").fetchone()[0]
        coupons = conn.execute("SELECT count(*) FROM coupons_coupon").fetchone()[0]
    return {"wallets": wallets, "coupons": coupons, "seconds": round(time.monotonic() - t0, 1), "member_ids": [lo, hi]}


def make_sessions(url: str, member_ids: list[int]) -> dict[int, str]:
    """A live portal session per sampled member; returns {member id: cookie value}."""
    import psycopg

    now = dt.datetime.now(dt.timezone.utc)
    tokens = {m: secrets.token_urlsafe(32) for m in member_ids}
    with psycopg.connect(url, autocommit=True) as conn:
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO portal_portalsession (member_id, token_hash, device, created_at, last_seen_at, expires_at) "
                "VALUES (%s, %s, 'bench', %s, %s, %s)",
                [(m, hashlib.sha256(t.encode()).hexdigest(), now, now, now + dt.timedelta(days=30)) for m, t in tokens.items()])
    return tokens


# ---- the two sides ---------------------------------------------------------------------------------

def bench_http(port: int, tokens: dict[int, str], samples: int, seed: int) -> dict:
    rng = random.Random(seed)
    ids = list(tokens)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    times, errors = [], []
    for n in range(samples + 10):
        member = rng.choice(ids)
        t0 = time.perf_counter()
        conn.request("GET", "/m/", headers={"Cookie": f"vipdesk_m={tokens[member]}", "Accept-Language": "zh-CN",
                                            "Connection": "keep-alive", "X-Forwarded-Proto": "https"})
        response = conn.getresponse()
        body = response.read()
        ms = (time.perf_counter() - t0) * 1000
        if response.status != 200 or b"cardface" not in body:
            errors.append(f"{response.status} {body[:200]!r}")
            continue
        if n >= 10:  # warm-up
            times.append(ms)
    conn.close()
    return {**pct(times), "errors": len(errors), "first_errors": errors[:3]}


SQL_READS = [
    ("member", "SELECT m.id, m.member_no, m.name, m.status, s.name, s.time_zone FROM members_member m "
               "JOIN org_store s ON s.id = m.home_store_id WHERE m.id = %(m)s"),
    ("card", "SELECT number, token, status FROM members_card WHERE member_id = %(m)s AND kind = 'principal' AND status = 'active' "
             "ORDER BY issued_at DESC, id DESC LIMIT 1"),
    ("tier", "SELECT t.level_id, l.code, l.name, l.rank, t.reached_on, t.last_qualified_on, t.override_until FROM tiers_membertier t "
             "JOIN tiers_level l ON l.id = t.level_id WHERE t.member_id = %(m)s"),
    ("spend", "SELECT min(business_date), "
              "coalesce(sum(amount - returned_amount) FILTER (WHERE business_date > %(d3)s), 0), "
              "coalesce(sum(amount - returned_amount) FILTER (WHERE business_date > %(d6)s), 0), "
              "coalesce(sum(amount - returned_amount) FILTER (WHERE business_date > %(d12)s), 0), "
              "count(DISTINCT business_date) FILTER (WHERE business_date > %(d12)s), max(amount) "
              "FROM sales_sale WHERE member_id = %(m)s AND kind = 'sale'"),
    ("tier_history", "SELECT h.on, h.reason, h.note, fl.name, tl.name FROM tiers_tierhistory h LEFT JOIN tiers_level fl ON fl.id = h.from_level_id "
                     "LEFT JOIN tiers_level tl ON tl.id = h.to_level_id WHERE h.member_id = %(m)s ORDER BY h.id DESC LIMIT 20"),
    ("points", "SELECT id, balance, debt FROM points_pointsaccount WHERE member_id = %(m)s"),
    ("lots", "SELECT l.id, l.store_id, l.earned_on, l.available_on, l.expires_on, l.original, l.remaining FROM points_pointslot l "
             "JOIN points_pointsaccount a ON a.id = l.account_id WHERE a.member_id = %(m)s AND l.remaining > 0 "
             "ORDER BY l.expires_on NULLS LAST, l.earned_on, l.id"),
    ("wallet", "SELECT id, principal, bonus, limit_override, pin_hash FROM wallet_walletaccount WHERE member_id = %(m)s"),
    ("wallet_entries", "SELECT e.kind, e.principal, e.bonus, e.business_date, e.created_at FROM wallet_walletentry e "
                       "JOIN wallet_walletaccount a ON a.id = e.account_id WHERE a.member_id = %(m)s ORDER BY e.created_at DESC, e.id DESC LIMIT 20"),
    ("coupons", "SELECT c.code, c.status, c.face_value, c.valid_from, c.valid_until, k.name, k.kind FROM coupons_coupon c "
                "JOIN coupons_campaign k ON k.id = c.campaign_id WHERE c.member_id = %(m)s AND c.status = 'issued' "
                "AND (c.valid_until IS NULL OR c.valid_until >= %(d)s) ORDER BY c.valid_until, c.id"),
]


def bench_sql(url: str, member_ids: list[int], samples: int, seed: int, today: dt.date) -> dict:
    import psycopg

    rng = random.Random(seed)
    params = {"d": today, "d3": today - dt.timedelta(days=91), "d6": today - dt.timedelta(days=182),
              "d12": today - dt.timedelta(days=365)}
    times = []
    with psycopg.connect(url, autocommit=True) as conn:
        for n in range(samples + 10):
            p = {**params, "m": rng.choice(member_ids)}
            t0 = time.perf_counter()
            for _name, sql in SQL_READS:
                conn.execute(sql, p).fetchall()
            if n >= 10:
                times.append((time.perf_counter() - t0) * 1000)
    return pct(times)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=1_000_000)
    ap.add_argument("--history-sales", type=int, default=None, help="default: one per member")
    ap.add_argument("--samples", type=int, default=500)
    ap.add_argument("--sessions", type=int, default=2000, help="members with a portal session, drawn at random")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--database-url", default=DEFAULT_URL)
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = ap.parse_args(argv)
    history = args.members if args.history_sales is None else args.history_sales
    load_before = os.getloadavg()
    url = args.database_url
    data_dir = Path(tempfile.mkdtemp(prefix="vd-bench-portal-"))
    env = production_env(url, data_dir)
    t0 = time.monotonic()
    recreate_database(url)
    run_cli(env, "migrate", "-v0")
    log(run_cli(env, "init", "--preset", "department-store").strip())
    os.environ.update(env)
    import django

    django.setup()
    import dataset
    import member_lookup as ml

    stores, _hq = ml.bench_fixture()
    added, seconds, n = ml.load_members(url, args.members, stores)
    log(f"loaded {added:,} members in {seconds:.0f} s")
    today = business_today()
    hist = dataset.generate_history(url, sales=history, as_of=today, log=log) if history else None
    from vipdesk.coupons.campaigns import campaigns_install_default

    campaigns_install_default()
    extra = load_wallets_and_coupons(url, today)
    log(f"stored value and coupons: {extra}")
    rng = random.Random(16)
    lo, hi = extra["member_ids"]
    sampled = sorted({rng.randint(lo, hi) for _ in range(args.sessions)})
    tokens = make_sessions(url, sampled)
    setup_s = round(time.monotonic() - t0, 1)
    log(f"set-up {setup_s} s; {len(tokens):,} signed-in members")

    server = Server(env, workers=args.workers, worker_class="sync", threads=1)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
                c.request("GET", "/m/sign-in/", headers={"X-Forwarded-Proto": "https"})
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.proc.poll() is not None:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.3)
        load_at_start = os.getloadavg()
        api = bench_http(server.port, tokens, args.samples, seed=1)
        sql = bench_sql(url, sampled, args.samples, seed=1, today=today)
        api2 = bench_http(server.port, tokens, args.samples, seed=2)  # again after the SQL side: the load moves
    finally:
        server.stop()
    result = {
        "bench": "portal_home", "db": "postgresql", "members": n, "history_sales": history, "date": today.isoformat(),
        "data": {"wallets": extra["wallets"], "coupons": extra["coupons"], "sessions": len(tokens),
                 "history_s": hist.get("seconds") if isinstance(hist, dict) else None},
        "setup_s": setup_s, "server": {"gunicorn_workers": args.workers},
        "api": api, "api_again": api2, "sql": sql, "sql_reads": len(SQL_READS),
        "ratio_api_vs_sql_p50": round(api["p50_ms"] / sql["p50_ms"], 1) if api["p50_ms"] and sql["p50_ms"] else None,
        "ratio_api_vs_sql_p95": round(api["p95_ms"] / sql["p95_ms"], 1) if api["p95_ms"] and sql["p95_ms"] else None,
        "goal": {"api_p95_ms": GOAL_P95_MS}, "cpus": os.cpu_count(),
        "loadavg_before": [round(x, 2) for x in load_before], "loadavg_at_start": [round(x, 2) for x in load_at_start],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "goal_met": bool(api["p95_ms"] is not None and min(api["p95_ms"], api2["p95_ms"] or 1e9) < GOAL_P95_MS and not api["errors"]),
    }
    if not args.keep:
        from django.db import connections

        connections.close_all()
        drop_database(url)
    print(json.dumps(result, ensure_ascii=False))
    return result


if __name__ == "__main__":
    main()
