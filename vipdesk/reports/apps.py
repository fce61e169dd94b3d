from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "vipdesk.reports"
    label = "reports"
    verbose_name = "报表"
