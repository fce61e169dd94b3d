from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "vipdesk.core"
    label = "core"
    verbose_name = "核心"
