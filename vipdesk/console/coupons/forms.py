"""Forms of the HQ coupon screens and of bulk issue (R7.1, issue 4 §5).

They only collect raw text: coupons.campaigns reads it with core.parsing and answers per field in
the user's language; ServiceErrorsMixin puts those messages next to these fields. Lists (stores,
levels, SKUs…) are typed as "SA01, SB01" or one per line.
"""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from vipdesk.coupons.choices import CombinesWith, CouponKind, GoodsScope, Trigger, UsedCouponOnReturn

from ..forms import BLANK, LEVELS_HELP, STORES_HELP, ServiceErrorsMixin, _date, _list, _number, _text


class CampaignForm(ServiceErrorsMixin, forms.Form):
    code = _text(_("Code"), 30, help_text=_("What tills and reports show, e.g. B60."))
    name = _text(pgettext_lazy("thing", "Name"), 60)
    kind = forms.ChoiceField(label=_("Kind"), choices=CouponKind.choices, widget=forms.Select(attrs={"data-kind-select": ""}))
    face_value = _number(_("Face value (yuan)"), attrs={"data-kinds": "voucher gift threshold"})
    discount_zhe = _number(_("Discount in 折"), attrs={"data-kinds": "discount"}, help_text=_("8.5: pay 85 percent."))
    max_discount = _number(_("Largest discount (yuan)"), attrs={"data-kinds": "discount"}, help_text=_("Empty: no cap."))
    threshold = _number(_("Goods in scope of at least (yuan)"), help_text=_("满多少: a spend-and-save coupon needs it; others may."))
    exchange_sku = _text(_("Item given (SKU)"), 40, widget=forms.TextInput(attrs={"data-kinds": "exchange"}))
    goods_scope = forms.ChoiceField(label=_("Goods"), choices=GoodsScope.choices)
    scope_skus = _list(_("SKUs"))
    scope_brands = _list(_("Brands"))
    scope_categories = _list(_("Categories"))
    store_codes = _list(_("Stores"), STORES_HELP, rows=1)
    level_codes = _list(_("Tier levels"), LEVELS_HELP, rows=1)
    valid_from = _date(_("Valid from"))
    valid_until = _date(_("Valid until"))
    valid_days = _number(_("Or valid for N days after issue"), attrs={"inputmode": "numeric"},
                         help_text=_("The day of issue counts as day 1. Give this or an end date."))
    blackout_dates = _list(_("Not usable on"), _("Dates as YYYY-MM-DD, separated by commas."), rows=1)
    per_member_limit = _number(_("At most per member"), attrs={"inputmode": "numeric"}, help_text=_("Empty: no limit."))
    total_limit = _number(_("At most in all"), attrs={"inputmode": "numeric"}, help_text=_("Empty: no limit."))
    combines_with = forms.ChoiceField(label=_("May be used together with"), choices=CombinesWith.choices, initial=CombinesWith.NONE,
                                      required=False, help_text=_("Two coupons go on one order only when each allows the other."))
    max_per_order = _number(_("Coupons of this campaign per order, at most"), attrs={"inputmode": "numeric"},
                            help_text=_("Empty: 1. A coupon that goes alone: 1."))
    spend_per_coupon = _number(_("Goods per coupon used (yuan)"),
                               help_text=_("n coupons need n times this of the goods they apply to (满300用一张). "
                                           "Empty: 5 × the face value for a gift voucher, none for others; 0: none."))
    mall_share_percent = _number(_("Mall's share of the cost (%)"), help_text=_("Empty: 50 for a gift voucher, 100 otherwise."))
    active = forms.BooleanField(label=pgettext_lazy("switch", "Active"), required=False, initial=True)

    LIST_FIELDS = ("scope_skus", "scope_brands", "scope_categories", "store_codes", "level_codes", "blackout_dates")

    @classmethod
    def initial_for(cls, campaign) -> dict:
        out = {}
        for name in cls.base_fields:
            value = getattr(campaign, name)
            if name in cls.LIST_FIELDS:
                value = ", ".join(value or [])
            out[name] = "" if value is None else value
        return out


class IssuanceRuleForm(ServiceErrorsMixin, forms.Form):
    name = _text(pgettext_lazy("thing", "Name"), 60, help_text=_("E.g. 当日累计满300元送60元B券."))
    trigger = forms.ChoiceField(label=_("When"), choices=Trigger.choices, widget=forms.Select(attrs={"data-kind-select": ""}))
    step_amount = _number(_("For every (yuan paid)"), attrs={"data-kinds": "sale"})
    coupons_per_step = _number(_("Coupons each time"), attrs={"inputmode": "numeric"})
    accumulate_daily = forms.BooleanField(label=_("Add up the day's sales (当日累计)"), required=False, initial=True,
                                          widget=forms.CheckboxInput(attrs={"data-kinds": "sale"}))
    paid_methods = _text(_("Tenders that count as paid"), 200, widget=forms.TextInput(attrs={"data-kinds": "sale"}),
                         help_text=_("Empty: cash, bank card, WeChat Pay, Alipay."))
    excluded_categories = _list(_("Categories excluded"))
    excluded_brands = _list(_("Brands excluded"))
    store_codes = _list(_("Stores"), STORES_HELP, rows=1)
    level_codes = _list(_("Tier levels"), LEVELS_HELP, rows=1)
    days_before = _number(_("Days ahead (birthday)"), attrs={"inputmode": "numeric", "data-kinds": "birthday"})
    starts_on = _date(_("From"))
    ends_on = _date(_("Until"))
    used_on_return = forms.ChoiceField(label=_("A used coupon on return"), choices=UsedCouponOnReturn.choices)


class BulkIssueForm(ServiceErrorsMixin, forms.Form):
    campaign = forms.ChoiceField(label=_("Campaign"))
    segment = forms.ChoiceField(label=_("Saved segment"), required=False)
    members = forms.CharField(label=_("Members"), required=False, max_length=200_000,
                              widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off"}),
                              help_text=_("Member numbers or mobile numbers, one per line or separated by commas."))
    count = forms.IntegerField(label=_("Coupons per member"), min_value=1, max_value=20, initial=1)
    note = _text(_("Note"), 200, help_text=_("Why these members get the coupon; kept with the batch."))

    def __init__(self, *args, campaigns=(), segments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = BLANK + [(c.code, f"{c.code} {c.name}") for c in campaigns]
        if segments is None:
            del self.fields["segment"]
        else:
            self.fields["segment"].choices = [("", _("— a pasted list —"))] + list(segments)

    def words(self) -> list[str]:
        text = (self.cleaned_data.get("members") or "").replace("，", ",")
        out = []
        for part in text.split():
            for word in part.split(","):
                word = word.strip()
                if word and word not in out:
                    out.append(word)
        return out


class VoidForm(forms.Form):
    code = forms.CharField(label=_("Coupon code"), max_length=30)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
    next = forms.CharField(required=False, widget=forms.HiddenInput)
