"""Shapes of the clearing and liability endpoints. Amounts are decimal strings in yuan ("50.00")."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vipdesk.points.clearing import HQ
from vipdesk.points.models import SettlementLine


def _money(**kw):
    return serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True, **kw)


class PeriodQuerySerializer(serializers.Serializer):
    period = serializers.CharField(max_length=7, help_text=_("Month of the business dates, YYYY-MM."))


class LinesQuerySerializer(PeriodQuerySerializer):
    payer = serializers.CharField(max_length=20, required=False,
                                  help_text=_("With payee: only the lines between these two parties (franchisee code, or HQ)."))
    payee = serializers.CharField(max_length=20, required=False, help_text=_("See payer."))


class LiabilityQuerySerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text=_("Business date (YYYY-MM-DD); default today."))


class StatementRowSerializer(serializers.Serializer):
    period = serializers.CharField()
    payer = serializers.CharField(help_text=_("Franchisee code of the party that pays; HQ for the directly run stores."))
    payer_name = serializers.CharField()
    payee = serializers.CharField(help_text=_("Franchisee code of the party that receives; HQ for the directly run stores."))
    payee_name = serializers.CharField()
    gross_payer_owes = _money(help_text=_("Value of the payee's redemptions paid with the payer's points."))
    gross_payee_owes = _money(help_text=_("Value of the payer's redemptions paid with the payee's points."))
    points = serializers.IntegerField(help_text=_("Points issued by the payer and redeemed at the payee."))
    net = _money(help_text=_("What the payer pays the payee for the month."))


class StatementSerializer(serializers.Serializer):
    period = serializers.CharField()
    total = _money(help_text=_("Sum of the net amounts."))
    rows = StatementRowSerializer(many=True)


class SettlementLineSerializer(serializers.ModelSerializer):
    issuer = serializers.SerializerMethodField(help_text=_("Franchisee that issued the points; HQ for the directly run stores."))
    issuer_store = serializers.SerializerMethodField()
    redeemer = serializers.SerializerMethodField(help_text=_("Franchisee where they were redeemed; HQ for the directly run stores."))
    redeemer_store = serializers.SerializerMethodField()
    value = _money(help_text=_("What the issuer owes the redeemer; negative for a cancellation or refund."))
    source = serializers.SerializerMethodField(help_text=_("The ledger entry behind the line: kind and item code or receipt."))

    class Meta:
        model = SettlementLine
        fields = ["id", "period", "business_date", "issuer", "issuer_store", "redeemer", "redeemer_store", "points", "value", "source"]

    @extend_schema_field(OpenApiTypes.STR)
    def get_issuer(self, line) -> str:
        return line.issuer.code if line.issuer_id else HQ

    @extend_schema_field(OpenApiTypes.STR)
    def get_redeemer(self, line) -> str:
        return line.redeemer.code if line.redeemer_id else HQ

    @extend_schema_field({"type": "string", "nullable": True})
    def get_issuer_store(self, line):
        return line.issuer_store.code if line.issuer_store_id else None

    @extend_schema_field(OpenApiTypes.STR)
    def get_redeemer_store(self, line) -> str:
        return line.redeemer_store.code

    @extend_schema_field(OpenApiTypes.STR)
    def get_source(self, line) -> str:
        entry = line.lot_use.entry
        ref = entry.redemption.item.code if entry.redemption_id else (entry.sale.receipt_no if entry.sale_id else "")
        return f"{entry.kind} {ref}".strip()


class LiabilityRowSerializer(serializers.Serializer):
    store = serializers.CharField(allow_null=True, help_text=_("Store where the points were earned."))
    store_name = serializers.CharField(allow_null=True)
    franchisee = serializers.CharField(allow_null=True, help_text=_("Its franchisee; null for a directly run store."))
    franchisee_name = serializers.CharField(allow_null=True)
    points = serializers.IntegerField(help_text=_("Unexpired points not yet used."))
    value = _money(help_text=_("points × value per point."))


class LiabilitySerializer(serializers.Serializer):
    on = serializers.DateField()
    value_per_point = serializers.DecimalField(max_digits=8, decimal_places=4, coerce_to_string=True)
    total_points = serializers.IntegerField()
    total_value = _money()
    rows = LiabilityRowSerializer(many=True)
