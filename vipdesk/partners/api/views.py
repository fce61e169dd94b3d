"""The partner counter's API (issue 18 §3): only a partner's key (role "partner") reaches these
endpoints, and it reaches nothing else (vipdesk/api/auth.py refuses it on every view without
`partner_key_view`). Every row is the key's own partner's; a member is named by card, e-card code
or mobile (paying with points: card or e-card only) and shown masked with her level and this
partner's benefits, nothing more."""
from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from vipdesk.api.errors import error_responses
from vipdesk.api.input import validated as _in
from vipdesk.api.parsers import JSONParser
from vipdesk.core import parsing
from vipdesk.core.errors import ValidationFailed
from vipdesk.members.identification import member_ref
from vipdesk.partners.counter import (benefit_use_record, member_card, partner_for_key, points_redeem_at_partner, spend_report,
                                      use_for)

_WHO = gettext_lazy("Exactly one of card, ecard (the e-card's code), mobile.")


class PartnerMemberRefSerializer(serializers.Serializer):
    card = serializers.CharField(max_length=40, required=False, allow_blank=True, help_text=gettext_lazy("Card number as scanned."))
    ecard = serializers.CharField(max_length=40, required=False, allow_blank=True, help_text=gettext_lazy("E-card code (QR)."))
    mobile = serializers.CharField(max_length=20, required=False, allow_blank=True, help_text=gettext_lazy("11-digit mobile number."))


class LookupInSerializer(serializers.Serializer):
    member = PartnerMemberRefSerializer(help_text=_WHO)


class OfferSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField(help_text=gettext_lazy("discount, gift or service"))
    discount = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True, help_text=gettext_lazy("9.50 = 9.5折"))
    per_visit = serializers.IntegerField()
    per_month = serializers.IntegerField(allow_null=True)
    remaining_this_month = serializers.IntegerField(allow_null=True)


class LookupOutSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=gettext_lazy("Masked: 林*红."))
    level = serializers.CharField()
    benefits = OfferSerializer(many=True)


class UseInSerializer(serializers.Serializer):
    member = PartnerMemberRefSerializer(help_text=_WHO)
    code = serializers.CharField(max_length=30)
    quantity = serializers.IntegerField(min_value=1, max_value=1000, default=1)
    reference = serializers.CharField(max_length=60, help_text=gettext_lazy("Your receipt or order number: a retry answers the first use."))
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True,
                                      help_text=gettext_lazy("The bill, for the statement (optional)."))


class UseOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    discount = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    quantity = serializers.IntegerField()
    reference = serializers.CharField()
    used_on = serializers.DateField()
    replayed = serializers.BooleanField()


class SpendInSerializer(serializers.Serializer):
    member = PartnerMemberRefSerializer(help_text=_WHO)
    reference = serializers.CharField(max_length=60)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    spent_on = serializers.DateField()


class SpendOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    spent_on = serializers.DateField()
    points = serializers.IntegerField()
    replayed = serializers.BooleanField()


class RedeemInSerializer(serializers.Serializer):
    member = PartnerMemberRefSerializer(help_text=gettext_lazy("Exactly one of card, ecard (the e-card's code): the member must be "
                                                               "present; a mobile alone is refused (member_present_required)."))
    reference = serializers.CharField(max_length=60)
    points = serializers.IntegerField(min_value=1, max_value=10_000_000)


class RedeemOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    points = serializers.IntegerField()
    value = serializers.DecimalField(max_digits=12, decimal_places=2, help_text=gettext_lazy("What HQ owes you for these points."))
    used_on = serializers.DateField()
    replayed = serializers.BooleanField()


def _ref(raw) -> dict:
    errors = parsing.Problems()
    ref = member_ref(raw, errors)
    errors.raise_if_any()
    if not ref:
        raise ValidationFailed(_("Identify the member by card, e-card code or mobile."),
                               fields={"member": _("Identify the member by card, e-card code or mobile.")})
    return ref


def _answered(out, data: dict, replayed: bool) -> Response:
    return Response(out({**data, "replayed": replayed}).data, status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED)


def _use_out(use) -> dict:
    return {"id": use.pk, "code": use.benefit.code, "name": use.benefit.name, "discount": use.benefit.discount,
            "quantity": use.quantity, "reference": use.reference, "used_on": use.used_on}


class _PartnerView(APIView):
    partner_key_view = True  # vipdesk/api/auth.py: the only views a partner key may reach
    parser_classes = [JSONParser]

    @property
    def partner(self):
        return partner_for_key(self.request.user)


_ERR = dict(s403=("permission_denied", "partner_not_in_contract"))


class LookupView(_PartnerView):
    @extend_schema(tags=["partners"], summary=gettext_lazy("Partner counter: find a member (masked name, level, your benefits)"),
                   request=LookupInSerializer, responses={200: LookupOutSerializer, **error_responses(400, 404, 409, **_ERR)},
                   examples=[OpenApiExample("mobile", request_only=True, value={"member": {"mobile": "13766667777"}})])
    def post(self, request):
        data = _in(LookupInSerializer, request)  # the body first, as on every endpoint (api/tests/test_strict_input.py)
        partner = self.partner
        return Response(LookupOutSerializer(member_card(partner, _ref(data["member"]))).data)


class UseView(_PartnerView):
    @extend_schema(tags=["partners"], summary=gettext_lazy("Partner counter: record a benefit use (once per reference)"),
                   request=UseInSerializer,
                   responses={201: UseOutSerializer,
                              200: OpenApiResponse(UseOutSerializer, description=gettext_lazy("A retry: the first use, replayed: true.")),
                              **error_responses(400, 404, 409, s409=("benefit_not_available", "benefit_limit_exceeded",
                                                                     "reference_conflict"), **_ERR)},
                   examples=[OpenApiExample("use", request_only=True, value={"member": {"card": "8800000012"}, "code": "partner_discount",
                                                                            "reference": "YX-0815-001", "amount": "320.00"})])
    def post(self, request):
        data = _in(UseInSerializer, request)  # the body first, as on every endpoint (api/tests/test_strict_input.py)
        partner = self.partner
        use = benefit_use_record(partner=partner, ref=_ref(data["member"]), code=data["code"], reference=data["reference"],
                                 quantity=data["quantity"], amount=data.get("amount"))
        return _answered(UseOutSerializer, _use_out(use), use.replayed)


class UseDetailView(_PartnerView):
    @extend_schema(tags=["partners"], summary=gettext_lazy("Partner counter: one of your recorded uses"),
                   responses={200: UseOutSerializer, **error_responses(404, **_ERR)})
    def get(self, request, pk):
        use = use_for(self.partner, pk)
        return Response(UseOutSerializer({**_use_out(use), "replayed": False}).data)


class SpendView(_PartnerView):
    @extend_schema(tags=["partners"], summary=gettext_lazy("Partner counter: report a member's spend; the partner earn rule gives points"),
                   request=SpendInSerializer,
                   responses={201: SpendOutSerializer,
                              200: OpenApiResponse(SpendOutSerializer, description=gettext_lazy("A retry: the first record, replayed: true.")),
                              **error_responses(400, 404, 409, 422, s409=("reference_conflict",), s422=("no_partner_rule",), **_ERR)},
                   examples=[OpenApiExample("spend", request_only=True, value={"member": {"mobile": "13766667777"},
                                                                              "reference": "YX-0815-001", "amount": "320.00",
                                                                              "spent_on": "2026-06-17"})])
    def post(self, request):
        data = _in(SpendInSerializer, request)  # the body first, as on every endpoint (api/tests/test_strict_input.py)
        partner = self.partner
        spend = spend_report(partner=partner, ref=_ref(data["member"]), reference=data["reference"], amount=data["amount"],
                             spent_on=data["spent_on"])
        return _answered(SpendOutSerializer, {"id": spend.pk, "reference": spend.reference, "amount": spend.amount, "spent_on": spend.spent_on,
                          "points": spend.points}, getattr(spend, "replayed", False))


class RedeemView(_PartnerView):
    @extend_schema(tags=["partners"], summary=gettext_lazy("Partner counter: the member pays with points (once per reference)"),
                   request=RedeemInSerializer,
                   responses={201: RedeemOutSerializer,
                              200: OpenApiResponse(RedeemOutSerializer, description=gettext_lazy("A retry: the first record, replayed: true.")),
                              **error_responses(400, 404, 409, 422, s400=("validation_error", "member_present_required"),
                                                s409=("reference_conflict",), s422=("insufficient_points", "same_day_points"), **_ERR)},
                   examples=[OpenApiExample("redeem by card", request_only=True, value={"member": {"card": "8800000012"},
                                                                                       "reference": "YX-0815-002", "points": 500}),
                             OpenApiExample("redeem by e-card", request_only=True,
                                            value={"member": {"ecard": "8812345678901"}, "reference": "YX-0815-003", "points": 200})])
    def post(self, request):
        data = _in(RedeemInSerializer, request)  # the body first, as on every endpoint (api/tests/test_strict_input.py)
        partner = self.partner
        red = points_redeem_at_partner(partner=partner, ref=_ref(data["member"]), reference=data["reference"], points=data["points"])
        return _answered(RedeemOutSerializer, {"id": red.pk, "reference": red.reference, "points": red.points, "value": red.value,
                          "used_on": red.used_on}, red.replayed)
