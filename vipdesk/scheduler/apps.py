from django.apps import AppConfig


class SchedulerConfig(AppConfig):
    name = "vipdesk.scheduler"
    label = "scheduler"
    verbose_name = "每日任务"

    def ready(self):
        from . import checks, tasks  # noqa: F401  (registers the system checks and the Huey tasks)
