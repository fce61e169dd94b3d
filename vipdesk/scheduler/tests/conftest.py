import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from huey.contrib.djhuey import HUEY

from vipdesk.scheduler import registry
from vipdesk.scheduler.registry import swap_part
from vipdesk.scheduler.models import JobRun

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _queue_and_data_dir(settings, tmp_path):
    """Tasks run inline (immediate mode) and the SQLite lock file goes to a temporary data dir."""
    assert HUEY.immediate, "tests run the project's queue in immediate mode (settings.VIPDESK_QUEUE)"
    settings.DATA_DIR = tmp_path


@pytest.fixture
def clock(clock):
    """The suite's clock (time-machine, every thread) with `clock.set(datetime)`: go to that instant."""

    class Clock:
        def set(self, at: dt.datetime) -> dt.datetime:
            clock.move_to(at)
            return at

    return Clock()


@pytest.fixture
def calls(monkeypatch):
    """Every part of the daily job still runs for real, but each call is recorded as (part, date)."""
    seen = []

    def recorded(name, job):
        def run(*, on):
            seen.append((name, on))
            return job(on=on)

        return run

    for name, job in list(registry.jobs().items()):
        swap_part(monkeypatch, name, recorded(name, job.run))
    return seen


def complete(*days: dt.date) -> None:
    """Record `days` as completed runs of every part."""
    JobRun.objects.bulk_create([JobRun(job=name, date=day) for day in days for name in registry.names()])


def dates_run(calls) -> list[dt.date]:
    out = []
    for _, day in calls:
        if not out or out[-1] != day:
            out.append(day)
    return out


def run_with_consumer(huey, enqueue=None, *, tasks_expected=1, timeout=30.0) -> list[tuple[str, str]]:
    """Start the embedded thread consumer on `huey`, enqueue (optionally), wait until that many tasks
    have finished, stop the consumer; return [(signal, task name)] for the finished tasks."""
    import threading

    from huey import signals

    from vipdesk.scheduler.embedded import start_embedded_consumer

    finished, enough = [], threading.Event()

    def on_finish(signal, task, *args, **kwargs):
        finished.append((signal, task.name))
        if len(finished) >= tasks_expected:
            enough.set()

    huey.signal(signals.SIGNAL_COMPLETE, signals.SIGNAL_ERROR)(on_finish)
    consumer = start_embedded_consumer(huey)
    assert consumer is not None and consumer.thread.is_alive()
    try:
        if enqueue is not None:
            enqueue()
        assert enough.wait(timeout), f"the consumer finished {finished} within {timeout} s"
    finally:
        consumer.shutdown()
    assert not consumer.thread.is_alive()
    return finished
