"""Shapes of the segment API. The definition is validated by segments.definition_clean (the same
messages as the console), not here."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from vipdesk.analytics.choices import MIGRATION_KINDS


class SegmentInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    definition = serializers.JSONField(help_text=_("Filter definition; see docs/user-guide/segments.md."))


class SegmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    definition = serializers.JSONField()
    owner = serializers.CharField(source="owner.username", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class SegmentPreviewInSerializer(serializers.Serializer):
    definition = serializers.JSONField()
    on = serializers.DateField(required=False, allow_null=True)


class OnSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True, help_text=_("Evaluation date (default today)."))


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    on = serializers.DateField()


class MigrationInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(list(MIGRATION_KINDS))
    from_date = serializers.DateField()
    to_date = serializers.DateField()


class MigrationSerializer(serializers.Serializer):
    kind = serializers.CharField()
    to = serializers.DateField()
    classes = serializers.ListField(child=serializers.CharField())
    matrix = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()),
                                   help_text=_("Members by class on the first date (rows) and on the second (columns)."))

    def get_fields(self):
        # "from" is a Python keyword, so it cannot be declared above.
        return {"from": serializers.DateField(), **super().get_fields()}

    def to_representation(self, instance):
        return instance


class DistributionSerializer(serializers.Serializer):
    """Members per class of every classification, from the snapshot of `date`."""

    date = serializers.DateField(help_text=_("The snapshot's date (the latest on or before the date asked)."))
    members = serializers.IntegerField()

    def get_fields(self):
        per_class = {kind: serializers.DictField(child=serializers.IntegerField(), help_text=_("Members per class."))
                     for kind in MIGRATION_KINDS}
        return {**super().get_fields(), **per_class}
