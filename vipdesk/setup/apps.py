from django.apps import AppConfig


class SetupConfig(AppConfig):
    """First installation of a chain (`vipdesk init`): one programme preset and the default rules of
    every loyalty and care app. An entry point above them all, so no app below imports another
    app's installer (docs/architecture.md)."""

    name = "vipdesk.setup"
    label = "setup"
    verbose_name = "初始化"
