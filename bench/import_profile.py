#!/usr/bin/env python
"""Where the set-based sales import spends its CPU (issue 17 §2), robust to a loaded machine: the
same world and file as bench/import_sales.py, then one `sales_import --commit`, measured as
CPU time — the app's own process (time.process_time) and its PostgreSQL backend
(/proc/<pg_backend_pid>/stat, utime + stime) — rather than wall time, which other processes inflate.

    python bench/import_profile.py [--receipts 5000] [--members 1000] [--database-url URL] [--cprofile 30]

Prints the per-receipt CPU of the app and of PostgreSQL as one JSON line; with --cprofile N, the N
functions with the most own time and the N with the most cumulative time first.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import import_sales  # noqa: E402  (the bench's world and file)

TICK = os.sysconf("SC_CLK_TCK")


def backend_cpu(pid: int) -> float:
    """Seconds of CPU the PostgreSQL backend `pid` has used (user + system)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=5000)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--database-url", default=import_sales.DEFAULT_URL)
    parser.add_argument("--cprofile", type=int, default=0, help="print the N most expensive functions")
    parser.add_argument("--dump", default="", help="with --cprofile: also write the profile to this file (pstats)")
    args = parser.parse_args()
    import_sales.fresh_database(args.database_url)
    import_sales.setup_django(args.database_url)
    refs = import_sales.world(args.members)
    data = import_sales.sales_file(args.receipts, refs)

    from django.db import connection

    import vipdesk
    from vipdesk.salesimport import services

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    profiler = cProfile.Profile() if args.cprofile else None
    load_before = os.getloadavg()
    wall, app, pg = time.perf_counter(), time.process_time(), backend_cpu(pid)
    if profiler:
        profiler.enable()
    batch = services.sales_import(actor=None, data=data, filename="bench.csv", fmt="csv", dry_run=False)
    if profiler:
        profiler.disable()
    wall, app, pg = time.perf_counter() - wall, time.process_time() - app, backend_cpu(pid) - pg
    assert batch.failed == 0 and batch.posted == args.receipts, batch.report[:3]
    if profiler and args.dump:
        profiler.dump_stats(args.dump)
    if profiler:
        for key in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(key).print_stats(args.cprofile)
            print(out.getvalue())
    n = args.receipts
    print(json.dumps({
        "bench": "import_profile", "code": str(Path(vipdesk.__file__).parent.parent), "receipts": n, "members": args.members, "cprofile": bool(profiler),
        "wall_s": round(wall, 2), "app_cpu_s": round(app, 2), "pg_cpu_s": round(pg, 2),
        "app_cpu_ms_per_receipt": round(1000 * app / n, 3), "pg_cpu_ms_per_receipt": round(1000 * pg / n, 3),
        "cpu_bound_receipts_per_s": round(n / (app + pg), 1), "loadavg_before": load_before, "loadavg_after": os.getloadavg(),
    }))


if __name__ == "__main__":
    main()
