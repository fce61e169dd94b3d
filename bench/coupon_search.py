#!/usr/bin/env python
"""Best-coupon search benchmark (issue 13 §15): a member holding 200 coupons asks for "自动最优".

    python bench/coupon_search.py [--requests N] [--database-url URL] [--keep]

Builds a fresh PostgreSQL database (default vd_bench_coupons) with the product's commands (`migrate`,
`init --preset department-store`), the seed's campaigns (B60 / A50 with their stacking rules, as the
demo installs them), one member and 200 coupons of 38 campaigns: the seed's 15 B60 and 5 A50, and 36 campaigns of every kind
— vouchers, B券 with goods per coupon, discounts, spend-and-save — combining with any, with their own
kind or with none, over all goods, a category, a brand or all but a category, up to 5 per order;
the order takes at most 10 coupons paying at most 60 % of it. The basket: 20 lines. Then, in the
same run, sequentially:

  best      `pricing.services.quote_create(..., coupons="best")` in process: the 200 coupons read
            with their campaigns, each checked, the search, the Quote row written;
  baseline  the same quote without coupons (`coupons` not given): everything else the quote does;
  search    the pure engine on a context loaded once (`pricing.engine.quote`), best coupons;
  brute     on 12 of the coupons (all 2^12 subsets), exhaustive enumeration with the rules checker
            (`coupons.stacking.given`) against the search (`coupons.stacking.best`): same saving and
            number of coupons, and the time of each.

Prints ONE JSON line: p50/p99 in ms, the ratio best/baseline at p50 and p99, the search's steps and
whether it was exact, brute force vs search. Goal: best p99 < 250 ms on the shared 2-core machine — well
under a second.
"""
from __future__ import annotations

import argparse
import itertools
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

from posting import CATALOGUE, drop_database, log, production_env, recreate_database, run_cli  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/vd_bench_coupons"
GOAL_P99_MS = 250.0
MOBILE = "13612345678"


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {"p50": round(statistics.median(ordered), 2), "p99": round(ordered[max(int(len(ordered) * 0.99) - 1, 0)], 2),
            "n": len(ordered)}


def basket() -> list[dict]:
    lines = []
    for i in range(20):
        sku, name, brand, category, price = CATALOGUE[i % len(CATALOGUE)]
        lines.append({"sku": f"{sku}-{i}", "name": name, "brand": brand, "category": category, "unit_price": price,
                      "quantity": 1 + i % 2})
    return lines


def setup(env: dict) -> dict:
    log(run_cli(env, "init", "--preset", "department-store").strip())
    import os

    os.environ.update(env)
    import django

    django.setup()
    from vipdesk.coupons.campaigns import campaign_save, campaigns_install_default, coupon_policy_save
    from vipdesk.coupons.models import Campaign, Coupon
    from vipdesk.coupons.services import coupons_issue_bulk
    from vipdesk.members.models import Member
    from vipdesk.members.services import member_enrol
    from vipdesk.org.models import Store

    store = Store.objects.order_by("pk").first()
    member = member_enrol(actor=None, data={"name": "陈美玲", "mobile": MOBILE, "home_store": store.pk})
    mine = Member.objects.filter(pk=member.pk)
    campaigns_install_default()
    coupons_issue_bulk(actor=None, campaign=Campaign.objects.get(code="B60"), members=mine, count=15)
    coupons_issue_bulk(actor=None, campaign=Campaign.objects.get(code="A50"), members=mine, count=5)
    kinds = ["voucher", "gift", "discount", "threshold"]
    combines = ["any", "same_kind", "any", "none"]
    scopes = [{}, {"goods_scope": "listed", "scope_categories": ["女装"]}, {"goods_scope": "listed", "scope_brands": ["示例"]},
              {"goods_scope": "except", "scope_categories": ["箱包"]}]
    for n in range(36):
        kind, combine = kinds[n % 4], combines[(n // 4) % 4]
        data = {"code": f"BC{n:02d}", "name": f"券{n:02d}", "kind": kind, "valid_days": 30 + n, **scopes[(n // 2) % 4],
                "combines_with": "any" if kind == "discount" else combine,
                "max_per_order": 1 if kind == "discount" or combine == "none" else 1 + n % 5}
        if kind == "discount":
            data["discount_zhe"] = f"{9 - n % 3}.5"
        else:
            data["face_value"] = f"{10 + 5 * n}.00"
        if kind == "threshold":
            data["threshold"] = f"{200 + 10 * n}.00"
        coupons_issue_bulk(actor=None, campaign=campaign_save(actor=None, data=data), members=mine, count=5)
    coupon_policy_save(actor=None, data={"max_coupons_per_order": "10", "max_share_percent": "60"})
    held = Coupon.objects.filter(member=member, status="issued").count()
    assert held == 200, held  # 15 B60 + 5 A50 + 36 × 5
    return {"store": store.code}


def brute_force(coupons, lines, total, policy) -> tuple:
    from vipdesk.coupons import stacking
    from vipdesk.coupons.terms import CouponRefused

    best_value, best_count = Decimal("0.00"), 0
    for size in range(1, len(coupons) + 1):
        for subset in itertools.combinations(coupons, size):
            try:
                used = stacking.given(list(subset), lines, total=total, policy=policy).used
            except CouponRefused:
                continue
            value = sum((a for _c, a in used), Decimal("0.00"))
            if value > best_value or (value == best_value and size < best_count):
                best_value, best_count = value, size
    return best_value, best_count


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--database-url", default=DEFAULT_URL)
    p.add_argument("--keep", action="store_true")
    args = p.parse_args(argv)
    data_dir = Path(tempfile.mkdtemp(prefix="vd-bench-coupons-"))
    env = production_env(args.database_url, data_dir)
    recreate_database(args.database_url)
    run_cli(env, "migrate", "-v0")
    s = setup(env)

    from vipdesk.core import clock, parsing
    from vipdesk.coupons import stacking
    from vipdesk.members.models import Member
    from vipdesk.org.models import Store
    from vipdesk.pricing import engine
    from vipdesk.pricing.services import _basket, build_context, quote_create

    data = {"store": s["store"], "member": {"mobile": MOBILE}, "lines": basket()}

    def timed(body: dict, n: int) -> tuple[list[float], dict]:
        for _i in range(10):
            quote_create(actor=None, data=body)
        out, last = [], None
        for _i in range(n):
            t0 = time.perf_counter()
            last = quote_create(actor=None, data=body)
            out.append((time.perf_counter() - t0) * 1000)
        return out, last

    log("timing the quote with the best coupons and without coupons")
    best, answer = timed({**data, "coupons": "best"}, args.requests)
    baseline, plain = timed(data, args.requests)

    store = Store.objects.get(code=s["store"])
    member = Member.objects.get(mobile=MOBILE)
    lines = _basket(data, parsing.Problems())
    ctx = build_context(store=store, member=member, card=None, basket=lines, on=clock.today(store), coupons="best")
    pure, search = [], None
    for _i in range(args.requests):
        t0 = time.perf_counter()
        search = engine.quote(lines, ctx)["_coupon_search"]
        pure.append((time.perf_counter() - t0) * 1000)

    log("brute force on 12 coupons")
    priced = engine.price_lines(lines, ctx)
    terms_lines = engine._terms_lines(priced)
    total = sum((line.amount for line in terms_lines), Decimal("0.00"))
    sample = sorted(ctx.coupons, key=lambda c: c.code)[::len(ctx.coupons) // 12][:12]
    t0 = time.perf_counter()
    exhaustive = brute_force(sample, terms_lines, total, ctx.coupon_policy)
    brute_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    found = stacking.best(sample, terms_lines, total=total, policy=ctx.coupon_policy)
    bnb_ms = (time.perf_counter() - t0) * 1000
    found_value = (sum((a for _c, a in found.used), Decimal("0.00")), len(found.used))

    if not args.keep:
        drop_database(args.database_url)
    b, base, e = percentiles(best), percentiles(baseline), percentiles(pure)
    out = {
        "bench": "coupon_search", "coupons_held": len(ctx.coupons) + len(ctx.coupons_refused), "lines": len(lines),
        "used": len(answer["coupons"]), "paid_by_coupons": str(sum((Decimal(c["amount"]) for c in answer["coupons"]), Decimal("0"))),
        "left_out": sum(len(g["codes"]) for g in answer["coupons_left_out"]), "total": answer["total"], "to_pay": answer["to_pay"],
        "to_pay_without_coupons": plain["to_pay"], "search": search,
        "best_ms": b, "baseline_no_coupons_ms": base, "engine_only_best_ms": e,
        "ratio_p50": round(b["p50"] / base["p50"], 2), "ratio_p99": round(b["p99"] / base["p99"], 2),
        "brute_force_12": {"subsets": 2 ** len(sample), "brute_ms": round(brute_ms, 1), "search_ms": round(bnb_ms, 2),
                           "ratio": round(brute_ms / bnb_ms, 1), "same_answer": exhaustive == found_value,
                           "saving": str(found_value[0]), "coupons": found_value[1]},
        "goal": {"p99_ms": GOAL_P99_MS, "met": b["p99"] < GOAL_P99_MS},
    }
    print(json.dumps(out, ensure_ascii=False))
    return out


if __name__ == "__main__":
    main()
