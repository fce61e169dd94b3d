from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "vipdesk.care"
    label = "care"
    verbose_name = "客户关怀"
