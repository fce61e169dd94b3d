#!/usr/bin/env python
"""Quote benchmark (issue 4 §4): POST /api/v1/quotes/ for a 20-line basket with 3 coupons, points
and stored value, over real HTTP against gunicorn on PostgreSQL.

    python bench/quote.py [--requests N] [--database-url URL] [--keep]

Builds a fresh PostgreSQL database (default vd_bench_quote) with the product's commands (`migrate`,
`init --preset department-store`), one 金卡 member with a 9.5折 level discount, points, stored value
and three coupons that combine with any other (one of each campaign), member prices and a special on some of the basket's SKUs, a member day.
Then, in the same run, sequentially (one client, keep-alive):

  api       POST /api/v1/quotes/ through gunicorn (1 sync worker): HTTP, key auth, JSON, the service;
  baseline  the same computation as a plain in-process call: `pricing.services.quote_create(...)`
            (database reads and the Quote row included, no HTTP);
  engine    the pure pricing function alone on a context loaded once (`pricing.engine.quote`).

Prints ONE JSON line: p50/p99 in ms of each, the ratio api/baseline at p50 and p99. Goal: api p99 < 30 ms.
"""
from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from posting import CATALOGUE, PROXY, Server, drop_database, log, production_env, recreate_database, run_cli  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/vd_bench_quote"
GOAL_P99_MS = 30.0


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {"p50": round(statistics.median(ordered), 2), "p99": round(ordered[max(int(len(ordered) * 0.99) - 1, 0)], 2),
            "n": len(ordered)}


def basket() -> list[dict]:
    lines = []
    for i in range(20):
        sku, name, brand, category, price = CATALOGUE[i % len(CATALOGUE)]
        lines.append({"sku": f"{sku}-{i}", "name": name, "brand": brand, "category": category, "unit_price": price,
                      "quantity": 1 + i % 3})
    return lines


def setup(env: dict) -> dict:
    log(run_cli(env, "init", "--preset", "department-store").strip())
    import os

    os.environ.update(env)
    import django

    django.setup()
    from vipdesk.coupons.campaigns import campaign_save
    from vipdesk.coupons.models import Coupon
    from vipdesk.coupons.services import coupons_issue_bulk
    from vipdesk.members.models import Member
    from vipdesk.members.services import member_enrol
    from vipdesk.org.models import Store
    from vipdesk.pricing.models import MemberDay, MemberPrice, Special
    from vipdesk.till.services import sale_post
    from vipdesk.tiers.models import Benefit, Level
    from vipdesk.tiers.overrides import tier_override
    from vipdesk.wallet.services import wallet_topup

    store = Store.objects.order_by("pk").first()
    member = member_enrol(actor=None, data={"name": "陈美玲", "mobile": "13612345678", "home_store": store.pk})
    gold = Level.objects.get(code="GOLD", programme__active=True)
    Benefit.objects.get_or_create(level=gold, code="discount", defaults={"name": "金卡9.5折", "value": Decimal("9.5"), "unit": "折"})
    from vipdesk.accounts.models import Staff

    hq = Staff.objects.create(username="bench-hq", role="hq_admin")
    tier_override(actor=hq, member=member, level="GOLD", reason="bench", until=dt.date(2099, 1, 1))
    sale_post(actor=None, data={"store": store.code, "receipt_no": "BENCH-P", "member": {"mobile": "13612345678"},
                                "occurred_at": (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=3)).isoformat(),
                                "lines": [{"line_no": 1, "sku": "X", "unit_price": "5000.00", "quantity": 1, "amount": "5000.00"}],
                                "payments": [{"method": "cash", "amount": "5000.00"}], "amount_paid": "5000.00"})
    wallet_topup(actor=None, member=member, store=store, amount="3000.00", reference="BENCH-TU")
    codes = []
    for code, face in (("BA", "20.00"), ("BB", "30.00"), ("BC", "50.00")):
        campaign = campaign_save(actor=None, data={"code": code, "name": f"{face}元券", "kind": "voucher", "face_value": face,
                                                   "valid_days": 30, "combines_with": "any"})
        coupons_issue_bulk(actor=None, campaign=campaign, members=Member.objects.filter(pk=member.pk))
        codes.append(Coupon.objects.get(campaign=campaign).code)
    for line in basket()[:5]:
        MemberPrice.objects.create(sku=line["sku"], price=(Decimal(line["unit_price"]) * Decimal("0.9")).quantize(Decimal("0.01")))
    Special.objects.create(code="B-SP", name="特价", sku=basket()[6]["sku"], price=Decimal("9.90"), per_card=1000000, per_day=1000000)
    MemberDay.objects.create(name="每日会员日", weekdays=[1, 2, 3, 4, 5, 6, 7], points_multiplier=Decimal("2"))
    key = run_cli(env, "apikey", "create", "--name", "bench-till", "--store", store.code).strip().splitlines()[-1].strip()
    return {"store": store.code, "codes": codes, "key": key}


def body(s: dict) -> dict:
    return {"store": s["store"], "member": {"mobile": "13612345678"}, "lines": basket(), "coupons": s["codes"], "points": 400,
            "stored_value": "max"}


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--requests", type=int, default=500)
    p.add_argument("--database-url", default=DEFAULT_URL)
    p.add_argument("--keep", action="store_true")
    args = p.parse_args(argv)
    data_dir = Path(tempfile.mkdtemp(prefix="vd-bench-quote-"))
    env = production_env(args.database_url, data_dir)
    recreate_database(args.database_url)
    run_cli(env, "migrate", "-v0")
    s = setup(env)
    payload = json.dumps(body(s))
    server = Server(env, workers=1, worker_class="sync", threads=1)
    try:
        server.wait_ready(s["key"])
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        headers = {"Authorization": f"Bearer {s['key']}", "Content-Type": "application/json", **PROXY}

        def post() -> dict:
            conn.request("POST", "/api/v1/quotes/", body=payload, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            try:
                answer = json.loads(raw)
            except ValueError:
                raise RuntimeError(f"quote answered {response.status}, not JSON: {raw[:400]!r}") from None
            if response.status != 201:
                raise RuntimeError(f"quote refused: {response.status} {answer}")
            return answer

        first = post()
        for _i in range(30):
            post()
        api = []
        for _i in range(args.requests):
            t0 = time.perf_counter()
            post()
            api.append((time.perf_counter() - t0) * 1000)
        conn.close()
    finally:
        server.stop()

    from vipdesk.org.models import ApiClient
    from vipdesk.pricing import engine
    from vipdesk.pricing.services import _basket, build_context, quote_create
    from vipdesk.core import clock, parsing
    from vipdesk.members.models import Member
    from vipdesk.org.models import Store

    till = ApiClient.objects.get(name="bench-till")
    data = body(s)
    for _i in range(30):
        quote_create(actor=till, data=data)
    baseline = []
    for _i in range(args.requests):
        t0 = time.perf_counter()
        same = quote_create(actor=till, data=data)
        baseline.append((time.perf_counter() - t0) * 1000)
    store = Store.objects.get(code=s["store"])
    lines = _basket(data, parsing.Problems())
    ctx = build_context(store=store, member=Member.objects.get(mobile="13612345678"), card=None, basket=lines, on=clock.today(store),
                        coupons=s["codes"], points=400, stored_value="max")
    pure = []
    for _i in range(args.requests):
        t0 = time.perf_counter()
        engine.quote(lines, ctx)
        pure.append((time.perf_counter() - t0) * 1000)
    if not args.keep:
        drop_database(args.database_url)
    strip = lambda q: {k: v for k, v in q.items() if k not in ("id", "expires_at")}  # noqa: E731
    a, b, e = percentiles(api), percentiles(baseline), percentiles(pure)
    out = {
        "bench": "quote", "lines": 20, "coupons": len(s["codes"]), "payment_kinds": ["coupon", "points", "stored_value", "other"],
        "same_answer": strip(first) == strip(same), "total": first["total"], "to_pay": first["to_pay"],
        "api_ms": a, "baseline_in_process_ms": b, "engine_only_ms": e,
        "ratio_p50": round(a["p50"] / b["p50"], 2), "ratio_p99": round(a["p99"] / b["p99"], 2),
        "goal": {"p99_ms": GOAL_P99_MS, "met": a["p99"] < GOAL_P99_MS},
    }
    print(json.dumps(out, ensure_ascii=False))
    return out


if __name__ == "__main__":
    main()
