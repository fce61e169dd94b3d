"""The live notice stream: Server-Sent Events from an async StreamingHttpResponse (served by uvicorn,
config/asgi.py; docs/decisions.md). A page opens it with EventSource; the browser reconnects by
itself and sends Last-Event-ID, and the notices stored since that id are sent first (a fresh page
gets the last hours' notices nobody has acted on). Then whatever the bus brings for this person.

Subscribe first, read the backlog second: a notice published in between arrives twice and is
dropped by its id, never lost.

A stream ends after STREAM_SECONDS and the browser opens the next one (nothing is missed: it sends
Last-Event-ID). Served over WSGI (gunicorn's sync workers, the test server) a stream would hold a
worker thread for as long as the page is open, so there it sends the backlog and ends at once, and
the page asks again after WSGI_RETRY_MS: the pane still fills, a few seconds late, and no thread waits.
"""
from __future__ import annotations

import asyncio
import json

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import connections
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseForbidden, StreamingHttpResponse

from vipdesk.arrivals.bus import bus
from vipdesk.arrivals.services import notices_since

KEEPALIVE_SECONDS = 15
RETRY_MS = 2000
STREAM_SECONDS = 300
WSGI_RETRY_MS = 5000


def _backlog(user, last) -> list[dict]:
    """The notices waiting for this person. Under ASGI a stream lives for minutes and its request does
    not finish meanwhile (Django closes connections when a request finishes), so the connection this
    read opened is closed here: two hundred open pages must not hold two hundred database connections."""
    try:
        return notices_since(user, last)
    finally:
        connections.close_all()


def _event(data: dict) -> str:
    return f"id: {data['id']}\nevent: arrival\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _last_id(request) -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.GET.get("after") or ""
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


async def arrival_stream(request):
    user = await request.auser()
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
    if not getattr(user, "role", None) and not user.is_superuser:
        return HttpResponseForbidden()
    last = _last_id(request)
    if not isinstance(request, ASGIRequest):
        # WSGI: what is waiting, then the end (the page asks again after WSGI_RETRY_MS). A plain list,
        # so the WSGI server iterates it without Django draining an async iterator on its behalf.
        backlog = await sync_to_async(notices_since)(user, last)
        return _sse([f"retry: {WSGI_RETRY_MS}\n: connected\n\n", *(_event(data) for data in backlog)])

    async def events():
        async with bus().subscribe(user.pk) as queue:
            yield f"retry: {RETRY_MS}\n: connected\n\n"
            sent = last or 0
            for data in await sync_to_async(_backlog)(user, last):
                sent = max(sent, data["id"])
                yield _event(data)
            deadline = asyncio.get_running_loop().time() + STREAM_SECONDS
            while asyncio.get_running_loop().time() < deadline:
                try:
                    text = await asyncio.wait_for(queue.get(), timeout=KEEPALIVE_SECONDS)
                except asyncio.TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                data = json.loads(text)
                if data["id"] <= sent:
                    continue
                sent = data["id"]
                yield _event(data)

    return _sse(events())


def _sse(content) -> StreamingHttpResponse:
    response = StreamingHttpResponse(content, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache, no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response
