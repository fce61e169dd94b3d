#!/usr/bin/env python
"""POS posting benchmark (issue 3): POST /api/v1/sales/ over real HTTP against gunicorn on PostgreSQL.

    python bench/posting.py [--members N] [--history-sales K] [--clients C] [--duration S] [--rate R]
                            [--workers W] [--worker-class sync|gthread] [--threads T] [--database-url URL]

Builds a fresh PostgreSQL database (default vd_bench_posting, dropped and created again each run)
with the product's own commands — `vipdesk migrate`, `vipdesk init --preset department-store`,
`vipdesk apikey create --store …` (one till key per bench store) — and loads N members with one
card each by COPY (as bench/member_lookup.py does) plus, by default, a purchase history
(bench/dataset.py: set-based SQL) so that postings hit members that already have a tier, a points
account and lots, as in a running shop. The server is gunicorn with VIPDESK_ENV=production
(generated keys), DEBUG off, in a subprocess; the clients are another process (http.client,
keep-alive, one connection per thread). Every posting is a distinct receipt of a real member
(identified by card, as a till scans it) with 2–3 lines.

Phases, all in the same run:

  throughput  C clients post back to back for S seconds: postings/s, p50/p99;
  latency     an open-loop client offers R postings/s (default 150, half the goal) for S seconds:
              p50/p99 measured from the scheduled send time (a late server cannot hide its queue);
              repeated at half the measured throughput when that is lower than R;
  sql         the same rows (sale, lines, payments, member totals, tier row, points account, lot,
              entry, result) written by plain psycopg, one transaction per posting, C clients back
              to back, then at the same fixed rate: the floor the database gives.

The server listens on BENCH_PORT when it is set (a shared machine gives each person a range of
ports), else on any free port; the API throttle's limits are raised for the run's processes.

Prints ONE JSON line with the figures and the API/SQL ratios. `--members 2000 --duration 5` runs in
well under a minute, for CI.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import io
import pstats
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/vd_bench_posting"
GOAL_PER_S = 300
GOAL_P99_MS = 50
# Production answers only over HTTPS: the clients say so as the TLS-terminating proxy (nginx) would.
PROXY = {"X-Forwarded-Proto": "https"}
TILLS = 4  # bench stores with a till key; members come from all 20 bench stores

CATALOGUE = [  # sku, name, brand, category, unit price
    ("SCF-01", "真丝围巾", "示例", "配饰", "399.50"), ("COAT-7", "羊绒大衣", "示例", "女装", "1500.00"),
    ("TEE-12", "纯棉T恤", "优品", "男装", "89.00"), ("SHOE-3", "真皮皮鞋", "步云", "鞋履", "699.00"),
    ("BAG-88", "手提包", "雅致", "箱包", "1280.00"), ("LIP-05", "口红", "花颜", "美妆", "260.00"),
    ("TEA-01", "西湖龙井", "茶语", "食品", "188.00"), ("KID-21", "儿童外套", "童趣", "童装", "329.00"),
    ("WAT-02", "智能手表", "时刻", "数码", "1999.00"), ("SOX-10", "棉袜", "优品", "男装", "29.90"),
    ("PJ-04", "真丝睡衣", "示例", "家居", "659.00"), ("CUP-07", "保温杯", "家和", "家居", "139.00"),
]
PAY_METHODS = ["wechat", "alipay", "bank_card", "cash"]

_T0 = time.monotonic()


def log(msg: str) -> None:
    print(f"[bench {time.monotonic() - _T0:6.1f}s] {msg}", file=sys.stderr, flush=True)


# ---- set-up: database, settings, product commands --------------------------------------------------

def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def production_env(url: str, data_dir: Path) -> dict:
    """Environment for every process of the run: production mode with keys generated for this run
    (production refuses the generated demo keys), DEBUG off, its own data directory."""
    from cryptography.fernet import Fernet

    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "static").mkdir(exist_ok=True)
    keys = data_dir / "bench-keys.json"
    if not keys.exists():
        keys.write_text(json.dumps({"secret": secrets.token_urlsafe(50), "field": Fernet.generate_key().decode()}))
        keys.chmod(0o600)
    k = json.loads(keys.read_text())
    return dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="config.settings", VIPDESK_ENV="production",
                VIPDESK_SECRET_KEY=k["secret"], VIPDESK_FIELD_KEYS=k["field"], VIPDESK_DEBUG="0",
                VIPDESK_DATA_DIR=str(data_dir), VIPDESK_ALLOWED_HOSTS="127.0.0.1,localhost",
                VIPDESK_LOG_LEVEL="WARNING",
                # The bench measures posting, not the API throttle (120 a minute per till key would
                # refuse it): the limits are raised, the throttle still counts every request.
                VIPDESK_API_RATE_KEY="100000000", VIPDESK_API_RATE_STORE="200000000")



def write_profile(prof, path) -> None:
    """A cProfile's top 60 by cumulative and top 40 by own time, to `path` (the profile benches' --profile)."""
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(60)
    buf.write("\n\n---- by own time ----\n")
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(40)
    Path(path).write_text(buf.getvalue())
    prof.dump_stats(f"{path}.prof")  # the raw profile beside it, for pstats' callers / callees

def vipdesk_cli() -> list[str]:
    script = Path(sys.executable).with_name("vipdesk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "vipdesk.cli"]


def run_cli(env: dict, *args: str) -> str:
    done = subprocess.run([*vipdesk_cli(), *args], env=env, cwd=str(ROOT), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"vipdesk {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def setup(url: str, env: dict, members: int, history_sales: int, clients: int) -> dict:
    """Database, programme, stores, members (+ history) and till keys. Returns what the clients need."""
    t0 = time.monotonic()
    recreate_database(url)
    run_cli(env, "migrate", "-v0")
    log(run_cli(env, "init", "--preset", "department-store").strip())
    os.environ.update(env)
    import django

    django.setup()
    import member_lookup as ml

    stores, _hq = ml.bench_fixture()
    added, seconds, n = ml.load_members(url, members, stores)
    log(f"loaded {added:,} members in {seconds:.0f} s")
    history = None
    if history_sales:
        import dataset

        history = dataset.generate_history(url, sales=history_sales, as_of=business_today(), log=log)
    keys = {}
    for store in stores[:TILLS]:
        out = run_cli(env, "apikey", "create", "--name", f"bench-till-{store.code}", "--store", store.code)
        keys[store.code] = out.strip().splitlines()[-1].strip()
    from vipdesk.org.models import ApiClient
    from vipdesk.tiers.models import Programme

    return {
        "members": n, "keys": keys, "setup_s": round(time.monotonic() - t0, 1), "history": history,
        "store_ids": {s.code: s.pk for s in stores[:TILLS]},
        "client_ids": {c.store.code: c.pk for c in ApiClient.objects.filter(name__startswith="bench-till-").select_related("store")},
        "programme_id": Programme.objects.get(active=True).pk,
    }


def business_today() -> dt.date:
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


# ---- postings ------------------------------------------------------------------------------------

def make_postings(phase: str, count: int, *, members: int, stores: list[str], seed: int) -> list[tuple[str, dict]]:
    """`count` distinct receipts, each (store code, body): a real member's card, 2–3 lines, tenders adding up."""
    import member_lookup as ml

    rng = random.Random(seed)
    at = (dt.datetime.now(dt.timezone(dt.timedelta(hours=8))) - dt.timedelta(minutes=1)).replace(microsecond=0).isoformat()
    out = []
    for seq in range(count):
        store = stores[seq % len(stores)]
        lines, total = [], Decimal("0.00")
        for line_no, (sku, name, brand, category, price) in enumerate(rng.sample(CATALOGUE, rng.choice((2, 3))), start=1):
            quantity = rng.choice((1, 1, 1, 2, 3))
            amount = Decimal(price) * quantity
            total += amount
            lines.append({"line_no": line_no, "sku": sku, "name": name, "brand": brand, "category": category,
                          "unit_price": price, "quantity": quantity, "amount": f"{amount:.2f}"})
        if rng.random() < 0.3 and total > 100:
            cash = Decimal(rng.randrange(1, int(total) // 2 + 1))
            payments = [{"method": rng.choice(PAY_METHODS[:3]), "amount": f"{total - cash:.2f}"}, {"method": "cash", "amount": f"{cash:.2f}"}]
        else:
            payments = [{"method": rng.choice(PAY_METHODS), "amount": f"{total:.2f}"}]
        body = {"terminal": f"T{seq % 3 + 1}", "receipt_no": f"{store}-{phase}-{seq:07d}", "occurred_at": at,
                "member": {"card": ml.card_of(rng.randrange(members))}, "lines": lines, "payments": payments,
                "amount_paid": f"{total:.2f}"}
        out.append((store, body))
    return out


# ---- the server ----------------------------------------------------------------------------------

def free_port() -> int:
    """BENCH_PORT when set (a shared machine hands each person a range of ports), else any free one."""
    if os.environ.get("BENCH_PORT", "").isdigit():
        return int(os.environ["BENCH_PORT"])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, env: dict, *, workers: int, worker_class: str, threads: int):
        self.port = free_port()
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.cmd = [str(gunicorn) if gunicorn.exists() else sys.executable, *([] if gunicorn.exists() else ["-m", "gunicorn"]),
                    "config.wsgi:application", "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
                    "--worker-class", worker_class, "--threads", str(threads), "--backlog", "2048",
                    "--timeout", "120", "--log-level", "warning"]
        self.proc = subprocess.Popen(self.cmd, cwd=str(ROOT), env=env)

    def wait_ready(self, key: str) -> None:
        import http.client

        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("GET", "/api/v1/members/?q=0000", headers={"Authorization": f"Bearer {key}", **PROXY})
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return
                raise RuntimeError(f"the server answers {status}")
            except (ConnectionError, OSError):
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("gunicorn did not start")
                time.sleep(0.2)

    def pids(self) -> list[int]:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        kids = [int(p) for p in children.read_text().split()] if children.exists() else []
        return [self.proc.pid, *kids]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# ---- CPU accounting (where the time goes) -----------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0.0


def postgres_cpu() -> float:
    """CPU seconds used so far by all PostgreSQL processes alive now (backends of this run included)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip().startswith("postgres"):
                    total += _cpu_of(int(entry.name))
            except OSError:
                pass
    return total


# ---- the client process --------------------------------------------------------------------------

def percentiles(samples_ms: list[float]) -> dict:
    if not samples_ms:
        return {"p50_ms": None, "p99_ms": None}
    ordered = sorted(samples_ms)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]
    return {"p50_ms": round(statistics.median(ordered), 2), "p99_ms": round(p99, 2)}


def _http_poster(spec: dict):
    import http.client

    local = threading.local()
    headers = {code: {"Authorization": f"Bearer {key}", "Content-Type": "application/json", "Connection": "keep-alive", **PROXY}
               for code, key in spec["keys"].items()}

    def post(store: str, payload: bytes) -> None:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection("127.0.0.1", spec["port"], timeout=300)
        conn.request("POST", "/api/v1/sales/", body=payload, headers=headers[store])
        response = conn.getresponse()
        body = response.read()
        if response.status != 201:
            raise RuntimeError(f"HTTP {response.status}: {body[:300]!r}")
    return post


def _sql_poster(spec: dict):
    """The same rows as a posting writes, by plain psycopg: one transaction, one statement per table."""
    import psycopg
    from psycopg.types.json import Jsonb

    local = threading.local()
    today = dt.date.fromisoformat(spec["today"])
    expires = dt.date.fromisoformat(spec["expires_on"])

    def post(store: str, payload: bytes) -> None:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = psycopg.connect(spec["url"])
        data = json.loads(payload)
        now = dt.datetime.now(dt.timezone.utc)
        store_id, client_id = spec["store_ids"][store], spec["client_ids"][store]
        amount = sum(Decimal(line["amount"]) for line in data["lines"])
        with conn.transaction():
            card_id, member_id, member_no = conn.execute(
                "SELECT c.id, c.member_id, m.member_no FROM members_card c JOIN members_member m ON m.id = c.member_id "
                "WHERE c.number = %s", (data["member"]["card"],)).fetchone()
            sale_id = conn.execute(
                "INSERT INTO sales_sale (created_at, updated_at, kind, terminal, receipt_no, occurred_at, business_date, identified_by,"
                " amount, amount_paid, returned_amount, content_hash, result, api_client_id, card_id, member_id, store_id)"
                " VALUES (%s, %s, 'sale', %s, %s, %s, %s, 'card', %s, %s, 0, %s, '{}', %s, %s, %s, %s) RETURNING id",
                (now, now, data["terminal"], data["receipt_no"], data["occurred_at"], today, amount, data["amount_paid"],
                 hashlib.sha256(payload).hexdigest(), client_id, card_id, member_id, store_id)).fetchone()[0]
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO sales_saleline (sale_id, line_no, sku, name, brand, category, style_no, size, colour, unit_price,"
                    " quantity, amount, returned_amount, returned_quantity) VALUES (%s, %s, %s, %s, %s, %s, '', '', '', %s, %s, %s, 0, 0)",
                    [(sale_id, ln["line_no"], ln["sku"], ln["name"], ln["brand"], ln["category"], ln["unit_price"], ln["quantity"],
                      ln["amount"]) for ln in data["lines"]])
                cur.executemany("INSERT INTO sales_salepayment (sale_id, method, amount, points, reference) VALUES (%s, %s, %s, 0, '')",
                                [(sale_id, p["method"], p["amount"]) for p in data["payments"]])
            conn.execute("UPDATE members_member SET total_spend = total_spend + %s,"
                         " last_purchase_at = greatest(coalesce(last_purchase_at, %s), %s) WHERE id = %s",
                         (amount, data["occurred_at"], data["occurred_at"], member_id))
            conn.execute("INSERT INTO tiers_membertier (member_id, programme_id, reached_on, last_qualified_on, override_reason)"
                         " VALUES (%s, %s, %s, %s, '') ON CONFLICT (member_id) DO UPDATE SET last_qualified_on = EXCLUDED.last_qualified_on",
                         (member_id, spec["programme_id"], today, today))
            points = int(amount)
            account_id, balance, debt = conn.execute(
                "INSERT INTO points_pointsaccount (member_id, balance, debt, updated_at) VALUES (%s, %s, 0, %s)"
                " ON CONFLICT (member_id) DO UPDATE SET balance = points_pointsaccount.balance + EXCLUDED.balance,"
                " updated_at = EXCLUDED.updated_at RETURNING id, balance, debt", (member_id, points, now)).fetchone()
            lot_id = conn.execute(
                "INSERT INTO points_pointslot (account_id, store_id, sale_id, earned_on, available_on, expires_on, original, remaining, pending)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, false) RETURNING id",
                (account_id, store_id, sale_id, today, today, expires, points, points)).fetchone()[0]
            conn.execute(
                "INSERT INTO points_pointsentry (account_id, kind, points, debt, business_date, created_at, store_id, sale_id, lot_id,"
                " action, note, detail) VALUES (%s, 'earn', %s, 0, %s, %s, %s, %s, %s, '', '', %s)",
                (account_id, points, today, now, store_id, sale_id, lot_id, Jsonb({"rate": "1.00", "level": None})))
            result = {"id": sale_id, "kind": "sale", "store": store, "receipt_no": data["receipt_no"], "business_date": spec["today"],
                      "amount": f"{amount:.2f}", "amount_paid": data["amount_paid"], "member": {"id": member_id, "member_no": member_no},
                      "points": {"earned": points, "pending": False, "spent": 0, "balance": balance, "points_debt": debt},
                      "tier": None, "benefits": []}
            conn.execute("UPDATE sales_sale SET result = %s WHERE id = %s", (Jsonb(result), sale_id))
    return post


def run_client(spec_path: str) -> None:
    """The client process: read the spec, post, print one JSON line with the timings."""
    spec = json.loads(Path(spec_path).read_text())
    work = [(store, json.dumps(body, ensure_ascii=False).encode()) for store, body in
            (json.loads(line) for line in Path(spec["bodies"]).read_text().splitlines())]
    post = (_sql_poster if spec["target"] == "sql" else _http_poster)(spec)
    lock = threading.Lock()
    nxt = iter(range(len(work)))
    latencies, errors, ends = [], [], []
    duration, rate = spec["duration"], spec.get("rate")
    start = time.perf_counter() + 0.2
    deadline = start + duration
    late = [0]

    def worker() -> None:
        while True:
            with lock:
                i = next(nxt, None)
            if i is None:
                return
            if rate:  # open loop: request i is due at start + i / rate, whatever happened before
                due = start + i / rate
                if due >= deadline:
                    return
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                t0 = due
            else:
                t0 = time.perf_counter()
                if t0 >= deadline:
                    return
            try:
                post(*work[i])
            except Exception as exc:  # noqa: BLE001 — counted and reported
                with lock:
                    errors.append(str(exc)[:300])
                continue
            t1 = time.perf_counter()
            with lock:
                latencies.append((t1 - t0) * 1000)
                ends.append(t1)

    if not rate:
        while time.perf_counter() < start:
            time.sleep(0.01)
    cpu0 = time.process_time()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(spec["clients"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = (max(ends) - start) if ends else 0.0
    offered = min(len(work), int(duration * rate)) if rate else None
    out = {"done": len(latencies), "errors": len(errors), "first_errors": errors[:3], "seconds": round(elapsed, 2),
           "per_s": round(len(latencies) / elapsed, 1) if elapsed else 0.0, **percentiles(latencies),
           "client_cpu_s": round(time.process_time() - cpu0, 2)}
    if rate:
        out.update(offered_per_s=rate, offered=offered, unsent=max(0, offered - len(latencies) - len(errors)) if offered else 0)
    print(json.dumps(out), flush=True)


def client_phase(spec: dict, postings: list, workdir: Path, name: str, server: Server | None = None) -> dict:
    bodies = workdir / f"{name}.jsonl"
    bodies.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in postings))
    spec = {**spec, "bodies": str(bodies)}
    path = workdir / f"{name}.json"
    path.write_text(json.dumps(spec))
    server_pids = server.pids() if server else []
    app0, pg0 = sum(_cpu_of(p) for p in server_pids), postgres_cpu()
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--client", str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"client {name} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    n = max(result["done"], 1)
    result["cpu_ms_per_posting"] = {"app": round((sum(_cpu_of(p) for p in server_pids) - app0) * 1000 / n, 2) if server else 0.0,
                                    "postgres": round((postgres_cpu() - pg0) * 1000 / n, 2),
                                    "client": round(result.pop("client_cpu_s") * 1000 / n, 2)}
    if result["errors"]:
        log(f"{name}: {result['errors']} errors, e.g. {result['first_errors'][:1]}")
    return result


# ---- main ----------------------------------------------------------------------------------------

def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--history-sales", type=int, default=None,
                        help="sales of history generated before the run (default 10 per member; 0 for none)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients in the throughput phases")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per phase")
    parser.add_argument("--rate", type=float, default=GOAL_PER_S / 2, help="offered postings/s in the latency phase")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", choices=("sync", "gthread"), default="sync")
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_POSTING_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (default: drop it)")
    parser.add_argument("--client", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.client:
        return run_client(args.client)
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("the benchmark needs PostgreSQL")
    history_sales = 10 * args.members if args.history_sales is None else args.history_sales

    workdir = Path(tempfile.mkdtemp(prefix="vipdesk-posting-"))
    env = production_env(args.database_url, workdir / "data")
    server = None
    try:
        info = setup(args.database_url, env, args.members, history_sales, args.clients)
        from vipdesk.points.rules import expires_on
        from vipdesk.points.services import policy

        stores = list(info["keys"])
        base = {"target": "api", "port": None, "keys": info["keys"], "clients": args.clients, "duration": args.duration}
        server = Server(env, workers=args.workers, worker_class=args.worker_class, threads=args.threads)
        server.wait_ready(next(iter(info["keys"].values())))
        base["port"] = server.port
        log(f"gunicorn up: {args.workers} {args.worker_class} workers × {args.threads} threads; warming up")
        room = int(max(args.rate, GOAL_PER_S * 2) * args.duration) + 100  # more bodies than any phase can post
        n, seed = info["members"], iter(range(1000))
        client_phase(base, make_postings("W", 20 * args.workers + 50, members=n, stores=stores, seed=next(seed)), workdir, "warmup", server)

        log(f"throughput: {args.clients} clients for {args.duration:.0f} s")
        api = client_phase(base, make_postings("T", room, members=n, stores=stores, seed=next(seed)), workdir, "api_throughput", server)
        log(f"  {api['per_s']} postings/s, p50 {api['p50_ms']} ms, p99 {api['p99_ms']} ms")
        open_clients = max(64, args.clients)
        latency = {}
        for rate in sorted({args.rate, round(api["per_s"] / 2, 1)}, reverse=True):
            if rate <= 0 or (rate != args.rate and rate >= args.rate):
                continue
            log(f"latency: offered {rate} postings/s for {args.duration:.0f} s")
            postings = make_postings(f"L{int(rate)}", int(rate * args.duration) + 10, members=n, stores=stores, seed=next(seed))
            latency[str(rate)] = client_phase({**base, "rate": rate, "clients": open_clients}, postings, workdir, f"api_rate_{rate}", server)
            log(f"  {latency[str(rate)]['per_s']} postings/s done, p50 {latency[str(rate)]['p50_ms']} ms, p99 {latency[str(rate)]['p99_ms']} ms")
        server.stop()
        server = None

        today = business_today()
        sql_spec = {**base, "target": "sql", "url": args.database_url, "today": today.isoformat(),
                    "expires_on": expires_on(policy(), today).isoformat(), "store_ids": info["store_ids"],
                    "client_ids": info["client_ids"], "programme_id": info["programme_id"]}
        log(f"sql baseline: {args.clients} clients for {args.duration:.0f} s")
        sql = client_phase(sql_spec, make_postings("S", room * 4, members=n, stores=stores, seed=next(seed)), workdir, "sql_throughput")
        log(f"  {sql['per_s']} postings/s, p50 {sql['p50_ms']} ms, p99 {sql['p99_ms']} ms")
        sql_rate = client_phase({**sql_spec, "rate": args.rate, "clients": open_clients},
                                make_postings("R", int(args.rate * args.duration) + 10, members=n, stores=stores, seed=next(seed)),
                                workdir, "sql_rate")
        log(f"  at {args.rate}/s: p50 {sql_rate['p50_ms']} ms, p99 {sql_rate['p99_ms']} ms")
    finally:
        if server is not None:
            server.stop()
        if not args.keep:
            drop_database(args.database_url)
        shutil.rmtree(workdir, ignore_errors=True)

    goal_rate = latency.get(str(args.rate), {})
    result = {
        "bench": "posting", "db": "postgresql", "members": info["members"],
        "history_sales": (info["history"] or {}).get("sales", 0),
        "server": {"gunicorn_workers": args.workers, "worker_class": args.worker_class, "threads": args.threads},
        "clients": args.clients, "duration_s": args.duration,
        "api": {"throughput": api, "latency": latency},
        "sql": {"throughput": sql, "latency": {str(args.rate): sql_rate}},
        "ratio_sql_vs_api_per_s": round(sql["per_s"] / api["per_s"], 1) if api["per_s"] else None,
        "ratio_api_vs_sql_p50": round(api["p50_ms"] / sql["p50_ms"], 1) if api["p50_ms"] and sql["p50_ms"] else None,
        "ratio_api_vs_sql_p99_at_rate": (round(goal_rate["p99_ms"] / sql_rate["p99_ms"], 1)
                                         if goal_rate.get("p99_ms") and sql_rate.get("p99_ms") else None),
        "goal": {"per_s": GOAL_PER_S, "p99_ms": GOAL_P99_MS, "at_per_s": args.rate},
        "cpus": os.cpu_count(), "loadavg_1m": round(os.getloadavg()[0], 2), "setup_s": info["setup_s"],
    }
    result["goal_met"] = bool(api["per_s"] >= GOAL_PER_S and goal_rate.get("p99_ms") is not None
                              and goal_rate["p99_ms"] < GOAL_P99_MS and not goal_rate.get("unsent") and not goal_rate.get("errors"))
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return result


if __name__ == "__main__":
    main()
