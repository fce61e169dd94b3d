"""The push channel between the request that records an arrival and the pages that show it.

`publish(staff_id, text)` may be called from any thread (the sync views run on worker threads);
`subscribe(staff_id)` is an async context manager yielding an asyncio.Queue of texts, used by the
event stream (vipdesk/console/arrivals/stream.py) on the ASGI server's event loop.

- "local": an in-process channel, for the embedded default (`vipdesk demo`: one uvicorn process, no
  Redis). A message is handed to each subscriber's loop with call_soon_threadsafe.
- "redis": Redis pub/sub (redis-py; redis.asyncio on the subscribing side), for production where
  several server processes (or machines) share the work: whichever process takes the POST, the
  process holding the staff member's page receives it.

VIPDESK_PUSH chooses ("redis" when REDIS_URL is set, else "local"); VIPDESK_PUSH_REDIS_URL defaults
to REDIS_URL.
"""
from __future__ import annotations

import asyncio
import threading
from contextlib import asynccontextmanager

from django.conf import settings


def channel_of(staff_id: int) -> str:
    return f"vipdesk:arrivals:staff:{staff_id}"


class LocalBus:
    kind = "local"

    def __init__(self):
        self._lock = threading.Lock()
        self._subscribers: dict[int, set] = {}

    def publish(self, staff_id: int, text: str) -> int:
        with self._lock:
            targets = list(self._subscribers.get(staff_id, ()))
        for loop, queue in targets:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, text)
            except RuntimeError:  # that page's loop has closed: it is going away
                pass
        return len(targets)

    @asynccontextmanager
    async def subscribe(self, staff_id: int):
        entry = (asyncio.get_running_loop(), asyncio.Queue())
        with self._lock:
            self._subscribers.setdefault(staff_id, set()).add(entry)
        try:
            yield entry[1]
        finally:
            with self._lock:
                subscribers = self._subscribers.get(staff_id, set())
                subscribers.discard(entry)
                if not subscribers:
                    self._subscribers.pop(staff_id, None)


class RedisBus:
    kind = "redis"

    def __init__(self, url: str):
        import redis

        self.url = url
        self._client = redis.Redis.from_url(url, socket_timeout=5)

    def publish(self, staff_id: int, text: str) -> int:
        return self._client.publish(channel_of(staff_id), text)

    @asynccontextmanager
    async def subscribe(self, staff_id: int):
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(self.url)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(channel_of(staff_id))
        queue: asyncio.Queue = asyncio.Queue()

        async def pump():
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    data = message["data"]
                    queue.put_nowait(data.decode() if isinstance(data, bytes) else data)

        task = asyncio.create_task(pump())
        try:
            yield queue
        finally:
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 - the connection is going away either way
                pass
            await pubsub.aclose()
            await client.aclose()


_buses: dict[tuple, object] = {}
_buses_lock = threading.Lock()


def push_kind() -> tuple[str, str]:
    url = getattr(settings, "VIPDESK_PUSH_REDIS_URL", "") or getattr(settings, "REDIS_URL", "")
    kind = getattr(settings, "VIPDESK_PUSH", "") or ("redis" if url else "local")
    return kind, url


def bus():
    """The bus this process uses (one per setting, so tests that switch settings get the right one)."""
    key = push_kind()
    with _buses_lock:
        found = _buses.get(key)
        if found is None:
            found = _buses[key] = RedisBus(key[1]) if key[0] == "redis" else LocalBus()
        return found
