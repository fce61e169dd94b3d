"""Shapes of the webhook subscription endpoints (an integrator manages its own subscriptions)."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..choices import EventType


class SubscriptionInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    url = serializers.CharField(max_length=500, help_text=_("The receiving address, https:// in production."))
    events = serializers.ListField(child=serializers.ChoiceField(EventType.choices), min_length=1, max_length=len(EventType.values))
    active = serializers.BooleanField(required=False, default=True)


class SubscriptionPatchSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    url = serializers.CharField(max_length=500, required=False)
    events = serializers.ListField(child=serializers.ChoiceField(EventType.choices), min_length=1,
                                   max_length=len(EventType.values), required=False)
    active = serializers.BooleanField(required=False)


class SubscriptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.CharField()
    events = serializers.ListField(child=serializers.ChoiceField(EventType.choices))
    active = serializers.BooleanField()
    failing_since = serializers.DateTimeField(allow_null=True)
    disabled_reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class SubscriptionWithSecretSerializer(SubscriptionSerializer):
    secret = serializers.CharField(help_text=_("Signs every request (docs/api.md, Webhooks). Shown on creation and rotation."))
    previous_secret_until = serializers.DateTimeField(allow_null=True, help_text=_("Until when the old secret also signs."))
