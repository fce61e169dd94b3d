"""The hotline's console forms: a line's hours and chain, and the call log's filter. Raw input
only; hotline.services decides, and its refusals land beside their inputs."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vipdesk.hotline.choices import StepKind, StepWhen

from ..forms import BLANK, ServiceErrorsMixin, _date, _number

DAYS = [("1", _("Mon")), ("2", _("Tue")), ("3", _("Wed")), ("4", _("Thu")), ("5", _("Fri")), ("6", _("Sat")), ("7", _("Sun"))]
STEP_ROWS = 6  # the chain has four kinds of step; room for a repeat or two


def _time(label):
    return forms.CharField(label=label, required=False, max_length=8, widget=forms.TimeInput(attrs={"type": "time"}))


class LineForm(ServiceErrorsMixin, forms.Form):
    """A line: name, open days and hours, call-back time, and the chain, one row per step in the
    order they ring (rows left without "who rings" are dropped)."""

    ERROR_FIELD = {"steps": "steps-0-kind"}

    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=60, required=False)
    open_days = forms.MultipleChoiceField(label=_("Open days"), choices=DAYS, required=False, widget=forms.CheckboxSelectMultiple)
    open_from = _time(_("Open from"))
    open_to = _time(_("Open until"))
    callback_minutes = _number(_("Call a missed caller back within (minutes)"))
    active = forms.BooleanField(label=_("The line takes calls"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(STEP_ROWS):
            self.fields[f"steps-{i}-kind"] = forms.ChoiceField(label=_("Who rings"), required=False, choices=BLANK + list(StepKind.choices))
            self.fields[f"steps-{i}-ring_seconds"] = _number(_("Ring time (seconds)"), attrs={"inputmode": "numeric"})
            self.fields[f"steps-{i}-when"] = forms.ChoiceField(label=pgettext_lazy("hotline", "when"), required=False, choices=StepWhen.choices)

    def step_rows(self):
        return [(i + 1, self[f"steps-{i}-kind"], self[f"steps-{i}-ring_seconds"], self[f"steps-{i}-when"]) for i in range(STEP_ROWS)]

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("steps-")}
        data["steps"] = [{"kind": self.cleaned_data[f"steps-{i}-kind"], "ring_seconds": self.cleaned_data[f"steps-{i}-ring_seconds"],
                          "when": self.cleaned_data[f"steps-{i}-when"]} for i in range(STEP_ROWS)]
        return data

    @staticmethod
    def initial_for(line) -> dict:
        initial = {"name": line.name, "open_days": list(line.open_days), "open_from": line.open_from.strftime("%H:%M"),
                   "open_to": line.open_to.strftime("%H:%M"), "callback_minutes": line.callback_minutes, "active": line.active}
        for i, step in enumerate(line.steps.all()[:STEP_ROWS]):
            initial.update({f"steps-{i}-kind": step.kind, f"steps-{i}-ring_seconds": step.ring_seconds, f"steps-{i}-when": step.when})
        return initial


class CallFilterForm(forms.Form):
    """The call log's filter: from, to (store dates) and a store among the staff's own."""

    start = _date(_("From"))
    end = _date(_("To (date)"))
    store = forms.ChoiceField(label=_("Store"), required=False)

    def __init__(self, *args, stores=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [("", _("All my stores"))] + [(s.code, s.name) for s in stores]


class NewLineForm(LineForm):
    """A new line: its number and the store whose duty desk takes callers who are not members."""

    number = forms.CharField(label=_("Number dialled"), max_length=32, required=False,
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    store = forms.ChoiceField(label=_("Area for non-members"), required=False)

    def __init__(self, *args, stores=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.stores = {s.code: s for s in stores}
        self.fields["store"].choices = BLANK + [(s.code, s.name) for s in stores]

    def service_data(self) -> dict:
        data = super().service_data()
        data["store"] = self.stores.get(data.get("store") or "")
        return data
