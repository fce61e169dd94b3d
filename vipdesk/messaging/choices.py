from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    INBOX = "inbox", _("Portal inbox")


# Channels that reach the member's phone or mailbox unasked: quiet hours and the weekly cap apply to
# them. The portal inbox is read when the member opens it, so it waits for nobody.
PUSH_CHANNELS = frozenset({Channel.SMS, Channel.EMAIL})


class MessageKind(models.TextChoices):
    GREETING = "greeting", _("Greeting (care, no advertising)")
    NOTICE = "notice", _("Service notice")
    MARKETING = "marketing", _("Marketing")


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", _("Simplified Chinese")
    EN = "en", _("English")


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    DEFERRED = "deferred", _("Deferred (quiet hours)")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    SUPPRESSED = "suppressed", _("Not sent")


# Waiting for deliver_due.
PENDING = frozenset({OutboxStatus.QUEUED, OutboxStatus.DEFERRED})

# The outbox life cycle as data: status → statuses it may move to. A delivery report may still turn
# "sent" into "delivered" or "failed"; a person may queue a failed message again (message_retry) or
# stop a waiting one (message_cancel: suppressed, reason "cancelled"); nothing leaves "delivered" or
# "suppressed".
TRANSITIONS: dict[str, frozenset[str]] = {
    OutboxStatus.QUEUED: frozenset({OutboxStatus.DEFERRED, OutboxStatus.SENDING, OutboxStatus.SUPPRESSED}),
    OutboxStatus.DEFERRED: frozenset({OutboxStatus.QUEUED, OutboxStatus.SENDING, OutboxStatus.SUPPRESSED}),
    OutboxStatus.SENDING: frozenset({OutboxStatus.QUEUED, OutboxStatus.DEFERRED, OutboxStatus.SENT, OutboxStatus.DELIVERED,
                                     OutboxStatus.FAILED, OutboxStatus.SUPPRESSED, OutboxStatus.SENDING}),
    OutboxStatus.SENT: frozenset({OutboxStatus.DELIVERED, OutboxStatus.FAILED}),
    OutboxStatus.DELIVERED: frozenset(),
    OutboxStatus.FAILED: frozenset({OutboxStatus.QUEUED}),  # only by hand: outbox.message_retry
    OutboxStatus.SUPPRESSED: frozenset(),
}


class Reason(models.TextChoices):
    """Why a message was not sent (suppressed), waits (deferred) or failed."""

    NO_CONSENT = "no_consent", _("The member never agreed to marketing on this channel")
    OPTED_OUT = "opted_out", _("The member withdrew consent for this purpose on this channel")
    MEMBER_WITHDRAWN = "member_withdrawn", _("The member has withdrawn (退会)")
    NO_ADDRESS = "no_address", _("No mobile number or e-mail address on file")
    WEEKLY_CAP = "weekly_cap", _("The member's weekly limit of marketing messages is reached")
    BLOCKED_WORDS = "blocked_words", _("A greeting containing advertising words")
    QUIET_HOURS = "quiet_hours", _("Quiet hours: waits until the morning")
    RETRY = "retry", _("The gateway failed; tried again later")
    GATEWAY_ERROR = "gateway_error", _("The gateway refused or kept failing")
    NOT_CONFIGURED = "not_configured", _("The channel is not configured")
    PROVIDER_FAILED = "provider_failed", _("The provider reported that delivery failed")
    CANCELLED = "cancelled", _("Cancelled by staff before it was sent")


class ReportStatus(models.TextChoices):
    """What a gateway's delivery report may say."""

    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class EventKind(models.TextChoices):
    QUEUED = "queued", _("Queued")
    DEFERRED = "deferred", _("Deferred")
    SUPPRESSED = "suppressed", _("Not sent")
    ATTEMPT = "attempt", _("Sending attempt")
    SENT = "sent", _("Sent")
    RETRY = "retry", _("Will be tried again")
    FAILED = "failed", _("Failed")
    REPORT = "report", _("Delivery report")
    RETRIED = "retried", _("Queued again by staff")
    CANCELLED = "cancelled", _("Cancelled by staff")
