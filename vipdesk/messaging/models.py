"""Messaging (R9.2, R9.3, issue 6 §3): templates, the outbox, the portal inbox and delivery events.

Every message to a member is one OutboxMessage per channel, written by `services.enqueue` — also
the ones that are not sent: a suppressed row records why (no consent, weekly cap, …) instead of
dropping the message silently. `delivery.deliver_due` sends what is due through the channel
adapters (vipdesk/messaging/channels). DeliveryEvent rows are the append-only history of each
message: queued, deferred, every attempt, sent, delivery reports.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vipdesk.core.models import AppendOnlyModel, TimeStampedModel
from vipdesk.members.choices import ConsentPurpose

from .choices import Channel, EventKind, Language, MessageKind, OutboxStatus, Reason


class MessageTemplate(TimeStampedModel):
    """A message in Chinese and English with {placeholders} (rendering.py says which)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    purpose = models.CharField(_("consent purpose"), max_length=20, choices=ConsentPurpose.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=MessageKind.choices)
    channels = models.JSONField(_("channels"), default=list)  # ["sms", "email", "inbox"]
    subject_zh = models.CharField(_("subject (Chinese)"), max_length=120, blank=True)
    body_zh = models.TextField(_("body (Chinese)"))
    subject_en = models.CharField(_("subject (English)"), max_length=120, blank=True)
    body_en = models.TextField(_("body (English)"), blank=True)
    # Extra {placeholders} a caller fills through `context` (e.g. points, expiry_date).
    extra_placeholders = models.JSONField(_("extra placeholders"), default=list, blank=True)
    # A real SMS provider sends only templates it approved (Aliyun: SMS_123456789).
    sms_template_code = models.CharField(_("SMS provider template code"), max_length=40, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")

    def __str__(self):
        return f"{self.code} {self.name}"


class BlockedWord(TimeStampedModel):
    """An advertising word a greeting may not contain, beyond VIPDESK["MESSAGE_BLOCKED_WORDS"]."""

    word = models.CharField(_("word"), max_length=30, unique=True)
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["word"]
        verbose_name = _("blocked word")
        verbose_name_plural = _("blocked words")

    def __str__(self):
        return self.word


class OutboxMessage(TimeStampedModel):
    member = models.ForeignKey("members.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="messages")
    template = models.ForeignKey(MessageTemplate, verbose_name=_("template"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="messages")
    template_code = models.CharField(_("template code"), max_length=40)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    purpose = models.CharField(_("consent purpose"), max_length=20, choices=ConsentPurpose.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=MessageKind.choices)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.ZH_HANS)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    params = models.JSONField(_("placeholder values"), default=dict, blank=True)  # for provider templates (Aliyun)
    # Where it goes, as it was when queued: a mobile, an e-mail address, or "" for the inbox.
    recipient = models.CharField(_("recipient"), max_length=254, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.QUEUED)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When it was planned to go: the requested time moved past quiet hours (the weekly cap counts by it).
    scheduled_at = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    # When deliver_due takes it next: scheduled_at at first, then after each retry's back-off.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    provider = models.CharField(_("provider"), max_length=20, blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=100, blank=True)
    # Who asked for it ("care_task:123", "campaign:7"): one message per source and channel.
    source = models.CharField(_("source"), max_length=100, blank=True)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    api_client = models.ForeignKey("org.ApiClient", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        constraints = [
            models.UniqueConstraint(fields=["source", "channel"], condition=~Q(source=""), name="outbox_one_per_source_channel"),
            models.CheckConstraint(name="outbox_status_valid", condition=Q(status__in=OutboxStatus.values)),
        ]
        indexes = [
            # deliver_due's query: what is waiting and due.
            models.Index(fields=["next_attempt_at"], condition=Q(status__in=["queued", "deferred", "sending"]), name="outbox_due"),
            models.Index(fields=["member", "-created_at"]),
            models.Index(fields=["provider", "provider_message_id"]),
        ]

    def __str__(self):
        return f"#{self.pk} {self.template_code} → {self.channel} ({self.status})"


class InboxMessage(TimeStampedModel):
    """A message in the member's portal inbox."""

    member = models.ForeignKey("members.Member", verbose_name=_("member"), on_delete=models.CASCADE, related_name="inbox")
    outbox = models.OneToOneField(OutboxMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbox_message")
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("inbox message")
        verbose_name_plural = _("inbox messages")
        indexes = [models.Index(fields=["member", "read_at"])]

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class DeliveryEvent(AppendOnlyModel):
    """What happened to an outbox message, in order; delivery reports from the gateway included."""

    ledger = "delivery event"

    message = models.ForeignKey(OutboxMessage, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("time"))
    kind = models.CharField(_("event"), max_length=12, choices=EventKind.choices)
    status = models.CharField(_("status after"), max_length=10, choices=OutboxStatus.choices)
    reason = models.CharField(_("reason"), max_length=20, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("delivery event")
        verbose_name_plural = _("delivery events")


class CallbackNonce(models.Model):
    """Signatures of delivery reports already accepted: the same signed report is refused twice."""

    signature = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField(db_index=True)
