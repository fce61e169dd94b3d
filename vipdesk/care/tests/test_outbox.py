"""Care messages go out through the messaging outbox, and the outcome comes back to the task and the
member's timeline (issue 6 §2 → §3)."""
import datetime as dt

import pytest

from vipdesk.care.models import CareTask, ContactLog
from vipdesk.messaging.models import InboxMessage, OutboxMessage
from vipdesk.messaging.delivery import deliver_due
from vipdesk.members.services import consent_set

from .helpers import D, SHANGHAI, member, rule, run

pytestmark = pytest.mark.django_db

DAY = D("2026-09-25")


def _after(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10, 0), SHANGHAI)


@pytest.fixture(autouse=True)
def _on_the_day(clock):
    """The daily job of DAY runs on DAY's morning, outside quiet hours, as in a store."""
    clock.move_to(_after(DAY))


def test_a_care_greeting_is_handed_to_the_outbox_once_and_its_delivery_closes_the_task(guide_a, django_capture_on_commit_callbacks):
    rule("birthday-greeting", channel="inbox")
    fang = member(guide_a, "王芳", birthday="1990-09-25")
    run(DAY)
    task = CareTask.objects.get(member=fang)
    message = OutboxMessage.objects.get(source=f"care_task:{task.pk}")
    assert message.channel == "inbox" and message.kind == "greeting" and message.body == task.script
    run(DAY)  # again: nothing new in the outbox either
    assert OutboxMessage.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):  # the outcome is reported once the send is committed
        deliver_due(now=_after(DAY + dt.timedelta(days=1)))
    task.refresh_from_db()
    assert task.status == "done" and task.outcome == "sent"
    assert InboxMessage.objects.filter(member=fang).count() == 1
    log = ContactLog.objects.get(task=task)
    assert log.kind == "message" and log.outcome == "sent"  # on the member's timeline


def test_a_member_who_withdrew_sms_consent_gets_no_sms_and_the_task_says_why(guide_a, django_capture_on_commit_callbacks):
    rule("birthday-greeting")  # sms
    li = member(guide_a, "李静", birthday="1990-09-25", mobile="13611112222")
    consent_set(actor=guide_a, member=li, purpose="service", channel="sms", granted=False)
    with django_capture_on_commit_callbacks(execute=True):
        run(DAY)
    task = CareTask.objects.get(member=li)
    message = OutboxMessage.objects.get(source=f"care_task:{task.pk}")
    assert message.status == "suppressed"
    task.refresh_from_db()
    assert task.status == "done" and task.outcome == "failed" and task.note == message.reason
