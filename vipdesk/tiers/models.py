"""Tier programmes (R4): levels whose qualification rules are rows, retention policy, benefits,
each member's current tier with its history.

A level qualifies when its groups combine (`mode`: any/all) to true; a group combines its
conditions the same way. New rules therefore need rows, not a schema change.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vipdesk.core.models import TimeStampedModel

from .choices import (
    ApprovalStatus, BenefitPeriod, ChangeReason, Combine, ConditionKind, RetentionPolicy, ReturnPolicy,
)


class Programme(TimeStampedModel):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    active = models.BooleanField(_("active"), default=True)
    retention_policy = models.CharField(_("retention policy"), max_length=12, choices=RetentionPolicy.choices,
                                        default=RetentionPolicy.ANNIVERSARY)
    grace_months = models.PositiveSmallIntegerField(_("grace months"), default=0)
    one_level_per_evaluation = models.BooleanField(_("at most one level down per evaluation"), default=False)
    return_policy = models.CharField(_("return policy"), max_length=10, choices=ReturnPolicy.choices, default=ReturnPolicy.REVOKE)
    preset = models.CharField(_("preset"), max_length=30, blank=True)
    notes = models.TextField(_("notes"), blank=True)  # why the preset's own choices are what they are

    class Meta:
        ordering = ["code"]
        verbose_name = _("tier programme")
        verbose_name_plural = _("tier programmes")
        constraints = [models.UniqueConstraint(fields=["active"], condition=Q(active=True), name="tier_one_active_programme")]

    def __str__(self):
        return self.name


class Level(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="levels")
    rank = models.PositiveSmallIntegerField(_("rank"))  # 1 = lowest
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=30)
    is_vip = models.BooleanField(_("VIP"), default=False)
    mode = models.CharField(_("groups combine"), max_length=3, choices=Combine.choices, default=Combine.ANY)
    # Once reached, never lost by the retention policy (an entry card is not taken back).
    retention_exempt = models.BooleanField(_("kept once reached"), default=False)

    class Meta:
        ordering = ["programme", "rank"]
        verbose_name = _("tier level")
        verbose_name_plural = _("tier levels")
        constraints = [
            models.UniqueConstraint(fields=["programme", "rank"], name="tier_level_rank_unique"),
            models.UniqueConstraint(fields=["programme", "code"], name="tier_level_code_unique"),
        ]

    def __str__(self):
        return self.name


class RuleGroup(models.Model):
    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="groups")
    position = models.PositiveSmallIntegerField(default=1)
    mode = models.CharField(_("conditions combine"), max_length=3, choices=Combine.choices, default=Combine.ALL)

    class Meta:
        ordering = ["level", "position", "id"]


class Condition(models.Model):
    group = models.ForeignKey(RuleGroup, on_delete=models.CASCADE, related_name="conditions")
    kind = models.CharField(_("condition"), max_length=30, choices=ConditionKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    months = models.PositiveSmallIntegerField(_("months"), null=True, blank=True)
    count = models.PositiveIntegerField(_("count"), null=True, blank=True)

    class Meta:
        ordering = ["group", "id"]


class Benefit(models.Model):
    """A level's benefit. Countable ones have a quota per period; usage is recorded either way."""

    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="benefits")
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=60)
    value = models.DecimalField(_("value"), max_digits=10, decimal_places=2, null=True, blank=True)  # 2 (h), 9.5 (折)
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    quota = models.PositiveIntegerField(_("quota"), null=True, blank=True)  # None: not counted against a quota
    period = models.CharField(_("period"), max_length=5, choices=BenefitPeriod.choices, blank=True)

    class Meta:
        ordering = ["level", "id"]
        verbose_name = _("benefit")
        verbose_name_plural = _("benefits")
        constraints = [
            models.UniqueConstraint(fields=["level", "code"], name="tier_benefit_code_unique"),
            models.CheckConstraint(name="tier_benefit_quota_has_period", condition=Q(quota__isnull=True) | ~Q(period="")),
        ]

    def __str__(self):
        return self.name


class MemberTier(models.Model):
    """The member's current tier. Locked (select_for_update) by every change."""

    member = models.OneToOneField("members.Member", on_delete=models.CASCADE, primary_key=True, related_name="tier")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey(Level, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reached_on = models.DateField(_("reached on"), null=True, blank=True)
    last_qualified_on = models.DateField(null=True, blank=True)  # rolling policy: start of the grace period
    evaluated_on = models.DateField(null=True, blank=True)  # the daily job's guard: once per date
    override_from = models.ForeignKey(Level, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    override_until = models.DateField(_("override until"), null=True, blank=True)
    override_reason = models.CharField(_("override reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("member tier")
        verbose_name_plural = _("member tiers")
        indexes = [models.Index(fields=["programme", "level"])]

    def override_active(self, on) -> bool:
        return self.override_until is not None and self.override_until >= on


class TierHistory(models.Model):
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="tier_history")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    from_level = models.ForeignKey(Level, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_level = models.ForeignKey(Level, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=15, choices=ChangeReason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    sale = models.ForeignKey("sales.Sale", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    on = models.DateField(_("business date"))
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("tier history")
        verbose_name_plural = _("tier history")
        indexes = [models.Index(fields=["member", "-at"])]


class TierApproval(models.Model):
    """A member whose spending qualifies for a level gated by manual approval (紫金: credit, standing)."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="tier_approvals")
    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="approvals")
    status = models.CharField(_("status"), max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING)
    sale = models.ForeignKey("sales.Sale", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    requested_on = models.DateField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("tier approval")
        verbose_name_plural = _("tier approvals")
        constraints = [models.UniqueConstraint(fields=["member", "level"], condition=Q(status=ApprovalStatus.PENDING),
                                               name="tier_one_pending_approval")]


class BenefitUsage(models.Model):
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="benefit_usages")
    benefit = models.ForeignKey(Benefit, on_delete=models.PROTECT, related_name="usages")
    used_on = models.DateField(_("business date"))
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    store = models.ForeignKey("org.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=200, blank=True)
    # The device's own id for the use (a parking system's ticket): a retry answers the first use.
    reference = models.CharField(_("device reference"), max_length=60, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("benefit usage")
        verbose_name_plural = _("benefit usages")
        indexes = [models.Index(fields=["member", "benefit", "used_on"])]
        constraints = [
            models.CheckConstraint(name="tier_benefit_usage_positive", condition=Q(quantity__gt=0)),
            models.UniqueConstraint(fields=["store", "reference"], condition=~Q(reference=""), name="tier_benefit_usage_reference_unique"),
        ]
