"""The outbox by hand (OUTBOX: HQ, store managers for their stores): a failed message queued again,
a waiting one cancelled; templates created under a new code only."""
import datetime as dt

import pytest

from vipdesk.audit.models import Event
from vipdesk.core.clock import today
from vipdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from vipdesk.messaging.models import MessageTemplate
from vipdesk.messaging.selectors import outbox_for
from vipdesk.messaging.delivery import deliver_due
from vipdesk.messaging.message_templates import template_save
from vipdesk.messaging.outbox import message_cancel, message_retry
from vipdesk.messaging.services import enqueue
from vipdesk.testing.factories import make_member

from .helpers import shanghai

pytestmark = pytest.mark.django_db

NOON = shanghai(2026, 5, 6, 12, 0)
NIGHT = shanghai(2026, 5, 6, 22, 30)


@pytest.fixture
def failed(member, birthday, gateway):
    gateway.statuses = [400]  # the gateway refuses: failed at once, no retry
    message = enqueue(member, "birthday", "sms", now=NOON)
    assert deliver_due(NOON)["failed"] == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 1)
    return message


def test_a_failed_message_is_queued_again_and_sent(failed, gateway, hq):
    retried = message_retry(actor=hq, message=failed.pk, now=NOON + dt.timedelta(minutes=5))
    assert (retried.status, retried.reason, retried.attempts) == ("queued", "", 0)
    assert retried.next_attempt_at == NOON + dt.timedelta(minutes=5)
    assert list(retried.events.values_list("kind", flat=True))[-1] == "retried"
    assert Event.objects.get(verb="message.retried").payload == {"previous_attempts": 1}
    assert deliver_due(NOON + dt.timedelta(minutes=5))["sent"] == 1
    retried.refresh_from_db()
    assert (retried.status, retried.attempts) == ("sent", 1)
    assert len(gateway.requests) == 2


def test_only_a_failed_message_can_be_retried(member, birthday, hq):
    queued = enqueue(member, "birthday", "sms", now=NOON)
    with pytest.raises(Conflict) as exc:
        message_retry(actor=hq, message=queued)
    assert exc.value.code == "not_failed"


def test_a_waiting_message_is_cancelled_and_a_sent_one_is_not(member, birthday, hq, manager_a):
    deferred = enqueue(member, "birthday", "sms", now=NIGHT)
    assert deferred.status == "deferred"
    cancelled = message_cancel(actor=manager_a, message=deferred)
    assert (cancelled.status, cancelled.reason, cancelled.next_attempt_at) == ("suppressed", "cancelled", None)
    assert list(cancelled.events.values_list("kind", flat=True)) == ["deferred", "cancelled"]
    assert deliver_due(NIGHT + dt.timedelta(hours=12)) == {"sent": 0, "delivered": 0, "retry": 0, "failed": 0}
    sent = enqueue(member, "birthday", "inbox", now=NOON)
    deliver_due(NOON)
    with pytest.raises(Conflict) as exc:
        message_cancel(actor=hq, message=sent)
    assert exc.value.code == "not_pending"


def test_a_store_manager_reaches_only_his_stores_and_a_guide_not_at_all(failed, store_b, guide_a):
    from vipdesk.accounts.roles import Role
    from vipdesk.testing.factories import StaffFactory

    manager_b = StaffFactory(username="manager_b", role=Role.STORE_MANAGER, stores=[store_b])
    assert list(outbox_for(manager_b)) == [] and list(outbox_for(guide_a)) == []
    with pytest.raises(NotFound):
        message_retry(actor=manager_b, message=failed)
    with pytest.raises(PermissionDenied):
        message_retry(actor=guide_a, message=failed)
    failed.refresh_from_db()
    assert failed.status == "failed"


def test_cancelling_a_care_message_closes_its_task(guide_a, manager_a, django_capture_on_commit_callbacks):
    from vipdesk.care.models import CareTask
    from vipdesk.care.outbox import care_messages_to_outbox
    from vipdesk.care.services import care_task_create
    from vipdesk.messaging.models import OutboxMessage

    m = make_member(store=guide_a.stores.first(), name="王芳", mobile="13612345678", owner=guide_a)
    task = care_task_create(actor=manager_a, member=m, kind="message", channel="sms", due_on=today() + dt.timedelta(days=1),
                            script="王芳，周末愉快！")
    care_messages_to_outbox(tasks=CareTask.objects.filter(pk=task.pk))
    message = OutboxMessage.objects.get(source=f"care_task:{task.pk}")
    with django_capture_on_commit_callbacks(execute=True):
        message_cancel(actor=manager_a, message=message)
    task.refresh_from_db()
    assert (task.status, task.outcome, task.note) == ("done", "failed", "cancelled")


def test_a_new_template_does_not_overwrite_another(birthday, hq):
    with pytest.raises(ValidationFailed) as exc:
        template_save(actor=hq, code="birthday", new=True, name="另一个", purpose="service", kind="notice", channels=["sms"],
                      body_zh="你好")
    assert "code" in exc.value.fields
    assert MessageTemplate.objects.get(code="birthday").name == "生日祝福"
