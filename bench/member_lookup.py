#!/usr/bin/env python
"""Member look-up benchmark (R1.4): find a member by full mobile, last 4 digits or card number.

    python bench/member_lookup.py [--members N] [--samples K] [--database-url URL]

Loads N members (default 1,000,000) with one principal card each into a PostgreSQL database
(created if missing) with COPY, once: later runs reuse the rows and only add what is missing.
Then it times random look-ups three ways:

  sql      the raw query through psycopg — the floor the database gives;
  service  `member_search` on `Member.objects.restrict(hq, "view")`, first page of 50 evaluated;
  api      GET /api/v1/members/?q=… over real HTTP (waitress in a subprocess, keep-alive session,
           HQ API key), i.e. auth, scoping, search, pagination, serialisation and the network.

and prints ONE JSON line with p50/p95 per look-up kind and the API/SQL and service/SQL ratios.
`--members 2000 --samples 50` runs in seconds, for CI.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/vipdesk_bench"
BENCH_STORES = [f"BENCH{i:02d}" for i in range(1, 21)]
MEMBER_NO_BASE = 50_000_000   # bench member numbers M50000000…, far from the live sequence (M10000001…)
CARD_SEQ_BASE = 5_000_000_000  # bench card sequence numbers, far from the live card sequence
GOAL_API_P95_MS = 20


_T0 = time.monotonic()


def log(msg: str) -> None:
    print(f"[bench {time.monotonic() - _T0:6.1f}s] {msg}", file=sys.stderr, flush=True)


# ---- the database ------------------------------------------------------------------------------

def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            log(f"creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Keep the generated keys and static files out of the working directory.
    os.environ.setdefault("VIPDESK_DATA_DIR", str(Path(tempfile.gettempdir()) / "vipdesk-bench"))
    (Path(os.environ["VIPDESK_DATA_DIR"]) / "static").mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


# ---- deterministic bench members: everything about member i follows from i ----------------------

def _prefixes() -> list[str]:
    from vipdesk.demo.people import MOBILE_PREFIXES

    return MOBILE_PREFIXES


def mobile_of(i: int, prefixes: list[str]) -> str:
    # The 8-digit tail is an affine bijection of i mod 10^8 (48271 is coprime to 10^8), so mobiles
    # are unique and every last-4 value is shared by N/10,000 members, as in a real member base.
    return prefixes[(i * 7) % len(prefixes)] + f"{(i * 48271 + 12345) % 10**8:08d}"


def card_of(i: int) -> str:
    from django.conf import settings

    from vipdesk.core.validators import luhn_check_digit

    cfg = settings.VIPDESK
    body = f"{cfg['CARD_PREFIX']}{CARD_SEQ_BASE + i:0{cfg['CARD_SEQUENCE_DIGITS']}d}"
    return body + luhn_check_digit(body)


def _copy_text(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _row_template(model, given: set[str]) -> tuple[list[str], list]:
    """Columns of the model and the value each gets when the loader does not set it.

    Built from the model, so a field added later is filled with its default instead of
    breaking COPY (Django keeps defaults in Python, not in the database).
    """
    columns, defaults = [], []
    for f in model._meta.concrete_fields:
        if f.primary_key and f.name not in given:
            continue
        columns.append(f.column)
        if f.name in given or f.attname in given:
            defaults.append(None)
        elif f.has_default():
            value = f.get_default()
            defaults.append(str(value) if isinstance(value, Decimal) else value)
        elif f.null:
            defaults.append(None)
        else:
            defaults.append("")
    return columns, defaults


def bench_fixture() -> tuple[list, "object"]:
    """The bench stores and an HQ admin (created once)."""
    from vipdesk.accounts.models import Staff
    from vipdesk.accounts.roles import Role
    from vipdesk.org.models import Region, Store

    region, _ = Region.objects.get_or_create(code="BENCH", defaults={"name": "基准测试区"})
    stores = [Store.objects.get_or_create(code=c, defaults={"name": f"基准门店{c[-2:]}", "region": region})[0] for c in BENCH_STORES]
    hq, created = Staff.objects.get_or_create(username="bench_hq", defaults={"role": Role.HQ_ADMIN, "display_name": "基准总部"})
    if created:
        hq.set_unusable_password()
        hq.save()
    return stores, hq


def load_members(url: str, n: int, stores: list) -> tuple[int, float, int]:
    """COPY members i ∈ [existing, n) and one active principal card each.

    Returns (added, seconds, members in the bench stores afterwards)."""
    import psycopg
    from django.db import connection

    from vipdesk.demo.people import PeopleFactory
    from vipdesk.members.models import Card, Member

    store_ids = [s.pk for s in stores]
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM members_member WHERE home_store_id = ANY(%s)", [store_ids])
        existing = cur.fetchone()[0]
    if existing >= n:
        return 0, 0.0, existing
    started = time.monotonic()
    log(f"loading members {existing:,} → {n:,} with COPY")
    prefixes = _prefixes()
    rng = random.Random(7)
    people = PeopleFactory(rng)
    names = [people.name(rng.choice("MF"), rng.randint(1950, 2005)) for _ in range(5003)]
    m_cols, m_defaults = _row_template(Member, {"id", "member_no", "name", "gender", "mobile", "mobile_last4", "birthday",
                                                "home_store", "enrolled_at", "created_at", "updated_at", "source_channel"})
    c_cols, c_defaults = _row_template(Card, {"number", "member", "media", "kind", "status", "issue_store", "issued_at",
                                              "created_at", "updated_at"})
    m_index = {c: k for k, c in enumerate(m_cols)}
    c_index = {c: k for k, c in enumerate(c_cols)}
    now = dt.datetime.now(dt.timezone.utc).isoformat()
    with psycopg.connect(url, autocommit=False) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '512MB'")
        first_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM members_member").fetchone()[0]
        batch = 100_000
        for lo in range(existing, n, batch):
            hi = min(lo + batch, n)
            members, cards = [], []
            for i in range(lo, hi):
                name, _surname = names[(i * 7919) % len(names)]
                mobile = mobile_of(i, prefixes)
                store_id = store_ids[i % len(store_ids)]
                born = dt.date(1950, 1, 1) + dt.timedelta(days=(i * 104729) % 20000)
                row = list(m_defaults)
                for col, value in (("id", first_id + i - existing), ("member_no", f"M{MEMBER_NO_BASE + i}"), ("name", name),
                                   ("gender", "MF"[i % 2]), ("mobile", mobile), ("mobile_last4", mobile[-4:]),
                                   ("birthday", born.isoformat()), ("home_store_id", store_id), ("enrolled_at", now),
                                   ("created_at", now), ("updated_at", now), ("source_channel", "import")):
                    row[m_index[col]] = value
                members.append("\t".join(_copy_text(v) for v in row))
                crow = list(c_defaults)
                for col, value in (("number", card_of(i)), ("member_id", first_id + i - existing), ("media", "barcode"),
                                   ("kind", "principal"), ("status", "active"), ("issue_store_id", store_id),
                                   ("issued_at", now), ("created_at", now), ("updated_at", now)):
                    crow[c_index[col]] = value
                cards.append("\t".join(_copy_text(v) for v in crow))
            with conn.cursor() as cur:
                with cur.copy(f"COPY members_member ({', '.join(m_cols)}) FROM STDIN") as copy:
                    copy.write("\n".join(members) + "\n")
                with cur.copy(f"COPY members_card ({', '.join(c_cols)}) FROM STDIN") as copy:
                    copy.write("\n".join(cards) + "\n")
            log(f"  {hi:,} members ({time.monotonic() - started:.0f} s)")
        # Explicit ids were given: move the identity sequences past them.
        for table in ("members_member", "members_card"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE members_member")
        conn.execute("ANALYZE members_card")
    return n - existing, time.monotonic() - started, n


# ---- timing ---------------------------------------------------------------------------------------

def percentiles(samples_ms: list[float]) -> dict:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"p50_ms": round(statistics.median(ordered), 3), "p95_ms": round(p95, 3)}


def timed(fn, values: list, warmup: int = 5) -> dict:
    for value in values[:warmup]:
        fn(value)
    out = []
    for value in values:
        t0 = time.perf_counter()
        fn(value)
        out.append((time.perf_counter() - t0) * 1000)
    return percentiles(out)


def pick_samples(n: int, k: int) -> dict[str, list]:
    rng = random.Random(2026)
    prefixes = _prefixes()
    picks = [rng.randrange(n) for _ in range(k)]
    return {
        "mobile": [(i, mobile_of(i, prefixes)) for i in picks],
        "last4": [(i, mobile_of(i, prefixes)[-4:]) for i in picks],
        "card": [(i, card_of(i)) for i in picks],
    }


def bench_sql(url: str, samples: dict) -> dict:
    import psycopg

    queries = {
        "mobile": "SELECT m.* FROM members_member m WHERE m.mobile = %s",
        "last4": "SELECT m.* FROM members_member m WHERE m.mobile_last4 = %s ORDER BY m.id DESC LIMIT 50",
        "card": "SELECT m.* FROM members_member m JOIN members_card c ON c.member_id = m.id WHERE c.number = %s",
    }
    out = {}
    with psycopg.connect(url, autocommit=True) as conn:
        for kind, sql in queries.items():
            def run(sample, sql=sql):
                rows = conn.execute(sql, (sample[1],)).fetchall()
                assert rows, f"{kind} {sample[1]} not found"
            out[kind] = timed(run, samples[kind])
    return out


def bench_service(hq, samples: dict) -> dict:
    from vipdesk.members.models import Member
    from vipdesk.members.selectors import member_search

    out = {}
    for kind, values in samples.items():
        def run(sample):
            page = list(member_search(Member.objects.restrict(hq, "view"), sample[1])[:50])
            assert page, f"{kind} {sample[1]} not found"
        out[kind] = timed(run, values)
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api_ready() -> bool:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("member-list")
        return True
    except NoReverseMatch:
        return False


def bench_api(url: str, samples: dict) -> dict:
    import requests

    from vipdesk.org.services import api_client_create

    from django.db.models import ProtectedError

    from vipdesk.org.models import ApiClient

    name = "bench-hq"
    try:  # a fresh key each run (keys are shown once); the old client goes unless something refers to it
        ApiClient.objects.filter(name=name).delete()
    except ProtectedError:
        name = f"bench-hq-{int(time.time())}"
    _client, key = api_client_create(name=name, role="hq_admin")
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=url)
    code = ("import waitress; from config.wsgi import application; "
            f"waitress.serve(application, listen='127.0.0.1:{port}', threads=4, _quiet=True)")
    server = subprocess.Popen([sys.executable, "-c", code], cwd=str(ROOT), env=env)
    try:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {key}"
        base = f"http://127.0.0.1:{port}/api/v1/members/"
        deadline = time.monotonic() + 30
        while True:
            try:
                session.get(base, params={"q": "0000"}, timeout=5)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the API server did not start")
                time.sleep(0.2)
        out = {}
        for kind, values in samples.items():
            def run(sample):
                r = session.get(base, params={"q": sample[1]}, timeout=10)
                assert r.status_code == 200, f"{kind} {sample[1]}: HTTP {r.status_code} {r.text[:200]}"
                assert r.json()["results"], f"{kind} {sample[1]} not found"
            out[kind] = timed(run, values)
        return out
    finally:
        server.terminate()
        server.wait(timeout=10)


def ratios(num: dict, den: dict) -> dict:
    return {k: round(num[k]["p95_ms"] / den[k]["p95_ms"], 1) for k in num if den.get(k, {}).get("p95_ms")}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--no-api", action="store_true", help="skip the HTTP part")
    args = parser.parse_args(argv)
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("the benchmark needs PostgreSQL (COPY)")

    ensure_database(args.database_url)
    setup_django(args.database_url)
    stores, hq = bench_fixture()
    added, seconds, members = load_members(args.database_url, args.members, stores)
    if added:
        log(f"loaded {added:,} members in {seconds:.0f} s")
    if members > args.members:
        log(f"the database already holds {members:,} bench members; timing against all of them")
    samples = pick_samples(members, args.samples)
    log("timing raw SQL")
    result = {"bench": "member_lookup", "members": members, "db": "postgresql", "samples": args.samples}
    result["sql"] = bench_sql(args.database_url, samples)
    log("timing the service")
    result["service"] = bench_service(hq, samples)
    if not args.no_api and api_ready():
        log("timing the API over HTTP")
        result["api"] = bench_api(args.database_url, samples)
        result["ratio_api_vs_sql_p95"] = ratios(result["api"], result["sql"])
    result["ratio_service_vs_sql_p95"] = ratios(result["service"], result["sql"])
    result["goal_api_p95_ms"] = GOAL_API_P95_MS
    # The figures are only comparable on a quiet machine: record how busy it was.
    result["cpus"], result["loadavg_1m"] = os.cpu_count(), round(os.getloadavg()[0], 2)
    result["goal_met"] = bool(result.get("api")) and all(v["p95_ms"] <= GOAL_API_P95_MS for v in result["api"].values())
    if added:
        result["load_s"] = round(seconds, 1)
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return result


if __name__ == "__main__":
    main()
