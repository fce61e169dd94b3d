#!/usr/bin/env python
"""Arrival notice benchmark (issue 19 §1): POST /api/v1/arrivals/ → the notice drawn in the staff
member's open console page, over real HTTP and a real browser, against the member look-up alone.

    python bench/arrival.py [--members N] [--arrivals K] [--database-url URL] [--redis-url URL] [--port P] [--explain]

Members are the deterministic bench members of bench/member_lookup.py (COPY into PostgreSQL, reused
by later runs); what a notice reads about them (owners, spend, last visits, consents, levels,
complaints, tickets, care tasks, past arrivals and notices) is built set-based by bench/arrival_data.py,
once per database (later runs detect it and reuse it). A bench guide is put on duty at BENCH01 (all areas): every arrival is announced to
her. The server is uvicorn on config.asgi (2 worker processes) with the push on Redis pub/sub when
--redis-url is given (the POST and the page may sit in different processes), else 1 process and the
in-process channel. Debian's Chromium (Playwright) signs in as the guide and keeps /care/today/ open.

In the same run, sequentially, for K distinct members picked at random (never a withdrawn member or
one who declined recognition; every other arrival by card number, the rest by mobile):

  notice   time from just before the POST is sent to the moment the page inserts the notice into
           the DOM (a MutationObserver stamps Date.now(); same machine clock as the client);
  post     the POST's own round trip (recognition, recipients, the notice rows, publish);
  lookup   the member look-up alone over the same server: GET /api/v1/members/?q=<the same card or
           mobile> (HQ key).

Prints ONE JSON line with p50/p95/max of each and notice/lookup ratios. Goal: notice p95 < 300 ms.
--explain first runs one arrival in-process inside a transaction that is rolled back, and prints to
stderr every query it made with its time and PostgreSQL plan (a sequential scan on a table of more
than 10,000 rows is flagged).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from arrival_data import announceable, build_history  # noqa: E402
from member_lookup import (_prefixes, bench_fixture, card_of, ensure_database, load_members, log, mobile_of,  # noqa: E402
                           percentiles, setup_django)

# Its own database: the notice data changes the members (owners, spend, some withdrawn), which the
# member look-up bench does not expect.
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/vd_bench_arrival"
GOAL_P95_MS = 300.0
PASSWORD = "bench-Arrival-2026!"
OBSERVER = """() => {
  window.__drawn = {};
  const pane = document.getElementById('arrival-pane');
  new MutationObserver(records => { for (const r of records) for (const n of r.addedNodes)
    if (n.dataset && n.dataset.member) window.__drawn[n.dataset.member] = Date.now(); })
    .observe(pane, {childList: true});
}"""


def free_port(first: int | None) -> int:
    for port in ([first + i for i in range(10)] if first else [0]):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return s.getsockname()[1]
            except OSError:
                continue
    raise RuntimeError("no free port")


def staff_and_keys(store):
    from django.db.models import ProtectedError

    from vipdesk.accounts.models import Staff
    from vipdesk.accounts.roles import Role
    from vipdesk.arrivals.models import Arrival, Notice
    from vipdesk.arrivals.services import duty_set
    from vipdesk.org.models import ApiClient
    from vipdesk.org.services import api_client_create

    guide, _ = Staff.objects.get_or_create(username="bench_greeter", defaults={"role": Role.GUIDE, "display_name": "迎宾"})
    guide.set_password(PASSWORD)
    guide.save()
    guide.stores.add(store)
    duty_set(actor=None, store=store, staff=guide)
    Notice.objects.filter(staff=guide).delete()
    # A fresh run: nobody counts as "seen 10 minutes ago". Only the bench's own arrivals (reported by a
    # device; the built history has none), before the old keys go (their arrivals would lose the device).
    Arrival.objects.filter(store=store, device__isnull=False).delete()
    keys = {}
    for name, role, code in (("bench-arrival-door", "cashier", store.code), ("bench-arrival-hq", "hq_admin", None)):
        try:
            ApiClient.objects.filter(name=name).delete()
        except ProtectedError:
            name = f"{name}-{int(time.time())}"
        keys[role] = api_client_create(name=name, role=role, store_code=code)[1]
    return guide, keys


def stats(samples_ms: list[float]) -> dict:
    return {**percentiles(samples_ms), "max_ms": round(max(samples_ms), 3)}


def explain(store, identifier: dict) -> None:
    """One arrival in-process, rolled back: every query with its time and plan, to stderr."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from vipdesk.arrivals.services import arrival_report

    class Rollback(Exception):
        pass

    with CaptureQueriesContext(connection) as ctx:
        try:
            with transaction.atomic():
                t0 = time.perf_counter()
                arrival = arrival_report(actor=None, store=store.code, point="entrance", data=identifier)
                log(f"explain: {identifier} → {arrival.outcome} in {(time.perf_counter() - t0) * 1000:.1f} ms, {len(ctx.captured_queries)} queries")
                raise Rollback
        except Rollback:
            pass
    scans = []
    with connection.cursor() as cur:
        for q in ctx.captured_queries:
            sql = q["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                log(f"  {float(q['time']) * 1000:6.1f} ms  {sql[:150]}")
                continue
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = [row[0] for row in cur.fetchall()]
            log(f"  {float(q['time']) * 1000:6.1f} ms  {sql[:150]}")
            for line in plan:
                if "Scan" in line or "Execution Time" in line:
                    log(f"             {line.strip()[:150]}")
                if "Seq Scan" in line:
                    table = line.split(" on ")[1].split()[0]
                    cur.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
                    rows = (cur.fetchone() or [0])[0]
                    if rows > 10_000:
                        scans.append(f"{table} ({rows:,.0f} rows)")
    log("explain: sequential scans on big tables: " + (", ".join(scans) if scans else "none"))


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--arrivals", type=int, default=100)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", ""))
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "0") or 0))
    parser.add_argument("--explain", action="store_true", help="print the queries of one arrival with their plans first")
    args = parser.parse_args(argv)
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("the benchmark needs PostgreSQL (COPY)")

    ensure_database(args.database_url)
    setup_django(args.database_url)
    import requests
    from playwright.sync_api import sync_playwright

    stores, _hq = bench_fixture()
    added, seconds, members = load_members(args.database_url, args.members, stores)
    if added:
        log(f"loaded {added:,} members in {seconds:.0f} s")
    if members > args.members:
        log(f"the database holds {members:,} bench members; timing against all of them")
    build_history(args.database_url, stores, members, log)
    guide, keys = staff_and_keys(stores[0])
    rng = random.Random(19)
    prefixes = _prefixes()
    picks = [i for i in rng.sample(range(members), args.arrivals + 40) if announceable(i)][:args.arrivals + 5]
    # Every other arrival by card number (the card look-up and its invalid-card checks), the rest by mobile.
    idents = [("card", card_of(i)) if n % 2 else ("mobile", mobile_of(i, prefixes)) for n, i in enumerate(picks)]
    if args.explain:
        explain(stores[0], {"mobile": mobile_of(picks[-1], prefixes)})
        explain(stores[0], {"card": card_of(picks[-2])})
    load_before = os.getloadavg()

    port = free_port(args.port or None)
    env = dict(os.environ, DATABASE_URL=args.database_url, VIPDESK_PUSH="redis" if args.redis_url else "local",
               VIPDESK_PUSH_REDIS_URL=args.redis_url, DJANGO_SETTINGS_MODULE="config.settings")
    workers = 2 if args.redis_url else 1
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                               "--log-level", "warning", "--no-access-log", "config.asgi:application"], cwd=str(ROOT), env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        session = requests.Session()
        deadline = time.monotonic() + 180
        while True:
            try:
                session.get(f"{base}/login/", timeout=30)
                break
            except requests.RequestException:  # not listening yet, or still importing Django on a busy machine
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("uvicorn did not start")
                time.sleep(0.2)
        door = {"Authorization": f"Bearer {keys['cashier']}"}
        hq = {"Authorization": f"Bearer {keys['hq_admin']}"}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"], headless=True)
            page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
            page.goto(f"{base}/login/")
            page.fill("#id_username", "bench_greeter")
            page.fill("#id_password", PASSWORD)
            page.click("#login-submit")
            page.wait_for_url(f"{base}/")
            page.goto(f"{base}/care/today/")
            page.wait_for_selector("#arrival-pane[data-connected='1']", state="attached")
            page.evaluate(OBSERVER)
            notice_ms, post_ms = [], []
            for n, (kind, value) in enumerate(idents):
                sent = time.time() * 1000
                t0 = time.perf_counter()
                r = session.post(f"{base}/api/v1/arrivals/", json={"point": "entrance", kind: value}, headers=door, timeout=10)
                post = (time.perf_counter() - t0) * 1000
                assert r.status_code == 201 and r.json()["announced"], r.text[:300]
                page.wait_for_function(f"() => Object.keys(window.__drawn).length >= {n + 1}", polling=5, timeout=10000)
                drawn_at = page.evaluate("() => Math.max(...Object.values(window.__drawn))")  # this arrival's card
                if n >= 5:  # the first few warm the server's workers and the page
                    notice_ms.append(drawn_at - sent)
                    post_ms.append(post)
            browser.close()
        lookup_ms = []
        for n, (_kind, value) in enumerate(idents):
            t0 = time.perf_counter()
            r = session.get(f"{base}/api/v1/members/", params={"q": value}, headers=hq, timeout=10)
            if n >= 5:
                lookup_ms.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200 and r.json()["results"], r.text[:300]
    finally:
        server.terminate()
        server.wait(timeout=20)
    result = {"bench": "arrival", "members": members, "db": "postgresql",
              "push": "redis pub/sub, 2 uvicorn workers" if args.redis_url else "in-process, 1 uvicorn worker",
              "arrivals": len(notice_ms), "notice": stats(notice_ms), "post": stats(post_ms),
              "lookup": stats(lookup_ms)}
    result["ratio_notice_vs_lookup"] = {k: round(result["notice"][k] / result["lookup"][k], 2) for k in ("p50_ms", "p95_ms")}
    result["goal_notice_p95_ms"] = GOAL_P95_MS
    result["goal_met"] = result["notice"]["p95_ms"] < GOAL_P95_MS
    result["cpus"], result["loadavg_1m"] = os.cpu_count(), round(os.getloadavg()[0], 2)
    result["loadavg_before"] = [round(v, 2) for v in load_before]
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return result


if __name__ == "__main__":
    main()
