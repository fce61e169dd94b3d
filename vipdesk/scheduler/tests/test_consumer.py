"""The embedded default: a thread consumer inside the web server process, on the SQLite queue."""
import datetime as dt
from io import StringIO

import pytest
from huey import SqliteHuey

from vipdesk.scheduler import registry
from vipdesk.scheduler.registry import swap_part
from vipdesk.scheduler.models import JobRun
from vipdesk.scheduler import tasks
from vipdesk.scheduler.embedded import describe, start_embedded_consumer

from .conftest import complete, run_with_consumer, shanghai

D = dt.date


@pytest.fixture
def sqlite_huey(tmp_path):
    huey = SqliteHuey("vipdesk-test", filename=str(tmp_path / "huey.sqlite3"), utc=True)
    yield huey
    huey.storage.close()


@pytest.mark.django_db(transaction=True)
def test_the_embedded_consumer_runs_an_enqueued_daily_job(sqlite_huey, clock):
    task = tasks.register(sqlite_huey, catch_up_on_start=False)
    complete(D(2026, 4, 29))
    clock.set(shanghai(2026, 5, 1, 0, 30, 5))  # not the minute the periodic task fires: only the enqueued run
    finished = run_with_consumer(sqlite_huey, task)
    assert finished == [("complete", tasks.TASK_NAME)]
    assert sorted(set(JobRun.objects.values_list("date", flat=True))) == [D(2026, 4, 29), D(2026, 4, 30), D(2026, 5, 1)]
    assert JobRun.objects.count() == 3 * len(registry.names())


@pytest.mark.django_db(transaction=True)
def test_a_started_consumer_catches_up_at_once(sqlite_huey, clock):
    tasks.register(sqlite_huey)  # with the start-up hook, as on the project's queue
    complete(D(2026, 4, 30))
    clock.set(shanghai(2026, 5, 2, 9, 30))  # down over the night of 1→2 May and of 30 April→1 May
    run_with_consumer(sqlite_huey)  # nothing enqueued by hand
    assert sorted(set(JobRun.objects.values_list("date", flat=True))) == [D(2026, 4, 30), D(2026, 5, 1), D(2026, 5, 2)]


def test_no_consumer_in_immediate_mode():
    assert start_embedded_consumer() is None  # the project's queue is immediate under pytest


def test_describe_names_the_queue(sqlite_huey):
    assert describe(sqlite_huey).startswith("SqliteHuey vipdesk-test @ ") and describe(sqlite_huey).endswith("huey.sqlite3")


def test_demo_says_so_when_there_is_no_consumer():
    from vipdesk.demo.management.commands.demo import Command

    command = Command(stdout=StringIO())
    assert command.start_queue() is None
    assert "immediate mode" in command.stdout._out.getvalue()
