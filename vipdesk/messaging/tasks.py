"""Huey task: deliver what is due, every minute, on the project's queue (vipdesk/scheduler): the
SQLite queue and the embedded consumer of `vipdesk demo`, Redis and `vipdesk run_huey` in
production, inline under pytest. It is found like every app's tasks.py (autodiscover "tasks")."""
from __future__ import annotations

from django.db import connections
from huey import crontab
from huey.contrib.djhuey import HUEY

from vipdesk.scheduler.tasks import _with_db

from .delivery import deliver_due

TASK_NAME = "deliver_messages"


def register(huey):
    """Register the every-minute delivery task on `huey`; return it (calling it enqueues one run)."""

    def deliver_messages() -> dict:
        return deliver_due()

    # No retries of the task itself: the outbox keeps each message's own retries and back-off.
    task = huey.periodic_task(crontab(minute="*"), name=TASK_NAME)(_with_db(huey, deliver_messages))
    huey.on_shutdown(name="vipdesk.messaging.close_db")(connections.close_all)  # the worker threads' connections
    return task


deliver_messages = register(HUEY)
