from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "vipdesk.org"
    label = "org"
    verbose_name = "组织"
