#!/usr/bin/env python
"""Grading benchmark (issue 20 §3): import N monthly balance rows and grade every customer, against
plain SQL over the same rows in the same run.

    python bench/grading.py [--rows N] [--products P] [--months M] [--database-url URL]

PostgreSQL, database vd_bench_grading (dropped and created again each run): `migrate`,
`vipdesk init --preset bank`, N / (P × M) customers by COPY (bench/member_lookup.py), then N rows
(P products × M month-ends per customer, with an average daily balance column) written as CSV files
of 50,000 rows (the import's per-file limit) and timed:

  product   every file through `balance_import` (read as it streams, check every row, look the
            customers up; then COPY into a temporary table + one INSERT … ON CONFLICT that leaves
            equal rows alone), then `grading_run` for each month in order (one GROUP BY per month,
            scores and bands over tuples, grades by COPY + upsert, level changes through tiers'
            tier_grade with history, manager credits);
  resend    the first file sent again (answered by its hash: nothing written);
  baseline  plain SQL over the same files: COPY into an unlogged table, then one GROUP BY
            (customer, month) giving each customer's AUM per month and the band it falls in.

Prints ONE JSON line with the ratio product / baseline. Goal: 1,000,000 rows under 120 s.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from member_lookup import MEMBER_NO_BASE, bench_fixture, load_members, setup_django  # noqa: E402
from posting import recreate_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/vd_bench_grading"
GOAL_S = 120
FILE_ROWS = 50_000
_T0 = time.monotonic()


def log(msg: str) -> None:
    print(f"[grading {time.monotonic() - _T0:6.1f}s] {msg}", file=sys.stderr, flush=True)


def month_ends(months: int) -> list[dt.date]:
    first = dt.date.today().replace(day=1)
    out = []
    for _ in range(months):
        last = first - dt.timedelta(days=1)
        out.append(last)
        first = last.replace(day=1)
    return list(reversed(out))


def make_files(customers: int, products: int, ends: list[dt.date]) -> list[bytes]:
    """CSV files of FILE_ROWS rows: per month, per customer, P products; AUM skewed (most under 5万)."""
    rng = random.Random(11)
    header = "客户号,日期,产品代码,产品类型,余额,日均余额\n"
    kinds = ["活期", "定期", "理财", "基金", "保险"]
    files, buf, n = [], io.StringIO(), 0
    wealth = [rng.lognormvariate(10.5, 1.6) for _ in range(customers)]
    for end in ends:
        for i in range(customers):
            for p in range(products):
                amount = round(wealth[i] / products * rng.uniform(0.7, 1.3), 2)
                if n == 0:
                    buf.write(header)
                buf.write(f"M{MEMBER_NO_BASE + i},{end.isoformat()},P{p:02d},{kinds[p % 5]},{amount:.2f},{amount:.2f}\n")
                n += 1
                if n == FILE_ROWS:
                    files.append(buf.getvalue().encode())
                    buf, n = io.StringIO(), 0
    if n:
        files.append(buf.getvalue().encode())
    return files


def baseline(url: str, files: list[bytes]) -> float:
    """COPY the same rows into an unlogged table, one GROUP BY (customer, month) with the bands."""
    import psycopg

    started = time.monotonic()
    with psycopg.connect(url) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_balances")
        conn.execute("CREATE UNLOGGED TABLE bench_balances (member_no text, on_date date, product text, kind text,"
                      " balance numeric(16,2), average_balance numeric(16,2))")
        with conn.cursor() as cur:
            for data in files:
                with cur.copy("COPY bench_balances FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                    copy.write(data)
        rows = conn.execute("""
            SELECT count(*), count(DISTINCT member_no) FROM (
              SELECT b.member_no, date_trunc('month', on_date) AS month, sum(average_balance) AS aum,
                     CASE WHEN sum(average_balance) >= 20000000 THEN 'SB' WHEN sum(average_balance) >= 6000000 THEN 'ZS'
                          WHEN sum(average_balance) >= 2000000 THEN 'JK' WHEN sum(average_balance) >= 500000 THEN 'YK'
                          WHEN sum(average_balance) >= 50000 THEN 'PT' END AS band
              FROM bench_balances b JOIN members_member m ON m.member_no = b.member_no
              GROUP BY b.member_no, month) g""").fetchone()
        conn.execute("DROP TABLE bench_balances")
        conn.commit()
    log(f"baseline: {rows[0]:,} customer-months of {rows[1]:,} customers")
    return time.monotonic() - started


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--products", type=int, default=4)
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args(argv)
    customers = max(1, -(-args.rows // (args.products * args.months)))  # at least N rows
    recreate_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command

    call_command("init", preset="bank", stdout=io.StringIO())
    stores, hq = bench_fixture()
    load_members(args.database_url, customers, stores)
    ends = month_ends(args.months)
    files = make_files(customers, args.products, ends)
    rows = sum(d.count(b"\n") - 1 for d in files)
    log(f"{rows:,} rows in {len(files)} files, {customers:,} customers")

    from vipdesk.grading.imports import balance_import
    from vipdesk.grading.run import grading_run

    loadavg_before = list(os.getloadavg())
    started = time.monotonic()
    for k, data in enumerate(files):
        job = balance_import(actor=hq, data=data, filename=f"balances-{k:03d}.csv")
        assert job.status == "committed", job.report[:3]
    imported_s = time.monotonic() - started
    log(f"imported in {imported_s:.1f}s")
    runs = []
    for end in ends:
        runs.append(grading_run(month=end))
    product_s = time.monotonic() - started
    graded_s = product_s - imported_s
    log(f"graded {len(ends)} months in {graded_s:.1f}s: {runs[-1]}")
    t = time.monotonic()
    again = balance_import(actor=hq, data=files[0], filename="again.csv")
    resend_s = time.monotonic() - t
    assert getattr(again, "duplicate", False)
    base_s = baseline(args.database_url, files)
    from vipdesk.grading.models import Holding
    from vipdesk.tiers.models import MemberTier

    levels = dict(MemberTier.objects.filter(level__isnull=False).values_list("level__code").annotate(
        n=__import__("django.db.models", fromlist=["Count"]).Count("pk")).values_list("level__code", "n"))
    result = {"bench": "grading", "db": "postgresql", "rows": rows, "holdings": Holding.objects.count(), "customers": customers,
              "months": len(ends), "files": len(files), "import_s": round(imported_s, 1), "grading_s": round(graded_s, 1),
              "product_s": round(product_s, 1), "resend_s": round(resend_s, 3), "baseline_s": round(base_s, 1),
              "ratio_product_vs_sql": round(product_s / base_s, 1), "levels": levels, "last_run": runs[-1],
              "goal_s": GOAL_S, "goal_met": product_s < GOAL_S if rows >= 1_000_000 else None,
              "cpus": os.cpu_count(), "loadavg_before": loadavg_before, "loadavg_after": list(os.getloadavg())}
    print(json.dumps(result, ensure_ascii=False))
    return result


if __name__ == "__main__":
    main()
