"""Delivery on the task queue (a periodic task every minute) and from the CLI."""
import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from huey import SqliteHuey

from vipdesk.messaging import tasks
from vipdesk.messaging.models import InboxMessage
from vipdesk.messaging.services import enqueue
from vipdesk.scheduler.tests.conftest import run_with_consumer
from vipdesk.scheduler.tests.test_redis import redis_huey  # noqa: F401 - a fixture




@pytest.fixture
def sqlite_huey(tmp_path):
    huey = SqliteHuey("vipdesk-msg-test", filename=str(tmp_path / "huey.sqlite3"), utc=True)
    yield huey
    huey.storage.close()


def test_the_task_runs_every_minute(sqlite_huey):
    task = tasks.register(sqlite_huey)
    assert task.name == tasks.TASK_NAME
    periodic = task.task_class()
    # Huey checks periodic tasks once a minute with a naive UTC time
    assert all(periodic.validate_datetime(dt.datetime(2026, 5, 6, h, m)) for h in (0, 9, 21) for m in (0, 1, 37, 59))


@pytest.mark.django_db(transaction=True)
def test_the_embedded_consumer_delivers_due_messages(sqlite_huey, member, birthday):
    task = tasks.register(sqlite_huey)
    message = enqueue(member, "birthday", "inbox")
    # the consumer's scheduler may fire the periodic task as well: each run completes
    assert set(run_with_consumer(sqlite_huey, task)) == {("complete", tasks.TASK_NAME)}
    message.refresh_from_db()
    assert message.status == "delivered" and InboxMessage.objects.filter(outbox=message).exists()


@pytest.mark.django_db
def test_cli_deliver_and_status(member, birthday):
    enqueue(member, "birthday", "inbox")
    out = StringIO()
    call_command("messages", "deliver", stdout=out)
    assert "delivered=1" in out.getvalue()
    out = StringIO()
    call_command("messages", "status", stdout=out)
    assert "inbox" in out.getvalue() and "delivered" in out.getvalue()


def test_the_projects_queue_has_the_task():
    from huey.contrib.djhuey import HUEY

    assert any(name.endswith(tasks.TASK_NAME) for name in HUEY._registry._registry)



@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_production_queue_on_redis_delivers(redis_huey, member, birthday):
    """RedisHuey on a real Redis (the scheduler's fixture: VIPDESK_TEST_REDIS_URL, a queue name of its own, removed after)."""
    task = tasks.register(redis_huey)
    message = enqueue(member, "birthday", "inbox")
    assert set(run_with_consumer(redis_huey, task)) == {("complete", tasks.TASK_NAME)}
    message.refresh_from_db()
    assert message.status == "delivered"
