"""A real HTTP receiver for the webhook tests: http.server in a thread on a free local port.

`mode` decides the answer: "ok" (204), "fail" (500), "slow" (204 after `delay` seconds), "hold" (wait
until `release` is set, then 204 — one that holds the request while the test kills the sender), "timeout" (wait
until released; the sender's read timeout fires first). Every request is kept with its headers and
body, and whether its signature verifies with the documented algorithm (docs/api.md)."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def verify(secret: str, body: bytes, timestamp: str, signature_header: str, tolerance: int = 300, now=None) -> bool:
    """The verification example of docs/api.md, copied as a receiver would write it."""
    if abs((now or time.time()) - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(part.strip().removeprefix("v1="), expected)
               for part in signature_header.split(",") if part.strip().startswith("v1="))


class Receiver:
    def __init__(self, secret: str = ""):
        self.secret = secret
        self.mode = "ok"
        self.delay = 0.3
        self.requests: list[dict] = []
        self.release = threading.Event()
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                entry = {"headers": dict(self.headers), "body": body, "json": json.loads(body), "mode": receiver.mode,
                         "verified": bool(receiver.secret) and verify(receiver.secret, body, self.headers["X-Vipdesk-Timestamp"],
                                                                      self.headers["X-Vipdesk-Signature"])}
                receiver.requests.append(entry)
                receiver.arrived.set()
                mode = receiver.mode
                if mode in ("hold", "timeout"):
                    receiver.release.wait(30)
                elif mode == "slow":  # a receiver that takes `delay` seconds to answer
                    threading.Event().wait(receiver.delay)
                code = 500 if mode == "fail" else 204
                try:
                    self.send_response(code)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:  # the sender gave up (timeout) or was killed
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def event_ids(self) -> list[str]:
        return [r["headers"]["X-Vipdesk-Event-Id"] for r in self.requests]
