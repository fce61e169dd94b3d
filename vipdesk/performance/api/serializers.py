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


# ---- answers ------------------------------------------------------------------------------------

def _money(**kw):
    return serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True, **kw)


def _rate(**kw):
    """A percentage with one decimal ("66.7"); null when there is nothing to divide by."""
    return serializers.DecimalField(max_digits=4, decimal_places=1, coerce_to_string=True, allow_null=True, **kw)


class ShareSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    employee_no = serializers.CharField(allow_blank=True)
    days = _money(allow_null=True, help_text=_("Days worked in the month."))
    amount = _money(allow_null=True, help_text=_("The person's share of the pool (yuan)."))


class CommissionGroupSerializer(serializers.Serializer):
    group = serializers.CharField()
    spend = _money(allow_null=True, help_text=_("The group's VIP spend of the month."))
    rate = serializers.CharField(help_text=_("Commission rate applied."))
    pool = _money(allow_null=True)
    total_days = serializers.CharField()
    complete = serializers.BooleanField(help_text=_("False while someone's days worked are missing."))
    remainder = _money(allow_null=True, help_text=_("Fen left over by rounding the shares."))
    missing_days = serializers.ListField(child=serializers.CharField(), help_text=_("User names without days worked."))
    shares = ShareSerializer(many=True)


class CommissionSerializer(serializers.Serializer):
    store = serializers.CharField()
    month = serializers.CharField()
    groups = CommissionGroupSerializer(many=True)


class FollowupsSerializer(serializers.Serializer):
    due = serializers.IntegerField()
    on_time = serializers.IntegerField()
    rate = _rate()


class KpiFiguresSerializer(serializers.Serializer):
    cards_opened = serializers.IntegerField()
    cards_amount = _money()
    buyers = serializers.IntegerField()
    repeat_buyers = serializers.IntegerField()
    repeat_rate = _rate()
    completeness = _rate(help_text=_("Average profile completeness of the book, 0–100."))
    book = serializers.IntegerField(help_text=_("Members in the book."))
    credited_count = serializers.IntegerField()
    credited_amount = _money()
    no_credit_count = serializers.IntegerField()
    no_credit_amount = _money()


class StoreKpiSerializer(KpiFiguresSerializer):
    store = serializers.CharField()


class StaffKpiSerializer(KpiFiguresSerializer):
    username = serializers.CharField()
    name = serializers.CharField()
    employee_no = serializers.CharField(allow_blank=True)
    followups = FollowupsSerializer(allow_null=True, help_text=_("Care tasks due in the month and done on time."))


class KpiSerializer(serializers.Serializer):
    store = serializers.CharField()
    month = serializers.CharField()
    total = StoreKpiSerializer()
    staff = StaffKpiSerializer(many=True)
