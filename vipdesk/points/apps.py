from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "vipdesk.points"
    label = "points"
    verbose_name = "积分"
