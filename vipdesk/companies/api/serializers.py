"""Shapes of the organisation-account endpoints (issue 20 §1)."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import ContactRole


class CompanyInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    uscc = serializers.CharField(max_length=30, help_text=_("统一社会信用代码: 18 characters, the last a check digit."))
    industry = serializers.CharField(max_length=60, required=False, allow_blank=True)
    region = serializers.CharField(max_length=60, required=False, allow_blank=True)
    manager = serializers.CharField(max_length=150, required=False, allow_blank=True, help_text=_("The account manager's user name."))
    deputies = serializers.ListField(child=serializers.CharField(max_length=150), required=False, max_length=10,
                                     help_text=_("User names of the deputies."))
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class CompanyContactSerializer(serializers.Serializer):
    member_no = serializers.CharField()
    name = serializers.CharField(help_text=_("Masked unless your role sees personal data in full."))
    role = serializers.ChoiceField(ContactRole.choices)
    primary = serializers.BooleanField()


class CompanyAgreementSerializer(serializers.Serializer):
    number = serializers.CharField()
    title = serializers.CharField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    terms = serializers.CharField()
    status = serializers.CharField()


class CompanySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    uscc = serializers.CharField()
    industry = serializers.CharField()
    region = serializers.CharField()
    manager = serializers.CharField(allow_null=True)
    deputies = serializers.ListField(child=serializers.CharField())
    note = serializers.CharField()


class CompanyDetailSerializer(CompanySerializer):
    contacts = CompanyContactSerializer(many=True)
    agreements = CompanyAgreementSerializer(many=True)
    purchases_12_months = serializers.DecimalField(max_digits=16, decimal_places=2,
                                                   help_text=_("Net amount bought by the contacts over the last 12 months."))


class EvaluationCriterionSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("The key of the criterion's figure in each result's `values`."))
    name = serializers.CharField()
    unit = serializers.CharField()
    source = serializers.CharField(help_text=_("sales_quantity, sales_amount or entered."))
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    lower_is_better = serializers.BooleanField()
    gate_min = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    gate_max = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)


class EvaluationResultSerializer(serializers.Serializer):
    company = serializers.DictField(help_text=_("id, name and uscc of the company."))
    rank = serializers.IntegerField(allow_null=True)
    score = serializers.DecimalField(max_digits=7, decimal_places=2)
    disqualified = serializers.BooleanField()
    reason = serializers.CharField()
    values = serializers.DictField(help_text=_("Criterion code → the figure (a string), or null when not entered."))
    award_kind = serializers.CharField(allow_blank=True)
    award_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class EvaluationYearSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    year = serializers.IntegerField()
    programme = serializers.CharField()
    state = serializers.CharField(help_text=_("draft, reviewed or approved."))
    evaluated_at = serializers.DateTimeField(allow_null=True)
    reviewed_by = serializers.CharField(allow_null=True)
    approved_by = serializers.CharField(allow_null=True)


class EvaluationYearDetailSerializer(EvaluationYearSerializer):
    criteria = EvaluationCriterionSerializer(many=True)
    awards = serializers.ListField(child=serializers.DictField(), help_text=_("rank and amount, paid as award_kind."))
    award_kind = serializers.CharField()
    results = EvaluationResultSerializer(many=True)
