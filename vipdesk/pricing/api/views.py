"""POST /api/v1/quotes/ (R7.4): member + basket → priced lines, coupons, points, stored value, each
adjustment explained; GET /api/v1/quotes/{id}/. Committing is POST /api/v1/sales/ with the quote id."""
from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from vipdesk.accounts.roles import Action, Role, can
from vipdesk.api.errors import error_responses
from vipdesk.api.input import strict_body
from vipdesk.api.parsers import JSONParser
from vipdesk.api.snapshot import ConfigurationReadOnce
from vipdesk.core.errors import NotFound, PermissionDenied
from vipdesk.pricing.models import Quote
from vipdesk.pricing.services import LINE_KEYS, quote_create, quote_id, quote_out
from vipdesk.members.identification import MEMBER_KEYS

# What a quote request takes (quote_create reads no other key); anything else: 400 unknown_field.
_QUOTE_SHAPE = {"store": None, "member": dict.fromkeys(MEMBER_KEYS), "lines": [dict.fromkeys(LINE_KEYS)],
                "coupons": None, "points": None, "stored_value": None}

from .serializers import QuoteSerializer


class QuoteListView(ConfigurationReadOnce, APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["pos"], operation_id="quote_create", request=dict, responses={201: QuoteSerializer, **error_responses(400, 404, 409, 422)},
        summary=gettext_lazy("Price a basket for a member: member prices, specials, discounts, coupons, points, stored value"),
        examples=[OpenApiExample("quote", request_only=True, value={
            "store": "SA01", "member": {"mobile": "13612345678"}, "coupons": "best", "points": "max", "stored_value": "max",
            "lines": [{"sku": "6901234567890", "name": "羊绒围巾", "brand": "鄂尔多斯", "category": "配饰", "unit_price": "899.00", "quantity": 1}]})],
    )
    def post(self, request):
        if not can(request.user, Action.SELL):
            raise PermissionDenied(_("The role of the key or user may not do this."))
        return Response(quote_create(actor=request.user, data=strict_body(request, _QUOTE_SHAPE)), status=status.HTTP_201_CREATED)


class QuoteView(APIView):
    @extend_schema(tags=["pos"], operation_id="quote_retrieve", summary=gettext_lazy("A quote, as it was given"),
                   responses={200: QuoteSerializer, **error_responses(404, s404=("quote_not_found",))})
    def get(self, request, pk):
        quote = Quote.objects.select_related("store", "member").filter(pk=quote_id(pk)).first()
        user = request.user
        chain_wide = getattr(user, "is_superuser", False) or getattr(user, "role", None) in (Role.HQ_ADMIN, Role.AUDITOR)
        if quote is None or not (chain_wide or quote.store_id in (getattr(user, "store_ids", None) or [])):
            raise NotFound(_("No such quote."), code="quote_not_found")
        return Response(quote_out(quote))
