"""Forms of the stored-value and quote screens at the till (issue 4 §5).

Like the other till forms they only collect raw text: the wallet, pricing and sales services read
and check it (one set of rules and words for the API and this screen) and their per-field messages
are put back next to these fields.
"""
from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vipdesk.sales.choices import PaymentMethod
from vipdesk.wallet.choices import TopUpMethod

from .loyalty_forms import ServiceErrorsMixin
from .pos_forms import RedeemLookupForm, TillForm, _money, _text

COUPON_MODES = [("none", _("No coupons")), ("codes", _("These coupons")), ("best", _("Best for the member (自动最优)"))]
POINTS_MODES = [("none", _("No points")), ("max", _("As many as allowed")), ("n", _("This many points"))]
WALLET_MODES = [("none", _("No stored value")), ("max", _("As much as the balance allows"))]
# What is left after coupons, points and stored value is paid in money (or a bank card…).
TENDERS = [(m, label) for m, label in PaymentMethod.choices if m not in ("coupon", "points", "stored_value")]


def suggested_reference(store_code: str, kind: str = "TU") -> str:
    """A top-up (TU) or refund (RF) reference for this screen: store and time to the second. The
    till's retry of the same page (double click, reload) sends the same reference, which the
    service answers once."""
    return f"{store_code or kind}-{kind}-{timezone.localtime():%Y%m%d%H%M%S}"


class WalletLookupForm(RedeemLookupForm):
    """Store and member of a top-up or a refund (the same look-up as the redemption screen)."""


class TopUpForm(ServiceErrorsMixin, WalletLookupForm):
    amount = _money(_("Top-up amount (yuan)"), attrs={"data-role": "topup-amount"})
    method = forms.ChoiceField(label=_("Paid by"), choices=TopUpMethod.choices, initial=TopUpMethod.CASH)
    reference = _text(_("Top-up reference"), max_length=60, widget=forms.TextInput(attrs={"autocomplete": "off"}),
                      help_text=_("Unique in the store: sending it again does not take the money twice."))

    field_order = ["store", "member_by", "member_value", "amount", "method", "reference"]
    ERROR_FIELD = {"member": "member_value"}


class RefundForm(ServiceErrorsMixin, WalletLookupForm):
    amount = _money(_("Principal to refund (yuan)"), attrs={"data-role": "refund-amount"},
                    help_text=_("Empty: all the principal left."))
    reason = _text(_("Reason"), max_length=200)
    reference = _text(_("Refund reference"), max_length=60, widget=forms.TextInput(attrs={"autocomplete": "off"}),
                      help_text=_("Unique in the store: sending it again does not pay twice."))

    field_order = ["store", "member_by", "member_value", "amount", "reason", "reference"]
    ERROR_FIELD = {"member": "member_value"}


class QuoteForm(RedeemLookupForm):
    """Store and member as at the redemption screen; the basket is the sale screen's line rows
    (pos_forms.LineFormSet); then what pays."""

    coupon_mode = forms.ChoiceField(label=_("Coupons"), choices=COUPON_MODES, initial="none", widget=forms.RadioSelect)
    coupon_codes = forms.CharField(label=_("Coupon codes"), required=False, max_length=400,
                                   widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
                                   help_text=_("One per line or separated by commas; upper or lower case, with or without “-”."))
    points_mode = forms.ChoiceField(label=_("Points offset"), choices=POINTS_MODES, initial="none", widget=forms.RadioSelect)
    points = forms.CharField(label=_("Points"), required=False, max_length=10,
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    stored_value_mode = forms.ChoiceField(label=_("Stored value"), choices=WALLET_MODES, initial="none", widget=forms.RadioSelect)

    field_order = ["store", "member_by", "member_value", "coupon_mode", "coupon_codes", "points_mode", "points", "stored_value_mode"]

    def options(self) -> dict:
        """The quote's choices as quote_create takes them."""
        c = self.cleaned_data
        out = {}
        if c.get("coupon_mode") == "best":
            out["coupons"] = "best"
        elif c.get("coupon_mode") == "codes":
            text = (c.get("coupon_codes") or "").replace("，", ",")
            out["coupons"] = [w.strip() for part in text.split() for w in part.split(",") if w.strip()]
        if c.get("points_mode") == "max":
            out["points"] = "max"
        elif c.get("points_mode") == "n":
            out["points"] = (c.get("points") or "").strip()
        if c.get("stored_value_mode") == "max":
            out["stored_value"] = "max"
        return out


class CommitForm(TillForm):
    """Receipt head of the sale a quote becomes; the store is the quote's."""

    quote = forms.CharField(widget=forms.HiddenInput, max_length=40)
    pin = forms.CharField(label=_("Stored-value PIN"), required=False, max_length=6,
                          widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
                          help_text=_("Only when the member has a PIN and the stored value paid is above the no-PIN limit."))

    field_order = ["quote", "terminal", "receipt_no", "occurred_at", "pin"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["store"]


class TenderForm(forms.Form):
    method = forms.ChoiceField(label=_("Payment method"), choices=TENDERS, initial=PaymentMethod.CASH, required=False)
    amount = _money(_("Amount"))
    reference = _text(_("Reference"), max_length=60)

    def payment(self) -> dict:
        data = {k: (self.cleaned_data.get(k) or "").strip() for k in ("method", "amount", "reference")}
        pay = {"method": data["method"] or PaymentMethod.CASH, "amount": data["amount"]}
        if data["reference"]:
            pay["reference"] = data["reference"]
        return pay


TenderFormSet = formset_factory(TenderForm, extra=2, max_num=5, absolute_max=5)
NoTenderFormSet = formset_factory(TenderForm, extra=0, max_num=5, absolute_max=5)  # the quote leaves nothing to pay
