"""Real servers on localhost for the delivery tests: an SMTP server (aiosmtpd) and an HTTP server
(http.server in a thread) that records every request and answers from a script."""
from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body.decode())


@dataclass
class Gateway:
    """`statuses` are answered in order (then 200); every request is kept in `requests`."""

    server: ThreadingHTTPServer
    requests: list = field(default_factory=list)
    statuses: list = field(default_factory=list)
    answer: dict | None = None  # JSON body of a 2xx; default {"message_id": "gw-<n>"}
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/sms"


def start_gateway() -> Gateway:
    gateway: Gateway

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with gateway.lock:
                gateway.requests.append(Received(self.path, dict(self.headers), body))
                n = len(gateway.requests)
                status = gateway.statuses.pop(0) if gateway.statuses else 200
            payload = json.dumps(gateway.answer if gateway.answer is not None and status < 300 else {"message_id": f"gw-{n}"}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    gateway = Gateway(server=server)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return gateway


class MailSink:
    """aiosmtpd handler keeping every message; `replies` are answered to DATA in order (then 250)."""

    def __init__(self):
        self.messages = []
        self.replies: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.replies:
            return self.replies.pop(0)
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"
