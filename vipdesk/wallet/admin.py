from django.contrib import admin

from vipdesk.core.admin import ReadOnlyAdmin

from .models import CardSpendLimit, TopUp, TopUpRule, WalletAccount, WalletEntry, WalletLimitChange, WalletPolicy, WalletRefund


@admin.register(WalletPolicy)
class WalletPolicyAdmin(ReadOnlyAdmin):
    """Changed through wallet_policy_save (audited), not here."""
    list_display = ["code", "spend_order", "named_limit", "anonymous_limit", "limit_includes_bonus", "no_pin_limit", "extra_discount_percent"]


@admin.register(TopUpRule)
class TopUpRuleAdmin(ReadOnlyAdmin):
    list_display = ["name", "threshold", "bonus", "level_code", "starts_on", "ends_on", "active"]


@admin.register(WalletAccount)
class WalletAccountAdmin(ReadOnlyAdmin):
    list_display = ["member", "principal", "bonus", "limit_override", "updated_at"]
    exclude = ["pin_hash"]
    raw_id_fields = ["member"]


@admin.register(WalletEntry)
class WalletEntryAdmin(ReadOnlyAdmin):
    list_display = ["account", "kind", "principal", "bonus", "business_date", "store", "sale", "topup", "refund"]
    list_filter = ["kind"]


@admin.register(TopUp)
class TopUpAdmin(ReadOnlyAdmin):
    list_display = ["store", "reference", "account", "amount", "bonus", "method", "business_date"]


@admin.register(WalletRefund)
class WalletRefundAdmin(ReadOnlyAdmin):
    list_display = ["account", "store", "principal", "bonus_forfeited", "reason", "business_date"]


@admin.register(WalletLimitChange)
class WalletLimitChangeAdmin(ReadOnlyAdmin):
    list_display = ["account", "before", "after", "reason", "actor", "created_at"]


@admin.register(CardSpendLimit)
class CardSpendLimitAdmin(ReadOnlyAdmin):
    list_display = ["card", "per_payment", "per_day"]
