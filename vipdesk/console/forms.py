"""What every console form shares: the input helpers and how a service's refusal lands on a form.

Console forms collect raw input only: the services validate (one path for every entry point) and
answer per field; `ServiceErrorsMixin.add_service_errors` puts those answers next to the inputs.
The forms themselves live with their area (`members/forms.py`, `loyalty/forms.py`…).
"""
from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

BLANK = [("", "—")]
STORES_HELP = _("Store codes, separated by commas. Empty: every store.")
LEVELS_HELP = _("Tier level codes, separated by commas. Empty: every member.")


def _text(label, max_length=200, **kw):
    return forms.CharField(label=label, max_length=max_length, required=False, **kw)


def _number(label, **kw):
    """A number typed as text: the service reads it (and says in its own words what is wrong)."""
    attrs = {"inputmode": "decimal", "autocomplete": "off", **kw.pop("attrs", {})}
    return forms.CharField(label=label, max_length=30, required=False, widget=forms.TextInput(attrs=attrs), **kw)


def _date(label):
    return forms.CharField(label=label, required=False, max_length=10, widget=forms.DateInput(attrs={"type": "date"}))


def _list(label, help_text=None, rows=2):
    """Codes or words typed as "SA01, SB01" or one per line; the service splits and checks them."""
    return forms.CharField(label=label, required=False, max_length=4000, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": rows}))


def _textarea(label, rows=3, **kw):
    return forms.CharField(label=label, required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": rows}), **kw)


def codes(text: str | None) -> list[str]:
    """"A, B" or one per line (also with Chinese commas) → ["A", "B"]."""
    return [w for w in re.split(r"[,，、\s]+", text or "") if w]


class ServiceErrorsMixin:
    """Put a DomainError's messages on the form: the refusal's own words above the form (unless a
    field already says them), each per-field message next to its input (`field_for` maps the
    service's key to an input; a key with no input of its own goes above the form).

    The one way the console shows a service's refusal on a form (ServiceFormView calls it)."""

    # The service's keys that are not an input's own name.
    ERROR_FIELD: dict[str, str] = {}

    def field_for(self, key: str) -> str | None:
        name = self.ERROR_FIELD.get(key, key)
        return name if name in self.fields else None

    def add_service_errors(self, exc) -> None:
        if not any(exc.message in messages for messages in exc.fields.values()):
            self.add_error(None, exc.message)  # the refusal's own words, unless a field already says them
        for key, messages in exc.fields.items():
            for message in messages:
                self.add_error(self.field_for(key), message)
