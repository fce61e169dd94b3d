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
def test_production_queue_on_redis_delivers(member, birthday):
    """RedisHuey on a real Redis (VIPDESK_TEST_REDIS_URL, default db 13 here), a queue name of its own, removed after."""
    import os
    import uuid

    import redis
    from huey import RedisHuey

    url = os.environ.get("VIPDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        if os.environ.get("VIPDESK_REQUIRE_REDIS"):
            pytest.fail(f"VIPDESK_REQUIRE_REDIS is set but Redis at {url} is not reachable: {exc}")
        pytest.skip(f"no Redis at {url}")
    huey = RedisHuey(f"vipdesk-msg-test-{uuid.uuid4().hex[:12]}", url=url, utc=True)
    try:
        task = tasks.register(huey)
        message = enqueue(member, "birthday", "inbox")
        assert set(run_with_consumer(huey, task)) == {("complete", tasks.TASK_NAME)}
        message.refresh_from_db()
        assert message.status == "delivered"
    finally:
        huey.storage.flush_all()
        client.close()
