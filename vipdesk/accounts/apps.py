from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vipdesk.accounts"
    label = "accounts"
    verbose_name = "员工与权限"
