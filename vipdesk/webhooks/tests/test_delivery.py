"""Delivery against a real local HTTP receiver: signed requests, retries with back-off at a frozen
clock, timeouts and slow answers, order per member, giving up after 24 h, switching off a
subscription that keeps failing (HQ told), replays and secret rotation."""
import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from vipdesk.members.services import member_update
from vipdesk.testing.factories import make_member
from vipdesk.webhooks import signing
from vipdesk.webhooks.choices import DeliveryStatus as S
from vipdesk.webhooks.delivery import backoff, deliver_due
from vipdesk.webhooks.models import Attempt, Delivery, Subscription
from vipdesk.webhooks.services import (deliveries_replay, subscription_rotate_secret, subscription_set_active,
                                       subscriptions_disable_failing)

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(subscribe, guide_a):
    subscribe()  # before the member: her enrolment is the event
    return make_member(actor=guide_a, name="王芳", mobile="13912345678")


def test_a_delivery_is_signed_and_logged(subscribe, member, receiver):
    subscribe()
    assert deliver_due() == {"delivered": 1, "retry": 0, "failed": 0}
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request["verified"]
    assert request["json"]["type"] == "member.created" and request["headers"]["X-Vipdesk-Event-Id"] == request["json"]["id"]
    assert request["headers"]["X-Vipdesk-Signature"].startswith("v1=")
    delivery = Delivery.objects.get()
    assert delivery.status == S.DELIVERED and delivery.last_status_code == 204
    log = Attempt.objects.get()
    assert log.status_code == 204 and log.number == 1 and log.duration_ms >= 0


def test_signature_fails_with_another_secret_or_an_old_timestamp(subscribe, member, receiver):
    sub = subscribe()
    deliver_due()
    r = receiver.requests[0]
    ts, sig = r["headers"]["X-Vipdesk-Timestamp"], r["headers"]["X-Vipdesk-Signature"]
    now = timezone.now().timestamp()
    assert signing.verify(sub.secret, body=r["body"], timestamp=ts, signature_header=sig, now=now)
    assert not signing.verify("whsec_other", body=r["body"], timestamp=ts, signature_header=sig, now=now)
    assert not signing.verify(sub.secret, body=r["body"] + b" ", timestamp=ts, signature_header=sig, now=now)
    assert not signing.verify(sub.secret, body=r["body"], timestamp=ts, signature_header=sig, now=now + 301)


def test_failures_are_retried_with_exponential_backoff_and_jitter_then_given_up_after_24_hours(subscribe, guide_a, receiver, clock):
    subscribe()
    receiver.mode = "fail"
    clock.move_to(timezone.now().replace(microsecond=0), tick=False)
    make_member(actor=guide_a, name="王芳", mobile="13912345678")
    start = timezone.now()
    delivery = Delivery.objects.get()
    waits = []
    while True:
        deliver_due()
        delivery.refresh_from_db()
        if delivery.status != S.PENDING:
            break
        wait = delivery.next_attempt_at - timezone.now()
        waits.append(wait.total_seconds())
        clock.move_to(delivery.next_attempt_at)
    # 30 s · 2^(n-1) capped at an hour, each times a jitter in [0.5, 1)
    for n, wait in enumerate(waits[:8], start=1):
        nominal = min(30 * 2 ** (n - 1), 3600)
        assert nominal * 0.5 <= wait < nominal + 1e-6, (n, wait)
    assert waits[:8] != [min(30 * 2 ** (n - 1), 3600) for n in range(1, 9)]  # jittered
    assert delivery.status == S.FAILED and timezone.now() - start >= dt.timedelta(hours=24)
    assert timezone.now() - start < dt.timedelta(hours=24, minutes=1)  # the last try is at the deadline
    assert delivery.attempts == len(receiver.requests) == Attempt.objects.count()
    assert {r["json"]["id"] for r in receiver.requests} == {str(delivery.event.uuid)}  # one event id every time
    assert Attempt.objects.filter(status_code=500).count() == delivery.attempts
    assert 20 < delivery.attempts < 60


def test_backoff_is_deterministic_per_delivery_and_try():
    assert backoff(3, 7) == backoff(3, 7) and backoff(3, 7) != backoff(3, 8)
    assert dt.timedelta(seconds=60) <= backoff(3, 7) < dt.timedelta(seconds=120)


def test_a_receiver_that_times_out_is_retried(subscribe, member, receiver):
    subscribe()
    receiver.mode = "timeout"  # holds the request longer than WEBHOOK_TIMEOUT_SECONDS (0.5 s here)
    assert deliver_due()["retry"] == 1
    attempt = Attempt.objects.get()
    assert attempt.status_code is None and attempt.error == "timeout" and attempt.duration_ms >= 400
    assert Delivery.objects.get().status == S.PENDING


def test_a_slow_answer_within_the_timeout_is_delivered(subscribe, member, receiver, settings):
    subscribe()
    settings.VIPDESK = {**settings.VIPDESK, "WEBHOOK_TIMEOUT_SECONDS": 10}
    receiver.mode, receiver.delay = "slow", 0.3  # the receiver answers after 0.3 s
    assert deliver_due()["delivered"] == 1
    assert Attempt.objects.get().duration_ms >= 300


def test_order_is_kept_per_member(subscribe, guide_a, receiver, clock):
    subscribe()
    clock.move_to(timezone.now(), tick=False)
    wang = make_member(actor=guide_a, name="王芳", mobile="13912345678")
    li = make_member(actor=guide_a, name="李娜", mobile="13912345679")
    member_update(actor=guide_a, member=wang, data={"occupation": "教师"})
    receiver.mode = "fail"
    deliver_due()  # the heads of both members' queues fail; wang's update waits behind her creation
    assert [r["json"]["type"] for r in receiver.requests] == ["member.created", "member.created"]
    receiver.mode = "ok"
    first = Delivery.objects.order_by("id").first()
    clock.move_to(first.next_attempt_at + dt.timedelta(hours=1))
    deliver_due()
    by_member = {}
    for r in receiver.requests[2:]:
        by_member.setdefault(r["json"]["data"]["member"]["id"], []).append(r["json"]["type"])
    assert by_member == {wang.pk: ["member.created", "member.updated"], li.pk: ["member.created"]}
    assert set(Delivery.objects.values_list("status", flat=True)) == {S.DELIVERED}


def test_a_given_up_delivery_releases_the_ones_behind_it(subscribe, guide_a, receiver, clock):
    subscribe()
    clock.move_to(timezone.now(), tick=False)
    wang = make_member(actor=guide_a, name="王芳", mobile="13912345678")
    receiver.mode = "fail"
    deliver_due()
    clock.shift(dt.timedelta(hours=1))
    member_update(actor=guide_a, member=wang, data={"occupation": "教师"})
    clock.shift(dt.timedelta(hours=23))
    deliver_due()  # the creation is given up (its 24 h are over); the update, 23 h old, is tried
    assert [r["json"]["type"] for r in receiver.requests][-1] == "member.updated"
    assert list(Delivery.objects.order_by("id").values_list("status", flat=True)) == [S.FAILED, S.PENDING]


def test_a_subscription_failing_for_n_days_is_switched_off_and_hq_told(subscribe, member, receiver, clock, hq, settings):
    sub = subscribe()
    hq.email = "hq@example.com"
    hq.save()
    receiver.mode = "fail"
    clock.move_to(timezone.now(), tick=False)
    deliver_due()
    clock.shift(dt.timedelta(days=2, hours=23))
    assert subscriptions_disable_failing() == []
    clock.shift(dt.timedelta(hours=2))
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert [s.pk for s in subscriptions_disable_failing()] == [sub.pk]
    sub.refresh_from_db()
    assert not sub.active and "3" in sub.disabled_reason
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["hq@example.com"] and "ERP" in mail.outbox[0].subject
    # switched off: nothing is sent; on again, the waiting deliveries resume
    Delivery.objects.update(status=S.PENDING, next_attempt_at=timezone.now())
    before = len(receiver.requests)
    deliver_due()
    assert len(receiver.requests) == before
    receiver.mode = "ok"
    subscription_set_active(actor=hq, subscription=sub, active=True)
    assert deliver_due()["delivered"] == 1


def test_one_success_clears_the_failing_mark(subscribe, guide_a, receiver, clock):
    sub = subscribe()
    clock.move_to(timezone.now(), tick=False)
    make_member(actor=guide_a, name="王芳", mobile="13912345678")
    receiver.mode = "fail"
    deliver_due()
    assert Subscription.objects.get().failing_since is not None
    receiver.mode = "ok"
    clock.shift(dt.timedelta(hours=1))
    deliver_due()
    assert Subscription.objects.get(pk=sub.pk).failing_since is None


def test_replay_sends_the_same_event_id_again(subscribe, member, receiver, hq, clock):
    sub = subscribe()
    deliver_due()
    delivery = Delivery.objects.get()
    assert deliveries_replay(actor=hq, subscription=sub, delivery_ids=[delivery.pk]) == 1
    deliver_due()
    assert receiver.event_ids()[0] == receiver.event_ids()[1]
    assert deliveries_replay(actor=hq, subscription=sub, since=timezone.now() - dt.timedelta(days=1)) == 1
    deliver_due()
    assert len(set(receiver.event_ids())) == 1 and len(receiver.requests) == 3


def test_replay_and_changes_are_for_hq_only(subscribe, member, guide_a, manager_a):
    from vipdesk.core.errors import PermissionDenied

    sub = subscribe()
    for actor in (guide_a, manager_a):
        with pytest.raises(PermissionDenied):
            deliveries_replay(actor=actor, subscription=sub, delivery_ids=[1])


def test_during_a_rotation_both_secrets_sign(subscribe, guide_a, receiver, hq, clock):
    sub = subscribe()
    old = sub.secret
    sub = subscription_rotate_secret(actor=hq, subscription=sub, overlap_hours=24)
    make_member(actor=guide_a, name="王芳", mobile="13912345678")
    deliver_due()
    r = receiver.requests[-1]
    ts, sig, now = r["headers"]["X-Vipdesk-Timestamp"], r["headers"]["X-Vipdesk-Signature"], timezone.now().timestamp()
    assert sig.count("v1=") == 2
    assert signing.verify(old, body=r["body"], timestamp=ts, signature_header=sig, now=now)
    assert signing.verify(sub.secret, body=r["body"], timestamp=ts, signature_header=sig, now=now)
    clock.shift(dt.timedelta(hours=25))
    member_update(actor=guide_a, member=make_member(actor=guide_a, name="李娜", mobile="13912345679"), data={"occupation": "x"})
    deliver_due()
    assert receiver.requests[-1]["headers"]["X-Vipdesk-Signature"].count("v1=") == 1


def test_settled_events_are_forgotten_after_the_keep_days(subscribe, guide_a, receiver, clock):
    from vipdesk.webhooks.jobs import webhooks_job
    from vipdesk.webhooks.models import Event

    subscribe()
    clock.move_to(timezone.now(), tick=False)
    make_member(actor=guide_a, name="王芳", mobile="13912345678")
    deliver_due()
    receiver.mode = "fail"
    make_member(actor=guide_a, name="李娜", mobile="13912345679")
    deliver_due()
    clock.shift(dt.timedelta(days=31))
    assert webhooks_job(on=timezone.localdate()) == {"switched_off": 1, "events_purged": 1}
    assert Event.objects.count() == 1 and Delivery.objects.get().status == S.PENDING  # the waiting one is kept
