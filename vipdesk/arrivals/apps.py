from django.apps import AppConfig


class ArrivalsConfig(AppConfig):
    name = "vipdesk.arrivals"
    label = "arrivals"
    verbose_name = "到店识别"
