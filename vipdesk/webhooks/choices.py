"""Constants of the outgoing webhooks: the event types an integrator may subscribe to and the life
cycle of one delivery (an event to one subscription)."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    MEMBER_CREATED = "member.created", _("Member enrolled")
    MEMBER_UPDATED = "member.updated", _("Member file changed")
    MEMBER_WITHDRAWN = "member.withdrawn", _("Member withdrew")
    SALE_POSTED = "sale.posted", _("Sale posted")
    RETURN_POSTED = "return.posted", _("Return posted")
    TIER_CHANGED = "tier.changed", _("Tier changed")
    POINTS_EXPIRED = "points.expired", _("Points expired")
    REDEMPTION_CREATED = "redemption.created", _("Points redeemed")
    COUPON_ISSUED = "coupon.issued", _("Coupon issued")
    COUPON_USED = "coupon.used", _("Coupon used")
    STORED_VALUE_CHANGED = "stored_value.changed", _("Stored value changed")
    CARE_TASK_CREATED = "care_task.created", _("Care task created")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")        # due at next_attempt_at (a first try or a retry)
    SENDING = "sending", _("Sending")        # claimed by a worker until lease_until
    DELIVERED = "delivered", _("Delivered")  # the receiver answered 2xx
    FAILED = "failed", _("Given up")         # retries ran out (RETRY_HOURS) or the subscription was switched off


OPEN = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)  # a member's later delivery waits behind these
