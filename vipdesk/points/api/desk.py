"""Points-desk endpoints (issue 15 §3) for tills and devices: reverse a redemption, record the use
of a level's benefit (a parking system, a lounge's door), record a partner's reported spend. Each
calls the one service the console calls; a retry with the same reference answers the first result
(200, `replayed: true`) instead of doing it twice.
"""
from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from vipdesk.accounts.roles import Action, require
from vipdesk.api.errors import error_responses
from vipdesk.api.input import validated as _in
from vipdesk.api.parsers import JSONParser
from vipdesk.core import parsing
from vipdesk.core.errors import NotFound, ValidationFailed
from vipdesk.members.api.serializers import MemberRefSerializer
from vipdesk.members.identification import identify_member, member_ref
from vipdesk.members.services import member_for_actor
from vipdesk.org.scoping import posting_store
from vipdesk.points.bonuses import points_partner_spend
from vipdesk.points.models import Redemption
from vipdesk.points.redemption import points_redemption_cancel
from vipdesk.points.services import points_summary
from vipdesk.tiers.benefits import benefit_summary, benefit_use

_WHO = gettext_lazy("Exactly one of card, ecard, mobile, member_no.")


class RedemptionCancelInSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text=gettext_lazy("Why it is reversed (gift not collected, a mistake…)."))


class RedemptionCancelOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text=gettext_lazy("cancelled"))
    points_returned = serializers.IntegerField()
    balance = serializers.IntegerField(help_text=gettext_lazy("The member's points balance after the reversal."))


class BenefitUseInSerializer(serializers.Serializer):
    store = serializers.CharField(max_length=20, required=False, allow_blank=True,
                                  help_text=gettext_lazy("Store code; a store terminal records in its own store."))
    member = MemberRefSerializer(help_text=_WHO)
    code = serializers.CharField(max_length=30, help_text=gettext_lazy("The benefit's code in the level (parking, lounge…)."))
    quantity = serializers.IntegerField(min_value=1, max_value=1000, default=1)
    reference = serializers.CharField(max_length=60, required=False, allow_blank=True,
                                      help_text=gettext_lazy("The device's id for this use: a retry with it answers the first use."))
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class BenefitUseOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    member_no = serializers.CharField()
    code = serializers.CharField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    used_on = serializers.DateField()
    reference = serializers.CharField()
    remaining = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("What is left of the quota this period; null: no quota."))
    replayed = serializers.BooleanField()


class PartnerSpendInSerializer(serializers.Serializer):
    member = MemberRefSerializer(help_text=_WHO)
    partner = serializers.CharField(max_length=60)
    reference = serializers.CharField(max_length=60, help_text=gettext_lazy("The partner's receipt or order number: recorded once."))
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    spent_on = serializers.DateField()
    store = serializers.CharField(max_length=20, required=False, allow_blank=True)


class PartnerSpendOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    member_no = serializers.CharField()
    partner = serializers.CharField()
    reference = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    spent_on = serializers.DateField()
    points = serializers.IntegerField()
    replayed = serializers.BooleanField()


def _identify(request, raw, store):
    errors = parsing.Problems()
    ref = member_ref(raw, errors)
    errors.raise_if_any()
    if not ref:
        raise ValidationFailed(_("Identify the member by exactly one of: card, ecard, mobile, member_no."),
                               fields={"member": _("Identify the member by exactly one of: card, ecard, mobile, member_no.")})
    member, _card, _how = identify_member(ref, actor=request.user, store=store)
    return member


def _answered(data: dict, replayed: bool) -> Response:
    return Response({**data, "replayed": replayed}, status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED)


class RedemptionCancelView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["pos"],
        summary=gettext_lazy("Reverse a redemption: the points back to their lots, the gift back to stock"),
        request=RedemptionCancelInSerializer,
        responses={200: RedemptionCancelOutSerializer, **error_responses(400, 404, 409, s409=("already_cancelled",))},
        examples=[OpenApiExample("reverse", request_only=True, value={"reason": "赠品未领取"})],
    )
    def post(self, request, pk):
        require(request.user, Action.POINTS_DESK, _("Your role may not reverse redemptions."))
        data = _in(RedemptionCancelInSerializer, request)
        red = Redemption.objects.select_related("account").filter(pk=parsing.row_id(pk, _("No such redemption."))).first()
        if red is None:
            raise NotFound(_("No such redemption."))
        try:
            member = member_for_actor(request.user, red.account.member_id)
        except NotFound:
            raise NotFound(_("No such redemption."))
        red = points_redemption_cancel(actor=request.user, redemption=red, reason=data["reason"])
        return Response({"id": red.pk, "status": red.status, "points_returned": red.points,
                         "balance": points_summary(member)["balance"]})


class BenefitUseView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["pos"],
        summary=gettext_lazy("Record the use of a benefit of the member's level (parking hours, lounge visits), within its quota"),
        request=BenefitUseInSerializer,
        responses={201: BenefitUseOutSerializer,
                   200: OpenApiResponse(BenefitUseOutSerializer, description=gettext_lazy("A retry: the first use, replayed: true.")),
                   **error_responses(400, 404, 409, s409=("benefit_not_available", "benefit_quota_exceeded", "reference_conflict"),
                                     s403=("permission_denied", "store_out_of_scope"))},
        examples=[OpenApiExample("parking", request_only=True, value={"store": "SA01", "member": {"card": "8800000012"},
                                                                      "code": "parking", "quantity": 2, "reference": "P-20261122-0042"})],
    )
    def post(self, request):
        data = _in(BenefitUseInSerializer, request)
        store = posting_store(request.user, data.get("store"))
        if store is None:
            raise ValidationFailed(_("Give the store code."), fields={"store": _("Give the store code.")})
        member = _identify(request, data.get("member"), store)
        usage = benefit_use(actor=request.user, member=member, code=data["code"], quantity=data["quantity"], store=store,
                            note=data.get("note", ""), reference=data.get("reference", ""))
        left = next((b["remaining"] for b in benefit_summary(member, usage.used_on) if b["code"] == usage.benefit.code), None)
        return _answered({"id": usage.pk, "member_no": member.member_no, "code": usage.benefit.code, "name": usage.benefit.name,
                          "quantity": usage.quantity, "used_on": usage.used_on, "reference": usage.reference, "remaining": left},
                         getattr(usage, "replayed", False))


class PartnerSpendView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["pos"],
        summary=gettext_lazy("Record a partner merchant's reported spend and award the partner bonus (once per reference)"),
        request=PartnerSpendInSerializer,
        responses={201: PartnerSpendOutSerializer,
                   200: OpenApiResponse(PartnerSpendOutSerializer, description=gettext_lazy("A retry: the first record, replayed: true.")),
                   **error_responses(400, 404, 409, 422, s409=("reference_conflict",), s422=("no_partner_rule",))},
        examples=[OpenApiExample("partner", request_only=True, value={"member": {"mobile": "13766667777"}, "partner": "悦享影城",
                                                                      "reference": "YX-0815-001", "amount": "120.00",
                                                                      "spent_on": "2026-11-21"})],
    )
    def post(self, request):
        require(request.user, Action.POINTS_DESK, _("Your role may not record partner spend."))
        data = _in(PartnerSpendInSerializer, request)
        store = posting_store(request.user, data.get("store"), action=None)  # a desk key: its store; else as given, or none
        member = _identify(request, data.get("member"), store)
        spend = points_partner_spend(actor=request.user, member=member, partner=data["partner"], reference=data["reference"],
                                     amount=data["amount"], spent_on=data["spent_on"], store=store)
        return _answered({"id": spend.pk, "member_no": member.member_no, "partner": spend.partner, "reference": spend.reference,
                          "amount": str(spend.amount), "spent_on": spend.spent_on, "points": spend.points},
                         getattr(spend, "replayed", False))
