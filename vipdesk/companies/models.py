"""Organisation accounts (R1.6) and their annual evaluation (R11.3).

A Company is a customer organisation: its contacts are members (a member belongs to at most one
company), so every purchase a contact makes counts for the company — nothing is copied, the
account's figures are queries over the contacts' sales. Agreements carry the validity and terms.

The evaluation is data: a Scheme (济钢's 年度VIP客户评价) has Criteria with weights and optional
hard gates, and AwardTiers by rank. An EvaluationYear holds the entered measurements and the
results; it moves draft → reviewed → approved (two different HQ people) and is frozen once approved.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vipdesk.core.models import TimeStampedModel


class ContactRole(models.TextChoices):
    LEGAL = "legal", _("Legal representative")
    PURCHASING = "purchasing", _("Purchasing")
    FINANCE = "finance", _("Finance")
    TECHNICAL = "technical", _("Technical")
    OTHER = "other", _("Other")


class Company(TimeStampedModel):
    name = models.CharField(_("company name"), max_length=100, unique=True)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    industry = models.CharField(_("industry"), max_length=60, blank=True)
    region = models.CharField(_("region"), max_length=60, blank=True)
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account manager"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="companies_managed")
    deputies = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("deputies"), blank=True, related_name="companies_deputised")
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self):
        return self.name


class CompanyContact(TimeStampedModel):
    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="contacts")
    member = models.OneToOneField("members.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="company_contact")
    role = models.CharField(_("role"), max_length=12, choices=ContactRole.choices, default=ContactRole.PURCHASING)
    primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        ordering = ["-primary", "id"]
        constraints = [models.UniqueConstraint(fields=["company"], condition=Q(primary=True), name="company_one_primary_contact")]


class Agreement(TimeStampedModel):
    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="agreements")
    number = models.CharField(_("agreement number"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=100)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    terms = models.TextField(_("terms"), blank=True)

    class Meta:
        ordering = ["-valid_until", "id"]
        constraints = [models.CheckConstraint(condition=Q(valid_until__gte=models.F("valid_from")), name="agreement_valid_range")]


class CompanyImport(TimeStampedModel):
    """A company import run: the file and its row-by-row report (like members.ImportJob)."""

    filename = models.CharField(_("file"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    dry_run = models.BooleanField(_("dry run"), default=True)
    status = models.CharField(_("status"), max_length=10)
    total_rows = models.PositiveIntegerField(default=0)
    imported_rows = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-id"]


# ---- the annual evaluation ------------------------------------------------------------------

class AwardKind(models.TextChoices):
    REBATE = "rebate", _("Rebate credit")
    STORED_VALUE = "stored_value", _("Stored value")
    POINTS = "points", _("Points")


class Source(models.TextChoices):
    SALES_QUANTITY = "sales_quantity", _("Quantity bought by the contacts in the year")
    SALES_AMOUNT = "sales_amount", _("Amount bought by the contacts in the year")
    ENTERED = "entered", _("Entered for the year")


class YearState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEWED = "reviewed", _("Reviewed")
    APPROVED = "approved", _("Approved")


class Scheme(TimeStampedModel):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    award_kind = models.CharField(_("award as"), max_length=12, choices=AwardKind.choices, default=AwardKind.REBATE)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.name


class Criterion(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=60)
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.ENTERED)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, default=0)
    lower_is_better = models.BooleanField(_("lower is better"), default=False)
    gate_min = models.DecimalField(_("at least"), max_digits=16, decimal_places=2, null=True, blank=True)
    gate_max = models.DecimalField(_("at most"), max_digits=16, decimal_places=2, null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="criterion_code_once"),
                       models.CheckConstraint(condition=Q(weight__gte=0), name="criterion_weight_not_negative")]


class AwardTier(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="awards")
    rank = models.PositiveSmallIntegerField(_("rank"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)  # yuan; points for a points award

    class Meta:
        ordering = ["rank"]
        constraints = [models.UniqueConstraint(fields=["scheme", "rank"], name="award_rank_once"),
                       models.CheckConstraint(condition=Q(amount__gt=0), name="award_amount_positive")]


class EvaluationYear(TimeStampedModel):
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="years")
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(_("state"), max_length=10, choices=YearState.choices, default=YearState.DRAFT)
    evaluated_at = models.DateTimeField(null=True, blank=True)
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-year", "scheme_id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "year"], name="evaluation_year_once"),
            models.CheckConstraint(condition=~Q(state="approved") | (Q(approved_by__isnull=False) & Q(reviewed_by__isnull=False)
                                                                   & ~Q(approved_by=models.F("reviewed_by"))),
                                   name="evaluation_approved_by_two"),
        ]


class Measurement(models.Model):
    """An entered figure of one company for one criterion in one year (payment ratio, share…)."""

    year = models.ForeignKey(EvaluationYear, on_delete=models.CASCADE, related_name="measurements")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "company", "criterion"], name="measurement_once")]


class Result(models.Model):
    year = models.ForeignKey(EvaluationYear, on_delete=models.CASCADE, related_name="results")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="evaluation_results")
    values = models.JSONField(default=dict)  # criterion code → the figure as a string
    score = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    disqualified = models.BooleanField(default=False)
    reason = models.CharField(max_length=300, blank=True)
    award_kind = models.CharField(max_length=12, choices=AwardKind.choices, blank=True)
    award_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    award_reference = models.CharField(max_length=60, blank=True)  # the wallet or points entry that paid it

    class Meta:
        ordering = ["disqualified", "rank", "company__name"]
        constraints = [models.UniqueConstraint(fields=["year", "company"], name="result_once"),
                       models.UniqueConstraint(fields=["year", "rank"], condition=Q(rank__isnull=False), name="result_rank_once")]
