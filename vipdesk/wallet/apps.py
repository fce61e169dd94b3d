from django.apps import AppConfig


class WalletConfig(AppConfig):
    name = "vipdesk.wallet"
    label = "wallet"
    verbose_name = "储值"
