#!/usr/bin/env python
"""Daily job benchmark (issue 3): `vipdesk run-jobs --date D` over 1M members and 10M sales.

    python bench/daily_jobs.py [--members N] [--sales K] [--date YYYY-MM-DD] [--database-url URL]
                               [--explain] [--keep]

Builds a fresh PostgreSQL database (default vd_bench_jobs, dropped and created again each run) with
the product's own commands (`vipdesk migrate`, `vipdesk init --preset department-store`), sets the
points policy to "valid 24 months, 7-day return window" (so that lots expire and unlock on every
business date, not only on 1 January as with calendar clearing), loads N members with a card each
by COPY (bench/member_lookup.py) and K sales of history set-based (bench/dataset.py: lots that
expire on D, pending lots that unlock on D, members due for an anniversary downgrade on D, ended
HQ overrides, dormant cards as of D − 1).

Then, in the same run:

  baseline  the tier computation in plain SQL: every member's rolling spend windows, first purchase
            and the level they qualify for, by one GROUP BY over all sales (timed twice, before and
            after the job; the faster one counts);
  jobs      `vipdesk run-jobs --date D` in a subprocess, timed from outside (process start-up
            included); the time of each part (points, tiers, dormant_cards) from the JobRun claims
            the job writes as each part starts;
  rerun     `vipdesk run-jobs --date D` again: every part must answer "already done" and the
            ledger, tier and dormant tables must be unchanged (idempotency).

`--explain` also runs every part for D + 1 in-process inside a transaction that is rolled back,
recording the plan of each statement the jobs send (EXPLAIN, not ANALYZE) into the JSON output.
Prints ONE JSON line. Default size 1,000,000 members / 10,000,000 sales (≈ 20 GB of disk);
`--members 20000 --sales 200000` runs in about a minute.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from posting import drop_database, log, production_env, recreate_database, run_cli  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/vd_bench_jobs"
GOAL_S = 120
GOAL_RATIO = 2.0
PARTS = ("points", "tiers", "dormant_cards")
GB_PER_10M_SALES = 22  # measured: database size at full size, plus room for WAL


def free_gb(path: str) -> float:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize / 1e9


def data_directory(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SHOW data_directory").fetchone()[0]


def timed_cli(env: dict, *args: str) -> tuple[float, str]:
    t0 = time.monotonic()
    out = run_cli(env, *args)
    return time.monotonic() - t0, out


def parse_run(out: str) -> dict:
    """`2026-11-23 points: {...}` lines → {"points": {...} | None}."""
    found = {}
    for line in out.splitlines():
        m = re.match(r"^\S+ (\w+): (.*)$", line.strip())
        if m:
            found[m.group(1)] = None if m.group(2) == "already done" else json.loads(m.group(2))
    return found


def baseline(url: str, on: dt.date) -> tuple[float, dict]:
    """The tier computation for every member in plain SQL (one GROUP BY over the sales)."""
    import psycopg

    from dataset import qualify_sql

    with psycopg.connect(url, autocommit=True) as conn:
        sql, _params = qualify_sql(conn, as_of=on)
        t0 = time.monotonic()
        rows = conn.execute(f"SELECT rank, count(*) FROM ({sql}) q GROUP BY rank ORDER BY rank").fetchall()
        return time.monotonic() - t0, {str(rank): n for rank, n in rows}


def fingerprint(url: str) -> dict:
    """What the jobs change, summed up: equal fingerprints mean a second run changed nothing."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return dict(zip(
            ("entries", "entry_points", "lot_remaining", "pending_lots", "balance", "tier_levels", "evaluated", "history",
             "overrides", "dormant", "dormant_cards"),
            (int(v) for v in conn.execute("""
                SELECT (SELECT count(*) FROM points_pointsentry), (SELECT coalesce(sum(points), 0) FROM points_pointsentry),
                       (SELECT coalesce(sum(remaining), 0) FROM points_pointslot), (SELECT count(*) FROM points_pointslot WHERE pending),
                       (SELECT coalesce(sum(balance), 0) FROM points_pointsaccount),
                       (SELECT coalesce(sum(level_id), 0) FROM tiers_membertier),
                       (SELECT count(*) FROM tiers_membertier WHERE evaluated_on IS NOT NULL),
                       (SELECT count(*) FROM tiers_tierhistory), (SELECT count(*) FROM tiers_membertier WHERE override_until IS NOT NULL),
                       (SELECT count(*) FROM sales_dormantcard), (SELECT coalesce(sum(card_id), 0) FROM sales_dormantcard)
            """).fetchone())))


def explain_parts(on: dt.date) -> dict:
    """Run each part in-process for `on` in a transaction that is rolled back, with the plan of
    every statement it sends (EXPLAIN without ANALYZE, run just before the statement itself)."""
    from django.db import connection, transaction

    from vipdesk.scheduler.registry import run_part

    plans: dict[str, list] = {}

    class Rollback(Exception):
        pass

    for name in PARTS:
        seen = plans.setdefault(name, [])

        def wrapper(execute, sql, params, many, context, seen=seen):
            head = sql.lstrip().split(None, 1)[0].upper()
            if not many and head in ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH"):
                with connection.cursor() as cur:
                    cur.execute("EXPLAIN " + sql, params)
                    plan = [row[0] for row in cur.fetchall()]
                seen.append({"sql": re.sub(r"\s+", " ", sql)[:400], "plan": plan})
            return execute(sql, params, many, context)

        t0 = time.monotonic()
        try:
            with transaction.atomic():
                with connection.execute_wrapper(wrapper):
                    run_part(name, on=on)
                raise Rollback
        except Rollback:
            pass
        log(f"  explained {name}: {len(seen)} statements ({time.monotonic() - t0:.1f} s, rolled back)")
    return plans


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--sales", type=int, default=10_000_000)
    parser.add_argument("--date", type=dt.date.fromisoformat, default=None, help="business date D (default: today)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_JOBS_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--explain", action="store_true", help="record the plan of every statement the jobs send")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (default: drop it)")
    args = parser.parse_args(argv)
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("the benchmark needs PostgreSQL")
    on = args.date or dt.date.today()

    workdir = Path(tempfile.mkdtemp(prefix="vipdesk-jobs-"))
    env = production_env(args.database_url, workdir / "data")
    try:
        recreate_database(args.database_url)
        need = GB_PER_10M_SALES * args.sales / 10_000_000 + 2
        have = free_gb(data_directory(args.database_url))
        if have < need:
            raise SystemExit(f"only {have:.0f} GB free where PostgreSQL keeps its data; this size needs about {need:.0f} GB")
        t_setup = time.monotonic()
        run_cli(env, "migrate", "-v0")
        log(run_cli(env, "init", "--preset", "department-store").strip())
        os.environ.update(env)
        import django

        django.setup()
        import member_lookup as ml
        from dataset import generate_history
        from vipdesk.points.models import PointsPolicy

        # HQ's points setting for this shop: valid 24 months (R5 "valid two years"), 7-day return window.
        PointsPolicy.objects.update_or_create(code="default", defaults={"expiry_kind": "rolling_months", "expiry_n": 24,
                                                                          "pending_days": 7})
        stores, _hq = ml.bench_fixture()
        added, seconds, members = ml.load_members(args.database_url, args.members, stores)
        log(f"loaded {added:,} members in {seconds:.0f} s")
        data = generate_history(args.database_url, sales=args.sales, as_of=on, log=log)
        data["members"] = members
        setup_s = time.monotonic() - t_setup
        log(f"data set ready in {setup_s:.0f} s")

        log("baseline: the tier computation for every member in one GROUP BY")
        base_s1, ranks = baseline(args.database_url, on)
        log(f"  {base_s1:.1f} s: members by rank {ranks}")

        before = fingerprint(args.database_url)
        log(f"vipdesk run-jobs --date {on}")
        t0 = time.time()
        total, out = timed_cli(env, "run-jobs", "--date", on.isoformat())
        t1 = t0 + total
        results = parse_run(out)
        # Where the time went, from the claims the job writes as each part starts (JobRun.started_at).
        from vipdesk.scheduler.models import JobRun

        starts = {r.job: r.started_at.timestamp() for r in JobRun.objects.filter(date=on)}
        order = sorted(starts, key=starts.get)
        jobs = {"startup_s": round(starts[order[0]] - t0, 2) if order else None}
        for i, part in enumerate(order):
            end = starts[order[i + 1]] if i + 1 < len(order) else t1
            jobs[part] = {"s": round(end - starts[part], 2), "result": results.get(part)}
            log(f"  {part}: {jobs[part]['s']:.1f} s {jobs[part]['result']}")
        log(f"  total {total:.1f} s (process start-up {jobs['startup_s']} s)")
        after = fingerprint(args.database_url)

        log(f"vipdesk run-jobs --date {on} (again)")
        rerun_s, out = timed_cli(env, "run-jobs", "--date", on.isoformat())
        again = parse_run(out)
        idempotent = all(again.get(p, "missing") is None for p in PARTS) and fingerprint(args.database_url) == after
        log(f"  {rerun_s:.1f} s: {again}; unchanged: {idempotent}")

        base_s2, ranks2 = baseline(args.database_url, on)
        log(f"baseline again: {base_s2:.1f} s")
        base_s = min(base_s1, base_s2)
        plans = None
        if args.explain:
            log(f"explaining the jobs' statements for {on + dt.timedelta(days=1)}")
            plans = explain_parts(on + dt.timedelta(days=1))
        with __import__("psycopg").connect(args.database_url) as conn:
            db_size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 — Django may not be set up yet
            pass
        if not args.keep:
            drop_database(args.database_url)
        shutil.rmtree(workdir, ignore_errors=True)

    result = {
        "bench": "daily_jobs", "db": "postgresql", "date": on.isoformat(), "members": data["members"], "sales": args.sales,
        "data": {k: v for k, v in data.items() if k not in ("members", "sales")}, "db_gb": round(db_size / 1e9, 1),
        "setup_s": round(setup_s, 1),
        "jobs": jobs, "jobs_total_s": round(total, 2), "rerun_s": round(rerun_s, 2), "idempotent": idempotent,
        "changed": {k: after[k] - before[k] for k in before if after[k] != before[k]},
        "baseline_s": round(base_s, 2), "baseline_runs_s": [round(base_s1, 2), round(base_s2, 2)], "members_by_rank": ranks,
        "ratio_jobs_vs_baseline": round(total / base_s, 2) if base_s else None,
        "goal": {"total_s": GOAL_S, "ratio": GOAL_RATIO},
        "cpus": os.cpu_count(), "loadavg_1m": round(os.getloadavg()[0], 2),
    }
    result["goal_met"] = bool(total < GOAL_S and base_s and total <= GOAL_RATIO * base_s and idempotent)
    if plans is not None:
        result["plans"] = plans
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return result


if __name__ == "__main__":
    main()
