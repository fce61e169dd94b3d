from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "vipdesk.portal"
    label = "portal"
    verbose_name = "会员中心"
