from django.apps import AppConfig


class GradingConfig(AppConfig):
    name = "vipdesk.grading"
    label = "grading"
    verbose_name = "客户分级"
