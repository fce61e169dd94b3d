from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from vipdesk.reports.audit_trail import KINDS, TrailFilter


class TrailFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    staff = forms.CharField(label=_("Staff member (user name)"), required=False, max_length=150)
    store = forms.ChoiceField(label=_("Store"), required=False)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, stores=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Every kind"))] + [(k, label) for k, (label, _t, _w) in KINDS.items()]
        self.fields["store"].choices = [("", _("Every store"))] + [(s.code, f"{s.code} {s.name}") for s in stores]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
            self.add_error("end", _("The end is before the start."))
        return data

    def trail_filter(self) -> TrailFilter:
        """The filter the rows are read with; a form with errors filters nothing out (and says so)."""
        if not self.is_bound or not self.is_valid():
            return TrailFilter()
        c = self.cleaned_data
        return TrailFilter(kind=c["kind"], username=c["staff"].strip(), store=c["store"], start=c["start"], end=c["end"])
