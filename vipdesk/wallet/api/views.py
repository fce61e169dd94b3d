"""Stored-value endpoints (R6, issue 4 §1): top-ups, refunds and a member's account.

Views translate HTTP to service calls and back. The store is the terminal's own or one in the
key's scope (as for postings); the member is identified at the till like a redemption; the
account view is scoped like every other member endpoint (outside scope: 404).
"""
from __future__ import annotations

from django.utils.translation import gettext as _, gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from vipdesk.api.input import validated as _in
from vipdesk.api.errors import error_responses
from vipdesk.api.parsers import JSONParser
from vipdesk.core import parsing
from vipdesk.core.errors import NotFound, ValidationFailed
from vipdesk.members.services import member_for_actor
from vipdesk.members.identification import identify_member, member_ref
from vipdesk.org.scoping import posting_store
from vipdesk.wallet.refunds import refund_in_scope, wallet_reference_check, wallet_refund, wallet_refund_check
from vipdesk.wallet.ledger import balance_dict
from vipdesk.wallet.services import wallet_summary, wallet_topup, wallet_topup_check

from . import serializers as s



def _till(request, data, check, *, refund: bool = False):
    """(store, member) at the till; `check(store)` checks the request itself first (role, store,
    amounts), so a request refused for itself reads the same for a member and a stranger; so does
    one whose reference the store already used."""
    store = posting_store(request.user, data.get("store"), action=None)  # top-up and refund check their own rights
    if store is None:
        raise ValidationFailed(_("Give the store code."), fields={"store": _("Give the store code.")})
    check(store)
    errors = parsing.Problems()
    ref = member_ref(dict(data.get("member") or {}), errors)
    errors.raise_if_any()
    if not ref:
        raise ValidationFailed(_("Identify the member by exactly one of: card, ecard, mobile, member_no."),
                               fields={"member": _("Identify the member by exactly one of: card, ecard, mobile, member_no.")})
    # A card is checked (and an invalid one flagged) before the service's transaction. A withdrawn
    # member is found (by member number): his principal can still be refunded; a top-up refuses him.
    try:
        member, _card, _how = identify_member(ref, actor=request.user, store=store, withdrawn_ok=True)
    except NotFound:
        wallet_reference_check(store=store, reference=data.get("reference") or "", refund=refund)
        raise
    key = next(iter(ref))
    if refund and key in ("mobile", "member_no") and not refund_in_scope(request.user, member):
        # A refund stays with the member's own store or HQ: to another store's desk he reads as
        # nobody, exactly as a stranger would (issue 13 §7, §12), and so does a reference it used.
        wallet_reference_check(store=store, reference=data.get("reference") or "", refund=True)
        raise NotFound(_("No member with this %(what)s.") % {"what": _("mobile number") if key == "mobile" else _("member number")},
                       code="member_not_found")
    return store, member


class TopUpView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["wallet"],
        summary=gettext_lazy("Take a stored-value top-up (principal + bonus of the rule reached)"),
        request=s.TopUpInSerializer,
        responses={
            201: OpenApiResponse(s.TopUpOutSerializer, description=gettext_lazy("Taken.")),
            200: OpenApiResponse(s.TopUpOutSerializer, description=gettext_lazy("Taken before: the first result, replayed: true.")),
            **error_responses(400, 404, 409, 422, s403=("permission_denied", "store_out_of_scope"),
                              s404=("member_not_found", "card_not_found"), s409=("topup_conflict", "member_withdrawn"),
                              s422=("stored_value_limit", "stored_value_other_issuer", "card_invalid", "card_frozen", "ecard_expired")),
        },
        examples=[OpenApiExample("top-up", request_only=True, value={
            "store": "SA01", "member": {"mobile": "13766667777"}, "amount": "3000.00", "reference": "SA01-TU-0001", "method": "wechat"})],
    )
    def post(self, request):
        data = _in(s.TopUpInSerializer, request)
        store, member = _till(request, data, lambda store: wallet_topup_check(
            actor=request.user, store=store, amount=data["amount"], reference=data["reference"], method=data.get("method")))
        result = wallet_topup(actor=request.user, member=member, store=store, amount=data["amount"], reference=data["reference"],
                              method=data.get("method"))
        return Response(result, status=status.HTTP_200_OK if result.get("replayed") else status.HTTP_201_CREATED)


class RefundView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["wallet"],
        summary=gettext_lazy("Refund unused principal (退卡/退款); the bonus is forfeited in proportion"),
        request=s.RefundInSerializer,
        responses={201: OpenApiResponse(s.RefundOutSerializer, description=gettext_lazy("Refunded.")),
                   200: OpenApiResponse(s.RefundOutSerializer, description=gettext_lazy(
                       "Refunded before under this reference: the first refund, replayed: true.")),
                   **error_responses(
            400, 404, 409, 422, s403=("permission_denied", "store_out_of_scope", "refund_out_of_scope"),
            s404=("member_not_found", "card_not_found"), s409=("refund_conflict",),
            s422=("nothing_to_refund", "refund_exceeds_principal", "stored_value_other_issuer", "card_invalid"))},
    )
    def post(self, request):
        data = _in(s.RefundInSerializer, request)
        store, member = _till(request, data, lambda store: wallet_refund_check(
            actor=request.user, store=store, amount=data.get("amount"), reason=data["reason"], reference=data.get("reference") or ""),
            refund=True)
        refund = wallet_refund(actor=request.user, member=member, store=store, amount=data.get("amount"), reason=data["reason"],
                               reference=data.get("reference") or "")
        return Response({"id": refund.pk, "store": store.code, "business_date": refund.business_date.isoformat(),
                         "reference": refund.reference, "principal": str(refund.principal),
                         "bonus_forfeited": str(refund.bonus_forfeited), "stored_value": balance_dict(member.pk),
                         "replayed": refund.replayed},
                        status=status.HTTP_200_OK if refund.replayed else status.HTTP_201_CREATED)


class MemberWalletView(APIView):
    @extend_schema(
        tags=["wallet"],
        summary=gettext_lazy("A member's stored value: principal, bonus, balance, limit and recent entries"),
        responses={200: s.WalletSerializer, **error_responses(404)},
    )
    def get(self, request, pk):
        return Response(wallet_summary(member_for_actor(request.user, parsing.row_id(pk, _("No such member.")))))
