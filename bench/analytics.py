#!/usr/bin/env python
"""Segments benchmark (issue 5 §1): the nightly classification snapshot over 1M members and 10M sales.

    python bench/analytics.py [--members N] [--sales K] [--date YYYY-MM-DD] [--database-url URL | --sqlite]
                              [--keep]

PostgreSQL (default, database vd_bench_analytics, dropped and created again each run): the data set
of bench/daily_jobs.py — `vipdesk migrate`, `vipdesk init --preset department-store`, N members by
COPY (bench/member_lookup.py) and K sales of history with tiers set-based (bench/dataset.py).
`--sqlite`: a fresh SQLite file in a temporary directory, members and sales written with
bulk_create (25 months of history, skewed amounts, 3 % partly returned, 15 % of buyers in a VIP
tier); meant for small sizes.

Then, in the same run:

  baseline  RFM in plain SQL: one GROUP BY member over the window's sales, NTILE(5) per dimension,
            members counted per (R, F, M) — it reads what the snapshot reads and writes nothing
            (timed twice, the faster counts);
  snapshot  `snapshot_take(on=D)` — the nightly part "segments" of run-jobs: every classification
            for every member, written to analytics_membersnapshot;
  rerun     the same date again: replaces the rows; the fingerprint of the date's rows must be equal.

Prints ONE JSON line with the ratio snapshot / baseline. Goal: snapshot under 60 s at full size.
Default size 1,000,000 members / 10,000,000 sales (≈ 20 GB on PostgreSQL); `--members 20000
--sales 200000` runs in about a minute.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from posting import drop_database, log, production_env, recreate_database, run_cli  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/vd_bench_analytics"
GOAL_S = 60


def baseline_sql(on: dt.date) -> tuple[str, list]:
    from django.db import connection

    from vipdesk.core.dates import months_before

    d = connection.ops.adapt_datefield_value
    sql = """
        SELECT r, f, m, COUNT(*) FROM (
            SELECT NTILE(5) OVER (ORDER BY last_day) AS r, NTILE(5) OVER (ORDER BY freq) AS f,
                   NTILE(5) OVER (ORDER BY spend) AS m
            FROM (SELECT member_id, MAX(business_date) AS last_day, COUNT(DISTINCT business_date) AS freq,
                         SUM(amount - returned_amount) AS spend
                  FROM sales_sale
                  WHERE kind = 'sale' AND member_id IS NOT NULL AND amount > returned_amount
                    AND business_date > %s AND business_date <= %s
                  GROUP BY member_id) per) scored
        GROUP BY r, f, m"""
    return sql, [d(months_before(on, 12)), d(on)]


def baseline(on: dt.date) -> tuple[float, int]:
    from django.db import connection

    sql, params = baseline_sql(on)
    t0 = time.monotonic()
    with connection.cursor() as cur:
        cur.execute(sql, params)
        scored = sum(row[3] for row in cur.fetchall())
    return time.monotonic() - t0, scored


def fingerprint(on: dt.date) -> dict:
    from django.db.models import Count, Q, Sum

    from vipdesk.analytics.models import MemberSnapshot

    qs = MemberSnapshot.objects.filter(date=on)
    out = qs.aggregate(rows=Count("id"), r=Sum("r_score"), f=Sum("f_score"), m=Sum("m_score"), spend=Sum("monetary"),
                       svip=Count("id", filter=Q(svip=True)))
    out["spend"] = str(Decimal(out["spend"] or 0).quantize(Decimal("0.01")))
    for col in ("rfm_segment", "abc_class", "pyramid_class", "spend_class", "lifecycle"):
        out[col] = {r[col] or "-": r["n"] for r in qs.values(col).annotate(n=Count("id")).order_by(col)}
    return out


def sqlite_data(members: int, sales: int, on: dt.date) -> dict:
    """Members, sales and VIP tiers for the SQLite run, with bulk_create (deterministic: seed 5)."""
    from django.db import transaction
    from django.utils import timezone

    from vipdesk.members.models import Member
    from vipdesk.org.models import Region, Store
    from vipdesk.sales.models import Sale
    from vipdesk.tiers.models import Level, MemberTier, Programme

    rng = random.Random(5)
    t0 = time.monotonic()
    region, _ = Region.objects.get_or_create(code="BENCH", defaults={"name": "基准测试区"})
    stores = [Store.objects.get_or_create(code=f"BENCH{i:02d}", defaults={"name": f"基准门店{i:02d}", "region": region})[0]
              for i in range(1, 6)]
    enrolled = timezone.make_aware(dt.datetime.combine(on - dt.timedelta(days=900), dt.time(10)))
    with transaction.atomic():
        Member.objects.bulk_create(
            [Member(member_no=f"B{i:09d}", name=f"会员{i}", gender="MF"[i % 2], home_store=stores[i % 5], enrolled_at=enrolled)
             for i in range(members)], batch_size=5000)
    ids = list(Member.objects.order_by("id").values_list("id", flat=True))
    log(f"  {members:,} members ({time.monotonic() - t0:.0f} s)")
    span = 25 * 30
    batch, receipts = [], 0
    with transaction.atomic():
        for n in range(sales):
            member_id = ids[int(len(ids) * rng.random() ** 1.6)]  # some members buy much more often
            day = on - dt.timedelta(days=rng.randrange(span))
            amount = Decimal(int(rng.paretovariate(1.3) * 20000)).scaleb(-2).quantize(Decimal("0.01"))
            returned = (amount / 3).quantize(Decimal("0.01")) if rng.random() < 0.03 else Decimal("0")
            receipts += 1
            batch.append(Sale(store=stores[member_id % 5], terminal="B", receipt_no=f"B{receipts:010d}", member_id=member_id,
                              business_date=day, occurred_at=timezone.make_aware(dt.datetime.combine(day, dt.time(14))),
                              amount=amount, amount_paid=amount, returned_amount=returned, content_hash=f"{receipts:064d}"))
            if len(batch) == 10000:
                Sale.objects.bulk_create(batch)
                batch = []
        Sale.objects.bulk_create(batch)
        programme = Programme.objects.get(active=True)
        vip_levels = list(Level.objects.filter(programme=programme, is_vip=True))
        buyers = ids[: max(1, len(ids) // 3)]
        MemberTier.objects.bulk_create([MemberTier(member_id=m, programme=programme, level=rng.choice(vip_levels))
                                        for m in buyers if rng.random() < 0.15], batch_size=5000)
    return {"members": members, "sales": sales, "vips": MemberTier.objects.filter(level__is_vip=True).count(),
            "seconds": round(time.monotonic() - t0, 1)}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--sales", type=int, default=10_000_000)
    parser.add_argument("--date", type=dt.date.fromisoformat, default=None, help="business date D (default: today)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_ANALYTICS_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--sqlite", action="store_true", help="run on a fresh SQLite file instead of PostgreSQL")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (default: drop it)")
    parser.add_argument("--reuse", action="store_true",
                        help="PostgreSQL: time the snapshot on the data set a --keep run left (no set-up; implies --keep)")
    parser.add_argument("--fit-customers", type=int, default=1_000_000,
                        help="BG/NBD + Gamma-Gamma fit beside lifetimes over this many customers (bench/clv_fit.py; 0: skip)")
    args = parser.parse_args(argv)
    on = args.date or dt.date.today()
    workdir = Path(tempfile.mkdtemp(prefix="vipdesk-analytics-"))
    url = f"sqlite:///{workdir / 'bench.sqlite3'}" if args.sqlite else args.database_url
    if not args.sqlite and not url.startswith(("postgres://", "postgresql://")):
        parser.error("give a PostgreSQL URL or --sqlite")
    if args.reuse and args.sqlite:
        parser.error("--reuse is for PostgreSQL")
    args.keep = args.keep or args.reuse
    env = production_env(url, workdir / "data")
    try:
        if not args.sqlite and not args.reuse:
            recreate_database(url)
        t_setup = time.monotonic()
        run_cli(env, "migrate", "-v0")
        if not args.reuse:
            log(run_cli(env, "init", "--preset", "department-store").strip())
        os.environ.update(env)
        import django

        django.setup()
        if args.reuse:
            from vipdesk.members.models import Member
            from vipdesk.sales.models import Sale

            data = {"reused": True}
            args.members, args.sales = Member.objects.count(), Sale.objects.filter(kind="sale").count()
        elif args.sqlite:
            data = sqlite_data(args.members, args.sales, on)
        else:
            import member_lookup as ml
            from dataset import generate_history

            stores, _hq = ml.bench_fixture()
            ml.load_members(url, args.members, stores)
            data = generate_history(url, sales=args.sales, as_of=on, log=log)
        setup_s = time.monotonic() - t_setup
        log(f"data set ready in {setup_s:.0f} s")

        from vipdesk.analytics.classify import snapshot_take

        base_s1, scored = baseline(on)
        log(f"baseline (GROUP BY + NTILE RFM): {base_s1:.2f} s, {scored:,} members scored")
        t0 = time.monotonic()
        first = snapshot_take(on=on)
        snap_s = time.monotonic() - t0
        log(f"snapshot: {snap_s:.2f} s {first}")
        before = fingerprint(on)
        t0 = time.monotonic()
        snapshot_take(on=on)
        rerun_s = time.monotonic() - t0
        idempotent = fingerprint(on) == before
        log(f"snapshot again: {rerun_s:.2f} s, same rows: {idempotent}")
        base_s2, _ = baseline(on)
        base_s = min(base_s1, base_s2)
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 — Django may not be set up yet
            pass
        if not args.sqlite and not args.keep:
            drop_database(url)
        shutil.rmtree(workdir, ignore_errors=True)

    result = {
        "bench": "analytics_snapshot", "db": "sqlite" if args.sqlite else "postgresql", "date": on.isoformat(),
        "members": args.members, "sales": args.sales, "data": {k: v for k, v in data.items() if k not in ("members", "sales")},
        "setup_s": round(setup_s, 1), "snapshot_s": round(snap_s, 2), "rerun_s": round(rerun_s, 2), "idempotent": idempotent,
        "snapshot_rows": before["rows"], "scored": scored, "classes": {k: before[k] for k in ("rfm_segment", "abc_class",
                                                                                            "pyramid_class", "spend_class", "lifecycle")},
        "svip": before["svip"], "baseline_s": round(base_s, 2), "baseline_runs_s": [round(base_s1, 2), round(base_s2, 2)],
        "ratio_snapshot_vs_baseline": round(snap_s / base_s, 2) if base_s else None, "goal": {"snapshot_s": GOAL_S},
        "cpus": os.cpu_count(), "loadavg_1m": round(os.getloadavg()[0], 2),
    }
    result["goal_met"] = bool(snap_s < GOAL_S and idempotent)
    if args.fit_customers:
        from clv_fit import main as fit_main

        fit = fit_main(["--customers", str(args.fit_customers)], emit=False)
        result["fit"] = fit
        result["ratio_bgnbd_vs_lifetimes"] = fit["ratio_bgnbd"]
        result["ratio_gammagamma_vs_lifetimes"] = fit["ratio_gammagamma"]
        result["goal_met"] = result["goal_met"] and fit["goal_met"]
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return result


if __name__ == "__main__":
    main()
