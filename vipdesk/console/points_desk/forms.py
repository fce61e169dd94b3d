"""Forms of the points desk: adjustments, reversing a redemption, benefit uses, partner spend.
They collect raw input; the services in vipdesk.points and vipdesk.tiers decide."""
from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from ..forms import ServiceErrorsMixin, _date, _number, _text


def whole(text: str, field: str, *, allow_negative: bool = False) -> int | None:
    """A whole number typed as text ("1,000", "-200"), or None when it is not one."""
    cleaned = (text or "").replace(",", "").replace("，", "").strip()
    try:
        value = int(cleaned)
    except ValueError:
        return None
    return value if allow_negative or value >= 0 else None


class AdjustmentForm(ServiceErrorsMixin, forms.Form):
    points = _number(_("Points (+ to add, − to take away)"), attrs={"inputmode": "numeric"})
    reason = _text(_("Reason (recorded)"), widget=forms.TextInput(attrs={"placeholder": _("e.g. points missed on receipt 0815")}))

    def clean_points(self):
        text = self.cleaned_data.get("points", "")
        value = whole(text.replace("−", "-"), "points", allow_negative=True)
        if value is None or value == 0:
            raise forms.ValidationError(_("Give a whole number of points other than zero, e.g. 200 or -200."))
        return value


class DecideForm(ServiceErrorsMixin, forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])


class RedemptionCancelForm(ServiceErrorsMixin, forms.Form):
    reason = _text(_("Why is it reversed? (recorded)"), widget=forms.TextInput(attrs={"placeholder": _("e.g. gift not collected")}))
    confirm = forms.BooleanField(label=_("The gift is back (or was never handed over): give the points back"), required=False)

    def clean_reason(self):
        reason = (self.cleaned_data.get("reason") or "").strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for the reversal."))
        return reason

    def clean_confirm(self):
        if not self.cleaned_data.get("confirm"):
            raise forms.ValidationError(_("Tick to confirm the reversal."))
        return True


class BenefitUseForm(ServiceErrorsMixin, forms.Form):
    code = forms.ChoiceField(label=_("Benefit"), choices=[])
    quantity = _number(_("Quantity (hours, visits…)"), attrs={"inputmode": "numeric"}, initial="1")
    note = _text(_("Note"))

    def __init__(self, *args, benefits=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [(b["code"], b["name"]) for b in benefits]

    def clean_quantity(self):
        value = whole(self.cleaned_data.get("quantity", ""), "quantity")
        if not value:
            raise forms.ValidationError(_("Give a whole number of at least 1."))
        return value


class PartnerSpendForm(ServiceErrorsMixin, forms.Form):
    partner = _text(_("Partner"), max_length=60)
    reference = _text(_("Partner's reference (receipt or order number)"), max_length=60)
    amount = _number(_("Amount spent (yuan)"))
    spent_on = _date(_("Spent on"))

    def clean_spent_on(self):
        text = self.cleaned_data.get("spent_on") or ""
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None  # the service says what is missing, with the other fields

    def clean_amount(self):
        return (self.cleaned_data.get("amount") or "").replace(",", "").replace("¥", "").strip()
