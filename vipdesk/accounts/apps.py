from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vipdesk.accounts"
    label = "accounts"
    verbose_name = "员工与权限"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
