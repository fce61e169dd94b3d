"""Huey tasks of the webhooks (found by the queue's autodiscovery, like messaging/tasks.py):

- `deliver_webhooks_now`: enqueued after the commit of a transaction that wrote events (outbox.kick);
  inline under pytest (immediate mode), on the worker otherwise.
- `deliver_webhooks`: every minute, the sweep: retries that came due and anything whose "deliver now"
  was lost (a crash between commit and enqueue), and switches off subscriptions failing too long.
"""
from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import HUEY

from vipdesk.scheduler.tasks import _with_db

from . import outbox
from .delivery import deliver_due
from .services import subscriptions_disable_failing


def register(huey):
    def deliver_webhooks_now() -> dict:
        return {k: v for k, v in deliver_due().items()}

    def deliver_webhooks() -> dict:
        counts = deliver_due()
        counts["switched_off"] = len(subscriptions_disable_failing())
        return counts

    now_task = huey.task(name="deliver_webhooks_now")(_with_db(huey, deliver_webhooks_now))
    sweep = huey.periodic_task(crontab(minute="*"), name="deliver_webhooks")(_with_db(huey, deliver_webhooks))
    return now_task, sweep


deliver_webhooks_now, deliver_webhooks = register(HUEY)
outbox.kick = deliver_webhooks_now
