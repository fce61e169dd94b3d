"""Messaging endpoints (R9.2, R9.3): templates, preview, enqueue, a member's outbox, delivery reports.

Staff and API keys need the MESSAGE capability and reach only members in their scope (outside it:
404), like every member endpoint. The delivery-report endpoint has no key: the gateway signs each
report with the shared secret (signing.py), and a stale or repeated report is refused.
"""
from __future__ import annotations

import time

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from vipdesk.accounts.roles import Action, can
from vipdesk.api.errors import error_responses
from vipdesk.api.input import refuse_unknown, shape_of, validated
from vipdesk.api import parsers
from vipdesk.api.parsers import JSONParser
from vipdesk.core import parsing
from vipdesk.core.errors import DomainError, PermissionDenied
from vipdesk.members.models import Member
from vipdesk.members.services import member_for_actor

from .. import selectors, signing
from ..delivery import callback_accept_signature, callback_secret, delivery_report
from ..inbound import inbound_reply
from ..services import enqueue, preview
from . import serializers as s



def _need(request) -> None:
    if not can(request.user, Action.MESSAGE):
        raise PermissionDenied(_("Your role may not do this."))


def _member(request, pk) -> Member:
    return member_for_actor(request.user, int(pk), action=Action.MESSAGE)


class TemplateListView(ListAPIView):
    serializer_class = s.TemplateSerializer
    pagination_class = None

    @extend_schema(tags=["messaging"], summary=gettext_lazy("Active message templates"), responses={200: s.TemplateSerializer(many=True),
                                                                                                    **error_responses()})
    def get(self, request, *args, **kwargs):
        _need(request)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.templates()


class PreviewView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(tags=["messaging"], summary=gettext_lazy("A template rendered for a member, and what sending it now would do"),
                   request=s.PreviewInSerializer, responses={200: s.PreviewOutSerializer, **error_responses(400, 404)})
    def post(self, request, code):
        _need(request)
        data = validated(s.PreviewInSerializer, request)
        member = _member(request, data["member"])
        result = preview(member, code, data["channel"], actor=request.user, context=data.get("context"),
                         language=data.get("language"), at=data.get("at"))
        full = can(request.user, Action.SEE_FULL)
        result["subject"] = s.mask_text(result["subject"], member, full)
        result["body"] = s.mask_text(result["body"], member, full)
        return Response(s.PreviewOutSerializer(result).data)


class OutboxView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["messaging"],
        summary=gettext_lazy("Put a message for a member in the outbox"),
        description=gettext_lazy("The answer is the outbox row: queued, deferred (quiet hours) or suppressed with the reason "
                                 "(no consent, opted out, weekly cap, …). The same source and channel again: 200 with the first row."),
        request=s.EnqueueInSerializer,
        responses={201: s.EnqueueOutSerializer, 200: OpenApiResponse(s.EnqueueOutSerializer, description=gettext_lazy("Replayed.")),
                   **error_responses(400, 404, s400=("validation_error", "channel_not_offered"), s404=("not_found", "template_not_found"))},
        examples=[OpenApiExample("birthday greeting", request_only=True, value={
            "member": 1024, "template": "birthday", "channel": "sms", "source": "care_task:5531"})],
    )
    def post(self, request):
        _need(request)
        data = validated(s.EnqueueInSerializer, request)
        member = _member(request, data["member"])
        message = enqueue(member, data["template"], data["channel"], actor=request.user, context=data.get("context"),
                          source=data.get("source"), language=data.get("language"), at=data.get("at"))
        body = s.EnqueueOutSerializer(message, context={"request": request}).data
        return Response(body, status=status.HTTP_200_OK if message.replayed else status.HTTP_201_CREATED)


class MemberMessagesView(ListAPIView):
    serializer_class = s.OutboxSerializer

    @extend_schema(tags=["messaging"], summary=gettext_lazy("A member's messages (outbox), newest first, with their events"),
                   responses={200: s.OutboxSerializer(many=True), **error_responses(404)})
    def get(self, request, *args, **kwargs):
        _need(request)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        pk = parsing.row_id(self.kwargs["pk"], _("No such member."))
        return selectors.member_outbox(_member(self.request, pk)).select_related("member")


class CallbackView(APIView):
    """Delivery reports from the SMS gateway: one report, or {"reports": [...]}."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["messaging"], auth=[],
        summary=gettext_lazy("Delivery reports (signed by the gateway)"),
        description=gettext_lazy("Headers X-Vipdesk-Timestamp (unix seconds) and X-Vipdesk-Signature "
                                 "(sha256=HMAC-SHA256 of \"<timestamp>.<raw body>\" with VIPDESK_CALLBACK_SECRET, hex)."),
        request=s.ReportSerializer,
        responses={200: OpenApiResponse(s.ReportsOutSerializer, description=gettext_lazy("Each report's outcome.")),
                   **error_responses(400, 409, s401=("signature_invalid",), s409=("report_replayed",))},
    )
    def post(self, request):
        raw = request.body
        _verify(request, raw)
        try:
            data = parsers.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise DomainError(_("The body is not valid JSON."), code="parse_error", status=400) from None
        report = shape_of(s.ReportSerializer())
        refuse_unknown(data, {"reports": [report]} if isinstance(data, dict) and "reports" in data else report)
        items = data.get("reports") if isinstance(data, dict) and "reports" in data else [data]
        if not isinstance(items, list) or not items:
            raise DomainError(_("Send one report or {\"reports\": [...]}."), code="validation_error", status=400)
        callback_accept_signature(request.headers[signing.SIGNATURE_HEADER], timezone.now())
        results = []
        for item in items:
            ser = s.ReportSerializer(data=item if isinstance(item, dict) else {})
            if not ser.is_valid():
                results.append({"reference": str((item or {}).get("reference", "")) if isinstance(item, dict) else "", "outcome": "invalid"})
                continue
            r = ser.validated_data
            try:
                message = delivery_report(status=r["status"], message_id=r.get("message_id", ""), reference=r.get("reference", ""),
                                          detail=r.get("detail", ""), at=r.get("at"), payload={"detail": r.get("detail", "")})
            except DomainError as exc:
                results.append({"message_id": r.get("message_id", ""), "reference": r.get("reference", ""), "outcome": exc.code})
                continue
            results.append({"message_id": r.get("message_id", ""), "reference": f"vd-{message.pk}", "outcome": message.status})
        return Response({"results": results})


def _verify(request, raw: bytes, message=None) -> None:
    """The gateway's signature (signing.py) on a callback, or 401."""
    refusal = signing.verify(callback_secret(), request.headers.get(signing.TIMESTAMP_HEADER), raw,
                             request.headers.get(signing.SIGNATURE_HEADER), now=time.time(),
                             max_skew=int(settings.VIPDESK.get("CALLBACK_MAX_SKEW_SECONDS", 300)))
    if refusal:
        text = message or _("The delivery report is not signed correctly (%(why)s).")
        raise DomainError(text % {"why": refusal}, code="signature_invalid", status=401)


class InboundView(APIView):
    """Members' SMS replies from the gateway (上行短信): one reply, or {"replies": [...]}. Signed like
    the delivery reports; a 退订 reply withdraws the member's marketing consent on SMS at once."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["messaging"], auth=[],
        summary=gettext_lazy("Members' SMS replies (signed by the gateway): 退订 opts out"),
        description=gettext_lazy("Signed like the delivery reports (X-Vipdesk-Timestamp, X-Vipdesk-Signature). A reply that is "
                                 "an opt-out word (退订, TD, T, N) withdraws the member's marketing consent on SMS at once."),
        request=s.ReplySerializer,
        responses={200: OpenApiResponse(s.RepliesOutSerializer, description=gettext_lazy("Each reply's outcome.")),
                   **error_responses(400, 409, s401=("signature_invalid",), s409=("report_replayed",))},
        examples=[OpenApiExample("opt-out", request_only=True, value={"mobile": "13800000001", "text": "退订"})],
    )
    def post(self, request):
        raw = request.body
        _verify(request, raw, _("The reply is not signed correctly (%(why)s)."))
        try:
            data = parsers.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise DomainError(_("The body is not valid JSON."), code="parse_error", status=400) from None
        reply = shape_of(s.ReplySerializer())
        many = isinstance(data, dict) and "replies" in data
        refuse_unknown(data, {"replies": [reply]} if many else reply)
        items = data.get("replies") if many else [data]
        if not isinstance(items, list) or not items or len(items) > 1000:
            raise DomainError(_("Send one reply or {\"replies\": [...]} (at most 1,000)."), code="validation_error", status=400)
        callback_accept_signature(request.headers[signing.SIGNATURE_HEADER], timezone.now())
        results = []
        for item in items:
            ser = s.ReplySerializer(data=item if isinstance(item, dict) else {})
            if not ser.is_valid():
                results.append({"mobile": str(item.get("mobile", ""))[:20] if isinstance(item, dict) else "", "outcome": "invalid"})
                continue
            r = ser.validated_data
            outcome = inbound_reply(mobile=r["mobile"], text=r["text"], at=r.get("at"))
            results.append({"mobile": r["mobile"], "outcome": outcome["outcome"]})
        return Response({"results": results})
