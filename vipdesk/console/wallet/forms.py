"""Forms of the HQ stored-value screen and of a member's limit and PIN (issue 4 §5).

They only collect raw text: the wallet's services (wallet.config, wallet.bonus_rules) read it with core.parsing and answers per field in the
user's language; ServiceErrorsMixin puts those messages next to these fields.
"""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from vipdesk.wallet.choices import SpendOrder

from ..forms import ServiceErrorsMixin, _date, _number, _text


class WalletPolicyForm(ServiceErrorsMixin, forms.Form):
    spend_order = forms.ChoiceField(label=_("Paying takes"), choices=SpendOrder.choices)
    named_limit = _number(_("Limit of a named account (yuan)"), help_text=_("Mobile or ID number on file. The regulation: 5,000."))
    anonymous_limit = _number(_("Limit of an anonymous account (yuan)"), help_text=_("The regulation: 1,000."))
    limit_includes_bonus = forms.BooleanField(label=_("The bonus counts toward the limit"), required=False)
    no_pin_limit = _number(_("Payments up to this amount need no PIN (yuan)"))
    extra_discount_percent = _number(_("Extra discount when stored value pays all (%)"), help_text=_("0: none."))


class TopUpRuleForm(ServiceErrorsMixin, forms.Form):
    name = _text(pgettext_lazy("thing", "Name"), 60, help_text=_("E.g. 充3000送1000."))
    threshold = _number(_("Top-up of at least (yuan)"))
    bonus = _number(_("Bonus (yuan)"))
    level_code = _text(_("Tier level code"), 20, help_text=_("Empty: every member."))
    starts_on = _date(_("From"))
    ends_on = _date(_("Until"))
    gift_points = _number(_("Also gives points"), attrs={"inputmode": "numeric"}, help_text=_("Empty: none."))
    gift_campaign = _text(_("Also gives coupons of campaign (code)"), 30, help_text=_("Empty: none."))
    gift_coupons = _number(_("How many coupons"), attrs={"inputmode": "numeric"}, help_text=_("Empty: 1 when a campaign is named."))


class LimitForm(ServiceErrorsMixin, forms.Form):
    limit = _number(_("New limit (yuan)"), help_text=_("Empty: back to the policy's limit."))
    reason = _text(_("Reason"), 200)


class PinForm(ServiceErrorsMixin, forms.Form):
    pin = forms.CharField(label=_("New PIN (6 digits)"), required=False, max_length=6,
                          widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "new-password"}),
                          help_text=_("Empty: remove the PIN."))
