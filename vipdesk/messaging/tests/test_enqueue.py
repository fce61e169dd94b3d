"""enqueue: consent (R1.3), quiet hours, the weekly cap, idempotency; every refusal is a row with its reason."""
import datetime as dt

import pytest

from vipdesk.members.services import member_withdraw
from vipdesk.messaging.models import BlockedWord, DeliveryEvent, InboxMessage, OutboxMessage
from vipdesk.messaging.delivery import deliver_due
from vipdesk.messaging.services import enqueue
from vipdesk.testing.factories import make_member

from .helpers import consent, shanghai

pytestmark = pytest.mark.django_db

NOON = shanghai(2026, 5, 6, 12, 0)  # a Wednesday


def test_a_service_greeting_goes_without_a_consent_row(member, birthday):
    message = enqueue(member, "birthday", "sms", now=NOON)
    assert (message.status, message.reason) == ("queued", "")
    assert message.recipient == "13612345678" and message.body.startswith("陈女士，今天是您的生日")
    assert message.scheduled_at == NOON and message.next_attempt_at == NOON
    assert list(message.events.values_list("kind", flat=True)) == ["queued"]


def test_marketing_needs_opt_in(member, event):
    first = enqueue(member, "vip_event", "sms", context={"event_date": "5月9日"}, now=NOON)
    assert (first.status, first.reason) == ("suppressed", "no_consent")
    consent(member, "marketing", "sms", True)
    second = enqueue(member, "vip_event", "sms", context={"event_date": "5月9日"}, now=NOON)
    assert (second.status, second.reason) == ("queued", "")
    assert OutboxMessage.objects.filter(member=member).count() == 2  # the refusal is on record, not dropped


def test_opt_out_per_channel_is_honoured(member, birthday):
    consent(member, "service", "sms", False)
    assert enqueue(member, "birthday", "sms", now=NOON).reason == "opted_out"
    assert enqueue(member, "birthday", "email", now=NOON).status == "queued"  # e-mail was not withdrawn


def test_opting_out_after_queueing_stops_the_message_at_send_time(member, birthday, settings):
    message = enqueue(member, "birthday", "inbox", now=NOON)
    consent(member, "service", "email", False)  # another channel: no effect
    inbox_only = enqueue(member, "birthday", "email", now=NOON)
    consent(member, "service", "email", True)
    consent(member, "service", "email", False)  # the latest row counts
    deliver_due(NOON)
    message.refresh_from_db()
    inbox_only.refresh_from_db()
    assert message.status == "delivered"
    assert (inbox_only.status, inbox_only.reason) == ("suppressed", "opted_out")


def test_marketing_in_the_inbox_follows_the_marketing_consent_of_sms_or_email(member, event):
    ctx = {"event_date": "5月9日"}
    assert enqueue(member, "vip_event", "inbox", context=ctx, now=NOON).reason == "no_consent"
    consent(member, "marketing", "email", True)
    assert enqueue(member, "vip_event", "inbox", context=ctx, now=NOON).status == "queued"
    consent(member, "marketing", "email", False)
    assert enqueue(member, "vip_event", "inbox", context=ctx, now=NOON).reason == "opted_out"


@pytest.mark.parametrize("local, expected", [
    ((2026, 5, 6, 20, 59), None),                    # still allowed
    ((2026, 5, 6, 21, 0), (2026, 5, 7, 9, 0)),       # quiet from 21:00 → next morning
    ((2026, 5, 6, 23, 30), (2026, 5, 7, 9, 0)),
    ((2026, 5, 7, 2, 0), (2026, 5, 7, 9, 0)),        # after midnight → the same morning
    ((2026, 5, 7, 8, 59), (2026, 5, 7, 9, 0)),
    ((2026, 5, 7, 9, 0), None),
])
def test_quiet_hours_defer_sms_to_nine_in_the_morning(member, birthday, local, expected):
    at = shanghai(*local)
    message = enqueue(member, "birthday", "sms", now=at)
    if expected is None:
        assert (message.status, message.scheduled_at) == ("queued", at)
    else:
        assert (message.status, message.reason, message.scheduled_at) == ("deferred", "quiet_hours", shanghai(*expected))


def test_a_deferred_message_waits_until_morning_then_goes(member, birthday):
    evening = shanghai(2026, 5, 6, 22, 15)
    sms = enqueue(member, "birthday", "sms", now=evening)
    inbox = enqueue(member, "birthday", "inbox", now=evening)  # the inbox does not wake anyone
    assert inbox.status == "queued"
    assert deliver_due(evening)["delivered"] == 1
    assert deliver_due(shanghai(2026, 5, 7, 8, 59)) == {"sent": 0, "delivered": 0, "retry": 0, "failed": 0}
    sms.refresh_from_db()
    assert sms.status == "deferred" and sms.attempts == 0
    assert deliver_due(shanghai(2026, 5, 7, 9, 0))["sent"] == 1  # the file gateway of the embedded default
    sms.refresh_from_db()
    assert sms.status == "sent" and sms.sent_at == shanghai(2026, 5, 7, 9, 0)


def test_a_queued_message_picked_up_in_quiet_hours_is_deferred_not_sent(member, birthday):
    message = enqueue(member, "birthday", "sms", now=shanghai(2026, 5, 6, 20, 55))
    deliver_due(shanghai(2026, 5, 6, 21, 5))  # the queue was late
    message.refresh_from_db()
    assert (message.status, message.next_attempt_at, message.attempts) == ("deferred", shanghai(2026, 5, 7, 9, 0), 0)


def test_quiet_hours_follow_the_setting(member, birthday, settings):
    settings.VIPDESK = {**settings.VIPDESK, "MESSAGE_QUIET_HOURS": "12:00-13:30"}
    assert enqueue(member, "birthday", "sms", now=NOON).scheduled_at == shanghai(2026, 5, 6, 13, 30)
    settings.VIPDESK = {**settings.VIPDESK, "MESSAGE_QUIET_HOURS": "off"}
    assert enqueue(member, "birthday", "email", now=shanghai(2026, 5, 6, 23, 0)).status == "queued"


def test_weekly_cap_counts_marketing_pushes_per_calendar_week(member, event, birthday, notice):
    consent(member, "marketing", "sms", True)
    consent(member, "marketing", "email", True)
    ctx = {"event_date": "5月9日"}
    monday = shanghai(2026, 5, 4, 10, 0)
    assert enqueue(member, "vip_event", "sms", context=ctx, now=monday).status == "queued"
    assert enqueue(member, "vip_event", "email", context=ctx, now=monday).status == "queued"
    third = enqueue(member, "vip_event", "sms", context=ctx, now=shanghai(2026, 5, 10, 20, 0))  # Sunday
    assert (third.status, third.reason) == ("suppressed", "weekly_cap")
    # the inbox, service notices and greetings are not capped
    assert enqueue(member, "vip_event", "inbox", context=ctx, now=monday).status == "queued"
    assert enqueue(member, "birthday", "sms", now=monday).status == "queued"
    assert enqueue(member, "points_expiry", "sms", context={"points": "800", "date": "5月31日"}, now=monday).status == "queued"
    # next Monday is a new week
    assert enqueue(member, "vip_event", "sms", context=ctx, now=shanghai(2026, 5, 11, 9, 0)).status == "queued"


def test_the_cap_counts_the_planned_week_after_quiet_hours(member, event):
    consent(member, "marketing", "sms", True)
    ctx = {"event_date": "5月9日"}
    enqueue(member, "vip_event", "sms", context=ctx, now=shanghai(2026, 5, 10, 10, 0))  # Sunday
    enqueue(member, "vip_event", "sms", context=ctx, now=shanghai(2026, 5, 10, 11, 0))
    late = enqueue(member, "vip_event", "sms", context=ctx, now=shanghai(2026, 5, 10, 22, 0))  # goes Monday 09:00
    assert (late.status, late.scheduled_at) == ("deferred", shanghai(2026, 5, 11, 9, 0))


def test_suppressed_messages_do_not_use_up_the_week(member, event, settings):
    settings.VIPDESK = {**settings.VIPDESK, "MESSAGE_WEEKLY_CAP": 1}
    ctx = {"event_date": "5月9日"}
    assert enqueue(member, "vip_event", "sms", context=ctx, now=NOON).reason == "no_consent"
    consent(member, "marketing", "sms", True)
    assert enqueue(member, "vip_event", "sms", context=ctx, now=NOON).status == "queued"
    assert enqueue(member, "vip_event", "sms", context=ctx, now=NOON).reason == "weekly_cap"


def test_same_source_and_channel_is_one_message(member, birthday):
    first = enqueue(member, "birthday", "sms", source="care_task:123", now=NOON)
    again = enqueue(member, "birthday", "sms", source="care_task:123", now=NOON)
    other = enqueue(member, "birthday", "email", source="care_task:123", now=NOON)
    assert (first.replayed, again.replayed, again.pk) == (False, True, first.pk)
    assert other.pk != first.pk
    assert OutboxMessage.objects.count() == 2


def test_no_address_and_withdrawn_members_are_recorded_as_not_sent(store_a, birthday):
    member = make_member(store=store_a, name="刘强", email="")
    assert enqueue(member, "birthday", "email", now=NOON).reason == "no_address"
    queued = enqueue(member, "birthday", "sms", now=NOON)
    member_withdraw(actor=None, member=member)
    deliver_due(NOON)
    queued.refresh_from_db()
    assert (queued.status, queued.reason) == ("suppressed", "member_withdrawn")
    assert enqueue(member, "birthday", "inbox", now=NOON).reason == "member_withdrawn"


def test_withdrawal_stops_waiting_messages_and_erases_texts(member, birthday):
    sent = enqueue(member, "birthday", "inbox", now=NOON)
    deliver_due(NOON)
    waiting = enqueue(member, "birthday", "sms", at=NOON + dt.timedelta(days=1), now=NOON)
    member_withdraw(actor=None, member=member)
    for row in (sent, waiting):
        row.refresh_from_db()
        assert (row.recipient, row.subject, row.body, row.params) == ("", "", "", {})
    assert sent.status == "delivered" and (waiting.status, waiting.reason) == ("suppressed", "member_withdrawn")
    assert not InboxMessage.objects.filter(member=member).exists()
    assert deliver_due(NOON + dt.timedelta(days=2))["sent"] == 0


def test_a_word_blocked_after_queueing_stops_the_greeting(member, birthday):
    message = enqueue(member, "birthday", "sms", now=NOON)
    BlockedWord.objects.create(word="心愿")
    deliver_due(NOON)
    message.refresh_from_db()
    assert (message.status, message.reason) == ("suppressed", "blocked_words")


def test_a_later_time_is_kept(member, birthday):
    at = shanghai(2026, 5, 8, 10, 0)
    message = enqueue(member, "birthday", "inbox", at=at, now=NOON)
    assert deliver_due(NOON)["delivered"] == 0
    assert deliver_due(at)["delivered"] == 1
    inbox = InboxMessage.objects.get(outbox=message)
    assert inbox.member == member and not inbox.is_read and inbox.body == message.body


def test_events_are_append_only(member, birthday):
    enqueue(member, "birthday", "sms", now=NOON)
    event = DeliveryEvent.objects.get()
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        DeliveryEvent.objects.update(detail="x")


def test_channel_must_be_offered_by_the_template(member, notice):
    from vipdesk.core.errors import ValidationFailed
    from vipdesk.messaging.message_templates import template_save

    template_save(actor=None, code="points_expiry", channels=["inbox"])
    with pytest.raises(ValidationFailed) as err:
        enqueue(member, "points_expiry", "sms", context={"points": "1", "date": "x"}, now=NOON)
    assert err.value.code == "channel_not_offered"


def test_a_batch_decides_each_text_as_one_at_a_time_would(member, settings, django_assert_max_num_queries):
    """enqueue_texts (the care job's hand-over): consent, address, blocked words, quiet hours and the
    weekly cap per text — the cap counting the batch's own earlier texts — in a fixed number of queries."""
    from vipdesk.messaging.services import Text, enqueue_texts

    settings.VIPDESK = {**settings.VIPDESK, "MESSAGE_WEEKLY_CAP": 1}
    other = make_member(store=member.home_store, mobile="13700000001")
    silent = make_member(store=member.home_store, mobile="13700000002")
    no_email = make_member(store=member.home_store, mobile="13700000003", email="")
    consent(member, "marketing", "sms", True)
    consent(silent, "service", "sms", False)
    texts = [
        Text(member.pk, "sms", "陈女士，周末VIP专场欢迎光临。", "t:1", purpose="marketing", kind="marketing"),
        Text(member.pk, "sms", "陈女士，又一场活动。", "t:2", purpose="marketing", kind="marketing"),  # same week: capped
        Text(other.pk, "sms", "祝您生日快乐！", "t:3", kind="greeting"),
        Text(other.pk, "sms", "生日快乐，新品八折！", "t:4", kind="greeting"),  # advertising in a greeting
        Text(silent.pk, "sms", "您的积分将到期。", "t:5"),  # opted out of service SMS
        Text(no_email.pk, "email", "您的积分将到期。", "t:6"),  # no address
        Text(other.pk, "sms", "您的积分将到期。", "t:7", at=shanghai(2026, 5, 6, 22, 30)),  # quiet hours
    ]
    with django_assert_max_num_queries(12):
        rows = enqueue_texts(texts, now=NOON)
    assert [(m.status, m.reason) for m in rows] == [
        ("queued", ""), ("suppressed", "weekly_cap"), ("queued", ""), ("suppressed", "blocked_words"),
        ("suppressed", "opted_out"), ("suppressed", "no_address"), ("deferred", "quiet_hours")]
    assert rows[6].scheduled_at == shanghai(2026, 5, 7, 9, 0)
    assert [list(m.events.values_list("kind", flat=True)) for m in rows[:2]] == [["queued"], ["suppressed"]]
    again = enqueue_texts(texts, now=NOON)  # a re-run hands nothing over twice
    assert all(m.replayed for m in again) and [m.pk for m in again] == [m.pk for m in rows]
    assert OutboxMessage.objects.filter(source__startswith="t:").count() == 7
