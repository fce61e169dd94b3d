from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "vipdesk.care"
    label = "care"
    verbose_name = "客户关怀"

    def ready(self):
        from vipdesk.core.confcache import watch

        # configuration kept per process until written (core.confcache)
        watch("care", "care.CareRule")

        from vipdesk.members.signals import member_enrolled, member_owner_changed, member_withdrawn
        from vipdesk.messaging.signals import message_settled
        from vipdesk.sales.signals import sale_credited

        from . import receivers

        message_settled.connect(receivers.on_message_settled, dispatch_uid="care.on_message_settled")
        member_enrolled.connect(receivers.on_member_enrolled, dispatch_uid="care.on_member_enrolled")
        member_owner_changed.connect(receivers.on_member_owner_changed, dispatch_uid="care.on_member_owner_changed")
        member_withdrawn.connect(receivers.on_member_withdrawn, dispatch_uid="care.on_member_withdrawn")
        sale_credited.connect(receivers.on_sale_credited, dispatch_uid="care.on_sale_credited")
