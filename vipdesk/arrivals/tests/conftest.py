"""An ASGI live server for the stream tests: uvicorn on config.asgi in a thread. Django's
live_server is a WSGI thread server, which cannot hold an async event stream open.

Port: VIPDESK_TEST_ASGI_PORT (the first of ten to try, for shared machines with assigned ports),
else one the kernel picks."""
import os
import socket
import threading
import time

import pytest
from django.db import connections

REDIS_URL = os.environ.get("VIPDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _bind() -> socket.socket:
    first = int(os.environ.get("VIPDESK_TEST_ASGI_PORT", "0") or 0)
    for port in ([first + i for i in range(10)] if first else [0]):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            return sock
        except OSError:
            sock.close()
    raise RuntimeError(f"no free port from {first}")


@pytest.fixture
def asgi_server(transactional_db, monkeypatch):
    import uvicorn
    from django.core.asgi import get_asgi_application

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the test's own ORM calls beside the server's loop
    # As config/asgi.py does: each request's thread closes its connection when the request ends, so none is
    # left open in a finished thread to keep PostgreSQL from dropping the test database at the end.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    sock = _bind()
    server = uvicorn.Server(uvicorn.Config(get_asgi_application(), lifespan="off", log_level="warning",
                                           timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:  # uvicorn says when it listens; nothing to wait on but its flag
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    server.force_exit = True
    thread.join(10)
    sock.close()


@pytest.fixture
def redis_push(settings):
    """The push over a real Redis (pub/sub), skipped without one unless VIPDESK_REQUIRE_REDIS."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        if os.environ.get("VIPDESK_REQUIRE_REDIS"):
            pytest.fail(f"VIPDESK_REQUIRE_REDIS is set but Redis at {REDIS_URL} is not reachable: {exc}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    finally:
        client.close()
    settings.VIPDESK_PUSH, settings.VIPDESK_PUSH_REDIS_URL = "redis", REDIS_URL
    return REDIS_URL
