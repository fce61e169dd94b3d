from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..choices import Channel, ContactKind, Outcome, TaskStatus


class TaskQuerySerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=["mine", "team"], default="mine",
                                    help_text=_("mine: your book (and your shift partner's); team: everything your role sees."))
    date = serializers.DateField(required=False, help_text=_("Tasks due on this business date; without it, due today or overdue."))
    status = serializers.ChoiceField(choices=TaskStatus.choices, required=False)


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    member = serializers.DictField()
    owner = serializers.CharField(allow_null=True)
    rule = serializers.CharField(allow_null=True)
    kind = serializers.CharField()
    channel = serializers.CharField()
    due_on = serializers.DateField()
    due_at = serializers.DateTimeField()
    script = serializers.CharField()
    status = serializers.CharField()
    outcome = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    source_key = serializers.CharField()


class CompleteSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class ContactInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ContactKind.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    at = serializers.DateTimeField(required=False)


class ContactSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    channel = serializers.CharField()
    outcome = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    staff = serializers.CharField(allow_null=True)
    task = serializers.IntegerField(allow_null=True)


class CheckoutSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text=_("The member's id."))
    left_at = serializers.DateTimeField(required=False)


class WinBackOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    member = serializers.CharField(help_text=_("Member number."))
    kind = serializers.CharField()
    reason = serializers.CharField()
    outcome = serializers.CharField()
    at = serializers.DateTimeField()


class ChurnKindSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_name = serializers.CharField()
    members = serializers.IntegerField()
    won_back = serializers.IntegerField()


class ChurnReasonSerializer(ChurnKindSerializer):
    reason = serializers.CharField()
    reason_name = serializers.CharField()


class ChurnReportSerializer(serializers.Serializer):
    to = serializers.DateField()
    members = serializers.IntegerField(help_text=_("Members asked in the period (the latest call of each counts)."))
    won_back = serializers.IntegerField()
    by_kind = ChurnKindSerializer(many=True)
    by_reason = ChurnReasonSerializer(many=True)

    def get_fields(self):
        # "from" is a Python keyword, so it cannot be declared above.
        return {"from": serializers.DateField(), **super().get_fields()}
