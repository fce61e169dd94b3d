from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "vipdesk.points"
    label = "points"
    verbose_name = "积分"

    def ready(self):
        from vipdesk.core.confcache import watch

        # configuration kept per process until written (core.confcache)
        watch("points", "points.PointsPolicy", "points.EarnRule")

        from vipdesk.members.signals import member_enrolled, member_withdrawing

        from . import receivers
        from .mall import cancel_waiting_orders

        member_enrolled.connect(receivers.on_member_enrolled, dispatch_uid="points.on_member_enrolled")
        member_withdrawing.connect(cancel_waiting_orders, dispatch_uid="points.cancel_waiting_orders")
