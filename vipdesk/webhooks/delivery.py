"""Delivering the outbox (R14.1): claim what is due, POST it signed, record the try, retry with
back-off and jitter for WEBHOOK_RETRY_HOURS, then give up.

- Claim: one short transaction takes up to `limit` due deliveries (SELECT … FOR UPDATE SKIP LOCKED on
  PostgreSQL; on SQLite the transaction is IMMEDIATE, i.e. one writer at a time) and marks them
  "sending" under a lease, with a conditional UPDATE so a row is never claimed twice.
- Order per member: a delivery is due only when no earlier delivery of the same subscription and
  member is still open (waiting or being sent) — a member's later event never overtakes an earlier
  one; a delivery given up releases the ones behind it.
- At least once: the HTTP call happens outside any transaction. A worker that dies mid-call leaves
  its rows "sending": they are taken again when the lease ends, or at once when the worker restarts
  under the same name (`release_worker`). The receiver de-duplicates by X-Vipdesk-Event-Id.
- A subscription failing without a single success for WEBHOOK_DISABLE_AFTER_DAYS is switched off and
  HQ is told (services.subscriptions_disable_failing).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import socket
import time

import requests
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from . import signing
from .choices import OPEN, DeliveryStatus as S
from .models import Attempt, Delivery, Subscription
from .outbox import body_of, conf

logger = logging.getLogger("vipdesk.webhooks")


def default_worker() -> str:
    return f"{socket.gethostname()}"[:100]


def backoff(attempts: int, delivery_id: int) -> dt.timedelta:
    """Wait before try attempts + 1: base · 2^(attempts-1), capped, times a jitter in [0.5, 1) that is
    fixed per delivery and try (sha256 of both), so a burst of failures does not retry in lockstep."""
    base = int(conf("WEBHOOK_RETRY_SECONDS", 30))
    cap = int(conf("WEBHOOK_RETRY_MAX_SECONDS", 3600))
    delay = min(base * 2 ** max(attempts - 1, 0), cap)
    digest = hashlib.sha256(f"{delivery_id}:{attempts}".encode()).digest()
    jitter = 0.5 + int.from_bytes(digest[:4], "big") / 2 ** 33  # [0.5, 1)
    return dt.timedelta(seconds=delay * jitter)


def deadline(delivery: Delivery) -> dt.datetime:
    return delivery.created_at + dt.timedelta(hours=float(conf("WEBHOOK_RETRY_HOURS", 24)))


def _due(now: dt.datetime):
    earlier_open = Delivery.objects.filter(subscription=OuterRef("subscription"), order_key=OuterRef("order_key"),
                                           id__lt=OuterRef("id"), status__in=OPEN)
    return (Delivery.objects.filter(Q(status=S.PENDING, next_attempt_at__lte=now) | Q(status=S.SENDING, lease_until__lt=now))
            .filter(subscription__active=True)
            .exclude(Q(order_key__gt=0) & Exists(earlier_open)))


def claim(now: dt.datetime, *, limit: int, worker: str) -> list[Delivery]:
    lease = dt.timedelta(seconds=int(conf("WEBHOOK_LEASE_SECONDS", 120)))
    with transaction.atomic():
        ids = list(_due(now).select_for_update(skip_locked=True, of=("self",)).order_by("next_attempt_at", "id")
                   .values_list("id", flat=True)[:limit])
        if not ids:
            return []
        (Delivery.objects.filter(id__in=ids).filter(Q(status=S.PENDING) | Q(status=S.SENDING, lease_until__lt=now))
         .update(status=S.SENDING, worker=worker, lease_until=now + lease, attempts=F("attempts") + 1))
    return list(Delivery.objects.filter(id__in=ids, status=S.SENDING, worker=worker, lease_until=now + lease)
                .select_related("event", "subscription").order_by("id"))


def release_worker(worker: str, now: dt.datetime | None = None) -> int:
    """A worker starting again under `worker` frees what it held when it died: due again now."""
    now = now or timezone.now()
    return Delivery.objects.filter(status=S.SENDING, worker=worker).update(status=S.PENDING, next_attempt_at=now,
                                                                           lease_until=None, worker="")


def _secrets(sub: Subscription, now: dt.datetime) -> list[str]:
    keep_old = sub.previous_secret and sub.previous_secret_until and sub.previous_secret_until > now
    return [sub.secret, sub.previous_secret] if keep_old else [sub.secret]


def request_for(delivery: Delivery, now: dt.datetime) -> tuple[bytes, dict]:
    body = body_of(delivery.event.payload)
    ts = int(now.timestamp())
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "vipdesk-webhooks/1",
               "X-Vipdesk-Event-Id": str(delivery.event.uuid), "X-Vipdesk-Event-Type": delivery.event.type,
               "X-Vipdesk-Delivery": str(delivery.pk), "X-Vipdesk-Attempt": str(delivery.attempts),
               "X-Vipdesk-Timestamp": str(ts),
               "X-Vipdesk-Signature": signing.header(_secrets(delivery.subscription, now), ts, body)}
    return body, headers


def send(delivery: Delivery, now: dt.datetime) -> tuple[int | None, str, int]:
    """POST it; (status code or None, error, milliseconds). Never raises."""
    body, headers = request_for(delivery, now)
    timeout = (float(conf("WEBHOOK_CONNECT_TIMEOUT_SECONDS", 3)), float(conf("WEBHOOK_TIMEOUT_SECONDS", 10)))
    started = time.monotonic()
    try:
        response = requests.post(delivery.subscription.url, data=body, headers=headers, timeout=timeout, allow_redirects=False)
        code, error = response.status_code, ("" if 200 <= response.status_code < 300 else f"HTTP {response.status_code}")
        response.close()
    except requests.Timeout:
        code, error = None, "timeout"
    except requests.RequestException as exc:
        code, error = None, f"{type(exc).__name__}: {exc}"[:300]
    except Exception as exc:  # noqa: BLE001 - a bad URL or the like must not leave the row "sending"
        logger.exception("webhooks: delivery %s", delivery.pk)
        code, error = None, f"{type(exc).__name__}: {exc}"[:300]
    return code, error, int((time.monotonic() - started) * 1000)


@transaction.atomic
def record(delivery: Delivery, now: dt.datetime, *, code: int | None, error: str, duration_ms: int, worker: str) -> str:
    Attempt.objects.create(delivery=delivery, number=delivery.attempts, at=now, duration_ms=duration_ms, status_code=code,
                           error=error[:300], worker=worker)
    mine = Delivery.objects.filter(pk=delivery.pk, status=S.SENDING, worker=worker)
    if code is not None and 200 <= code < 300:
        mine.update(status=S.DELIVERED, delivered_at=now, last_status_code=code, last_error="", lease_until=None,
                    next_attempt_at=None)
        Subscription.objects.filter(pk=delivery.subscription_id, failing_since__isnull=False).update(failing_since=None)
        return S.DELIVERED
    Subscription.objects.filter(pk=delivery.subscription_id, failing_since__isnull=True).update(failing_since=now)
    last = deadline(delivery)
    if now >= last:
        mine.update(status=S.FAILED, last_status_code=code, last_error=error[:300], lease_until=None, next_attempt_at=None)
        return S.FAILED
    when = min(now + backoff(delivery.attempts, delivery.pk), last)
    mine.update(status=S.PENDING, last_status_code=code, last_error=error[:300], lease_until=None, next_attempt_at=when)
    return "retry"


def deliver_due(now: dt.datetime | None = None, *, limit: int | None = None, worker: str | None = None,
                clock=None) -> dict[str, int]:
    """Deliver what is due now, batch after batch until nothing is due; counts by outcome.
    `clock` (default timezone.now) is read before each try, so a slow receiver's time is counted."""
    if clock is None:
        clock = (lambda: now) if now is not None else timezone.now
    worker = worker or default_worker()
    limit = limit or int(conf("WEBHOOK_BATCH", 100))
    counts = {S.DELIVERED: 0, "retry": 0, S.FAILED: 0}
    while True:
        batch = claim(clock(), limit=limit, worker=worker)
        if not batch:
            return counts
        for delivery in batch:
            started = clock()
            code, error, ms = send(delivery, started)
            counts[record(delivery, clock(), code=code, error=error, duration_ms=ms, worker=worker)] += 1
