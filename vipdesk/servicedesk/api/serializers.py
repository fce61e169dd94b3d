"""Input shapes of the tickets API (types and bounds; the services decide the rules) and outputs."""
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from vipdesk.servicedesk.choices import TicketStatus

MAX_PK = 2**63 - 1


def _text(limit, **kw):
    return serializers.CharField(max_length=limit, allow_blank=True, required=False, **kw)


class TicketInSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=30, help_text=_("Ticket kind code, e.g. after_sales, svip_request."))
    store = serializers.CharField(max_length=20, required=False, allow_blank=True,
                                  help_text=_("Store code; default the member's home store (a store terminal: its own)."))
    member = serializers.IntegerField(min_value=1, max_value=MAX_PK, required=False, allow_null=True)
    description = _text(4000)
    assignee = serializers.CharField(max_length=150, required=False, allow_blank=True, help_text=_("User name of the assignee."))
    desk = serializers.CharField(max_length=30, required=False, allow_blank=True, help_text=_("Desk code."))
    reference = _text(60, help_text=_("Your key for this ticket: a retry with the same key opens it once."))


class TicketQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TicketStatus.choices, required=False)
    desk = serializers.CharField(max_length=30, required=False)
    overdue = serializers.BooleanField(required=False, help_text=_("Only unresolved tickets past their deadline."))


class ActionInSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["accept", "reply", "handover", "resolve", "reopen", "close"])
    note = _text(2000, help_text=_("The reply, the resolution (told to the member) or an internal note."))
    assignee = serializers.CharField(max_length=150, required=False, allow_blank=True, help_text=_("handover: user name."))
    desk = serializers.CharField(max_length=30, required=False, allow_blank=True, help_text=_("handover: desk code."))
    satisfaction = serializers.IntegerField(min_value=1, max_value=5, required=False,
                                            help_text=_("close: the member's satisfaction, 1–5."))


class TicketEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    verb = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.CharField(allow_null=True)
    note = serializers.CharField()
    to_member = serializers.BooleanField()


class TicketSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    kind = serializers.CharField()
    kind_name = serializers.CharField()
    store = serializers.CharField()
    desk = serializers.CharField(allow_null=True)
    member = serializers.IntegerField(allow_null=True)
    assignee = serializers.CharField(allow_null=True)
    source = serializers.CharField()
    description = serializers.CharField()
    status = serializers.CharField()
    opened_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    overdue = serializers.BooleanField()
    accepted_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    satisfaction = serializers.IntegerField(allow_null=True)
    escalated_at = serializers.DateTimeField(allow_null=True)
    escalated_to = serializers.CharField(allow_null=True)
    events = TicketEventSerializer(many=True, required=False)
