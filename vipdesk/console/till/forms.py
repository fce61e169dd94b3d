"""Forms of the cashier screens: sale, return, redemption (issue 3 §6), stored-value top-up and
refund, and the checkout quote (issue 4 §5).

Like the other console forms they only collect raw text: the sales, points, wallet and pricing
services validate (one set of rules and messages for the till API, imports and this screen). `posting_data()`
builds exactly the data dict the POS API hands to `sale_post` / `return_post`, and
`put_errors()` puts the services' per-field messages ("lines.1.amount", "member.mobile"…) back
next to the fields they concern.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vipdesk.core.clock import store_tz
from vipdesk.core.money import CENT
from vipdesk.sales.choices import PaymentMethod
from vipdesk.till.validation import MAX_LINES, MAX_PAYMENTS
from vipdesk.wallet.choices import TopUpMethod

from ..forms import ServiceErrorsMixin

MEMBER_BY = [("card", _("Card number")), ("mobile", _("Mobile")), ("member_no", _("Member number")),
             ("ecard", _("Member centre code"))]  # the phone's dynamic e-card code (members/ecard.py)
RETURN_MODES = [("whole", _("The whole receipt (whatever is not yet returned)")), ("lines", _("Selected lines"))]
COUPON_MODES = [("none", _("No coupons")), ("codes", _("These coupons")), ("best", _("Best for the member (自动最优)"))]
POINTS_MODES = [("none", _("No points")), ("max", _("As many as allowed")), ("n", _("This many points"))]
WALLET_MODES = [("none", _("No stored value")), ("max", _("As much as the balance allows"))]
# What is left after coupons, points and stored value is paid in money (or a bank card…).
TENDERS = [(m, label) for m, label in PaymentMethod.choices if m not in ("coupon", "points", "stored_value")]


def _text(label, max_length=60, **kw):
    return forms.CharField(label=label, max_length=max_length, required=False, **kw)


def _money(label, **kw):
    attrs = {"inputmode": "decimal", "autocomplete": "off", **kw.pop("attrs", {})}
    return forms.CharField(label=label, max_length=20, required=False, widget=forms.TextInput(attrs=attrs), **kw)


def now_local(store=None) -> str:
    """The value of a datetime-local input for "now" at the store, to the minute."""
    return timezone.now().astimezone(store_tz(store)).strftime("%Y-%m-%dT%H:%M")


def occurred_at_iso(raw: str, store=None) -> str:
    """datetime-local text ("2026-11-22T10:30") read at the store's time zone, as ISO 8601 with
    offset; anything else is passed on as typed, for the service to refuse with its message."""
    raw = (raw or "").strip()
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            at = dt.datetime.strptime(raw, fmt)
        except ValueError:
            continue
        return at.replace(tzinfo=store_tz(store)).isoformat()
    return raw


def line_amount(unit_price: str, quantity: str) -> str:
    """unit price × quantity to the fen, when both are readable; "" otherwise (the service then asks for it)."""
    try:
        value = Decimal(unit_price.strip()) * int(quantity.strip())
    except (InvalidOperation, ValueError, AttributeError):
        return ""
    return str(value.quantize(CENT)) if value.is_finite() else ""


class MemberRefMixin(forms.Form):
    member_by = forms.ChoiceField(label=_("Identify the member by"), choices=MEMBER_BY, initial="card", required=False)
    member_value = _text(_("Card, mobile or member number"), max_length=40,
                         widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}))

    def member_ref(self) -> dict:
        value = (self.cleaned_data.get("member_value") or "").strip()
        by = self.cleaned_data.get("member_by") or "card"
        return {by: value} if value else {}


class TillForm(forms.Form):
    """Store, terminal, receipt number and time: the head of every posting."""

    store = forms.CharField(label=_("Store"), max_length=20, required=False, widget=forms.Select)
    terminal = _text(_("Terminal"), max_length=40, widget=forms.TextInput(attrs={"placeholder": _("e.g. T1")}))
    receipt_no = _text(_("Receipt number"), max_length=40, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    occurred_at = _text(_("Time"), max_length=30, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, stores=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.stores = list(stores)
        self.fields["store"].widget.choices = [(s.code, f"{s.name} ({s.code})") for s in self.stores]
        if not self.is_bound:
            chosen = next((s for s in self.stores if s.code == self.initial.get("store")), None)
            chosen = chosen or (self.stores[0] if self.stores else None)
            self.initial["store"] = chosen.code if chosen else ""
            self.initial.setdefault("occurred_at", now_local(chosen))

    def chosen_store(self):
        code = (self.cleaned_data.get("store") or "").strip()
        return next((s for s in self.stores if s.code == code), None)

    def head(self) -> dict:
        data = self.cleaned_data
        return {"store": (data.get("store") or "").strip(), "terminal": data.get("terminal", ""),
                "receipt_no": data.get("receipt_no", ""), "occurred_at": occurred_at_iso(data.get("occurred_at", ""), self.chosen_store())}


class SaleForm(MemberRefMixin, TillForm):
    guide = forms.ChoiceField(label=_("Shopping guide"), required=False)
    amount_paid = _money(_("Amount paid"), attrs={"data-role": "amount-paid"})

    field_order = ["store", "terminal", "receipt_no", "occurred_at", "member_by", "member_value", "guide", "amount_paid"]

    def __init__(self, *args, guides=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guide"].choices = [("", "—")] + [(g.username, str(g)) for g in guides]


class LineForm(forms.Form):
    sku = _text(_("SKU"), max_length=40)
    name = _text(_("Product name"), max_length=100)
    brand = _text(_("Brand"), max_length=60)
    category = _text(_("Category"), max_length=60)
    unit_price = _money(_("Unit price"), attrs={"data-role": "unit-price"})
    quantity = forms.CharField(label=_("Quantity"), max_length=7, required=False,
                               widget=forms.TextInput(attrs={"inputmode": "numeric", "data-role": "quantity"}))
    amount = _money(_("Amount"), attrs={"data-role": "line-amount"})

    def line(self) -> dict:
        data = {k: (self.cleaned_data.get(k) or "").strip() for k in ("sku", "name", "brand", "category", "unit_price", "quantity", "amount")}
        if not data["amount"]:
            data["amount"] = line_amount(data["unit_price"], data["quantity"])
        return data


class PaymentForm(forms.Form):
    method = forms.ChoiceField(label=_("Payment method"), choices=PaymentMethod.choices, initial=PaymentMethod.CASH,
                               required=False, widget=forms.Select(attrs={"data-role": "pay-method"}))
    amount = _money(_("Amount"), attrs={"data-role": "pay-amount"})
    points = forms.CharField(label=_("Points used"), max_length=10, required=False,
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "data-role": "pay-points"}))
    reference = _text(_("Reference"), max_length=60)

    def payment(self) -> dict:
        data = {k: (self.cleaned_data.get(k) or "").strip() for k in ("method", "amount", "points", "reference")}
        pay = {"method": data["method"] or PaymentMethod.CASH, "amount": data["amount"]}
        if data["points"]:
            pay["points"] = data["points"]
        if data["reference"]:
            pay["reference"] = data["reference"]
        return pay


LineFormSet = formset_factory(LineForm, extra=1, max_num=MAX_LINES, absolute_max=MAX_LINES)
PaymentFormSet = formset_factory(PaymentForm, extra=1, max_num=MAX_PAYMENTS, absolute_max=MAX_PAYMENTS)


def filled(formset) -> list[forms.Form]:
    """The rows the cashier filled in (blank rows added and left empty are ignored)."""
    return [f for f in formset.forms if f.is_valid() and f.has_changed()]


class ReturnForm(TillForm):
    original_receipt_no = _text(_("Original receipt number"), max_length=40, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    original_store = forms.CharField(label=_("Store of the original sale"), max_length=20, required=False, widget=forms.Select)
    mode = forms.ChoiceField(label=_("What is returned"), choices=RETURN_MODES, initial="whole", widget=forms.RadioSelect)

    field_order = ["store", "terminal", "receipt_no", "occurred_at", "original_store", "original_receipt_no", "mode"]

    def __init__(self, *args, all_stores=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["original_store"].widget.choices = [("", _("Same store"))] + [(s.code, f"{s.name} ({s.code})") for s in all_stores]


class RedeemLookupForm(MemberRefMixin):
    store = forms.CharField(label=_("Store"), max_length=20, required=False, widget=forms.Select)

    field_order = ["store", "member_by", "member_value"]

    def __init__(self, *args, stores=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.stores = list(stores)
        self.fields["store"].widget.choices = [(s.code, f"{s.name} ({s.code})") for s in self.stores]
        if not self.is_bound and self.stores and self.initial.get("store") not in [s.code for s in self.stores]:
            self.initial["store"] = self.stores[0].code

    def chosen_store(self):
        code = (self.cleaned_data.get("store") or "").strip()
        return next((s for s in self.stores if s.code == code), None)


class RedeemForm(RedeemLookupForm):
    item_code = forms.CharField(max_length=40)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1000, initial=1)


# ---- stored value and the quote -------------------------------------------------------------

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
    (LineFormSet, above); then what pays."""

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
