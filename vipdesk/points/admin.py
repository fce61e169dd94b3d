from django.contrib import admin

from vipdesk.core.admin import ReadOnlyAdmin

from .models import (
    EarnRule, ItemStock, PointsAccount, PointsAdjustment, PointsEntry, PointsLot, PointsPolicy, Redemption, RedemptionItem,
    SettlementLine, StockMovement,
)


@admin.register(PointsPolicy)
class PointsPolicyAdmin(admin.ModelAdmin):
    list_display = ["code", "expiry_kind", "expiry_n", "pending_days", "debt_policy", "value_per_point"]


@admin.register(EarnRule)
class EarnRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "active", "yuan_per_point", "multiplier", "level_code", "category", "brand", "store", "starts_on", "ends_on"]
    list_filter = ["kind", "active"]


@admin.register(PointsAccount)
class PointsAccountAdmin(ReadOnlyAdmin):
    list_display = ["member", "balance", "debt", "updated_at"]
    raw_id_fields = ["member"]


@admin.register(PointsEntry)
class PointsEntryAdmin(ReadOnlyAdmin):
    list_display = ["account", "kind", "points", "debt", "business_date", "store", "sale", "redemption"]
    list_filter = ["kind"]


@admin.register(PointsLot)
class PointsLotAdmin(ReadOnlyAdmin):
    list_display = ["account", "store", "franchisee", "earned_on", "available_on", "expires_on", "original", "remaining"]


@admin.register(PointsAdjustment)
class PointsAdjustmentAdmin(ReadOnlyAdmin):
    list_display = ["account", "points", "reason", "status", "requested_by", "decided_by"]


@admin.register(RedemptionItem)
class RedemptionItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "points", "value", "months", "limit_per_member", "tracks_stock", "active"]


@admin.register(ItemStock)
class ItemStockAdmin(ReadOnlyAdmin):
    list_display = ["item", "store", "on_order", "on_hand", "in_transit"]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ["item", "kind", "store", "quantity", "created_at"]


@admin.register(Redemption)
class RedemptionAdmin(ReadOnlyAdmin):
    list_display = ["account", "item", "store", "quantity", "points", "value", "business_date", "status", "fulfilment_code"]


@admin.register(SettlementLine)
class SettlementLineAdmin(ReadOnlyAdmin):
    list_display = ["period", "issuer", "redeemer", "issuer_store", "redeemer_store", "points", "value"]
