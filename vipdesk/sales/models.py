"""Transactions (R3): sales and returns as posted by a till, an import or a cashier by hand.

A return is its own row (kind=return) pointing at the original sale, so the original never
changes except for the cached `returned_amount`, which the return service updates under a lock.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from vipdesk.core.models import TimeStampedModel

from vipdesk.members.choices import IdentifiedBy

from .choices import PaymentMethod, SaleKind


class Sale(TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=10, choices=SaleKind.choices, default=SaleKind.SALE)
    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="sales")
    terminal = models.CharField(_("terminal"), max_length=40, blank=True)
    receipt_no = models.CharField(_("receipt number"), max_length=40)
    occurred_at = models.DateTimeField(_("time"))
    business_date = models.DateField(_("business date"))  # the store's local date of occurred_at
    member = models.ForeignKey("members.Member", verbose_name=_("member"), null=True, blank=True, on_delete=models.PROTECT, related_name="sales")
    card = models.ForeignKey("members.Card", verbose_name=_("card"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    identified_by = models.CharField(max_length=10, choices=IdentifiedBy.choices, default=IdentifiedBy.NONE)
    guide = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("shopping guide"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)  # sum of line amounts
    amount_paid = models.DecimalField(_("amount paid"), max_digits=14, decimal_places=2)
    returned_amount = models.DecimalField(_("returned amount"), max_digits=14, decimal_places=2, default=0)
    original = models.ForeignKey("self", verbose_name=_("original sale"), null=True, blank=True, on_delete=models.PROTECT, related_name="returns")
    content_hash = models.CharField(max_length=64)  # canonical content: a replay must match it exactly
    api_client = models.ForeignKey("org.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    result = models.JSONField(default=dict, blank=True)  # the posting's answer, returned again on a replay

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        constraints = [
            models.UniqueConstraint(fields=["store", "receipt_no"], name="sale_receipt_unique_per_store"),
            models.CheckConstraint(name="sale_amount_nonneg", condition=Q(amount__gte=0) & Q(amount_paid__gte=0)),
            models.CheckConstraint(name="sale_returned_within_amount", condition=Q(returned_amount__gte=0) & Q(returned_amount__lte=F("amount"))),
            models.CheckConstraint(name="sale_return_has_original",
                                   condition=Q(kind=SaleKind.SALE, original__isnull=True) | Q(kind=SaleKind.RETURN, original__isnull=False)),
        ]
        indexes = [
            # Covering (PostgreSQL): the nightly classification reads a member's sales in member order
            # from this index alone — no heap visit, no sort of ten million rows (bench/analytics.py).
            models.Index(fields=["member", "business_date"], include=["kind", "amount", "returned_amount"],
                         name="sale_member_day_cover"),
            models.Index(fields=["business_date"]),
        ]

    def __str__(self):
        return f"{self.store_id}/{self.receipt_no}"

    @property
    def net_amount(self):
        return self.amount - self.returned_amount


class SaleLine(models.Model):
    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveSmallIntegerField()
    sku = models.CharField(_("SKU"), max_length=40)
    name = models.CharField(_("product name"), max_length=100, blank=True)
    brand = models.CharField(_("brand"), max_length=60, blank=True, db_index=True)
    category = models.CharField(_("category"), max_length=60, blank=True, db_index=True)
    style_no = models.CharField(_("style number"), max_length=40, blank=True)
    size = models.CharField(_("size"), max_length=20, blank=True)
    colour = models.CharField(_("colour"), max_length=20, blank=True)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    quantity = models.IntegerField(_("quantity"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    returned_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    returned_quantity = models.IntegerField(default=0)
    original_line = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="return_lines")

    class Meta:
        ordering = ["sale", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["sale", "line_no"], name="sale_line_no_unique"),
            models.CheckConstraint(name="sale_line_positive", condition=Q(quantity__gt=0) & Q(amount__gte=0) & Q(unit_price__gte=0)),
            models.CheckConstraint(name="sale_line_returned_within",
                                   condition=Q(returned_amount__lte=F("amount")) & Q(returned_quantity__lte=F("quantity"))),
        ]


class SalePayment(models.Model):
    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="payments")
    method = models.CharField(_("payment method"), max_length=20, choices=PaymentMethod.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    points = models.IntegerField(_("points"), default=0)  # for method=points: how many points paid `amount`
    reference = models.CharField(max_length=60, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(name="sale_payment_positive", condition=Q(amount__gt=0) & Q(points__gte=0)),
            models.CheckConstraint(name="sale_payment_points_only_for_points",
                                   condition=Q(method=PaymentMethod.POINTS, points__gt=0) | (~Q(method=PaymentMethod.POINTS) & Q(points=0))),
        ]
