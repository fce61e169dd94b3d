"""Outgoing webhooks (R14.1): subscriptions, the event outbox and its deliveries.

An Event row is written in the transaction of the change it reports (transactional outbox), with one
Delivery per subscription that wants it; workers deliver after commit and retry with back-off. Every
HTTP try is an Attempt (the delivery log: response code, time taken, error).
"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import DeliveryStatus, EventType


class Subscription(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    # The integrator: an API key (org.ApiClient) or, for a partner without one, a name.
    api_client = models.ForeignKey("org.ApiClient", verbose_name=_("API key"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="webhook_subscriptions")
    integrator = models.CharField(_("integrator"), max_length=100, blank=True)
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)  # EventType values
    secret = models.CharField(max_length=80, editable=False)
    # During a rotation the old secret still signs (a second signature) until previous_secret_until.
    previous_secret = models.CharField(max_length=80, blank=True, editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True, editable=False)
    disabled_reason = models.CharField(_("why switched off"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self):
        return self.name


class Event(models.Model):
    """One business event, as sent (payload frozen at the time of the change)."""
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=40, choices=EventType.choices, db_index=True)
    occurred_at = models.DateTimeField(db_index=True)
    member_id = models.BigIntegerField(null=True, blank=True, db_index=True)  # order key; no FK: survives anything
    payload = models.JSONField()  # the exact JSON body (id, type, occurred_at, data)

    class Meta:
        ordering = ["id"]


class Delivery(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    order_key = models.BigIntegerField(default=0)  # the member's id (0: no member): one at a time per key
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=100, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhooks_delivery_due"),
            models.Index(fields=["subscription", "order_key", "status"], name="webhooks_delivery_order"),
        ]


class Attempt(models.Model):
    """One HTTP try of a delivery: the delivery log."""
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveIntegerField()
    at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    worker = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
