"""API throttling per key and per store (docs/api.md §5.2), counted in Django's cache (Redis in production).

A store key (a till, a service desk) has its own limit per minute, and all keys of one store share
a larger one; an HQ integration key has its own limit and no store budget. The key is counted
first and only a request its key allows is counted against the store, so a runaway till spends
its own budget, not its store's: the other tills keep working.

Counting is a fixed window of one clock minute (`cache.add` then `cache.incr`, atomic in Redis and
in the local-memory cache), not DRF's sliding list of timestamps, whose read-modify-write loses
counts when several workers serve the same store. Staff signed in to the console (session) and
unauthenticated callers are not throttled here: the key is what a machine uses.
"""
from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import BaseThrottle

WINDOW_SECONDS = 60


def rates() -> dict[str, int]:
    """Requests per minute: per store key, per store (all its keys), per HQ key."""
    return {"key": settings.VIPDESK_API_RATE_KEY, "store": settings.VIPDESK_API_RATE_STORE,
            "hq_key": settings.VIPDESK_API_RATE_HQ_KEY}


class ApiClientThrottle(BaseThrottle):
    def __init__(self):
        self._wait = None

    def allow_request(self, request, view) -> bool:
        client = request.user
        if not getattr(client, "is_api_client", False):
            return True
        limits = rates()
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        key_limit = limits["key"] if client.store_id else limits["hq_key"]
        if self._count(f"key:{client.pk}", window) > key_limit:
            return self._refuse(now)
        if client.store_id and self._count(f"store:{client.store_id}", window) > limits["store"]:
            return self._refuse(now)
        return True

    def _count(self, bucket: str, window: int) -> int:
        cache = caches[settings.VIPDESK_API_THROTTLE_CACHE]
        name = f"vipdesk:throttle:{bucket}:{window}"
        # A little longer than the window, so the counter outlives it whatever the two clocks say.
        cache.add(name, 0, timeout=WINDOW_SECONDS + 10)
        try:
            return cache.incr(name)
        except ValueError:  # expired between add and incr (a stalled worker): start again
            cache.add(name, 1, timeout=WINDOW_SECONDS + 10)
            return 1

    def _refuse(self, now: float) -> bool:
        self._wait = max(1, math.ceil((int(now // WINDOW_SECONDS) + 1) * WINDOW_SECONDS - now))
        return False

    def wait(self):
        return self._wait
