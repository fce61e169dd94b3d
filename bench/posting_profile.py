#!/usr/bin/env python
"""Where a posting's time goes (issue 17 §1): queries and CPU per `POST /api/v1/sales/`, in process.

    python bench/posting_profile.py [--members N] [--history-sales K] [--postings P] [--heavy-sales H]
                                    [--profile OUT.txt] [--database-url URL]

Builds the same database as bench/posting.py (product commands, members by COPY, a set-based
purchase history; PostgreSQL, dropped and created again) plus ONE heavy member with H sales spread
over the last twelve months (a B2B buyer, a VIP with thousands of receipts). Then posts P sales
through the whole Django stack in this process (django.test.Client: middleware, DRF, API-key
authentication, the till service, points, tiers, coupons, care) one after another, and P sales of
the heavy member, then P ordinary sales again without the profiler, and prints ONE JSON line:
queries per posting, process CPU ms per posting (median and p90), wall ms, for the ordinary members
and for the heavy one, and the ratio heavy / ordinary (the unprofiled set) — the
cost of a posting must not grow with the member's history. `--profile` writes the cProfile of the
ordinary postings (cumulative, top 60) to a file. CPU time, not wall time, is the figure to
compare on a shared machine.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import posting as bp  # noqa: E402  (the posting bench: set-up and bodies)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/vd_posting_profile"


def add_heavy_member(url: str, sales: int, store_id: int) -> int:
    """Member 0 gets `sales` sales in the last twelve months, by plain SQL (the set-up, not the test)."""
    import psycopg

    today = bp.business_today()
    with psycopg.connect(url) as conn:
        member_id = conn.execute("SELECT c.member_id FROM members_card c WHERE c.number = %s", (bp_card(0),)).fetchone()[0]
        conn.execute(
            "INSERT INTO sales_sale (created_at, updated_at, kind, terminal, receipt_no, occurred_at, business_date, identified_by,"
            " amount, amount_paid, returned_amount, content_hash, result, member_id, store_id)"
            " SELECT now(), now(), 'sale', 'T1', 'HEAVY-' || g, (%s::date - (g %% 360) * interval '1 day') + interval '10 hours',"
            " %s::date - (g %% 360), 'card', 100.00, 100.00, 0, md5(g::text), '{}', %s, %s FROM generate_series(1, %s) g",
            (today, today, member_id, store_id, sales))
        conn.execute("UPDATE members_member SET total_spend = total_spend + %s WHERE id = %s", (100 * sales, member_id))
    return member_id


def bp_card(i: int) -> str:
    import member_lookup as ml

    return ml.card_of(i)


def measure(client, postings, key: str, *, profile: cProfile.Profile | None = None) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    cpu, wall, queries = [], [], []
    for _store, body in postings:
        payload = json.dumps(body, ensure_ascii=False)
        reset_queries()  # the log keeps 9,000 statements: a full log would count none
        with CaptureQueriesContext(connection) as ctx:
            c0, w0 = time.process_time(), time.perf_counter()
            if profile is not None:
                profile.enable()
            response = client.post("/api/v1/sales/", payload, content_type="application/json",
                                   HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_X_FORWARDED_PROTO="https")
            if profile is not None:
                profile.disable()
            c1, w1 = time.process_time(), time.perf_counter()
        if response.status_code != 201:
            raise RuntimeError(f"HTTP {response.status_code}: {response.content[:300]!r}")
        cpu.append((c1 - c0) * 1000)
        wall.append((w1 - w0) * 1000)
        queries.append(len(ctx.captured_queries))
    ordered = sorted(cpu)
    return {"n": len(cpu), "queries": statistics.median(queries), "queries_max": max(queries),
            "cpu_ms_p50": round(statistics.median(cpu), 2), "cpu_ms_p90": round(ordered[int(0.9 * (len(ordered) - 1))], 2),
            "wall_ms_p50": round(statistics.median(wall), 2)}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--history-sales", type=int, default=None, help="default 10 per member")
    parser.add_argument("--postings", type=int, default=200)
    parser.add_argument("--heavy-sales", type=int, default=10_000)
    parser.add_argument("--profile", help="write the cProfile of the ordinary postings here")
    parser.add_argument("--queries", action="store_true", help="print the SQL of one warm posting to stderr")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_PROFILE_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="vipdesk-profile-"))
    env = bp.production_env(args.database_url, workdir / "data")
    env["VIPDESK_ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    history = 10 * args.members if args.history_sales is None else args.history_sales
    try:
        info = bp.setup(args.database_url, env, args.members, history, 1)
        store = next(iter(info["keys"]))
        heavy_id = add_heavy_member(args.database_url, args.heavy_sales, info["store_ids"][store])
        from django.test import Client

        client = Client()
        key = info["keys"][store]
        n = info["members"]
        warm = bp.make_postings("W", 30, members=n, stores=[store], seed=1)
        measure(client, warm, key)
        ordinary = bp.make_postings("P", args.postings, members=n, stores=[store], seed=2)
        heavy = bp.make_postings("H", args.postings, members=1, stores=[store], seed=3)  # member 0: the heavy one
        prof = cProfile.Profile() if args.profile else None
        out_ordinary = measure(client, ordinary, key, profile=prof)
        out_heavy = measure(client, heavy, key)
        out_again = measure(client, bp.make_postings("Q", args.postings, members=n, stores=[store], seed=4), key)
        if args.queries:  # a member who posted in the set before: tier row, points account and caches warm
            from django.db import connection, reset_queries
            from django.test.utils import CaptureQueriesContext

            reset_queries()  # the log keeps 9,000 statements: start it afresh
            again = bp.make_postings("Z", 1, members=n, stores=[store], seed=4)
            with CaptureQueriesContext(connection) as ctx:
                measure(client, again, key)
            for q in ctx.captured_queries:
                print(q["sql"][:240], file=sys.stderr)
        if prof is not None:
            bp.write_profile(prof, args.profile)
    finally:
        bp.drop_database(args.database_url)
        shutil.rmtree(workdir, ignore_errors=True)
    result = {"bench": "posting_profile", "db": "postgresql", "members": args.members, "history_sales": history,
              "heavy_member": {"id": heavy_id, "sales_in_window": args.heavy_sales},
              "ordinary": out_ordinary, "heavy": out_heavy, "ordinary_again": out_again,
              # against the ordinary postings measured without the profiler (cProfile inflates the first set)
              "ratio_heavy_vs_ordinary_cpu": round(out_heavy["cpu_ms_p50"] / out_again["cpu_ms_p50"], 2),
              "cpus": os.cpu_count(), "loadavg_1m": round(os.getloadavg()[0], 2)}
    print(json.dumps(result), flush=True)
    return result


if __name__ == "__main__":
    main()
