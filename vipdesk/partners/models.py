"""Partner merchants (异业联盟, R11.2): the contract, the benefits each level gets there with their
limits, the uses a partner's counter records, and the points redeemed there. Points earned at a
partner are the points app's PartnerSpend rows (its `partner` column holds the partner's code)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from vipdesk.core.models import TimeStampedModel

from .choices import BenefitKind, Category


class Partner(TimeStampedModel):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60, unique=True)
    category = models.CharField(pgettext_lazy("partner", "category"), max_length=10, choices=Category.choices, default=Category.OTHER)
    contact_name = models.CharField(_("contact person"), max_length=40, blank=True)
    contact_mobile = models.CharField(_("contact mobile"), max_length=20, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=120, blank=True)
    contract_start = models.DateField(_("contract from"))
    contract_end = models.DateField(_("contract until"))
    # What one point is settled at, both ways: the partner pays it for points its spend earned,
    # HQ pays it for points members redeemed at the partner.
    point_value = models.DecimalField(_("settlement value per point (yuan)"), max_digits=8, decimal_places=4, default="0.0100")
    active = models.BooleanField(_("active"), default=True)
    # The partner's counter key (org.ApiClient with the partner role); rotation replaces it.
    api_client = models.OneToOneField("org.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="partner",
                                      editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("partner merchant")
        verbose_name_plural = _("partner merchants")
        constraints = [
            models.CheckConstraint(name="partner_contract_order", condition=Q(contract_end__gte=models.F("contract_start"))),
            models.CheckConstraint(name="partner_point_value_positive", condition=Q(point_value__gte=0)),
        ]

    def __str__(self):
        return self.name

    def in_contract(self, on) -> bool:
        return self.active and self.contract_start <= on <= self.contract_end


class PartnerBenefit(models.Model):
    """What members of one level get at one partner: 9.5折, a free drink…; limits per member and
    calendar month and per visit (one use records up to `per_visit`)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="benefits")
    level = models.ForeignKey("tiers.Level", on_delete=models.PROTECT, related_name="partner_benefits")
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=BenefitKind.choices, default=BenefitKind.DISCOUNT)
    discount = models.DecimalField(_("discount (折)"), max_digits=4, decimal_places=2, null=True, blank=True)  # 9.5 = 95 %
    per_month = models.PositiveIntegerField(_("per member per month"), null=True, blank=True)  # None: no limit
    per_visit = models.PositiveIntegerField(_("per visit"), default=1)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["partner", "level__rank", "code"]
        verbose_name = _("partner benefit")
        verbose_name_plural = _("partner benefits")
        constraints = [
            models.UniqueConstraint(fields=["partner", "level", "code"], name="partner_benefit_unique"),
            models.CheckConstraint(name="partner_benefit_per_visit_positive", condition=Q(per_visit__gte=1)),
            models.CheckConstraint(name="partner_benefit_discount_range",
                                   condition=Q(discount__isnull=True) | Q(discount__gt=0, discount__lt=10)),
        ]

    def __str__(self):
        return self.name


class PartnerMonth(models.Model):
    """One row per partner, member and month: the row locked while a use is checked against the
    monthly limits, so two counters cannot both take the last use."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=7)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partner", "member", "period"], name="partner_month_unique")]


class BenefitUse(models.Model):
    """A use of a partner benefit, recorded once per partner reference."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="uses")
    benefit = models.ForeignKey(PartnerBenefit, on_delete=models.PROTECT, related_name="uses")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="partner_uses")
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    reference = models.CharField(_("partner's reference"), max_length=60)
    amount = models.DecimalField(_("bill amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    used_on = models.DateField(_("used on"))
    period = models.CharField(max_length=7)
    created_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-id"]
        verbose_name = _("partner benefit use")
        verbose_name_plural = _("partner benefit uses")
        constraints = [
            models.UniqueConstraint(fields=["partner", "reference"], name="partner_use_once_per_reference"),
            models.CheckConstraint(name="partner_use_quantity_positive", condition=Q(quantity__gte=1)),
        ]
        indexes = [models.Index(fields=["partner", "member", "period"])]


class PartnerRedemption(models.Model):
    """Points a member paid with at a partner; HQ owes the partner their value."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="redemptions")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="partner_redemptions")
    reference = models.CharField(_("partner's reference"), max_length=60)
    points = models.PositiveIntegerField(_("points"))
    value = models.DecimalField(pgettext_lazy("partner", "value"), max_digits=12, decimal_places=2)
    used_on = models.DateField(_("used on"))
    period = models.CharField(max_length=7)
    entry = models.OneToOneField("points.PointsEntry", on_delete=models.PROTECT, related_name="partner_redemption")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("points redeemed at a partner")
        verbose_name_plural = _("points redeemed at partners")
        constraints = [
            models.UniqueConstraint(fields=["partner", "reference"], name="partner_redemption_once_per_reference"),
            models.CheckConstraint(name="partner_redemption_points_positive", condition=Q(points__gt=0)),
        ]
