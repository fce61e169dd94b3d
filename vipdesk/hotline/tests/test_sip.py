"""The VIP hotline through a real SIP server (issue 19 §3): Debian's kamailio started with the repo's
deploy/kamailio/kamailio.cfg (its four site lines rewritten for loopback), asking a live vipdesk
where each call goes; SIP user agents (sipua.py) register as the manager's seat and a duty desk and
call in. Without kamailio the test skips on a laptop and fails where VIPDESK_REQUIRE_SIP=1 (CI)."""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import urllib.request
import uuid
from pathlib import Path

import pytest

from vipdesk.hotline.choices import CallOutcome
from vipdesk.hotline.models import Call, MissedCall, Seat

from .sipua import UserAgent

pytestmark = [pytest.mark.sip, pytest.mark.django_db(transaction=True)]

CFG = Path(__file__).resolve().parents[3] / "deploy" / "kamailio" / "kamailio.cfg"
PROXY = ("127.0.0.1", 8140)
SEAT_PORT, DESK_PORT, DESK2_PORT, CALLER_PORT = 8141, 8142, 8143, 8144
# A name, not the proxy's address: an alias of 127.0.0.1 would make every phone on loopback "myself".
DOMAIN = "hotline.vipdesk.test"
TOKEN = "sip-test-" + uuid.uuid4().hex


def _kamailio_binary() -> str:
    found = shutil.which("kamailio") or ("/usr/sbin/kamailio" if os.path.exists("/usr/sbin/kamailio") else "")
    modules = Path("/usr/lib/x86_64-linux-gnu/kamailio/modules")
    if not found or not (modules / "http_client.so").exists() or not (modules / "json.so").exists():
        message = ("kamailio with its http_client and json modules is not installed "
                   "(apt-get install kamailio kamailio-utils-modules kamailio-json-modules)")
        if os.environ.get("VIPDESK_REQUIRE_SIP"):
            pytest.fail(message + "; VIPDESK_REQUIRE_SIP is set, so this is a failure, not a skip")
        pytest.skip(message)
    return found


def site_config(vipdesk_url: str) -> str:
    """The repo's configuration with its four site lines set for this run."""
    values = {"LISTEN_ADDR": f"udp:{PROXY[0]}:{PROXY[1]}", "SIP_DOMAIN": DOMAIN, "VIPDESK_URL": vipdesk_url,
              "VIPDESK_TOKEN": TOKEN}
    text = CFG.read_text()
    for name, value in values.items():
        text, count = re.subn(rf'^#!substdef "!{name}!.*!g"$', f'#!substdef "!{name}!{value}!g"', text, flags=re.M)
        assert count == 1, name
    return text


def _ping(timeout: float) -> bool:
    """An OPTIONS keepalive answered by kamailio (how the fixture knows it listens)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        s.settimeout(timeout)
        port = s.getsockname()[1]
        call_id = uuid.uuid4().hex
        s.sendto((f"OPTIONS sip:127.0.0.1:{PROXY[1]} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK{call_id}\r\n"
                  f"Max-Forwards: 5\r\nFrom: <sip:ping@127.0.0.1>;tag=1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: {call_id}\r\n"
                  f"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n").encode(), PROXY)
        try:
            return s.recvfrom(4096)[0].startswith(b"SIP/2.0 200")
        except socket.timeout:
            return False


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM, as systemd stops it; a kamailio still shutting down after 20 s (a child finishing an HTTP
    question on a loaded CI machine has been seen to) is killed with its whole group, so no process
    keeps the SIP port for the next test. The calls under test were asserted before this point."""
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        print("kamailio did not stop within 20 s of SIGTERM; killing its process group")
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # also any child left behind by a main process that did exit
    except ProcessLookupError:
        pass
    proc.wait(10)


@pytest.fixture
def kamailio(live_server, settings, tmp_path):
    binary = _kamailio_binary()
    settings.VIPDESK_SIP_TOKEN = TOKEN
    settings.VIPDESK_SIP_DOMAIN = DOMAIN
    url = live_server.url.replace("localhost", "127.0.0.1")
    # one question first, so the server's first-request start-up does not eat kamailio's HTTP time-out
    request = urllib.request.Request(url + "/sip/hotline/register/", data=b"seat=none&expires=0",
                                     headers={"X-Vipdesk-Sip-Token": TOKEN})
    assert urllib.request.urlopen(request, timeout=30).status == 200
    cfg = tmp_path / "kamailio.cfg"
    cfg.write_text(site_config(url))
    log = (tmp_path / "kamailio.log").open("w")
    # its own process group, so the teardown can end the main process and every child it forked
    proc = subprocess.Popen([binary, "-f", str(cfg), "-DD", "-E", "-Y", str(tmp_path), "-w", str(tmp_path), "-m", "32", "-M", "8"],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        for _attempt in range(50):  # each attempt waits up to 0.2 s for the answer
            if proc.poll() is not None or _ping(0.2):
                break
        if proc.poll() is not None:
            pytest.fail("kamailio did not start:\n" + (tmp_path / "kamailio.log").read_text()[-3000:])
        yield proc
    finally:
        _stop(proc)
        log.close()
        print((tmp_path / "kamailio.log").read_text()[-6000:])  # shown when a test fails


@pytest.fixture
def phones(kamailio, hotline):
    agents = {"seat": UserAgent("seat-mgr", SEAT_PORT, PROXY, DOMAIN), "desk": UserAgent("desk-1", DESK_PORT, PROXY, DOMAIN)}
    try:
        for agent in agents.values():
            assert agent.register() == 200
        yield agents
    finally:
        for agent in agents.values():
            agent.close()


def _caller(number: str) -> UserAgent:
    return UserAgent(number, CALLER_PORT, PROXY, DOMAIN)


def test_phones_registering_show_as_present(phones, hotline):
    assert Seat.objects.get(username="seat-mgr").registered_until is not None
    assert Seat.objects.get(username="desk-1").registered_until is not None
    assert Seat.objects.get(username="desk-2").registered_until is None  # no phone on it


def test_vip_reaches_the_managers_seat_and_the_seat_is_idle_after_hanging_up(phones, hotline):
    caller = _caller(hotline["vip"].mobile)
    try:
        call = caller.call("95588")
        assert call.code == 200
        phones["seat"].wait_event("answered", 5)
        logged = Call.objects.get(call_id=call.call_id)
        assert (logged.outcome, logged.answered_by, logged.vip) == (CallOutcome.ANSWERED, "客户经理席", True)
        assert Seat.objects.get(username="seat-mgr").on_call
        assert phones["desk"].events.empty()  # the desk never rang
        assert call.hang_up() == 200
        logged.refresh_from_db()
        seat = Seat.objects.get(username="seat-mgr")
        assert logged.ended_at is not None and not seat.on_call and seat.idle_since == logged.ended_at
    finally:
        caller.close()


def test_seat_not_answering_within_its_ring_time_moves_the_call_to_the_duty_desk(phones, hotline):
    phones["seat"].answer = False
    caller = _caller(hotline["vip"].mobile)
    try:
        call = caller.call("95588")
        assert call.code == 200
        assert phones["seat"].wait_event("invited", 1) == call.call_id
        assert phones["seat"].wait_event("cancelled", 1) == call.call_id  # rang 2 s, then cancelled
        assert phones["desk"].wait_event("answered", 1) == call.call_id
        logged = Call.objects.get(call_id=call.call_id)
        assert (logged.outcome, logged.answered_by, logged.answered_step) == (CallOutcome.ANSWERED, "值班台1", 3)
        # the manager's mobile (gateway 127.0.0.1:8149, where nothing listens) was tried and failed in between
        events = [(a["step"], a["event"]) for a in logged.attempts if a["event"] != "skipped"]
        assert events[0] == (1, "failed") and (3, "answered") in events
        assert logged.wait_seconds >= 2
        call.hang_up()
    finally:
        caller.close()


def test_nobody_answering_leaves_a_missed_call_ticket_for_the_manager(phones, hotline, clock):
    hotline["line"].gateway = ""  # no mobiles: seat, then desk, then nobody
    hotline["line"].save()
    phones["seat"].answer = phones["desk"].answer = False
    caller = _caller(hotline["vip"].mobile)
    try:
        call = caller.call("95588")
        assert call.code == 480
        assert phones["seat"].wait_event("cancelled", 1) == call.call_id
        assert phones["desk"].wait_event("cancelled", 1) == call.call_id
        logged = Call.objects.get(call_id=call.call_id)
        assert logged.outcome == CallOutcome.MISSED
        missed = MissedCall.objects.get(call=logged)
        assert missed.assignee == hotline["manager"] and missed.member == hotline["vip"]
        assert (missed.callback_due - logged.ended_at).total_seconds() == 30 * 60
    finally:
        caller.close()


def test_a_caller_who_is_no_vip_goes_straight_to_the_duty_desk(phones, hotline):
    caller = _caller("13700009999")
    try:
        call = caller.call("95588")
        assert call.code == 200
        assert phones["desk"].wait_event("answered", 1) == call.call_id
        assert phones["seat"].events.empty()
        logged = Call.objects.get(call_id=call.call_id)
        assert (logged.vip, logged.answered_by, logged.member) == (False, "值班台1", None)
        call.hang_up()
    finally:
        caller.close()
