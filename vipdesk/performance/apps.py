from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "vipdesk.performance"
    label = "performance"
    verbose_name = "提成与考核"
