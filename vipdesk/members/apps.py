from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "vipdesk.members"
    label = "members"
    verbose_name = "会员"
