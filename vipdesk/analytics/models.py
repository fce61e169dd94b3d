"""Analytics tables (R8.1, R8.2, R4.7): the classification settings, the nightly member snapshot
and saved dynamic segments. Analytics only reads domain rows; these are its own."""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vipdesk.core.models import TimeStampedModel

from .choices import AbcClass, Lifecycle, PyramidClass, SpendClass, SplitRule

MONEY = {"max_digits": 14, "decimal_places": 2}
PCT = {"max_digits": 5, "decimal_places": 2}


class ClassificationPolicy(TimeStampedModel):
    """HQ's settings for every classification; one row (code "default"), created on first use.
    The defaults are the seeds' where the seeds give numbers, plain choices where they say "X"."""

    code = models.CharField(max_length=20, unique=True, default="default")
    # RFM (R8.2): over the purchases of the last N months, scores 1..bins, high = above the split.
    rfm_window_months = models.PositiveSmallIntegerField(_("RFM window (months)"), default=12)
    rfm_bins = models.PositiveSmallIntegerField(_("RFM score levels"), default=5)
    rfm_split = models.CharField(_("high means"), max_length=10, choices=SplitRule.choices, default=SplitRule.MEAN)
    # ABC (000 篇2): A buys often AND much; B the next step; C the rest. Same window as RFM.
    abc_a_visits = models.PositiveIntegerField(_("A: purchase days at least"), default=4)
    abc_a_spend = models.DecimalField(_("A: spend at least"), **MONEY, default=Decimal("10000.00"))
    abc_b_visits = models.PositiveIntegerField(_("B: purchase days at least"), default=2)
    abc_b_spend = models.DecimalField(_("B: spend at least"), **MONEY, default=Decimal("3000.00"))
    # Customer pyramid (001): members ranked by contribution in the window; cumulative shares of members.
    pyramid_platinum_pct = models.DecimalField(_("platinum: top % of members"), **PCT, default=Decimal("1.00"))
    pyramid_gold_pct = models.DecimalField(_("gold: down to top % of members"), **PCT, default=Decimal("5.00"))
    pyramid_iron_pct = models.DecimalField(_("iron: down to top % of members"), **PCT, default=Decimal("20.00"))
    # A/B/C/D by average annual spend (002): A ≥ X, B ≥ X1, C ≥ X2, D below X2.
    spend_class_years = models.PositiveSmallIntegerField(_("years averaged"), default=1)
    spend_a = models.DecimalField(_("X (A from)"), **MONEY, default=Decimal("20000.00"))
    spend_b = models.DecimalField(_("X1 (B from)"), **MONEY, default=Decimal("5000.00"))
    spend_c = models.DecimalField(_("X2 (C from)"), **MONEY, default=Decimal("1000.00"))
    # SVIP (004, 003 篇1): the top share of VIP-tier members by spend in the window.
    svip_pct = models.DecimalField(_("SVIP: top % of VIPs"), **PCT, default=Decimal("10.00"))
    # Life cycle (001 六, R2.6): months without a purchase. Dormant is the card rule's DORMANT_MONTHS.
    about_to_churn_months = models.PositiveSmallIntegerField(_("about to churn after (months)"), default=6)
    churned_months = models.PositiveSmallIntegerField(_("churned after (months)"), default=24)
    # Snapshots: every day for this many days, then the last day of each month only.
    snapshot_daily_days = models.PositiveSmallIntegerField(_("keep daily snapshots (days)"), default=31)

    class Meta:
        verbose_name = _("classification settings")
        verbose_name_plural = _("classification settings")
        constraints = [
            models.CheckConstraint(name="classify_bins_range", condition=Q(rfm_bins__gte=2, rfm_bins__lte=10)),
            models.CheckConstraint(name="classify_abc_order", condition=Q(abc_a_spend__gte=models.F("abc_b_spend"))),
            models.CheckConstraint(name="classify_spend_order",
                                   condition=Q(spend_a__gte=models.F("spend_b"), spend_b__gte=models.F("spend_c"))),
            models.CheckConstraint(name="classify_pyramid_order",
                                   condition=Q(pyramid_platinum_pct__lte=models.F("pyramid_gold_pct"),
                                               pyramid_gold_pct__lte=models.F("pyramid_iron_pct"), pyramid_iron_pct__lte=100)),
        ]

    def __str__(self):
        return self.code


class MemberSnapshot(models.Model):
    """One member's scores and classes as of the end of business date `date` (written in bulk by
    the nightly job; see classify.py for every definition). r/f/m 0 = not scored (no purchase in
    the RFM window); rfm_segment is then blank."""

    date = models.DateField(_("date"))
    # No database FK: a million derived rows a night would each fire the deferred constraint trigger;
    # members are never deleted (withdrawal anonymises), and Django still cascades a deletion.
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="snapshots", db_constraint=False)
    r_score = models.PositiveSmallIntegerField(_("R score"), default=0)
    f_score = models.PositiveSmallIntegerField(_("F score"), default=0)
    m_score = models.PositiveSmallIntegerField(_("M score"), default=0)
    rfm_segment = models.CharField(_("RFM segment"), max_length=20, blank=True)
    abc_class = models.CharField(_("ABC class"), max_length=1, choices=AbcClass.choices)
    pyramid_class = models.CharField(_("pyramid class"), max_length=10, choices=PyramidClass.choices)
    spend_class = models.CharField(_("spend class"), max_length=1, choices=SpendClass.choices)
    is_vip = models.BooleanField(_("VIP tier"), default=False)
    svip = models.BooleanField(_("SVIP"), default=False)
    lifecycle = models.CharField(_("life cycle"), max_length=15, choices=Lifecycle.choices)
    last_purchase_on = models.DateField(_("last purchase"), null=True, blank=True)
    frequency = models.PositiveIntegerField(_("purchase days in window"), default=0)
    monetary = models.DecimalField(_("spend in window"), **MONEY, default=Decimal("0"))
    annual_spend = models.DecimalField(_("average annual spend"), **MONEY, default=Decimal("0"))

    class Meta:
        ordering = ["-date", "member"]
        verbose_name = _("member snapshot")
        verbose_name_plural = _("member snapshots")
        constraints = [models.UniqueConstraint(fields=["date", "member"], name="snapshot_once_per_member_and_date")]

    def __str__(self):
        return f"{self.member_id}@{self.date}"


class Segment(TimeStampedModel):
    """A saved dynamic segment: a filter definition (validated by segments.definition_clean),
    evaluated afresh on every use by selectors.segment_members."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    definition = models.JSONField(_("definition"), default=dict)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="segments")

    class Meta:
        ordering = ["name"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")

    def __str__(self):
        return self.name


class ClvModel(models.Model):
    """A BG/NBD + Gamma-Gamma fit over every member's purchases up to `as_of` (weeks). Kept so a
    member's probability alive and lifetime value can be shown on the 360° page in milliseconds,
    from the member's own purchase days, without refitting (clv.member_clv)."""

    as_of = models.DateField(_("data up to"), unique=True)
    customers = models.PositiveIntegerField(_("customers"))
    # Model parameters, not money; kept as Decimal to 10 places (the fits are reported to 6).
    r = models.DecimalField(max_digits=24, decimal_places=10)
    alpha = models.DecimalField(max_digits=24, decimal_places=10)
    a = models.DecimalField(max_digits=24, decimal_places=10)
    b = models.DecimalField(max_digits=24, decimal_places=10)
    p = models.DecimalField(max_digits=24, decimal_places=10, null=True, blank=True)
    q = models.DecimalField(max_digits=24, decimal_places=10, null=True, blank=True)
    v = models.DecimalField(max_digits=24, decimal_places=10, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-as_of"]
        verbose_name = _("lifetime-value model")
        verbose_name_plural = _("lifetime-value models")
