"""Multi-factor grading (issue 20 §3, R4, R9.1, R10.4): balances and holdings imported per customer,
the grading scheme as data (measures with weights, score bands mapped to tier levels, hold
periods), each month's grade per customer, shared customers and each manager's credited figures.

vipdesk holds no bank accounts: `Holding` rows only arrive from files (imports.py). One row per
(customer, date, product), so a file sent again finds its rows already there and changes nothing.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vipdesk.core.models import TimeStampedModel

from .choices import AumMeasure, Frequency, ImportStatus, MeasureKind, ProductKind, ShareRule


class Scheme(TimeStampedModel):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    active = models.BooleanField(_("active"), default=True)
    aum_measure = models.CharField(_("AUM measured as"), max_length=10, choices=AumMeasure.choices, default=AumMeasure.AVERAGE)
    # Downgrade only after this many consecutive months below the level held (hold period).
    downgrade_after_months = models.PositiveSmallIntegerField(_("downgrade after months below"), default=3)
    maturity_lead_days = models.PositiveSmallIntegerField(_("maturity reminder days ahead"), default=7)
    share_rule = models.CharField(_("shared customers"), max_length=8, choices=ShareRule.choices, default=ShareRule.SPLIT)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("grading scheme")
        verbose_name_plural = _("grading schemes")
        constraints = [models.UniqueConstraint(fields=["active"], condition=Q(active=True), name="grading_one_active_scheme")]

    def __str__(self):
        return self.name


class Measure(models.Model):
    """score = Σ weight × figure. A bank grading by AUM alone has one measure, AUM with weight 1."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(_("measure"), max_length=10, choices=MeasureKind.choices)
    weight = models.DecimalField(_("weight"), max_digits=14, decimal_places=4)

    class Meta:
        ordering = ["scheme", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "kind"], name="grading_measure_unique")]


class Band(models.Model):
    """A score from `min_score` up gives the tier level `level_code` (the highest band reached wins)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="bands")
    level_code = models.CharField(_("level"), max_length=20)
    min_score = models.DecimalField(_("score from"), max_digits=18, decimal_places=2)
    hold_months = models.PositiveSmallIntegerField(_("months below before downgrade"), null=True, blank=True)  # None: the scheme's

    class Meta:
        ordering = ["scheme", "min_score"]
        constraints = [models.UniqueConstraint(fields=["scheme", "level_code"], name="grading_band_level_unique"),
                       models.CheckConstraint(name="grading_band_score_nonneg", condition=Q(min_score__gte=0))]


class BalanceImport(TimeStampedModel):
    """One balance file: its content hash (a file sent again is recognised), the mapping, the report."""

    filename = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    mapping = models.JSONField(default=dict, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    new_rows = models.PositiveIntegerField(default=0)
    updated_rows = models.PositiveIntegerField(default=0)
    unchanged_rows = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=list, blank=True)  # [{"row": 3, "field": "balance", "message": "…"}]

    class Meta:
        ordering = ["-id"]
        verbose_name = _("balance import")
        verbose_name_plural = _("balance imports")
        constraints = [models.UniqueConstraint(fields=["sha256"], condition=Q(status="committed"), name="grading_import_file_once")]


class Holding(models.Model):
    """A customer's balance in one product on one date (a daily file's day, a monthly file's month-end)."""

    # No index of their own: the member's rows are found by the unique (member, on, product_code)
    # index, and no reader looks rows up by their import (fewer indexes for a million-row month).
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="holdings", db_index=False)
    on = models.DateField(_("date"))
    product_code = models.CharField(_("product code"), max_length=40)
    product_name = models.CharField(_("product"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ProductKind.choices, default=ProductKind.OTHER)
    frequency = models.CharField(max_length=8, choices=Frequency.choices)
    balance = models.DecimalField(_("balance"), max_digits=16, decimal_places=2)
    average_balance = models.DecimalField(_("average daily balance"), max_digits=16, decimal_places=2, null=True, blank=True)
    fee_income = models.DecimalField(_("fee income"), max_digits=14, decimal_places=2, default=0)
    activity = models.PositiveIntegerField(_("transactions"), default=0)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    maturity_on = models.DateField(_("matures on"), null=True, blank=True)
    source = models.ForeignKey(BalanceImport, on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        ordering = ["member", "on", "product_code"]
        constraints = [
            models.UniqueConstraint(fields=["member", "on", "product_code"], name="grading_holding_unique"),
            models.CheckConstraint(name="grading_holding_balance_nonneg", condition=Q(balance__gte=0)),
        ]
        indexes = [models.Index(fields=["on", "member"]),
                   models.Index(fields=["maturity_on"], condition=Q(maturity_on__isnull=False), name="grading_holding_maturity")]


class MonthGrade(models.Model):
    """A customer's grade of one month: the figures, the score, the band reached and the level
    applied, and how many consecutive months the band has been below the level held."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="month_grades")
    month = models.DateField(_("month"))  # its first day
    aum = models.DecimalField(_("AUM"), max_digits=16, decimal_places=2, default=0)
    score = models.DecimalField(_("score"), max_digits=18, decimal_places=2, default=0)
    band_code = models.CharField(_("band reached"), max_length=20, blank=True)
    level_code = models.CharField(_("level held"), max_length=20, blank=True)
    months_below = models.PositiveSmallIntegerField(_("months below"), default=0)

    class Meta:
        ordering = ["member", "-month"]
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="grading_month_grade_unique")]
        indexes = [models.Index(fields=["month"])]


class GradingRun(TimeStampedModel):
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="runs")
    month = models.DateField(_("month"))
    result = models.JSONField(default=dict)

    class Meta:
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["scheme", "month"], name="grading_run_month_unique")]


class CoManager(models.Model):
    """A shared customer (分户管户): besides the owner (Member.owner, the primary manager) another
    manager with a share of the credit. The owner keeps 1 − Σ shares."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="co_managers")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    share = models.DecimalField(_("share"), max_digits=5, decimal_places=4)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "staff"], name="grading_comanager_unique"),
                       models.CheckConstraint(name="grading_comanager_share_range", condition=Q(share__gt=0) & Q(share__lt=1))]


class ManagerCredit(models.Model):
    """业绩认定: what a manager is credited with for a month (rebuilt by each grading run of the month)."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"))
    customers = models.PositiveIntegerField(_("customers"), default=0)
    credited_balance = models.DecimalField(_("credited balance"), max_digits=18, decimal_places=2, default=0)
    new_products = models.DecimalField(_("new products"), max_digits=10, decimal_places=2, default=0)

    class Meta:
        ordering = ["month", "-credited_balance"]
        constraints = [models.UniqueConstraint(fields=["staff", "month"], name="grading_credit_unique")]
