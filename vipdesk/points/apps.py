from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "vipdesk.points"
    label = "points"
    verbose_name = "积分"

    def ready(self):
        from vipdesk.members.signals import member_withdrawing

        from .mall import cancel_waiting_orders

        member_withdrawing.connect(cancel_waiting_orders, dispatch_uid="points.cancel_waiting_orders")
