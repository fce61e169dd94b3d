"""Forms of the messaging screens (issue 6 §3): message templates (HQ) and the outbox filter.

They check only the shape of the input; messaging.message_templates.template_save decides what is allowed and
answers per field, and ServiceErrorsMixin puts those answers next to these inputs.
"""
from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from vipdesk.members.choices import ConsentPurpose
from vipdesk.messaging.choices import Channel, MessageKind, OutboxStatus

from ..forms import ServiceErrorsMixin, _text, _textarea, codes


class MessageTemplateForm(ServiceErrorsMixin, forms.Form):
    code = _text(_("Code"), 40, help_text=_("E.g. birthday. It cannot change later."))
    name = _text(pgettext_lazy("thing", "Name"), 60)
    kind = forms.ChoiceField(label=_("Kind"), choices=MessageKind.choices,
                             help_text=_("A greeting may not contain advertising words."))
    purpose = forms.ChoiceField(label=_("Consent purpose"), choices=ConsentPurpose.choices,
                                help_text=_("Marketing goes only to members who agreed to it."))
    channels = forms.MultipleChoiceField(label=_("Channels"), required=False, choices=Channel.choices,
                                         widget=forms.CheckboxSelectMultiple)
    subject_zh = _text(_("Subject (Chinese)"), 120, help_text=_("E-mail and inbox only."))
    body_zh = _textarea(_("Text (Chinese)"), rows=4)
    subject_en = _text(_("Subject (English)"), 120)
    body_en = _textarea(_("Text (English)"), rows=4, help_text=_("Empty: members who read English get the Chinese text."))
    extra_placeholders = _text(_("Extra placeholders"), 200,
                               help_text=_("Values the sender fills in, e.g. points, date; separated by commas."))
    sms_template_code = _text(_("SMS provider template code"), 40, help_text=_("E.g. SMS_123456789 (Aliyun). Empty: none."))
    active = forms.BooleanField(label=pgettext_lazy("switch", "Active"), required=False)

    FIELDS = ("name", "kind", "purpose", "channels", "subject_zh", "body_zh", "subject_en", "body_en", "sms_template_code", "active")

    def __init__(self, *args, new: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("code", "name", "channels", "body_zh"):
            self.fields[name].show_required = True
        if not new:
            del self.fields["code"]

    @classmethod
    def initial_for(cls, template) -> dict:
        initial = {f: getattr(template, f) for f in cls.FIELDS}
        initial["extra_placeholders"] = ", ".join(template.extra_placeholders or [])
        return initial

    def template_data(self) -> dict:
        data = {f: self.cleaned_data[f] for f in self.FIELDS}
        data["extra_placeholders"] = codes(self.cleaned_data.get("extra_placeholders"))
        return data


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any status"))] + list(OutboxStatus.choices))
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", _("Any channel"))] + list(Channel.choices))
    store = forms.ChoiceField(label=_("Store"), required=False)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, stores=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [("", _("All my stores"))] + [(s.code, f"{s.code} {s.name}") for s in stores]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
            self.add_error("end", _("The end is before the start."))
        return data
