"""System checks for the task queue."""
from django.conf import settings
from django.core import checks

from .daily import daily_jobs_at


@checks.register()
def daily_jobs_time(app_configs=None, **kwargs):
    try:
        daily_jobs_at()
    except Exception as exc:  # ImproperlyConfigured with the message to show
        return [checks.Error(str(exc), id="vipdesk.E101")]
    return []


@checks.register(checks.Tags.compatibility, deploy=True)
def production_queue(app_configs=None, **kwargs):
    if getattr(settings, "VIPDESK_QUEUE", "") != "redis":
        return [checks.Warning(
            "The task queue is not Redis; production should run the daily jobs on Redis with `vipdesk run_huey`.",
            hint="Set REDIS_URL (and leave VIPDESK_QUEUE unset or 'redis').", id="vipdesk.W101")]
    if not getattr(settings, "REDIS_URL", ""):
        return [checks.Warning(
            "REDIS_URL is not set; the task queue uses redis://127.0.0.1:6379/0.",
            hint="Set REDIS_URL to the Redis the `vipdesk run_huey` service uses.", id="vipdesk.W102")]
    return []
