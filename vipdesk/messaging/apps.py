from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "vipdesk.messaging"
    label = "messaging"
    verbose_name = "消息"

    def ready(self):
        from vipdesk.members.signals import member_withdrawn

        from . import receivers

        member_withdrawn.connect(receivers.on_member_withdrawn, dispatch_uid="messaging.on_member_withdrawn")
