"""Coupons (R7.1, 卡券): campaigns as data, issuance rules, single-use coupons and their history.

A campaign is a condition plus a benefit: the kind (A券 full-value voucher, B券 gift voucher,
折 discount, 满减 threshold, exchange), the goods it applies to, where and for whom, and how long
a coupon of it is valid. An issuance rule says when coupons of a campaign are given: on a sale
(every 300 yuan of cash paid → one 60-yuan B券, 003 篇9), on the birthday, on an upgrade, on
registration. Bulk issues to a list or a segment are services, not rules.

A coupon is single use; its status changes only through the services, and every change appends a
CouponEvent (issue, use, restore, revoke, charge back, void), so its history can be read back.
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from vipdesk.core.models import AppendOnlyModel, TimeStampedModel

from .choices import MAX_COUPONS_PER_ORDER, CombinesWith, CouponKind, CouponStatus, EventKind, GoodsScope, Trigger, UsedCouponOnReturn


def _money(label, **kw):
    return models.DecimalField(label, max_digits=14, decimal_places=2, **kw)


class Campaign(TimeStampedModel):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=CouponKind.choices)
    face_value = _money(_("face value (yuan)"), null=True, blank=True)  # vouchers, 满减
    # 折 as the customer reads it: 8.5 means pay 85 %. Stored as 折, not as a percentage off, so
    # what HQ typed is what the receipt shows.
    discount_zhe = models.DecimalField(_("discount (折)"), max_digits=4, decimal_places=2, null=True, blank=True)
    max_discount = _money(_("largest discount (yuan)"), null=True, blank=True)
    threshold = _money(_("goods in scope of at least (yuan)"), default=Decimal("0.00"))
    exchange_sku = models.CharField(_("item given (SKU)"), max_length=40, blank=True)

    goods_scope = models.CharField(_("goods"), max_length=10, choices=GoodsScope.choices, default=GoodsScope.ALL)
    scope_skus = models.JSONField(_("SKUs"), default=list, blank=True)
    scope_brands = models.JSONField(_("brands"), default=list, blank=True)
    scope_categories = models.JSONField(_("categories"), default=list, blank=True)
    store_codes = models.JSONField(_("stores (empty: all)"), default=list, blank=True)
    level_codes = models.JSONField(_("levels (empty: all)"), default=list, blank=True)

    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    valid_days = models.PositiveIntegerField(_("valid for N days after issue"), null=True, blank=True)
    blackout_dates = models.JSONField(_("blackout dates"), default=list, blank=True)

    per_member_limit = models.PositiveIntegerField(_("at most per member"), null=True, blank=True)
    total_limit = models.PositiveIntegerField(_("at most in all"), null=True, blank=True)
    issued_count = models.PositiveIntegerField(_("issued"), default=0)
    # Stacking (issue 13 §15), as data: with which coupons one of this campaign may share an order
    # (both must allow it), how many of it one order takes, and how much of the goods it applies to
    # each one needs (B券: one ¥60 per ¥300). 0: none needed beyond `threshold`.
    combines_with = models.CharField(_("may be combined with"), max_length=10, choices=CombinesWith.choices,
                                     default=CombinesWith.NONE)
    max_per_order = models.PositiveSmallIntegerField(_("at most per order"), default=1)
    spend_per_coupon = _money(_("goods in scope per coupon used (yuan)"), default=Decimal("0.00"))
    # B券: who bears the cost (003 篇9 注1: mall and brand 50 % each). The brand's share is the rest.
    mall_share_percent = models.DecimalField(_("mall's share of the cost (%)"), max_digits=5, decimal_places=2,
                                             default=Decimal("100.00"))
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-id"]
        verbose_name = _("coupon campaign")
        verbose_name_plural = _("coupon campaigns")
        constraints = [
            models.CheckConstraint(name="campaign_values_nonneg",
                                   condition=(Q(face_value__isnull=True) | Q(face_value__gt=0)) & Q(threshold__gte=0)),
            models.CheckConstraint(name="campaign_zhe_range",
                                   condition=Q(discount_zhe__isnull=True) | (Q(discount_zhe__gt=0) & Q(discount_zhe__lt=10))),
            models.CheckConstraint(name="campaign_share_range", condition=Q(mall_share_percent__gte=0, mall_share_percent__lte=100)),
            models.CheckConstraint(name="campaign_window_ordered",
                                   condition=Q(valid_from__isnull=True) | Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from"))),
            models.CheckConstraint(name="campaign_total_limit",
                                   condition=Q(total_limit__isnull=True) | Q(issued_count__lte=F("total_limit"))),
            models.CheckConstraint(name="campaign_per_order_range",
                                   condition=Q(max_per_order__gte=1, max_per_order__lte=MAX_COUPONS_PER_ORDER)),
            models.CheckConstraint(name="campaign_alone_once", condition=~Q(combines_with="none") | Q(max_per_order=1)),
            models.CheckConstraint(name="campaign_spend_per_coupon_nonneg", condition=Q(spend_per_coupon__gte=0)),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class CouponPolicy(TimeStampedModel):
    """The order's limits on coupons, set by HQ: how many coupons one order may take, and what share
    of the order (the goods total after member prices and discounts) coupons may pay together."""

    code = models.CharField(max_length=20, unique=True, default="default")
    max_coupons_per_order = models.PositiveSmallIntegerField(_("coupons per order at most"), default=5)
    max_share_percent = models.DecimalField(_("coupons pay at most this share of the order (%)"), max_digits=5, decimal_places=2,
                                            default=Decimal("100.00"))

    class Meta:
        verbose_name = _("coupon policy")
        verbose_name_plural = _("coupon policies")
        constraints = [
            models.CheckConstraint(name="coupon_policy_count_range",
                                   condition=Q(max_coupons_per_order__gte=1, max_coupons_per_order__lte=MAX_COUPONS_PER_ORDER)),
            models.CheckConstraint(name="coupon_policy_share_range", condition=Q(max_share_percent__gt=0, max_share_percent__lte=100)),
        ]


class IssuanceRule(TimeStampedModel):
    """When coupons of a campaign are given.

    On a sale: for every `step_amount` of cash paid (the tenders in `paid_methods`) on goods not
    excluded, `coupons_per_step` coupons; with `accumulate_daily` the member's sales of the business
    date add up (当日累计), remainders ignored (零头不计). On the birthday `days_before` ahead, on an
    upgrade to one of `level_codes` (empty: any upgrade), on registration: `coupons_per_step` each."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="rules")
    name = models.CharField(_("name"), max_length=60, blank=True)
    trigger = models.CharField(_("when"), max_length=15, choices=Trigger.choices)
    step_amount = _money(_("for every (yuan paid)"), null=True, blank=True)
    coupons_per_step = models.PositiveSmallIntegerField(_("coupons each time"), default=1)
    accumulate_daily = models.BooleanField(_("add up the day's sales"), default=True)
    paid_methods = models.JSONField(_("tenders that count as paid"), default=list, blank=True)
    excluded_categories = models.JSONField(_("categories excluded"), default=list, blank=True)
    excluded_brands = models.JSONField(_("brands excluded"), default=list, blank=True)
    store_codes = models.JSONField(_("stores (empty: all)"), default=list, blank=True)
    level_codes = models.JSONField(_("levels (empty: all)"), default=list, blank=True)
    days_before = models.PositiveSmallIntegerField(_("days ahead (birthday)"), default=0)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    used_on_return = models.CharField(_("a used coupon on return"), max_length=15, choices=UsedCouponOnReturn.choices,
                                      default=UsedCouponOnReturn.CHARGE_BACK)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("issuance rule")
        verbose_name_plural = _("issuance rules")
        constraints = [
            models.CheckConstraint(name="rule_step_positive", condition=Q(step_amount__isnull=True) | Q(step_amount__gt=0)),
            models.CheckConstraint(name="rule_sale_has_step", condition=~Q(trigger="sale") | Q(step_amount__isnull=False)),
            models.CheckConstraint(name="rule_window_ordered",
                                   condition=Q(starts_on__isnull=True) | Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on"))),
        ]

    def __str__(self):
        return self.name or f"{self.get_trigger_display()} → {self.campaign.name}"


class Coupon(TimeStampedModel):
    code = models.CharField(_("code"), max_length=20, unique=True)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="coupons")
    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="coupons")
    status = models.CharField(_("status"), max_length=10, choices=CouponStatus.choices, default=CouponStatus.ISSUED)
    face_value = _money(_("face value (yuan)"), null=True, blank=True)  # the campaign's at issue
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    issued_on = models.DateField(_("issued on"))  # business date; a sale rule counts coupons per member, rule and date
    rule = models.ForeignKey(IssuanceRule, null=True, blank=True, on_delete=models.PROTECT, related_name="coupons")
    earned_by = models.ForeignKey("sales.Sale", null=True, blank=True, on_delete=models.PROTECT, related_name="coupons_earned")
    # An event issue (birthday of a year, an upgrade, registration) happens once: the key makes it so.
    source_key = models.CharField(max_length=60, blank=True)
    batch = models.CharField(_("batch"), max_length=40, blank=True)
    used_sale = models.ForeignKey("sales.Sale", null=True, blank=True, on_delete=models.PROTECT, related_name="coupons_used")
    used_amount = _money(_("amount used (yuan)"), null=True, blank=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        constraints = [
            models.UniqueConstraint(fields=["rule", "member", "source_key"], condition=~Q(source_key=""), name="coupon_event_once"),
            models.CheckConstraint(name="coupon_used_has_sale",
                                   condition=~Q(status="used") | (Q(used_sale__isnull=False) & Q(used_amount__isnull=False))),
            models.CheckConstraint(name="coupon_used_amount_nonneg", condition=Q(used_amount__isnull=True) | Q(used_amount__gte=0)),
        ]
        indexes = [
            models.Index(fields=["member", "status"]),
            models.Index(fields=["rule", "member", "issued_on"]),
            models.Index(fields=["campaign", "member"]),
        ]

    def __str__(self):
        return self.code


class CouponEvent(AppendOnlyModel):
    ledger = "coupon"

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=15, choices=EventKind.choices)
    sale = models.ForeignKey("sales.Sale", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    amount = _money(_("amount (yuan)"), null=True, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("coupon event")
        verbose_name_plural = _("coupon events")
        indexes = [models.Index(fields=["sale", "kind"])]
