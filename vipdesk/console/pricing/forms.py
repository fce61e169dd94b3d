"""Forms of the HQ pricing screens (R7.2–R7.5, issue 4 §5): member prices, specials, member days,
promotions, the pricing policy and, on the same page, the order's limits on coupons.

They only collect raw text: pricing.config (and coupons.campaigns for the coupon limits) read it with
core.parsing and answer per field in the user's language; ServiceErrorsMixin puts those messages next
to these fields. Lists (stores, levels…) are typed as "SA01, SB01" or one per line.
"""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from ..forms import LEVELS_HELP, STORES_HELP, ServiceErrorsMixin, _date, _list, _number, _text

class WindowFields(forms.Form):
    """Where, for whom and when a pricing row or rule applies."""

    store_codes = _list(_("Stores"), STORES_HELP, rows=1)
    level_codes = _list(_("Tier levels"), LEVELS_HELP, rows=1)
    starts_on = _date(_("From"))
    ends_on = _date(_("Until"))


class MemberPriceForm(ServiceErrorsMixin, WindowFields):
    sku = _text(_("SKU"), 40)
    price = _number(_("Member price (yuan)"))

    field_order = ["sku", "price", "level_codes", "store_codes", "starts_on", "ends_on"]


class SpecialForm(ServiceErrorsMixin, WindowFields):
    code = _text(_("Code"), 30)
    name = _text(pgettext_lazy("thing", "Name"), 60, help_text=_("E.g. 羊绒衫会员特价."))
    sku = _text(_("SKU"), 40)
    price = _number(_("Special price (yuan)"))
    per_card = _number(_("At most per card"), attrs={"inputmode": "numeric"}, help_text=_("Empty: 1."))
    per_day = _number(_("At most per day"), attrs={"inputmode": "numeric"}, help_text=_("Empty: 100."))

    field_order = ["code", "name", "sku", "price", "per_card", "per_day", "level_codes", "store_codes", "starts_on", "ends_on"]


class MemberDayForm(ServiceErrorsMixin, WindowFields):
    name = _text(pgettext_lazy("thing", "Name"), 60, help_text=_("E.g. 逢3会员日."))
    weekdays = forms.MultipleChoiceField(label=_("Every"), required=False, widget=forms.CheckboxSelectMultiple, choices=[
        ("1", _("Monday")), ("2", _("Tuesday")), ("3", _("Wednesday")), ("4", _("Thursday")), ("5", _("Friday")),
        ("6", _("Saturday")), ("7", _("Sunday"))])
    month_days = _text(_("Days of the month"), 100, help_text=_("E.g. 3, 13, 23."))
    discount_zhe = _number(_("Discount in 折"), help_text=_("9: pay 90 percent. Empty: none."))
    points_multiplier = _number(_("Points multiplier"), help_text=_("2: double points. Empty: none."))

    field_order = ["name", "weekdays", "month_days", "discount_zhe", "points_multiplier", "level_codes", "store_codes",
                   "starts_on", "ends_on"]


class PromotionForm(ServiceErrorsMixin, WindowFields):
    name = _text(pgettext_lazy("thing", "Name"), 60, help_text=_("E.g. 国庆大促."))
    suspend_level_discount = forms.BooleanField(label=_("VIP card discounts suspended (points still accrue)"), required=False,
                                                initial=True)

    field_order = ["name", "suspend_level_discount", "starts_on", "ends_on", "store_codes", "level_codes"]


class PricingPolicyForm(ServiceErrorsMixin, forms.Form):
    birthday_discount_zhe = _number(_("Birthday discount (折)"), help_text=_("On the member's birthday. Empty: none."))
    points_offset_min_order = _number(_("Points may pay from an order of (yuan)"))
    points_offset_max_share = _number(_("Points pay at most this share of the order (%)"))
    points_offset_order_cap = _number(_("Points pay at most per order (yuan)"), help_text=_("Empty: no cap."))
    quote_minutes = _number(_("A quote is valid for (minutes)"), attrs={"inputmode": "numeric"})


class CouponPolicyForm(ServiceErrorsMixin, forms.Form):
    max_coupons_per_order = _number(_("Coupons per order, at most"), attrs={"inputmode": "numeric"}, help_text=_("1 to 20."))
    max_share_percent = _number(_("Coupons pay at most this share of the order (%)"),
                                help_text=_("Of the goods total after member prices and discounts. 100: the whole order."))
