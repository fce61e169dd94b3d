"""Shapes of the coupon answers, for the schema: the views build the dicts (campaign_out, rule_out,
coupon_dict), these declare them. Amounts are decimal strings in yuan ("60.00")."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from vipdesk.coupons.choices import CombinesWith


def _money(**kw):
    return serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True, **kw)


def _words(**kw):
    return serializers.ListField(child=serializers.CharField(), **kw)


class RuleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    campaign = serializers.CharField(help_text=_("Code of the campaign whose coupons the rule issues."))
    name = serializers.CharField(allow_blank=True)
    trigger = serializers.CharField(help_text=_("sale, birthday, upgrade or registration."))
    step_amount = _money(allow_null=True, help_text=_("Sales: coupons per this much paid."))
    coupons_per_step = serializers.IntegerField()
    accumulate_daily = serializers.BooleanField()
    paid_methods = _words()
    excluded_categories = _words()
    excluded_brands = _words()
    store_codes = _words(help_text=_("Empty: every store."))
    level_codes = _words(help_text=_("Empty: every level."))
    days_before = serializers.IntegerField()
    used_on_return = serializers.CharField()
    active = serializers.BooleanField()
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)


class CampaignSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    face_value = _money(allow_null=True)
    discount_zhe = serializers.DecimalField(max_digits=4, decimal_places=2, coerce_to_string=True, allow_null=True)
    max_discount = _money(allow_null=True)
    threshold = _money(allow_null=True)
    exchange_sku = serializers.CharField(allow_blank=True)
    goods_scope = serializers.CharField()
    scope_skus = _words()
    scope_brands = _words()
    scope_categories = _words()
    store_codes = _words(help_text=_("Empty: every store."))
    level_codes = _words(help_text=_("Empty: every level."))
    valid_from = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True)
    valid_days = serializers.IntegerField(allow_null=True)
    blackout_dates = serializers.ListField(child=serializers.DateField())
    per_member_limit = serializers.IntegerField(allow_null=True)
    total_limit = serializers.IntegerField(allow_null=True)
    issued_count = serializers.IntegerField()
    combines_with = serializers.ChoiceField(CombinesWith.choices, help_text=_("Which other coupons may share an order."))
    max_per_order = serializers.IntegerField(help_text=_("Coupons of this campaign in one order at most."))
    spend_per_coupon = _money(help_text=_("Goods it applies to needed per coupon used (0: no such rule)."))
    mall_share_percent = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=True, allow_null=True)
    active = serializers.BooleanField()
    rules = RuleSerializer(many=True)


class CouponSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Coupon code as printed, in groups of four."))
    campaign = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    face_value = _money(allow_null=True)
    discount_zhe = serializers.DecimalField(max_digits=4, decimal_places=2, coerce_to_string=True, allow_null=True)
    threshold = _money()
    status = serializers.CharField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)
    issued_on = serializers.DateField()
    used_amount = _money(allow_null=True)


class CouponCheckSerializer(CouponSerializer):
    usable = serializers.BooleanField()
    allowance = _money(help_text=_("Most the coupon may pay on these goods."))


class MemberCouponsSerializer(serializers.Serializer):
    member = serializers.CharField(help_text=_("Member number."))
    coupons = CouponSerializer(many=True)


class IssueOutSerializer(serializers.Serializer):
    campaign = serializers.CharField()
    members = serializers.IntegerField(help_text=_("Members found in your scope."))
    at_limit = serializers.IntegerField(help_text=_("Of them, members the per-member limit stops."))
    not_found = serializers.IntegerField(help_text=_("Member numbers not found (or not in your scope)."))
    issued = serializers.IntegerField(required=False, help_text=_("Coupons issued; absent in a preview."))
    batch = serializers.CharField(required=False, help_text=_("The batch's id in the audit trail; absent in a preview."))
