from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "vipdesk.messaging"
    label = "messaging"
    verbose_name = "消息"
