from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "vipdesk.analytics"
    label = "analytics"
    verbose_name = "分析"
