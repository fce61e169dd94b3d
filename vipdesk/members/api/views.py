"""Member and card endpoints (R14.1). Views only translate HTTP to service calls and back.

Scope: every lookup goes through `Member.objects.restrict(principal, …)` (directly or via
`member_for_actor`), so a member or card outside the caller's scope answers 404, never 403.
"""
from __future__ import annotations


from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from vipdesk.api.input import plain as _plain, validated as _in
from vipdesk.accounts.roles import Action
from vipdesk.api.errors import error_responses
from vipdesk.api.parsers import JSONParser
from vipdesk.api.pagination import ApiPagination
from vipdesk.core import parsing
from vipdesk.core.errors import NotFound, ValidationFailed
from vipdesk.core.validators import normalize_mobile
from vipdesk.members import cards as card_services
from vipdesk.members import services
from vipdesk.members.choices import ConsentSource
from vipdesk.members.models import Card, Member
from vipdesk.members.selectors import member_search

from . import serializers as s



_ENROL_EXAMPLE = OpenApiExample(
    "enrol",
    request_only=True,
    value={
        "name": "张小明", "mobile": "13912345678", "gender": "M", "birthday": "1990-03-07", "home_store": "SA01",
        "tags": ["高端"], "consents": [{"purpose": "marketing", "channel": "sms", "granted": True}],
    },
)


LIST_MEMBER_FIELDS = ("id", "member_no", "status", "name", "mobile", "gender", "completeness", "home_store__code")
LIST_CARD_FIELDS = ("id", "member_id", "number", "media", "kind", "status", "principal__number", "issued_at",
                    "flagged_for_confiscation")


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("Find members"),
        parameters=[s.MemberSearchSerializer],
        responses={200: s.MemberListSerializer(many=True), **error_responses(400)},
    ),
    create=extend_schema(
        summary=gettext_lazy("Enrol a member"),
        request=s.MemberEnrolSerializer,
        responses={201: s.MemberSerializer, **error_responses(400, 409, s409=("mobile_taken", "id_number_taken"))},
        examples=[_ENROL_EXAMPLE],
    ),
    retrieve=extend_schema(summary=gettext_lazy("Member file"), responses={200: s.MemberSerializer, **error_responses(404)}),
    partial_update=extend_schema(
        summary=gettext_lazy("Change the member file"),
        request=s.MemberWriteSerializer,
        responses={200: s.MemberSerializer,
                   **error_responses(400, 404, 409, s409=("member_withdrawn", "mobile_taken", "id_number_taken"))},
    ),
)
@extend_schema(tags=["members"])
class MemberViewSet(viewsets.GenericViewSet):
    parser_classes = [JSONParser]
    serializer_class = s.MemberSerializer
    pagination_class = ApiPagination
    lookup_value_regex = r"[0-9]+"
    queryset = Member.objects.none()  # for the schema; rows always come from get_queryset()

    def get_queryset(self):
        return (
            Member.objects.restrict(self.request.user, Action.VIEW)
            .select_related("home_store", "owner")
            .prefetch_related("tags", "consents", Prefetch("cards", queryset=Card.objects.select_related("principal")))
        )

    def get_serializer_class(self):
        return s.MemberListSerializer if self.action == "list" else s.MemberSerializer

    # -- helpers

    def _member(self, pk) -> Member:
        return services.member_for_actor(self.request.user, parsing.row_id(pk, _("No such member.")))

    def _out(self, member: Member, code: int = status.HTTP_200_OK) -> Response:
        # Re-read with the prefetches; a member just moved out of scope is shown as the service returned it.
        member = self.get_queryset().filter(pk=member.pk).first() or member
        return Response(s.MemberSerializer(member, context=self.get_serializer_context()).data, status=code)

    # -- endpoints

    def list(self, request):
        params = s.MemberSearchSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        q, mobile, card = (params.validated_data.get(k, "").strip() for k in ("q", "mobile", "card"))
        qs = (
            Member.objects.restrict(self.request.user, Action.VIEW)
            .select_related("home_store")
            # Only what a list row shows: no decrypting, and cheap model instances (bench/member_lookup.py).
            .only(*LIST_MEMBER_FIELDS)
            .prefetch_related(Prefetch("cards", queryset=Card.objects.select_related("principal").only(*LIST_CARD_FIELDS)))
        )
        if q:
            qs = member_search(qs, q)
        if mobile:
            try:
                qs = qs.filter(mobile=normalize_mobile(mobile))
            except DjangoValidationError as exc:
                raise ValidationFailed(exc.messages[0], fields={"mobile": exc.messages})
        if card:
            qs = qs.filter(pk__in=Card.objects.filter(Q(number=card) | Q(token=card)).values("member_id"))
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def create(self, request):
        data = _plain(_in(s.MemberEnrolSerializer, request))
        consents = {(c["purpose"], c["channel"]): c["granted"] for c in data.pop("consents", None) or []}
        member = services.member_enrol(actor=request.user, data=data, consents=consents, source=ConsentSource.API)
        return self._out(member, status.HTTP_201_CREATED)

    def retrieve(self, request, pk=None):
        return self._out(self._member(pk))

    def partial_update(self, request, pk=None):
        member = self._member(pk)
        data = _plain(_in(s.MemberWriteSerializer, request, partial=True))
        member = services.member_update(actor=request.user, member=member, data=data)
        return self._out(member)

    @extend_schema(
        summary=gettext_lazy("Reveal full personal data (recorded)"),
        request=s.ReasonSerializer,
        responses={200: s.RevealSerializer, **error_responses(400, 404)},
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        member = self._member(pk)
        data = _in(s.ReasonSerializer, request)
        return Response(s.RevealSerializer(services.member_reveal(actor=request.user, member=member, reason=data["reason"])).data)

    @extend_schema(
        summary=gettext_lazy("Withdraw the member (退会): anonymise, close cards"),
        request=s.ReasonSerializer,
        responses={200: s.MemberSerializer, **error_responses(400, 404, 409, s409=("member_withdrawn", "stored_value_not_refunded"))},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        member = self._member(pk)
        data = _in(s.ReasonSerializer, request)
        return self._out(services.member_withdraw(actor=request.user, member=member, reason=data["reason"]))

    @extend_schema(
        summary=gettext_lazy("Give or withdraw consent"),
        request=s.ConsentInSerializer,
        responses={201: s.ConsentSerializer, **error_responses(400, 404, 409, s409=("member_withdrawn",))},
    )
    @action(detail=True, methods=["post"])
    def consents(self, request, pk=None):
        member = self._member(pk)
        data = _in(s.ConsentInSerializer, request)
        row = services.consent_set(actor=request.user, member=member, source=ConsentSource.API, **data)
        return Response(s.ConsentSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Issue a card (pending unless the caller may approve)"),
        request=s.CardIssueSerializer,
        responses={201: s.CardSerializer, **error_responses(400, 404, 409, s409=("member_withdrawn",))},
    )
    @action(detail=True, methods=["post"])
    def cards(self, request, pk=None):
        member = self._member(pk)
        data = _in(s.CardIssueSerializer, request)
        card = card_services.card_issue(actor=request.user, member=member, media=data["media"])
        return Response(s.CardSerializer(card).data, status=status.HTTP_201_CREATED)


_CARD_404 = {"s404": ("card_not_found",)}
_CARD_MOVE = error_responses(400, 404, 409, s409=("illegal_transition",), **_CARD_404)


@extend_schema_view(
    retrieve=extend_schema(
        summary=gettext_lazy("Check a presented card"),
        description=gettext_lazy("The check a till makes when a card is shown. An unusable card is refused with `card_invalid` "
                      "(HTTP 422) and flagged for confiscation; a card awaiting approval gives `card_pending` (not flagged); "
                      "a frozen card gives `card_frozen`."),
        parameters=[OpenApiParameter("number", str, OpenApiParameter.PATH, description=gettext_lazy("Card number or e-card code."))],
        responses={200: s.CardDetailSerializer,
                   **error_responses(404, 422, s404=("card_not_found",), s422=("card_invalid", "card_pending", "card_frozen"))},
    ),
)
@extend_schema(tags=["cards"])
class CardViewSet(viewsets.GenericViewSet):
    parser_classes = [JSONParser]
    serializer_class = s.CardDetailSerializer
    lookup_field = "number"
    lookup_value_regex = r"[0-9A-Za-z_\-]{1,64}"
    queryset = Card.objects.none()  # for the schema

    def _card(self, number: str, *, token: bool = False) -> Card:
        in_scope = Member.objects.restrict(self.request.user, Action.VIEW).values("pk")
        match = Q(number=number) | Q(token=number) if token else Q(number=number)
        card = Card.objects.select_related("member__home_store", "principal").filter(match, member__in=in_scope).first()
        if card is None:
            raise NotFound(_("No card with this number."), code="card_not_found")
        return card

    def _out(self, card: Card, code: int = status.HTTP_200_OK) -> Response:
        card.refresh_from_db()
        return Response(s.CardSerializer(card).data, status=code)

    def retrieve(self, request, number=None):
        card = self._card(number, token=True)
        card = card_services.card_present(number=card.number, actor=request.user, store=getattr(request.user, "store", None))
        return Response(s.CardDetailSerializer(card, context=self.get_serializer_context()).data)

    @extend_schema(summary=gettext_lazy("Report the card lost"), request=s.OptionalReasonSerializer,
                   responses={200: s.CardSerializer, **_CARD_MOVE})
    @action(detail=True, methods=["post"], url_path="report-lost")
    def report_lost(self, request, number=None):
        return self._move(request, number, "report_lost")

    @extend_schema(summary=gettext_lazy("Freeze the card"), request=s.OptionalReasonSerializer,
                   responses={200: s.CardSerializer, **_CARD_MOVE})
    @action(detail=True, methods=["post"])
    def freeze(self, request, number=None):
        return self._move(request, number, "freeze")

    @extend_schema(summary=gettext_lazy("Unfreeze the card"), request=s.OptionalReasonSerializer,
                   responses={200: s.CardSerializer, **_CARD_MOVE})
    @action(detail=True, methods=["post"])
    def unfreeze(self, request, number=None):
        return self._move(request, number, "unfreeze")

    def _move(self, request, number, move: str) -> Response:
        card = self._card(number)
        data = _in(s.OptionalReasonSerializer, request)
        return self._out(card_services.card_change_status(actor=request.user, card=card, move=move, reason=data.get("reason", "")))

    @extend_schema(summary=gettext_lazy("Approve a pending card"), request=s.OptionalReasonSerializer,
                   responses={200: s.CardSerializer, **_CARD_MOVE})
    @action(detail=True, methods=["post"])
    def approve(self, request, number=None):
        card = self._card(number)
        data = _in(s.OptionalReasonSerializer, request)
        return self._out(card_services.card_approve(actor=request.user, card=card, note=data.get("reason", "")))

    @extend_schema(summary=gettext_lazy("Reject a pending card"), request=s.ReasonSerializer,
                   responses={200: s.CardSerializer, **_CARD_MOVE})
    @action(detail=True, methods=["post"])
    def reject(self, request, number=None):
        card = self._card(number)
        data = _in(s.ReasonSerializer, request)
        return self._out(card_services.card_reject(actor=request.user, card=card, reason=data["reason"]))

    @extend_schema(
        summary=gettext_lazy("Replace a lost card after an identity check"),
        description=gettext_lazy("At least two of name, mobile, ID number, birthday and card number must match the member file; "
                      "otherwise `identity_not_confirmed` (HTTP 422). Balances stay with the member."),
        request=s.CardReplaceSerializer,
        responses={201: s.CardSerializer,
                   **error_responses(400, 404, 409, 422, s404=("card_not_found",), s409=("illegal_transition",),
                                     s422=("identity_not_confirmed",))},
    )
    @action(detail=True, methods=["post"])
    def replace(self, request, number=None):
        card = self._card(number)
        data = _plain(_in(s.CardReplaceSerializer, request))
        facts = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data["facts"].items() if v not in (None, "")}
        new = card_services.card_replace_lost(actor=request.user, card=card, facts=facts, media=data.get("media"))
        return self._out(new, status.HTTP_201_CREATED)
