from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "vipdesk.hotline"
    label = "hotline"
    verbose_name = "VIP hotline"
