from django.apps import AppConfig


class SchedulerConfig(AppConfig):
    name = "vipdesk.scheduler"
    label = "scheduler"
    verbose_name = "每日任务"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from . import checks, tasks  # noqa: F401  (registers the system checks and the Huey tasks)

        # Each app's jobs.py registers its daily part (vipdesk/scheduler/registry.py).
        autodiscover_modules("jobs")
