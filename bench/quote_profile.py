#!/usr/bin/env python
"""What a quote costs, in process (issue 17 §1): queries and process CPU per `POST /api/v1/quotes/`.

    python bench/quote_profile.py [--requests N] [--database-url URL] [--profile OUT.txt]

The same database and basket as bench/quote.py (20 lines, 3 coupons, points 400, stored value "max",
member prices, a special, a member day; PostgreSQL, dropped and created again), then N quotes through
the whole Django stack in this process (django.test.Client: middleware, DRF, API-key authentication,
the pricing service, the Quote row) and N plain calls of `pricing.services.quote_create`, after 30
warm-ups. Prints ONE JSON line: queries per quote and process CPU ms (p50, p90) of each. CPU time and
query counts, not wall time, are the figures to compare on a shared machine; bench/quote.py measures
the latency over HTTP on a quiet one.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import quote as bq  # noqa: E402  (the quote bench: set-up and body)
from posting import drop_database, production_env, recreate_database, run_cli, write_profile  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/vd_quote_profile"


def measure(call, n: int, *, profile: cProfile.Profile | None = None) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    cpu, queries = [], []
    for _i in range(n):
        reset_queries()  # the log keeps 9,000 statements: a full log would count none
        with CaptureQueriesContext(connection) as ctx:
            c0 = time.process_time()
            if profile is not None:
                profile.enable()
            call()
            if profile is not None:
                profile.disable()
            c1 = time.process_time()
        cpu.append((c1 - c0) * 1000)
        queries.append(len(ctx.captured_queries))
    ordered = sorted(cpu)
    return {"n": n, "queries": statistics.median(queries), "queries_max": max(queries),
            "cpu_ms_p50": round(statistics.median(cpu), 2), "cpu_ms_p90": round(ordered[int(0.9 * (n - 1))], 2)}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_QUOTE_PROFILE_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--profile", help="write the cProfile of the API quotes here")
    parser.add_argument("--queries", action="store_true", help="print the SQL of one warm API quote to stderr")
    args = parser.parse_args(argv)
    data_dir = Path(tempfile.mkdtemp(prefix="vd-quote-profile-"))
    env = production_env(args.database_url, data_dir)
    env["VIPDESK_ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    recreate_database(args.database_url)
    try:
        run_cli(env, "migrate", "-v0")
        s = bq.setup(env)  # django.setup() in this process, with env
        from django.test import Client

        from vipdesk.org.models import ApiClient
        from vipdesk.pricing.services import quote_create

        client = Client()
        data = bq.body(s)
        payload = json.dumps(data)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {s['key']}", "HTTP_X_FORWARDED_PROTO": "https"}

        def api():
            response = client.post("/api/v1/quotes/", payload, content_type="application/json", **headers)
            if response.status_code != 201:
                raise RuntimeError(f"HTTP {response.status_code}: {response.content[:300]!r}")

        till = ApiClient.objects.get(name="bench-till")

        def service():
            quote_create(actor=till, data=data)

        measure(api, 30)
        measure(service, 30)
        if args.queries:
            from django.db import connection, reset_queries
            from django.test.utils import CaptureQueriesContext

            reset_queries()
            with CaptureQueriesContext(connection) as ctx:
                api()
            for q in ctx.captured_queries:
                print(q["sql"][:300], file=sys.stderr)
        prof = cProfile.Profile() if args.profile else None
        out_api = measure(api, args.requests)
        out_service = measure(service, args.requests)
        if prof is not None:
            measure(api, args.requests, profile=prof)
            write_profile(prof, args.profile)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(args.database_url)
    result = {"bench": "quote_profile", "db": "postgresql", "lines": 20, "coupons": 3, "api": out_api, "service": out_service,
              "cpus": os.cpu_count(), "loadavg_1m": round(os.getloadavg()[0], 2)}
    print(json.dumps(result), flush=True)
    return result


if __name__ == "__main__":
    main()
