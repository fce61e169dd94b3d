"""Production's queue: the daily job enqueued through RedisHuey on a real Redis, run by a real
consumer thread. A database number and a queue name of its own (VIPDESK_TEST_REDIS_URL, default
redis://127.0.0.1:6379/15; name vipdesk-test-<random>), removed afterwards. Skipped without Redis
unless VIPDESK_REQUIRE_REDIS is set."""
import datetime as dt
import os
import uuid

import pytest
from huey import RedisHuey

from vipdesk.scheduler import registry
from vipdesk.scheduler.registry import swap_part
from vipdesk.scheduler.models import JobRun
from vipdesk.scheduler import tasks
from vipdesk.scheduler.embedded import describe

from .conftest import complete, run_with_consumer, shanghai

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

D = dt.date
REDIS_URL = os.environ.get("VIPDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_huey():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        if os.environ.get("VIPDESK_REQUIRE_REDIS"):
            pytest.fail(f"VIPDESK_REQUIRE_REDIS is set but Redis at {REDIS_URL} is not reachable: {exc}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    name = f"vipdesk-test-{uuid.uuid4().hex[:12]}"
    huey = RedisHuey(name, url=REDIS_URL, utc=True)
    yield huey
    huey.storage.flush_all()
    assert not list(client.scan_iter(match=f"*{name}*"))
    client.close()


def test_the_daily_job_runs_through_redis(redis_huey, clock):
    task = tasks.register(redis_huey, catch_up_on_start=False)
    complete(D(2026, 4, 28))
    clock.set(shanghai(2026, 5, 1, 0, 30, 2))  # not the minute the periodic task fires: only the enqueued run

    def enqueue():
        task()
        assert redis_huey.pending_count() <= 1  # it went through Redis (a consumer may have taken it already)

    finished = run_with_consumer(redis_huey, enqueue)
    assert finished == [("complete", tasks.TASK_NAME)]
    by_date = {}
    for job, day in JobRun.objects.values_list("job", "date"):
        by_date.setdefault(day, set()).add(job)
    assert by_date == {day: set(registry.names()) for day in (D(2026, 4, 28), D(2026, 4, 29), D(2026, 4, 30), D(2026, 5, 1))}
    assert redis_huey.pending_count() == 0
    assert describe(redis_huey).startswith(f"RedisHuey {redis_huey.name} @ redis://")

    rows = list(JobRun.objects.order_by("pk").values())
    run_with_consumer(redis_huey, task)  # again: nothing changes
    assert list(JobRun.objects.order_by("pk").values()) == rows


def test_consumer_start_up_catches_up_through_redis(redis_huey, clock):
    tasks.register(redis_huey)
    complete(D(2026, 4, 29))
    clock.set(shanghai(2026, 5, 1, 8, 0))
    run_with_consumer(redis_huey)
    assert sorted(set(JobRun.objects.values_list("date", flat=True))) == [D(2026, 4, 29), D(2026, 4, 30), D(2026, 5, 1)]
