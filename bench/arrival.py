#!/usr/bin/env python
"""Arrival notice benchmark (issue 19 §1): POST /api/v1/arrivals/ → the notice drawn in the staff
member's open console page, over real HTTP and a real browser, against the member look-up alone.

    python bench/arrival.py [--members N] [--arrivals K] [--database-url URL] [--redis-url URL] [--port P]

Members are the deterministic bench members of bench/member_lookup.py (COPY into PostgreSQL, reused
by later runs). A bench guide is put on duty at BENCH01 (all areas): every arrival is announced to
her. The server is uvicorn on config.asgi (2 worker processes) with the push on Redis pub/sub when
--redis-url is given (the POST and the page may sit in different processes), else 1 process and the
in-process channel. Debian's Chromium (Playwright) signs in as the guide and keeps /care/today/ open.

In the same run, sequentially, for K distinct members picked at random:

  notice   time from just before the POST is sent to the moment the page inserts the notice into
           the DOM (a MutationObserver stamps Date.now(); same machine clock as the client);
  post     the POST's own round trip (recognition, recipients, the notice rows, publish);
  lookup   the member look-up alone over the same server: GET /api/v1/members/?q=<mobile> (HQ key).

Prints ONE JSON line with p50/p95 of each and notice/lookup ratios. Goal: notice p95 < 300 ms.
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

from member_lookup import (_prefixes, bench_fixture, ensure_database, load_members, log, mobile_of,  # noqa: E402
                           percentiles, setup_django)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/vd_bench_lookup"
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
    Arrival.objects.filter(store=store).delete()  # a fresh run: nobody counts as "seen 10 minutes ago"
    keys = {}
    for name, role, code in (("bench-arrival-door", "cashier", store.code), ("bench-arrival-hq", "hq_admin", None)):
        try:
            ApiClient.objects.filter(name=name).delete()
        except ProtectedError:
            name = f"{name}-{int(time.time())}"
        keys[role] = api_client_create(name=name, role=role, store_code=code)[1]
    return guide, keys


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--arrivals", type=int, default=100)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", ""))
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "0") or 0))
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
    guide, keys = staff_and_keys(stores[0])
    rng = random.Random(19)
    prefixes = _prefixes()
    picks = rng.sample(range(members), args.arrivals + 5)
    mobiles = [mobile_of(i, prefixes) for i in picks]

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
            for n, mobile in enumerate(mobiles):
                sent = time.time() * 1000
                t0 = time.perf_counter()
                r = session.post(f"{base}/api/v1/arrivals/", json={"point": "entrance", "mobile": mobile}, headers=door, timeout=10)
                post = (time.perf_counter() - t0) * 1000
                assert r.status_code == 201 and r.json()["announced"], r.text[:300]
                page.wait_for_function(f"() => Object.keys(window.__drawn).length >= {n + 1}", polling=5, timeout=10000)
                drawn_at = page.evaluate("() => Math.max(...Object.values(window.__drawn))")  # this arrival's card
                if n >= 5:  # the first few warm the server's workers and the page
                    notice_ms.append(drawn_at - sent)
                    post_ms.append(post)
            browser.close()
        lookup_ms = []
        for n, mobile in enumerate(mobiles):
            t0 = time.perf_counter()
            r = session.get(f"{base}/api/v1/members/", params={"q": mobile}, headers=hq, timeout=10)
            if n >= 5:
                lookup_ms.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200 and r.json()["results"], r.text[:300]
    finally:
        server.terminate()
        server.wait(timeout=20)
    result = {"bench": "arrival", "members": members, "db": "postgresql",
              "push": "redis pub/sub, 2 uvicorn workers" if args.redis_url else "in-process, 1 uvicorn worker",
              "arrivals": len(notice_ms), "notice": percentiles(notice_ms), "post": percentiles(post_ms),
              "lookup": percentiles(lookup_ms)}
    result["ratio_notice_vs_lookup"] = {k: round(result["notice"][k] / result["lookup"][k], 2) for k in ("p50_ms", "p95_ms")}
    result["goal_notice_p95_ms"] = GOAL_P95_MS
    result["goal_met"] = result["notice"]["p95_ms"] < GOAL_P95_MS
    result["cpus"], result["loadavg_1m"] = os.cpu_count(), round(os.getloadavg()[0], 2)
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return result


if __name__ == "__main__":
    main()
