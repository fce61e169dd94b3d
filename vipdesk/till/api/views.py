"""POS endpoints (R14.1, issue 3 §5): sales, returns, a member's points and tier, redemptions.

Views translate HTTP to service calls and back. A first posting answers 201; the same receipt
again answers 200 with the first result and `replayed: true`; other content under the same
receipt number answers 409 `receipt_conflict`.
"""
from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from vipdesk.api.input import plain as _plain, validated as _in
from vipdesk.api.errors import error_responses
from vipdesk.api.parsers import JSONParser
from vipdesk.api.snapshot import ConfigurationReadOnce
from vipdesk.core import parsing
from vipdesk.core.clock import today
from vipdesk.core.errors import NotFound, ValidationFailed
from vipdesk.members.services import member_for_actor
from vipdesk.points.selectors import points_history
from vipdesk.points.redemption import redemption_answer, redemption_check, redemption_reference_check
from vipdesk.points.redemption import points_redeem
from vipdesk.points.mall import order_for_staff, redemption_collect
from vipdesk.points.services import points_summary
from vipdesk.till import services
from vipdesk.till.quotes import quote_commit
from vipdesk.members.identification import member_ref
from vipdesk.org.scoping import posting_store
from vipdesk.tiers.progress import tier_progress

from . import serializers as s



def _posted(result: services.PostingResult) -> Response:
    return Response(result.data, status=status.HTTP_200_OK if result.replayed else status.HTTP_201_CREATED)


_POSTING_RESPONSES = {
    201: OpenApiResponse(s.PostingSerializer, description=gettext_lazy("Posted.")),
    200: OpenApiResponse(s.PostingSerializer, description=gettext_lazy("Posted before: the first result, replayed: true.")),
}

_SALE_EXAMPLE = OpenApiExample(
    "sale",
    request_only=True,
    value={
        "store": "SA01", "terminal": "T1", "receipt_no": "SA01-20261122-0001", "occurred_at": "2026-11-22T10:30:00+08:00",
        "member": {"mobile": "13766667777"},
        "lines": [{"line_no": 1, "sku": "SCF-01", "name": "真丝围巾", "brand": "示例", "category": "配饰",
                   "unit_price": "399.50", "quantity": 2, "amount": "799.00"}],
        "payments": [{"method": "wechat", "amount": "799.00"}],
        "amount_paid": "799.00",
    },
)


class SalePostView(ConfigurationReadOnce, APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["pos"],
        summary=gettext_lazy("Post a sale"),
        request=s.SalePostSerializer,
        responses={**_POSTING_RESPONSES, **error_responses(
            400, 404, 409, 422,
            s403=("permission_denied", "store_out_of_scope"),
            s404=("member_not_found", "card_not_found"),
            s409=("receipt_conflict", "member_withdrawn"),
            s422=("card_invalid", "card_pending", "card_frozen", "ecard_expired", "insufficient_points", "points_offset_invalid", "same_day_points",
                  "insufficient_stored_value", "pin_required", "pin_invalid", "card_spend_limit", "stored_value_other_issuer"),
        )},
        examples=[_SALE_EXAMPLE],
    )
    def post(self, request):
        if isinstance(request.data, dict) and request.data.get("quote"):
            # Committing a checkout quote (issue 4 §4): lines, coupons, points and stored value come from it.
            return _posted(quote_commit(actor=request.user, data=_in(s.QuoteCommitSerializer, request)))
        return _posted(services.sale_post(actor=request.user, data=_in(s.SalePostSerializer, request)))


class SaleAttachView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["pos"],
        summary=gettext_lazy("Credit an anonymous sale to a member afterwards (within the configured days)"),
        request=s.AttachSerializer,
        responses={200: OpenApiResponse(s.AttachedSerializer, description=gettext_lazy("Credited: points earned, tier.")),
                   **error_responses(400, 404, 409, 422,
                                     s403=("permission_denied", "store_out_of_scope"),
                                     s404=("sale_not_found", "member_not_found", "card_not_found"),
                                     s409=("attach_too_late", "already_attached", "sale_has_returns", "member_withdrawn"),
                                     s422=("card_invalid", "card_pending", "card_frozen", "ecard_expired"))},
    )
    def post(self, request):
        data = _in(s.AttachSerializer, request)
        return Response(services.sale_attach_member(actor=request.user, store=data.get("store") or None,
                                                    receipt_no=data["receipt_no"], member=data["member"]))


class ReturnPostView(ConfigurationReadOnce, APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["pos"],
        summary=gettext_lazy("Post a return against an original receipt"),
        request=s.ReturnPostSerializer,
        responses={**_POSTING_RESPONSES, **error_responses(
            400, 404, 409, 422,
            s403=("permission_denied", "store_out_of_scope"),
            s404=("original_not_found",),
            s409=("receipt_conflict", "return_exceeds_sale"),
            s422=("stored_value_other_issuer",),
        )},
    )
    def post(self, request):
        return _posted(services.return_post(actor=request.user, data=_in(s.ReturnPostSerializer, request)))


def _member(request, pk):
    return member_for_actor(request.user, parsing.row_id(pk, _("No such member.")))


class MemberPointsView(APIView):
    @extend_schema(
        tags=["pos"],
        summary=gettext_lazy("A member's points: balance, available and pending, lots with expiry, history"),
        parameters=[OpenApiParameter("history", int, description=gettext_lazy("How many recent ledger entries (0–200, default 20)."))],
        responses={200: s.MemberPointsSerializer, **error_responses(400, 404)},
    )
    def get(self, request, pk):
        member = _member(request, pk)
        limit = request.query_params.get("history", "20")
        if not (limit.isascii() and limit.isdigit()) or int(limit) > 200:  # "²" is a digit to isdigit(), not to int()
            raise ValidationFailed(_("A whole number from 0 to 200."), fields={"history": _("A whole number from 0 to 200.")})
        summary = points_summary(member, today(member.home_store))  # the member's store's business date
        return Response({**summary, "history": points_history(member, limit=int(limit))})


class MemberTierView(APIView):
    @extend_schema(
        tags=["pos"],
        summary=gettext_lazy("A member's tier: current level, progress to the next, history"),
        responses={200: s.MemberTierSerializer, **error_responses(404)},
    )
    def get(self, request, pk):
        member = _member(request, pk)
        return Response(tier_progress(member, today(member.home_store)))


class RedemptionView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["pos"],
        summary=gettext_lazy("Redeem points for a catalogue item"),
        request=s.RedemptionInSerializer,
        responses={201: s.RedemptionOutSerializer,
                   200: OpenApiResponse(s.RedemptionOutSerializer, description=gettext_lazy("A retry: the first redemption, replayed: true.")),
                   **error_responses(
            400, 404, 409, 422,
            s409=("reference_conflict",),
            s403=("permission_denied", "store_out_of_scope"),
            s404=("member_not_found", "card_not_found", "item_not_found", "not_found"),
            s422=("insufficient_points", "outside_window", "same_day_points", "out_of_stock", "limit_reached",
                  "card_invalid", "card_pending", "card_frozen", "ecard_expired"),
        )},
    )
    def post(self, request):
        data = _in(s.RedemptionInSerializer, request)
        store = posting_store(request.user, data.get("store"))
        if store is None:
            raise ValidationFailed(_("Give the store code."), fields={"store": _("Give the store code.")})
        errors = parsing.Problems()
        ref = member_ref(data.get("member"), errors)
        errors.raise_if_any()
        if not ref:
            raise ValidationFailed(_("Identify the member by exactly one of: card, ecard, mobile, member_no."),
                                   fields={"member": _("Identify the member by exactly one of: card, ecard, mobile, member_no.")})
        # The request before the member: a gift refused for itself reads the same for a member and a stranger.
        redemption_check(actor=request.user, item_code=data["item_code"], store=store, quantity=data["quantity"])
        # The card is checked (and an invalid one flagged) before the redemption's transaction.
        try:
            member, card, _how = services.identify_member(ref, actor=request.user, store=store)
        except NotFound:
            redemption_reference_check(store=store, reference=data.get("reference", ""))
            raise
        redemption = points_redeem(actor=request.user, member=member, item_code=data["item_code"], store=store,
                                   quantity=data["quantity"], card=card, reference=data.get("reference", ""))
        replayed = getattr(redemption, "replayed", False)
        return Response(redemption_out(redemption), status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED)


def redemption_out(redemption) -> dict:
    """The first answer, as given when the redemption was made (docs/api.md §6.1), and whether this is a retry."""
    return {**redemption_answer(redemption), "replayed": getattr(redemption, "replayed", False)}


class RedemptionCollectView(APIView):
    """Hand over a points-mall gift waiting at the store (issue 16): the member identified as for a sale."""

    parser_classes = [JSONParser]

    @extend_schema(
        tags=["pos"],
        summary=gettext_lazy("Hand over a points-mall order to the member"),
        request=s.CollectInSerializer,
        responses={200: s.CollectOutSerializer, **error_responses(
            400, 404, 409, 422,
            s403=("permission_denied",),
            s404=("not_found", "member_not_found", "card_not_found"),
            s409=("already_collected", "order_cancelled", "nothing_to_collect", "member_withdrawn"),
            s422=("wrong_member", "card_invalid", "card_frozen"),
        )},
    )
    def post(self, request, pk):
        data = _in(s.CollectInSerializer, request)  # a bad body is refused whatever the id, like every write
        order = order_for_staff(request.user, pk)
        errors = parsing.Problems()
        ref = member_ref(data.get("member"), errors)
        errors.raise_if_any()
        if not ref:
            raise ValidationFailed(_("Identify the member by exactly one of: card, ecard, mobile, member_no."),
                                   fields={"member": _("Identify the member by exactly one of: card, ecard, mobile, member_no.")})
        member, _card, _how = services.identify_member(ref, actor=request.user, store=order.store)
        red = redemption_collect(actor=request.user, redemption=order, member=member)
        return Response({"id": red.pk, "item_code": red.item.code, "item_name": str(red.item.name), "store": red.store.code,
                         "quantity": red.quantity, "points": red.points, "status": red.collection,
                         "collected_at": red.collected_at})
