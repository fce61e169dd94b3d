"""Webhook subscriptions over the API (docs/api.md §11): an HQ integration key lists, creates,
changes and switches off its own subscriptions and rotates their secret; HQ staff see every one.
Other keys and roles: 403. Writes go through vipdesk.webhooks.services like the console's."""
from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from vipdesk.accounts.roles import Action, require
from vipdesk.api.errors import error_responses
from vipdesk.api.input import no_body, validated
from vipdesk.api.parsers import JSONParser

from ..models import Subscription
from ..services import subscription_create, subscription_for, subscription_rotate_secret, subscription_update
from . import serializers as s

TAG = ["webhooks"]


def _mine(request):
    require(request.user, Action.WEBHOOKS)
    qs = Subscription.objects.order_by("id")
    return qs.filter(api_client=request.user) if getattr(request.user, "is_api_client", False) else qs


class SubscriptionListView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(tags=TAG, summary=gettext_lazy("Your webhook subscriptions"),
                   responses={200: s.SubscriptionSerializer(many=True), **error_responses()})
    def get(self, request):
        return Response(s.SubscriptionSerializer(list(_mine(request)), many=True).data)

    @extend_schema(tags=TAG, summary=gettext_lazy("Subscribe to events (the answer holds the signing secret)"),
                   request=s.SubscriptionInSerializer, responses={201: s.SubscriptionWithSecretSerializer, **error_responses(400)})
    def post(self, request):
        require(request.user, Action.WEBHOOKS)
        sub = subscription_create(actor=request.user, data=validated(s.SubscriptionInSerializer, request))
        return Response(s.SubscriptionWithSecretSerializer(sub).data, status=status.HTTP_201_CREATED)


class SubscriptionView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(tags=TAG, summary=gettext_lazy("One of your webhook subscriptions"),
                   responses={200: s.SubscriptionSerializer, **error_responses(404)})
    def get(self, request, pk):
        return Response(s.SubscriptionSerializer(subscription_for(request.user, pk)).data)

    @extend_schema(tags=TAG, summary=gettext_lazy("Change a subscription, or switch it off (active: false) or on"),
                   request=s.SubscriptionPatchSerializer, responses={200: s.SubscriptionSerializer, **error_responses(400, 404)})
    def patch(self, request, pk):
        require(request.user, Action.WEBHOOKS)
        data = validated(s.SubscriptionPatchSerializer, request)  # a bad body is refused whatever the id, like every write
        subscription_for(request.user, pk)  # 404 for another integrator's subscription
        sub = subscription_update(actor=request.user, subscription=pk, data=data)
        return Response(s.SubscriptionSerializer(sub).data)


class RotateSecretView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(tags=TAG, summary=gettext_lazy("A new signing secret; the old one also signs for 24 hours"), request=None,
                   responses={200: s.SubscriptionWithSecretSerializer, **error_responses(404)})
    def post(self, request, pk):
        require(request.user, Action.WEBHOOKS)
        no_body(request)
        subscription_for(request.user, pk)
        return Response(s.SubscriptionWithSecretSerializer(subscription_rotate_secret(actor=request.user, subscription=pk)).data)
