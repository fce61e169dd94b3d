from django.apps import AppConfig


class TiersConfig(AppConfig):
    name = "vipdesk.tiers"
    label = "tiers"
    verbose_name = "会员等级"
