from django.contrib import admin

from vipdesk.core.admin import ReadOnlyAdmin, ReadOnlyInline

# Read-only: programmes are configured through the console (tiers.config validates them and
# every worker reloads them), tiers change through postings, overrides and approvals.
from .models import Benefit, BenefitUsage, Condition, Level, MemberTier, Programme, RuleGroup, TierApproval, TierHistory


class LevelInline(ReadOnlyInline):
    model = Level


class ConditionInline(ReadOnlyInline):
    model = Condition


class BenefitInline(ReadOnlyInline):
    model = Benefit


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "active", "retention_policy", "grace_months", "one_level_per_evaluation")
    inlines = [LevelInline]


@admin.register(Level)
class LevelAdmin(ReadOnlyAdmin):
    list_display = ("programme", "rank", "code", "name", "is_vip", "retention_exempt")
    list_filter = ("programme",)
    inlines = [BenefitInline]


@admin.register(RuleGroup)
class RuleGroupAdmin(ReadOnlyAdmin):
    list_display = ("level", "position", "mode")
    inlines = [ConditionInline]


@admin.register(MemberTier)
class MemberTierAdmin(ReadOnlyAdmin):
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
class TierApprovalAdmin(ReadOnlyAdmin):
    list_display = ("member", "level", "status", "requested_on", "decided_at")
    list_filter = ("status",)
    raw_id_fields = ("member",)
