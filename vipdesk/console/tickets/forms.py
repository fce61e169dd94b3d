"""The service-desk forms of the console: a new ticket and the moves of one ticket. They collect
raw input; the services decide, and a refusal lands beside its input (ServiceErrorsMixin)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vipdesk.servicedesk.choices import ClockMode

from ..forms import ServiceErrorsMixin


def kind_label(kind) -> str:
    clock = _("around the clock") if kind.clock == ClockMode.AROUND else _("in business hours")
    return f"{kind.name} · {_('%(h)s h') % {'h': kind.hours}} {clock}"


class TicketForm(ServiceErrorsMixin, forms.Form):
    """A new ticket. `member` is the member's id as typed (the service looks it up in scope)."""

    ERROR_FIELD = {"member_id": "member", "home_store": "store"}

    kind = forms.ChoiceField(label=gettext_lazy("Kind"))
    store = forms.ChoiceField(label=gettext_lazy("Store"))
    desk = forms.ChoiceField(label=gettext_lazy("Desk"), required=False)
    member = forms.CharField(label=gettext_lazy("Member id (optional)"), required=False, max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    description = forms.CharField(label=gettext_lazy("What the member asks for"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, kinds=(), stores=(), desks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(str(k.pk), kind_label(k)) for k in kinds]
        self.fields["store"].choices = [(str(s.pk), f"{s.name} ({s.code})") for s in stores]
        self.fields["desk"].choices = [("", _("The store's first desk"))] + [(d.code, f"{d.name} · {d.store.name}") for d in desks]

    def clean_member(self):
        value = self.cleaned_data["member"].strip()
        if value and not (value.isdigit() and len(value) <= 18):
            raise forms.ValidationError(_("Type the member's id (digits), or leave it empty."))
        return int(value) if value else None


class MoveForm(ServiceErrorsMixin, forms.Form):
    """One move of a ticket (accept, reply, hand over, resolve, reopen, close): `action` says which;
    the service's keys for the text ("note", "reply") land on `note`."""

    ERROR_FIELD = {"reply": "note"}

    action = forms.CharField(max_length=20, widget=forms.HiddenInput)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)
    satisfaction = forms.CharField(required=False, max_length=2)
    assignee = forms.CharField(required=False, max_length=150)
    desk = forms.CharField(required=False, max_length=30)
