"""Clearing endpoints (R5.5, issue 3 §5): the monthly statement between franchisees, the settlement
lines behind it, and the points liability. Same figures as the console and `vipdesk clearing
statement`: all three read vipdesk.points.clearing / selectors through points.statements, which
also scopes them (HQ and auditor keys: everything; a store-manager key: its franchisee; others: 403).
"""
from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from vipdesk.accounts.roles import Action, can
from vipdesk.api.errors import error_responses
from vipdesk.api.pagination import ApiPagination
from vipdesk.core import clock
from vipdesk.points.models import SettlementLine
from vipdesk.points.services import policy
from vipdesk.points.statements import lines_for, liability_for, statement_for

from . import serializers as s

ZERO = Decimal("0.00")


class MaySeeClearing(permissions.BasePermission):
    """Refused before any input is read: a till key gets 403 whatever it sends."""

    message = _("Your role may not see clearing statements.")

    def has_permission(self, request, view):
        return can(request.user, Action.CLEARING)


PERMISSIONS = [permissions.IsAuthenticated, MaySeeClearing]


def _query(serializer_class, request) -> dict:
    ser = serializer_class(data=request.query_params)
    ser.is_valid(raise_exception=True)
    return dict(ser.validated_data)


_STATEMENT_EXAMPLE = OpenApiExample(
    "statement",
    response_only=True,
    value={"period": "2026-03", "total": "50.00", "rows": [
        {"period": "2026-03", "payer": "FA", "payer_name": "甲加盟商", "payee": "FB", "payee_name": "乙加盟商",
         "gross_payer_owes": "50.00", "gross_payee_owes": "0.00", "points": 1000, "net": "50.00"}]},
)


class StatementView(APIView):
    permission_classes = PERMISSIONS
    @extend_schema(
        tags=["clearing"],
        summary=gettext_lazy("Clearing statement of a month: who pays whom, netted per pair of parties"),
        parameters=[s.PeriodQuerySerializer],
        responses={200: s.StatementSerializer, **error_responses(400)},
        examples=[_STATEMENT_EXAMPLE],
    )
    def get(self, request):
        period = _query(s.PeriodQuerySerializer, request)["period"]
        rows = statement_for(request.user, period=period)
        return Response(s.StatementSerializer({"period": period, "total": sum((r["net"] for r in rows), ZERO), "rows": rows}).data)


class LinesView(generics.ListAPIView):
    permission_classes = PERMISSIONS
    serializer_class = s.SettlementLineSerializer
    pagination_class = ApiPagination
    queryset = SettlementLine.objects.none()  # for the schema; rows come from get_queryset()

    def get_queryset(self):
        params = _query(s.LinesQuerySerializer, self.request)
        return lines_for(self.request.user, period=params["period"], payer=params.get("payer"), payee=params.get("payee")
                         ).select_related("issuer", "redeemer", "issuer_store", "redeemer_store",
                                          "lot_use__entry__redemption__item", "lot_use__entry__sale")

    @extend_schema(
        tags=["clearing"],
        summary=gettext_lazy("Settlement lines of a month (optionally between two parties)"),
        parameters=[s.LinesQuerySerializer],
        responses={200: s.SettlementLineSerializer(many=True), **error_responses(400)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class LiabilityView(APIView):
    permission_classes = PERMISSIONS
    @extend_schema(
        tags=["clearing"],
        summary=gettext_lazy("Points liability: outstanding points × value per point by store and franchisee"),
        parameters=[s.LiabilityQuerySerializer],
        responses={200: s.LiabilitySerializer, **error_responses(400)},
    )
    def get(self, request):
        on = _query(s.LiabilityQuerySerializer, request).get("on") or clock.today()
        rows = liability_for(request.user, on=on)
        return Response(s.LiabilitySerializer({
            "on": on, "value_per_point": policy().value_per_point, "rows": rows,
            "total_points": sum(r["points"] for r in rows), "total_value": sum((r["value"] for r in rows), ZERO),
        }).data)
