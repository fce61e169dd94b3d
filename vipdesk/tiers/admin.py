from django.contrib import admin

from vipdesk.core.admin import ReadOnlyAdmin

from .models import Benefit, BenefitUsage, Condition, Level, MemberTier, Programme, RuleGroup, TierApproval, TierHistory


class LevelInline(admin.TabularInline):
    model = Level
    extra = 0


class ConditionInline(admin.TabularInline):
    model = Condition
    extra = 0


class BenefitInline(admin.TabularInline):
    model = Benefit
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "active", "retention_policy", "grace_months", "one_level_per_evaluation")
    inlines = [LevelInline]


@admin.register(Level)
class LevelAdmin(admin.ModelAdmin):
    list_display = ("programme", "rank", "code", "name", "is_vip", "retention_exempt")
    list_filter = ("programme",)
    inlines = [BenefitInline]


@admin.register(RuleGroup)
class RuleGroupAdmin(admin.ModelAdmin):
    list_display = ("level", "position", "mode")
    inlines = [ConditionInline]


@admin.register(MemberTier)
class MemberTierAdmin(admin.ModelAdmin):
    list_display = ("member", "level", "reached_on", "override_until")
    raw_id_fields = ("member",)
    list_select_related = ("member", "level")


@admin.register(TierHistory)
class TierHistoryAdmin(ReadOnlyAdmin):
    list_display = ("member", "from_level", "to_level", "reason", "on", "sale")
    list_filter = ("reason",)


@admin.register(BenefitUsage)
class BenefitUsageAdmin(ReadOnlyAdmin):
    list_display = ("member", "benefit", "used_on", "quantity", "store")


@admin.register(TierApproval)
class TierApprovalAdmin(admin.ModelAdmin):
    list_display = ("member", "level", "status", "requested_on", "decided_at")
    list_filter = ("status",)
    raw_id_fields = ("member",)
