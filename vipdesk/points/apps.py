from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "vipdesk.points"
    label = "points"
    verbose_name = "积分"

    def ready(self):
        from vipdesk.members.signals import member_enrolled

        from . import receivers

        member_enrolled.connect(receivers.on_member_enrolled, dispatch_uid="points.on_member_enrolled")
