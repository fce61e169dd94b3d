from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "vipdesk.audit"
    label = "audit"
    verbose_name = "审计"
