"""The webhooks' daily part (vipdesk.scheduler): switch off subscriptions that kept failing (the
every-minute sweep does it too; the daily run is the backstop when no queue worker runs), and forget
settled events older than WEBHOOK_KEEP_DAYS."""
from __future__ import annotations

import datetime as dt

from vipdesk.scheduler.registry import daily_job

from .services import events_purge, subscriptions_disable_failing


@daily_job("webhooks", after=("care",))  # last: care creates tasks (events) too
def webhooks_job(*, on: dt.date) -> dict:
    return {"switched_off": len(subscriptions_disable_failing()), "events_purged": events_purge()}
