"""Member prices, specials, member days, promotions and the checkout quote (R7.2–R7.5, issue 4 §3–§4).

- MemberPrice: a member-only unit price per SKU, for a level or for every member (会员价).
- Special: a member special (会员特价) with a quota per card (one per card) and a cap per day (100 a
  day); SpecialDay counts the day's pieces under a row lock and a CHECK, SpecialTake records who took
  how many (the per-card quota is counted from it under the same lock).
- MemberDay: 会员日 — weekdays or days of the month (days ending in 3 = 3, 13, 23), with a discount
  (折) and/or a points multiplier.
- Promotion: a sale event; `suspend_level_discount` is 003 篇9's "活动期间VIP卡折扣功能暂停,但积分累计
  功能正常使用" — level discounts stop, points keep accruing.
- Quote: what the till was told, kept until it expires or a sale commits it.
"""
from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from vipdesk.core.models import TimeStampedModel


def _money(label, **kw):
    return models.DecimalField(label, max_digits=14, decimal_places=2, **kw)


def _zhe(label, **kw):
    return models.DecimalField(label, max_digits=4, decimal_places=2, null=True, blank=True, **kw)


class PricingPolicy(TimeStampedModel):
    code = models.CharField(max_length=20, unique=True, default="default")
    birthday_discount_zhe = _zhe(_("birthday discount (折)"))
    points_offset_order_cap = _money(_("points pay at most per order (yuan)"), null=True, blank=True)
    points_offset_max_share = models.DecimalField(_("points pay at most this share of the order (%)"), max_digits=5, decimal_places=2,
                                                  default=Decimal("50.00"))
    points_offset_min_order = _money(_("points may pay from an order of (yuan)"), default=Decimal("0.00"))
    quote_minutes = models.PositiveIntegerField(_("a quote is valid for (minutes)"), default=15)

    class Meta:
        verbose_name = _("pricing policy")
        verbose_name_plural = _("pricing policies")
        constraints = [
            models.CheckConstraint(name="pricing_birthday_zhe", condition=Q(birthday_discount_zhe__isnull=True)
                                   | Q(birthday_discount_zhe__gt=0, birthday_discount_zhe__lt=10)),
            models.CheckConstraint(name="pricing_share_range", condition=Q(points_offset_max_share__gte=0, points_offset_max_share__lte=100)),
            models.CheckConstraint(name="pricing_quote_minutes", condition=Q(quote_minutes__gte=1)),
        ]


class Window(models.Model):
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    store_codes = models.JSONField(_("stores (empty: all)"), default=list, blank=True)
    level_codes = models.JSONField(_("levels (empty: every member)"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True

    def applies(self, *, on, store_code: str, level_code: str | None) -> bool:
        if not self.active or (self.starts_on and on < self.starts_on) or (self.ends_on and on > self.ends_on):
            return False
        if self.store_codes and store_code not in self.store_codes:
            return False
        return not self.level_codes or level_code in self.level_codes


class MemberPrice(Window):
    sku = models.CharField(_("SKU"), max_length=40, db_index=True)
    price = _money(_("member price (yuan)"))

    class Meta:
        ordering = ["sku", "price"]
        verbose_name = _("member price")
        verbose_name_plural = _("member prices")
        constraints = [models.CheckConstraint(name="member_price_positive", condition=Q(price__gt=0))]


class Special(Window):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    sku = models.CharField(_("SKU"), max_length=40, db_index=True)
    price = _money(_("special price (yuan)"))
    per_card = models.PositiveIntegerField(_("at most per card"), default=1)
    per_day = models.PositiveIntegerField(_("at most per day"), default=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("member special")
        verbose_name_plural = _("member specials")
        constraints = [models.CheckConstraint(name="special_positive", condition=Q(price__gt=0) & Q(per_card__gte=1) & Q(per_day__gte=1))]

    def __str__(self):
        return self.name


class SpecialDay(models.Model):
    special = models.ForeignKey(Special, on_delete=models.PROTECT, related_name="days")
    date = models.DateField()
    sold = models.PositiveIntegerField(default=0)
    cap = models.PositiveIntegerField()  # the special's per_day when the day started: a change later does not undo sales

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["special", "date"], name="special_day_once"),
            models.CheckConstraint(name="special_day_within_cap", condition=Q(sold__lte=F("cap"))),
        ]


class SpecialTake(models.Model):
    special = models.ForeignKey(Special, on_delete=models.PROTECT, related_name="takes")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    card_no = models.CharField(max_length=30)  # the card the quota counts against (member number when no card)
    business_date = models.DateField()
    quantity = models.PositiveIntegerField()
    sale = models.ForeignKey("sales.Sale", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["special", "card_no"])]


class MemberDay(Window):
    name = models.CharField(_("name"), max_length=60)
    weekdays = models.JSONField(_("weekdays (1 = Monday)"), default=list, blank=True)
    month_days = models.JSONField(_("days of the month"), default=list, blank=True)
    discount_zhe = _zhe(_("discount (折)"))
    points_multiplier = models.DecimalField(_("points multiplier"), max_digits=4, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("member day")
        verbose_name_plural = _("member days")
        constraints = [
            models.CheckConstraint(name="member_day_zhe", condition=Q(discount_zhe__isnull=True) | Q(discount_zhe__gt=0, discount_zhe__lt=10)),
            models.CheckConstraint(name="member_day_multiplier", condition=Q(points_multiplier__isnull=True) | Q(points_multiplier__gte=1)),
        ]

    def falls_on(self, day) -> bool:
        return day.isoweekday() in (self.weekdays or []) or day.day in (self.month_days or [])

    def __str__(self):
        return self.name


class Promotion(Window):
    name = models.CharField(_("name"), max_length=60)
    suspend_level_discount = models.BooleanField(_("level discounts suspended (points still accrue)"), default=True)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")

    def __str__(self):
        return self.name


class QuoteStatus(models.TextChoices):
    OPEN = "open", _("Open")
    COMMITTED = "committed", _("Committed")


class Quote(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    store = models.ForeignKey("org.Store", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    card_no = models.CharField(max_length=30, blank=True)
    identified_by = models.JSONField(default=dict)  # how the member was identified: replayed into the sale
    business_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=QuoteStatus.choices, default=QuoteStatus.OPEN)
    result = models.JSONField()
    sale = models.OneToOneField("sales.Sale", null=True, blank=True, on_delete=models.PROTECT, related_name="quote")

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints = [models.CheckConstraint(name="quote_committed_has_sale", condition=~Q(status="committed") | Q(sale__isnull=False))]
