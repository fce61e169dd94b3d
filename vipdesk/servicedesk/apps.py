from django.apps import AppConfig


class ServicedeskConfig(AppConfig):
    name = "vipdesk.servicedesk"
    label = "servicedesk"
    verbose_name = "Service desk"
