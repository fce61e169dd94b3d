from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "vipdesk.console"
    label = "console"
    verbose_name = "控制台"
