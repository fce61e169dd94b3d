"""Huey task: overdue tickets are escalated to their manager, checked every minute on the project's
queue (found like every app's tasks.py by the queue's autodiscovery; inline under pytest)."""
from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import HUEY

from vipdesk.scheduler.tasks import _with_db

from .services import tickets_escalate

TASK_NAME = "escalate_tickets"


def register(huey):
    def escalate_tickets() -> dict:
        return tickets_escalate()

    return huey.periodic_task(crontab(minute="*"), name=TASK_NAME)(_with_db(huey, escalate_tickets))


escalate_tickets = register(HUEY)
