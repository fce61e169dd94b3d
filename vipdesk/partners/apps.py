from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "vipdesk.partners"
    label = "partners"
    verbose_name = "Partner merchants"
