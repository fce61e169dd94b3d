#!/usr/bin/env python
"""Sales import benchmark (issue 17 §2): `vipdesk import-sales` of N receipts (3 lines each) with their
loyalty effects on PostgreSQL, against COPY of the same rows into bare tables in the same run.

    python bench/import_sales.py [--receipts N] [--members M] [--database-url URL]

Builds a fresh database (default vd_bench_import, dropped and created again), migrates it, installs
the department-store programme, the 1-yuan-per-point earn rule and the preset care rules, enrols M
members through the service, writes a CSV of N receipts (3 rows each, members by mobile, card or
member number in turn), then:

  import   sales_import(commit) — the set-based path (salesimport/bulk.py: chunks of 20,000 receipts,
           sales/lines/payments in bulk, points lots and entries, tier, care, member totals, webhooks
           events, with the effects of the till's posting); `--per-receipt` posts every receipt
           through the till's `sale_post` instead (chunks of 500), the path before issue 17 §2;
  copy     the same 3N rows parsed from the same file and COPYed into two bare tables
           (receipts, lines): the floor the database gives for the rows alone.

Prints one JSON line: rows, seconds, rows/s for both, the ratio, and the time 1,000,000 receipts
would take at the measured import rate (linear extrapolation).
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/vd_bench_import"


def fresh_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("VIPDESK_QUEUE", "immediate")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def world(members: int):
    from vipdesk.care.services import care_rules_install_default
    from vipdesk.members.cards import card_issue
    from vipdesk.points.services import earn_rule_install_default
    from vipdesk.testing.factories import StoreFactory, make_member
    from vipdesk.tiers.config import programme_install
    from vipdesk.tiers.presets import DEPARTMENT_STORE

    programme_install(spec=DEPARTMENT_STORE)
    earn_rule_install_default(yuan_per_point=1)
    care_rules_install_default()
    store = StoreFactory(code="SA01")
    refs = []
    for i in range(members):
        member = make_member(store=store)
        if i % 3 == 0:
            refs.append(("card", card_issue(actor=None, member=member).number))
        elif i % 3 == 1:
            refs.append(("mobile", member.mobile))
        else:
            refs.append(("member_no", member.member_no))
    return refs


def sales_file(receipts: int, refs) -> bytes:
    import datetime as dt

    from django.utils import timezone

    start = timezone.localtime() - dt.timedelta(seconds=receipts + 3600)
    out = io.StringIO()
    out.write("门店,小票号,销售时间,会员卡号,会员手机,会员号,商品编码,品名,单价,数量,金额,支付方式\n")
    for i in range(receipts):
        kind, value = refs[i % len(refs)]
        card, mobile, member_no = (value if kind == "card" else "", value if kind == "mobile" else "",
                                   value if kind == "member_no" else "")
        when = (start + dt.timedelta(seconds=i)).strftime("%Y-%m-%d %H:%M:%S")
        for line in range(1, 4):
            price = f"{50 + 10 * line + i % 13}.00"
            out.write(f"SA01,B{i:08d},{when},{card},{mobile},{member_no},SKU-{line},商品{line},{price},1,{price},微信\n")
    return out.getvalue().encode()


def copy_baseline(url: str, data: bytes) -> float:
    """The same rows, parsed from the same file, COPYed into bare tables (one transaction)."""
    import psycopg

    started = time.perf_counter()
    rows = list(csv.reader(io.StringIO(data.decode())))[1:]
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_receipt, bench_line")
        cur.execute("CREATE TABLE bench_receipt (id bigserial primary key, store text, receipt_no text, occurred_at timestamptz,"
                    " card text, mobile text, member_no text, amount numeric(14,2), UNIQUE (store, receipt_no))")
        cur.execute("CREATE TABLE bench_line (id bigserial primary key, store text, receipt_no text, line_no int, sku text, name text,"
                    " unit_price numeric(14,2), quantity int, amount numeric(14,2), method text)")
        seen = {}
        with cur.copy("COPY bench_line (store, receipt_no, line_no, sku, name, unit_price, quantity, amount, method) FROM STDIN") as copy:
            for r in rows:
                key = (r[0], r[1])
                seen.setdefault(key, [r, 0])
                seen[key][1] += 1
                copy.write_row((r[0], r[1], seen[key][1], r[6], r[7], r[8], r[9], r[10], r[11]))
        with cur.copy("COPY bench_receipt (store, receipt_no, occurred_at, card, mobile, member_no, amount) FROM STDIN") as copy:
            for (store, no), (r, _n) in seen.items():
                copy.write_row((store, no, r[2] + "+08", r[3], r[4], r[5], None))
        cur.execute("UPDATE bench_receipt r SET amount = s.total FROM (SELECT store, receipt_no, sum(amount) total FROM bench_line"
                    " GROUP BY 1, 2) s WHERE s.store = r.store AND s.receipt_no = r.receipt_no")
        conn.commit()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--per-receipt", action="store_true", help="every receipt through sale_post (the old path)")
    args = parser.parse_args()
    fresh_database(args.database_url)
    setup_django(args.database_url)
    refs = world(args.members)
    data = sales_file(args.receipts, refs)

    from vipdesk.care.models import CareTask
    from vipdesk.points.models import PointsEntry
    from vipdesk.sales.models import Sale
    from vipdesk.salesimport import services
    from vipdesk.tiers.models import TierHistory

    if args.per_receipt:
        services.BULK_CHUNK, run = services.CHUNK, services.run_receipts
        services.run_receipts = lambda receipts, **kw: run(receipts, **{**kw, "set_based": False})
    started = time.perf_counter()
    batch = services.sales_import(actor=None, data=data, filename="bench.csv", fmt="csv", dry_run=False)
    import_s = time.perf_counter() - started
    assert batch.failed == 0 and batch.posted == args.receipts, batch.report[:3]
    assert Sale.objects.count() == args.receipts
    effects = {"points_entries": PointsEntry.objects.count(), "tier_changes": TierHistory.objects.count(),
               "care_tasks": CareTask.objects.count()}
    copy_s = copy_baseline(args.database_url, data)
    rate = args.receipts / import_s
    print(json.dumps({
        "bench": "import_sales", "path": "per-receipt" if args.per_receipt else "set-based", "receipts": args.receipts, "rows": batch.total_rows, "members": args.members,
        "import_s": round(import_s, 1), "import_receipts_per_s": round(rate, 1),
        "copy_s": round(copy_s, 2), "copy_receipts_per_s": round(args.receipts / copy_s, 1),
        "ratio_import_vs_copy": round(import_s / copy_s, 1),
        "extrapolated_1m_receipts_min": round(1_000_000 / rate / 60, 1), "goal_1m_min": 10, **effects,
    }))


if __name__ == "__main__":
    main()
