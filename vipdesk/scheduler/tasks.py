"""Huey tasks. `register` wires the daily jobs onto a Huey instance; the module registers them on
the project's queue (settings.HUEY through huey.contrib.djhuey), which `vipdesk run_huey` and the
embedded consumer of `vipdesk demo` both consume.

- `daily_jobs`: a periodic task, checked by the consumer's scheduler once a minute, that fires at
  VIPDESK["DAILY_JOBS_AT"] store time and runs every due business date (vipdesk.scheduler.daily).
  It can also be enqueued by hand: `daily_jobs()`.
- on consumer start-up the same task is enqueued once per worker, so dates missed while the server
  was down are caught up at once instead of at the next daily time.
- on worker shutdown the worker's database connections are closed.
"""
from __future__ import annotations

from functools import wraps

from django.db import close_old_connections, connections
from huey.contrib.djhuey import HUEY

from .daily import is_due, run_due

TASK_NAME = "daily_jobs"  # Huey registers it as vipdesk.scheduler.tasks.daily_jobs


def _with_db(huey, fn):
    """Like djhuey's close_db, for any Huey instance: drop stale connections around the task, except
    in immediate mode (the caller's connection, maybe inside a transaction, is being used)."""

    @wraps(fn)
    def inner(*args, **kwargs):
        if not huey.immediate:
            close_old_connections()
        try:
            return fn(*args, **kwargs)
        finally:
            if not huey.immediate:
                close_old_connections()

    return inner


def register(huey, *, catch_up_on_start: bool = True):
    """Register the daily-jobs task (and its start-up and shutdown hooks) on `huey`; return the task."""

    def daily_jobs() -> dict:
        return run_due()

    task = huey.periodic_task(lambda timestamp: is_due(timestamp, utc=huey.utc), name=TASK_NAME,
                              retries=2, retry_delay=600)(_with_db(huey, daily_jobs))

    if catch_up_on_start:
        @huey.on_startup(name="vipdesk.daily_jobs.catch_up")
        def catch_up():
            task()

    huey.on_shutdown(name="vipdesk.close_db")(connections.close_all)
    return task


daily_jobs = register(HUEY)
