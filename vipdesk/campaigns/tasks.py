"""Huey task: the campaigns' run every minute (start what is due, hand over a minute's messages),
found like every app's tasks.py; the outbox's own task (messaging/tasks.py) sends them."""
from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import HUEY

from vipdesk.scheduler.tasks import _with_db

from .services import campaigns_run

TASK_NAME = "run_campaigns"


def register(huey):
    def run_campaigns() -> dict:
        return campaigns_run()

    return huey.periodic_task(crontab(minute="*"), name=TASK_NAME)(_with_db(huey, run_campaigns))


run_campaigns = register(HUEY)
