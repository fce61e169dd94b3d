"""Shapes of the messaging endpoints. Personal data is masked for viewers without SEE_FULL: the
recipient always (an outbox is not the place to read a full mobile), the member's name inside
subject and body unless the viewer may see it in full."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from vipdesk.members.api.serializers import sees_full
from vipdesk.members.choices import ConsentPurpose

from ..choices import Channel, EventKind, Language, MessageKind, OutboxStatus, Reason, ReportStatus
from ..selectors import mask_recipient, mask_text  # noqa: F401  (views use s.mask_text)


class TemplateSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    purpose = serializers.ChoiceField(ConsentPurpose.choices)
    kind = serializers.ChoiceField(MessageKind.choices)
    channels = serializers.ListField(child=serializers.ChoiceField(Channel.choices))
    subject_zh = serializers.CharField()
    body_zh = serializers.CharField()
    subject_en = serializers.CharField()
    body_en = serializers.CharField()
    extra_placeholders = serializers.ListField(child=serializers.CharField(),
                                               help_text=_("Values a caller gives in `context`, besides the built-in placeholders."))


class _MessageIn(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text=_("The member's id."))
    channel = serializers.ChoiceField(Channel.choices)
    context = serializers.DictField(child=serializers.CharField(max_length=200, allow_blank=True), required=False, default=dict,
                                    help_text=_("Values of the template's extra placeholders."))
    language = serializers.ChoiceField(Language.choices, required=False, help_text=_("zh-hans (default) or en."))
    at = serializers.DateTimeField(required=False, help_text=_("Send no earlier than this (quiet hours may move it later)."))


class PreviewInSerializer(_MessageIn):
    pass


class PreviewOutSerializer(serializers.Serializer):
    template = serializers.CharField()
    channel = serializers.CharField()
    language = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField()
    status = serializers.ChoiceField(OutboxStatus.choices, help_text=_("What enqueueing now would do: queued, deferred or suppressed."))
    reason = serializers.CharField(help_text=_("Why deferred or suppressed; empty when queued."))
    scheduled_at = serializers.DateTimeField()


class EnqueueInSerializer(_MessageIn):
    template = serializers.CharField(max_length=40)
    source = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                   help_text=_("Your reference (e.g. care_task:123): sending it again for the same channel "
                                               "returns the first message instead of a second one."))


class EventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.ChoiceField(EventKind.choices)
    status = serializers.CharField()
    reason = serializers.CharField()
    detail = serializers.CharField()


class OutboxSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    member = serializers.IntegerField(source="member_id")
    template = serializers.CharField(source="template_code")
    channel = serializers.CharField()
    purpose = serializers.CharField()
    kind = serializers.CharField()
    language = serializers.CharField()
    subject = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    recipient = serializers.SerializerMethodField(help_text=_("Masked."))
    status = serializers.ChoiceField(OutboxStatus.choices)
    reason = serializers.ChoiceField(Reason.choices, allow_blank=True)
    reason_text = serializers.SerializerMethodField()
    detail = serializers.CharField()
    attempts = serializers.IntegerField()
    scheduled_at = serializers.DateTimeField(allow_null=True)
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    sent_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    provider = serializers.CharField()
    provider_message_id = serializers.CharField()
    source = serializers.CharField()
    signed_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    events = EventSerializer(many=True, read_only=True)

    def get_subject(self, message) -> str:
        return mask_text(message.subject, message.member, sees_full(self.context))

    def get_body(self, message) -> str:
        return mask_text(message.body, message.member, sees_full(self.context))

    def get_recipient(self, message) -> str:
        return mask_recipient(message.channel, message.recipient)

    def get_reason_text(self, message) -> str:
        return str(Reason(message.reason).label) if message.reason else ""

    def get_signed_by(self, message) -> str:
        return str(message.staff) if message.staff_id else ""


class EnqueueOutSerializer(OutboxSerializer):
    replayed = serializers.BooleanField(help_text=_("True when this source had already been sent on this channel."))


class ReportSerializer(serializers.Serializer):
    message_id = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                       help_text=_("The gateway's id of the message (as it answered the send)."))
    reference = serializers.CharField(max_length=40, required=False, allow_blank=True, help_text=_("Our reference, vd-<id>."))
    status = serializers.ChoiceField(ReportStatus.choices)
    detail = serializers.CharField(max_length=300, required=False, allow_blank=True, help_text=_("The gateway's error code or text."))
    at = serializers.DateTimeField(required=False)


class ReportOutcomeSerializer(serializers.Serializer):
    message_id = serializers.CharField(required=False, allow_blank=True)
    reference = serializers.CharField(allow_blank=True)
    outcome = serializers.CharField(help_text=_("The message's status after the report, or why the report was not taken "
                                                "(invalid, or an error code)."))


class ReportsOutSerializer(serializers.Serializer):
    results = ReportOutcomeSerializer(many=True, help_text=_("One per report, in the order sent."))


class ReplySerializer(serializers.Serializer):
    """A member's SMS reply (上行短信) as the gateway hands it over."""

    mobile = serializers.CharField(max_length=20, help_text=_("The member's number the reply came from."))
    text = serializers.CharField(max_length=500, allow_blank=True, help_text=_("The reply's text, e.g. 退订."))
    at = serializers.DateTimeField(required=False)


class ReplyOutcomeSerializer(serializers.Serializer):
    mobile = serializers.CharField()
    outcome = serializers.CharField(help_text=_("opted_out, already_out, ignored, unknown_number or invalid."))


class RepliesOutSerializer(serializers.Serializer):
    results = ReplyOutcomeSerializer(many=True)
