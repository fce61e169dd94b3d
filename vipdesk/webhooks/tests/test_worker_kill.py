"""The delivery worker killed mid-delivery (SIGKILL while the receiver holds its request) and started
again: no event is lost, and what arrives twice arrives with the same event id.

The worker is a real process (`vipdesk webhooks deliver --loop`), so both processes share a database
file of their own (the test database of pytest is in memory on SQLite)."""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from .receiver import Receiver, verify

SETUP = textwrap.dedent("""
    from django.conf import settings
    from django.db import transaction
    from vipdesk.webhooks.outbox import record
    from vipdesk.webhooks.services import subscription_create
    settings.VIPDESK["WEBHOOK_DELIVER_ON_COMMIT"] = False
    sub = subscription_create(actor=None, data={"name": "ERP", "url": "%s", "events": ["member.updated"]})
    for i in range(6):
        with transaction.atomic():
            record("member.updated", member_id=1 + i %% 3, data={"member": {"id": 1 + i %% 3}, "n": i})
    print(sub.secret)
""")


def _env(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "PYTEST_VERSION", "VIPDESK_QUEUE")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'kill.sqlite3'}", VIPDESK_DATA_DIR=str(tmp_path), VIPDESK_QUEUE="sqlite",
               VIPDESK_WEBHOOK_TIMEOUT_SECONDS="20")
    return env


def _cli(env, *args, **kw):
    return subprocess.run([sys.executable, "-m", "vipdesk.cli", *args], env=env, capture_output=True, text=True, timeout=300, **kw)


def _wait_for(condition, seconds=60.0):
    """Wait for a state of the receiver (its `arrived` event is set on every request), with a deadline."""
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "timed out waiting"
        receiver_event.wait(0.5)
        receiver_event.clear()


receiver_event = None


def test_killed_worker_loses_no_event_and_duplicates_keep_their_event_id(tmp_path):
    global receiver_event
    env = _env(tmp_path)
    assert _cli(env, "migrate", "-v0").returncode == 0
    with Receiver() as receiver:
        receiver_event = receiver.arrived
        done = _cli(env, "shell", "-c", SETUP % receiver.url)
        assert done.returncode == 0, done.stderr
        receiver.secret = done.stdout.strip().splitlines()[-1]
        receiver.mode = "hold"  # the first request is held: the worker is mid-delivery
        worker = subprocess.Popen([sys.executable, "-m", "vipdesk.cli", "webhooks", "deliver", "--loop", "--interval", "0.2",
                                   "--worker", "w1"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            _wait_for(lambda: len(receiver.requests) >= 1)
            held = receiver.requests[0]["json"]["id"]
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(30)
        finally:
            if worker.poll() is None:
                worker.kill()
        receiver.mode = "ok"
        receiver.release.set()  # the killed worker never reads this answer
        db = sqlite3.connect(tmp_path / "kill.sqlite3")
        assert db.execute("SELECT status FROM webhooks_delivery d JOIN webhooks_event e ON e.id = d.event_id "
                          "WHERE e.uuid = ?", [held.replace("-", "")]).fetchone()[0] == "sending"
        again = subprocess.Popen([sys.executable, "-m", "vipdesk.cli", "webhooks", "deliver", "--loop", "--interval", "0.2",
                                  "--worker", "w1"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            _wait_for(lambda: len({r["json"]["id"] for r in receiver.requests}) >= 6)
            _wait_for(lambda: db.execute("SELECT COUNT(*) FROM webhooks_delivery WHERE status = 'delivered'").fetchone()[0] == 6)
        finally:
            again.send_signal(signal.SIGTERM)
            again.wait(30)
    ids = [r["json"]["id"] for r in receiver.requests]
    all_ids = {row[0] for row in db.execute("SELECT uuid FROM webhooks_event")}
    assert {i.replace("-", "") for i in ids} == all_ids  # no event lost
    assert len(ids) == 7 and ids.count(held) == 2  # the held one came twice, with its own event id both times
    # signed with the subscription's secret (the worker's clock is the real one, this test's is frozen:
    # the timestamp window is checked in test_delivery)
    assert all(verify(receiver.secret, r["body"], r["headers"]["X-Vipdesk-Timestamp"], r["headers"]["X-Vipdesk-Signature"],
                      now=int(r["headers"]["X-Vipdesk-Timestamp"])) for r in receiver.requests)
    # order per member kept across the crash: each member's events arrive in the order they were written
    firsts = {}
    for r in receiver.requests:
        if r["json"]["id"] not in firsts:
            firsts[r["json"]["id"]] = r["json"]["data"]
    per_member = {}
    for data in firsts.values():
        per_member.setdefault(data["member"]["id"], []).append(data["n"])
    assert all(ns == sorted(ns) for ns in per_member.values()) and len(per_member) == 3
