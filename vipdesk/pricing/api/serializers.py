"""Shape of a quote, for the schema: vipdesk.pricing.services.quote_out builds it. Amounts are
decimal strings in yuan ("899.00"); a line's and an order's discounts are negative."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


def _money(**kw):
    return serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True, **kw)


class AdjustmentSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=_("e.g. member_price, special, level_discount, member_day, stored_value_discount."))
    rule = serializers.CharField(allow_blank=True, help_text=_("The price list, special, level or promotion applied."))
    unit_before = _money(required=False)
    unit_after = _money(required=False)
    amount = _money(help_text=_("What it takes off the line (negative), or 0.00."))
    why = serializers.CharField()


class QuoteLineSerializer(serializers.Serializer):
    line_no = serializers.IntegerField()
    basket_line = serializers.IntegerField(help_text=_("The basket line it prices (a line may split at a special's limit)."))
    sku = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    brand = serializers.CharField(allow_blank=True)
    category = serializers.CharField(allow_blank=True)
    quantity = serializers.IntegerField()
    list_unit_price = _money()
    unit_price = _money()
    amount = _money()
    special = serializers.CharField(allow_null=True, help_text=_("Code of the member special, when these pieces are at its price."))
    adjustments = AdjustmentSerializer(many=True)


class QuoteCouponSerializer(serializers.Serializer):
    code = serializers.CharField()
    campaign = serializers.CharField()
    name = serializers.CharField()
    amount = _money()
    why = serializers.CharField()


class QuotePointsSerializer(serializers.Serializer):
    points = serializers.IntegerField()
    amount = _money()
    why = serializers.CharField()


class QuoteStoredValueSerializer(serializers.Serializer):
    amount = _money()
    balance_after = _money()


class QuoteSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text=_("Send it as `quote` to POST /api/v1/sales/ to commit the quote."))
    store = serializers.CharField()
    member = serializers.CharField(allow_null=True, help_text=_("Member number; null for a customer without a card."))
    business_date = serializers.DateField()
    expires_at = serializers.DateTimeField()
    status = serializers.CharField()
    lines = QuoteLineSerializer(many=True)
    total_list = _money(help_text=_("The basket at list prices."))
    discounts = _money(help_text=_("total − total_list (negative)."))
    total = _money(help_text=_("After member prices, specials and discounts, before coupons, points and stored value."))
    coupons = QuoteCouponSerializer(many=True)
    points = QuotePointsSerializer(allow_null=True)
    stored_value = QuoteStoredValueSerializer(allow_null=True)
    to_pay = _money(help_text=_("What is left to pay by other tenders."))
    points_multiplier = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=True, allow_null=True,
                                                 help_text=_("Member day's points multiplier, when one applies."))
