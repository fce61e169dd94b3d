from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "vipdesk.api"
    label = "api"
    verbose_name = "API"
