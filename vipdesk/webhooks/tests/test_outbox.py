"""The transactional outbox: an event row (and its deliveries) written in the change's own
transaction, nothing on rollback or when nobody listens, and payloads without personal data."""
import pytest
from django.db import transaction

from vipdesk.members.services import member_update, member_withdraw
from vipdesk.testing.factories import make_member
from vipdesk.webhooks.choices import DeliveryStatus, EventType
from vipdesk.webhooks.models import Delivery, Event

pytestmark = pytest.mark.django_db

PERSONAL = ("王芳", "13912345678", "5678")


def test_nobody_listening_writes_nothing(guide_a):
    make_member(actor=guide_a, name="王芳", mobile="13912345678")
    assert not Event.objects.exists()


def test_member_events_carry_ids_not_personal_data(subscribe, guide_a):
    sub = subscribe()
    member = make_member(actor=guide_a, name="王芳", mobile="13912345678")
    member_update(actor=guide_a, member=member, data={"occupation": "教师"})
    member_withdraw(actor=None, member=member, reason="moving")
    events = list(Event.objects.order_by("id"))
    assert [e.type for e in events] == ["member.created", "member.updated", "member.withdrawn"]
    created = events[0].payload
    assert set(created) == {"id", "type", "api_version", "occurred_at", "data"}
    assert created["data"]["member"]["member_no"] == member.member_no and created["data"]["member"]["home_store"] == "SA01"
    assert events[1].payload["data"]["changed_fields"] == ["occupation"]
    text = str([e.payload for e in events])
    assert not any(p in text for p in PERSONAL)
    assert Delivery.objects.filter(subscription=sub, status=DeliveryStatus.PENDING).count() == 3
    assert set(Delivery.objects.values_list("order_key", flat=True)) == {member.pk}


def test_a_rolled_back_change_leaves_no_event(subscribe, guide_a):
    subscribe()
    with pytest.raises(RuntimeError), transaction.atomic():
        make_member(actor=guide_a, name="王芳", mobile="13912345678")
        assert Event.objects.count() == 1  # written inside the change's transaction …
        raise RuntimeError("the change fails after the event was written")
    assert not Event.objects.exists() and not Delivery.objects.exists()  # … and gone with it


def test_only_the_subscribed_types_are_recorded(subscribe, guide_a):
    subscribe(events=["member.withdrawn"])
    make_member(actor=guide_a, name="王芳", mobile="13912345678")
    assert not Event.objects.exists()


def test_after_commit_the_queue_delivers(subscribe, guide_a, receiver, settings, django_capture_on_commit_callbacks):
    subscribe()
    settings.VIPDESK = {**settings.VIPDESK, "WEBHOOK_DELIVER_ON_COMMIT": True}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        make_member(actor=guide_a, name="王芳", mobile="13912345678")
        make_member(actor=guide_a, name="李娜", mobile="13912345679")
    assert len([c for c in callbacks if getattr(c, "__name__", "") == "_kick"]) == 1  # one ask per transaction
    assert len(receiver.requests) == 2 and all(r["verified"] for r in receiver.requests)  # delivered inline (immediate queue)
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}


def test_every_event_type_is_documented():
    from pathlib import Path

    api = (Path(__file__).resolve().parents[3] / "docs" / "api.md").read_text(encoding="utf-8")
    assert all(f"`{t}`" in api for t in EventType.values)
