from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class MonthQuerySerializer(serializers.Serializer):
    month = serializers.RegexField(r"^\d{4}-\d{2}$", max_length=7, required=False, help_text=_("YYYY-MM (default: this month)."))
    store = serializers.CharField(max_length=20, required=False, allow_blank=True,
                                  help_text=_("Store code (may be left out by someone with one store)."))


class DaysInSerializer(serializers.Serializer):
    staff = serializers.CharField(max_length=150, help_text=_("User name of the staff member."))
    month = serializers.RegexField(r"^\d{4}-\d{2}$", max_length=7, help_text=_("YYYY-MM."))
    days = serializers.CharField(max_length=10, help_text=_("Days worked, whole or half, e.g. \"21.5\"."))


class RosterInSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("CSV or XLSX: 工号 or 用户名, 月份, 出勤天数."))
    month = serializers.RegexField(r"^\d{4}-\d{2}$", max_length=7, required=False, help_text=_("Month for a file without a month column."))
    commit = serializers.BooleanField(required=False, default=True, help_text=_("False: check only, write nothing."))


class DaysSerializer(serializers.Serializer):
    staff = serializers.CharField()
    name = serializers.CharField()
    month = serializers.CharField()
    days = serializers.CharField()
    source = serializers.CharField()


class RosterReportSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    written = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.DictField())
