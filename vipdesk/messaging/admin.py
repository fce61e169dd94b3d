from django import forms
from django.contrib import admin

from vipdesk.core.admin import ReadOnlyAdmin, ReadOnlyInline
from vipdesk.core.errors import ValidationFailed

from .message_templates import TEMPLATE_FIELDS, template_check, template_save
from .models import BlockedWord, DeliveryEvent, InboxMessage, MessageTemplate, OutboxMessage


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["code", *TEMPLATE_FIELDS]

    def clean(self):
        data = super().clean()
        try:
            template_check(dict(data))
        except ValidationFailed as exc:
            for field, messages in exc.fields.items():
                if field in self.fields:
                    self.add_error(field, messages)
                else:
                    self.add_error(None, messages)
            if not exc.fields:
                self.add_error(None, exc.message)
        return data


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    """Saved through template_save, so the admin refuses what the API and the console refuse."""

    form = MessageTemplateForm
    list_display = ["code", "name", "kind", "purpose", "channels", "active"]
    list_filter = ["kind", "purpose", "active"]

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in TEMPLATE_FIELDS if f in form.cleaned_data}
        saved = template_save(actor=request.user, code=form.cleaned_data["code"], **data)
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False  # sent messages point at their template; deactivate instead


@admin.register(BlockedWord)
class BlockedWordAdmin(admin.ModelAdmin):
    list_display = ["word", "active", "note"]


class DeliveryEventInline(ReadOnlyInline):
    model = DeliveryEvent
    fields = ["at", "kind", "status", "reason", "detail"]
    readonly_fields = fields


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["id", "template_code", "channel", "member", "status", "reason", "attempts", "next_attempt_at", "source"]
    list_filter = ["status", "channel", "kind"]
    exclude = ["recipient", "params"]  # personal data stays out of the admin
    raw_id_fields = ["member"]
    inlines = [DeliveryEventInline]


@admin.register(InboxMessage)
class InboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["id", "member", "subject", "created_at", "read_at"]
    raw_id_fields = ["member"]
