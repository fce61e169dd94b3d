from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "vipdesk.care"
    label = "care"
    verbose_name = "客户关怀"

    def ready(self):
        from vipdesk.messaging.signals import message_settled

        from .outbox import on_message_settled

        message_settled.connect(on_message_settled, dispatch_uid="care.on_message_settled")
