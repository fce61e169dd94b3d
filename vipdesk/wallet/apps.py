from django.apps import AppConfig


class WalletConfig(AppConfig):
    name = "vipdesk.wallet"
    label = "wallet"
    verbose_name = "储值"

    def ready(self):
        from vipdesk.core.confcache import watch

        # configuration kept per process until written (core.confcache)
        watch("wallet", "wallet.WalletPolicy")

        from vipdesk.members.signals import member_withdrawing

        from .refunds import refuse_withdrawal_with_principal

        member_withdrawing.connect(refuse_withdrawal_with_principal, dispatch_uid="wallet.refuse_withdrawal_with_principal")
