from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class BatchInSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("CSV or XLSX (one row per receipt line), or JSON lines (one posting body per line)."))
    format = serializers.ChoiceField(choices=["csv", "xlsx", "jsonl"], required=False,
                                     help_text=_("Default: from the file name (.csv, .xlsx, .jsonl)."))
    mapping = serializers.JSONField(required=False, help_text=_('{"file header": "field"}; a blank field ignores the column.'))
    commit = serializers.BooleanField(required=False, default=False, help_text=_("False (default): a dry run, nothing is written."))
    all_or_nothing = serializers.BooleanField(required=False, default=False,
                                              help_text=_("With commit: post nothing if any receipt is refused."))


class ReportLineSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    receipt = serializers.CharField()
    field = serializers.CharField()
    message = serializers.CharField()


class BatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    filename = serializers.CharField()
    format = serializers.CharField()
    dry_run = serializers.BooleanField()
    all_or_nothing = serializers.BooleanField()
    total_rows = serializers.IntegerField()
    receipts = serializers.IntegerField()
    posted = serializers.IntegerField()
    replayed = serializers.IntegerField()
    failed = serializers.IntegerField()
    error = serializers.CharField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    report = ReportLineSerializer(many=True)
