"""The event stream over real HTTP (uvicorn, config.asgi): a notice reaches the recipient's open
stream and nobody else's; a reconnect with Last-Event-ID gets what it missed; the same through
Redis pub/sub (marked redis)."""
import json

import pytest
import requests
from django.conf import settings as django_settings
from django.test import Client

from vipdesk.accounts.roles import Role
from vipdesk.arrivals.bus import bus
from vipdesk.arrivals.models import Notice
from vipdesk.arrivals.services import arrival_report, duty_set
from vipdesk.testing.factories import StaffFactory, make_member


def session_cookie(user) -> dict:
    """A signed-in session for `user`, as the browser's cookie (Django's test client signs in)."""
    client = Client()
    client.force_login(user)
    name = django_settings.SESSION_COOKIE_NAME
    return {name: client.cookies[name].value}


class Stream:
    """An open event stream read event by event (a plain SSE parser: id, event, data lines)."""

    def __init__(self, base, cookies, last_id=None):
        headers = {"Accept": "text/event-stream", "Sec-Fetch-Mode": "cors"}
        if last_id is not None:
            headers["Last-Event-ID"] = str(last_id)
        self.response = requests.get(f"{base}/arrivals/stream/", cookies=cookies, headers=headers, stream=True, timeout=10)
        assert self.response.status_code == 200, self.response.text[:300]
        assert self.response.headers["Content-Type"].startswith("text/event-stream")
        self.lines = self.response.iter_lines(decode_unicode=True)

    def next_event(self) -> dict:
        event = {}
        for line in self.lines:
            if line == "":
                if "data" in event:
                    return event
                event = {}
            elif line.startswith(":"):
                if "connected" in line:
                    self.connected = True
            else:
                key, _sep, value = line.partition(": ")
                event[key] = value
        raise AssertionError("stream ended")

    def wait_connected(self):
        for line in self.lines:
            if line.startswith(": connected"):
                return
        raise AssertionError("stream ended before it connected")

    def close(self):
        self.response.close()


@pytest.fixture
def scene(store_a, store_b, hq):
    owner = StaffFactory(username="owner_s", role=Role.GUIDE, stores=[store_a])
    other = StaffFactory(username="other_s", role=Role.GUIDE, stores=[store_b])
    member = make_member(actor=hq, store=store_a, name="赵敏", mobile="13811112222", gender="F")
    member.owner = owner
    member.save(update_fields=["owner"])
    duty_set(actor=owner, store=store_a, staff=owner)
    duty_set(actor=other, store=store_b, staff=other)
    return owner, other, member


def _through_the_stream(asgi_server, scene, store_a):
    owner, other, member = scene
    mine, theirs = Stream(asgi_server, session_cookie(owner)), Stream(asgi_server, session_cookie(other))
    mine.wait_connected()
    theirs.wait_connected()
    arrival_report(actor=None, store="SA01", point="entrance", data={"mobile": member.mobile})
    event = mine.next_event()
    data = json.loads(event["data"])
    notice = Notice.objects.get()
    assert event["event"] == "arrival" and int(event["id"]) == notice.pk == data["id"]
    assert data["salutation"] == "赵女士" and data["name"] == "赵*"
    # the other store's guide gets nothing: her stream has only its keep-alives (none within this test)
    # a second arrival while the page is away; the reconnect with Last-Event-ID gets it
    mine.close()
    member2 = make_member(actor=None, store=store_a, name="钱多多", mobile="13811113333")
    member2.owner = owner
    member2.save(update_fields=["owner"])
    arrival_report(actor=None, store="SA01", point="counter", data={"mobile": member2.mobile})
    again = Stream(asgi_server, session_cookie(owner), last_id=notice.pk)
    missed = json.loads(again.next_event()["data"])
    assert missed["member"] == member2.pk
    again.close()
    theirs.close()
    assert not Notice.objects.filter(staff=other).exists()


@pytest.mark.django_db(transaction=True)
def test_the_in_process_channel_pushes_to_the_owners_stream_and_a_reconnect_catches_up(asgi_server, scene, store_a, settings):
    settings.VIPDESK_PUSH = "local"
    assert bus().kind == "local"
    _through_the_stream(asgi_server, scene, store_a)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_redis_pub_sub_pushes_to_the_owners_stream(redis_push, asgi_server, scene, store_a):
    assert bus().kind == "redis"
    _through_the_stream(asgi_server, scene, store_a)


@pytest.mark.django_db(transaction=True)
def test_anonymous_gets_the_login_page_not_a_stream(asgi_server):
    r = requests.get(f"{asgi_server}/arrivals/stream/", allow_redirects=False, timeout=10)
    assert r.status_code == 302 and "/login/" in r.headers["Location"]


def test_over_wsgi_the_stream_sends_what_is_waiting_and_ends(scene, store_a, clock):
    """Behind a WSGI server a never-ending stream would hold a worker thread while the page is open:
    there it sends the notices waiting and ends, and the page asks again a few seconds later."""
    from datetime import timedelta

    from django.contrib.auth import SESSION_KEY

    owner, _other, member = scene
    arrival_report(actor=owner, store="SA01", point="entrance", data={"mobile": member.mobile})
    page = Client()
    page.force_login(owner)
    assert page.get("/members/").status_code == 200  # the clerk at work: the idle clock starts
    response = page.get("/arrivals/stream/", HTTP_ACCEPT="text/event-stream")
    body = b"".join(response).decode()  # it ends: the test would hang otherwise
    assert "retry: 5000" in body and body.count("event: arrival") == 1
    # the pane asking again is not the clerk at work: it does not keep an idle tablet signed in
    for _ in range(4):
        clock.shift(timedelta(minutes=15))
        b"".join(page.get("/arrivals/stream/", HTTP_ACCEPT="text/event-stream"))
    clock.shift(timedelta(minutes=6))
    assert page.get("/members/").status_code == 302 and SESSION_KEY not in page.session
