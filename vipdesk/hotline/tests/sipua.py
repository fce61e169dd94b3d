"""A small SIP user agent over UDP for the integration test (RFC 3261, just what a phone on a desk
does): register, ring and answer or not, take a CANCEL, call a number, ACK, hang up.

Each agent owns one socket and one reader thread; waits are blocking reads of a queue with a
timeout, never sleeps. It talks to a real kamailio (deploy/kamailio/kamailio.cfg)."""
from __future__ import annotations

import queue
import socket
import threading
import uuid

COMPACT = {"v": "via", "f": "from", "t": "to", "i": "call-id", "m": "contact", "l": "content-length", "c": "content-type"}
SDP = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
       "m=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")


class Message:
    def __init__(self, raw: bytes):
        head, _sep, self.body = raw.decode(errors="replace").partition("\r\n\r\n")
        lines = head.split("\r\n")
        self.first = lines[0]
        self.headers: list[tuple[str, str]] = []
        for line in lines[1:]:
            name, _c, value = line.partition(":")
            name = name.strip().lower()
            self.headers.append((COMPACT.get(name, name), value.strip()))
        parts = self.first.split(" ", 2)
        self.is_response = parts[0].startswith("SIP/")
        self.code = int(parts[1]) if self.is_response else 0
        self.method = self.cseq.split()[-1] if self.is_response else parts[0]
        self.uri = "" if self.is_response else parts[1]

    def all(self, name: str) -> list[str]:
        return [v for n, v in self.headers if n == name]

    def get(self, name: str) -> str:
        values = self.all(name)
        return values[0] if values else ""

    @property
    def cseq(self) -> str:
        return self.get("cseq")


def _uri_of(value: str) -> str:
    return value[value.index("<") + 1:value.index(">")] if "<" in value else value.split(";")[0]


class UserAgent:
    def __init__(self, user: str, port: int, proxy: tuple[str, int], domain: str = "127.0.0.1", answer: bool = True):
        self.user, self.port, self.proxy, self.domain, self.answer = user, port, proxy, domain, answer
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.settimeout(0.2)
        self.responses: queue.Queue[Message] = queue.Queue()
        self.events: queue.Queue[tuple[str, str]] = queue.Queue()  # ("invited"|"answered"|"cancelled"|"bye", call-id)
        self.tag = uuid.uuid4().hex[:8]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    # --- plumbing
    def close(self):
        self._stop.set()
        self._thread.join(2)
        self.sock.close()

    def _send(self, text: str, addr=None):
        self.sock.sendto(text.encode(), addr or self.proxy)

    def _run(self):
        while not self._stop.is_set():
            try:
                raw, addr = self.sock.recvfrom(65535)
            except (socket.timeout, OSError):
                continue
            msg = Message(raw)
            if msg.is_response:
                self.responses.put(msg)
            else:
                self._on_request(msg, addr)

    def _reply(self, req: Message, code: int, reason: str, addr, *, to_tag=True, body="", record_route=False):
        to = req.get("to")
        if to_tag and ";tag=" not in to:
            to = f"{to};tag={self.tag}"
        lines = [f"SIP/2.0 {code} {reason}"] + [f"Via: {v}" for v in req.all("via")]
        if record_route:
            lines += [f"Record-Route: {r}" for r in req.all("record-route")]
        lines += [f"From: {req.get('from')}", f"To: {to}", f"Call-ID: {req.get('call-id')}", f"CSeq: {req.cseq}",
                  f"Contact: <sip:{self.user}@127.0.0.1:{self.port}>"]
        if body:
            lines.append("Content-Type: application/sdp")
        lines.append(f"Content-Length: {len(body.encode())}")
        self._send("\r\n".join(lines) + "\r\n\r\n" + body, addr)

    def _on_request(self, req: Message, addr):
        call_id = req.get("call-id")
        if req.method == "INVITE":
            self._invites = getattr(self, "_invites", {})
            if call_id in self._invites:
                return  # a retransmission
            self._invites[call_id] = req
            self._reply(req, 180, "Ringing", addr)
            self.events.put(("invited", call_id))
            if self.answer:
                self._reply(req, 200, "OK", addr, body=SDP, record_route=True)
                self.events.put(("answered", call_id))
        elif req.method == "CANCEL":
            self._reply(req, 200, "OK", addr)
            invite = getattr(self, "_invites", {}).get(call_id)
            if invite is not None:
                self._reply(invite, 487, "Request Terminated", addr)
            self.events.put(("cancelled", call_id))
        elif req.method == "BYE":
            self._reply(req, 200, "OK", addr)
            self.events.put(("bye", call_id))
        elif req.method == "ACK":
            pass
        else:
            self._reply(req, 200, "OK", addr)

    def _request(self, method: str, uri: str, *, to: str, call_id: str, cseq: int, branch: str | None = None,
                 routes=(), body: str = "", extra=()) -> str:
        branch = branch or "z9hG4bK" + uuid.uuid4().hex[:12]
        lines = [f"{method} {uri} SIP/2.0", f"Via: SIP/2.0/UDP 127.0.0.1:{self.port};branch={branch};rport",
                 "Max-Forwards: 70", *[f"Route: {r}" for r in routes],
                 f"From: <sip:{self.user}@{self.domain}>;tag={self.tag}", f"To: {to}", f"Call-ID: {call_id}",
                 f"CSeq: {cseq} {method}", f"Contact: <sip:{self.user}@127.0.0.1:{self.port}>", *extra]
        if body:
            lines.append("Content-Type: application/sdp")
        lines.append(f"Content-Length: {len(body.encode())}")
        self._send("\r\n".join(lines) + "\r\n\r\n" + body)
        return branch

    def _final(self, call_id: str, method: str, timeout: float) -> Message:
        while True:
            msg = self.responses.get(timeout=timeout)
            if msg.get("call-id") == call_id and msg.method == method and msg.code >= 200:
                return msg

    # --- what a test does
    def register(self, expires: int = 300, timeout: float = 5) -> int:
        call_id = uuid.uuid4().hex
        self._request("REGISTER", f"sip:{self.domain}", to=f"<sip:{self.user}@{self.domain}>", call_id=call_id, cseq=1,
                      extra=[f"Expires: {expires}"])
        return self._final(call_id, "REGISTER", timeout).code

    def wait_event(self, kind: str, timeout: float) -> str:
        while True:
            got, call_id = self.events.get(timeout=timeout)
            if got == kind:
                return call_id

    def call(self, number: str, timeout: float = 30) -> Call:
        call_id = uuid.uuid4().hex + "@vipdesk-test"
        to = f"<sip:{number}@{self.domain}>"
        uri = f"sip:{number}@{self.domain}"
        branch = self._request("INVITE", uri, to=to, call_id=call_id, cseq=1, body=SDP)
        final = self._final(call_id, "INVITE", timeout)
        call = Call(self, call_id, final)
        if final.code >= 300:  # ACK a failure hop by hop, same branch
            self._request("ACK", uri, to=final.get("to"), call_id=call_id, cseq=1, branch=branch)
        else:
            self._request("ACK", _uri_of(final.get("contact")), to=final.get("to"), call_id=call_id, cseq=1,
                          routes=call.routes)
        return call


class Call:
    def __init__(self, ua: UserAgent, call_id: str, final: Message):
        self.ua, self.call_id, self.final, self.code = ua, call_id, final, final.code
        self.routes = list(reversed(final.all("record-route")))

    def hang_up(self, timeout: float = 5) -> int:
        self.ua._request("BYE", _uri_of(self.final.get("contact")), to=self.final.get("to"), call_id=self.call_id,
                         cseq=2, routes=self.routes)
        return self.ua._final(self.call_id, "BYE", timeout).code
