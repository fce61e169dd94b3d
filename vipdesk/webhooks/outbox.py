"""The transactional outbox: `record` writes an event and one delivery per subscription that wants
it, in the caller's transaction (the receivers of the lower apps' signals call it inside the change's
own transaction: on rollback there is no event). After commit the queue is asked to deliver; should
that ask be lost (a crash between commit and enqueue), the every-minute sweep finds the rows anyway.

No subscription wants the type → nothing is written (postings pay one cached lookup).
"""
from __future__ import annotations

import datetime as dt
import json
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from .models import Delivery, Event, Subscription

CACHE_KEY = "webhooks:subscriptions:v1"
API_VERSION = "2026-12-01"


def conf(key: str, default):
    return settings.VIPDESK.get(key, default)


_memo: tuple[float, list[tuple[int, frozenset[str]]]] | None = None  # (valid until, rows): this process's copy


def wanted() -> list[tuple[int, frozenset[str]]]:
    """(id, event types) of the active subscriptions: a per-process copy kept a few seconds
    (WEBHOOK_LOCAL_CACHE_SECONDS) over the shared cache, which every subscription change drops — so a
    posting pays no query and no cache round trip, and a change is seen everywhere within seconds."""
    global _memo
    now = time.monotonic()
    if _memo is not None and _memo[0] > now:
        return _memo[1]
    rows = cache.get(CACHE_KEY)
    if rows is None:
        rows = [(pk, list(events or [])) for pk, events in Subscription.objects.filter(active=True).values_list("id", "events")]
        cache.set(CACHE_KEY, rows, int(conf("WEBHOOK_SUBSCRIPTION_CACHE_SECONDS", 30)))
    result = [(pk, frozenset(events)) for pk, events in rows]
    _memo = (now + float(conf("WEBHOOK_LOCAL_CACHE_SECONDS", 5)), result)
    return result


def forget_subscriptions() -> None:
    global _memo
    _memo = None
    cache.delete(CACHE_KEY)
    transaction.on_commit(forget_after_commit)


def forget_after_commit() -> None:
    global _memo
    _memo = None
    cache.delete(CACHE_KEY)


def body_of(payload: dict) -> bytes:
    """The exact bytes sent and signed: compact UTF-8 JSON, keys sorted (the same on every try)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def record(event_type: str, *, data: dict, member_id: int | None = None, occurred_at: dt.datetime | None = None) -> Event | None:
    """Write the event and its deliveries (inside the caller's transaction); None if nobody listens."""
    targets = [pk for pk, events in wanted() if event_type in events]
    if not targets:
        return None
    now = timezone.now()
    when = occurred_at or now
    event_id = uuid.uuid4()
    payload = json.loads(json.dumps({"id": str(event_id), "type": event_type, "api_version": API_VERSION,
                                     "occurred_at": when.isoformat().replace("+00:00", "Z"), "data": data},
                                    cls=DjangoJSONEncoder))
    with transaction.atomic(savepoint=False):  # the caller's transaction; one of its own if called outside one
        event = Event.objects.create(uuid=event_id, type=event_type, occurred_at=when, member_id=member_id, payload=payload)
        Delivery.objects.bulk_create([Delivery(event=event, subscription_id=pk, order_key=member_id or 0, created_at=now,
                                               next_attempt_at=now) for pk in targets])
    if conf("WEBHOOK_DELIVER_ON_COMMIT", True):
        _enqueue_once()
    return event


# Set by tasks.py (found by the queue's autodiscovery) to its "deliver now" task; None: only the sweep.
kick = None


def _enqueue_once() -> None:
    """One 'deliver now' per transaction, however many events it wrote."""
    conn = transaction.get_connection()
    if any(entry[1] is _kick for entry in conn.run_on_commit):
        return
    transaction.on_commit(_kick)


def _kick() -> None:
    if kick is not None:
        kick()
