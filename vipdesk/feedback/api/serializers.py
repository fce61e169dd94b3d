"""Input shapes (types and bounds only; the services decide the rules) and output documentation."""
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from vipdesk.feedback.choices import Channel, ComplaintStatus

MAX_PK = 2**63 - 1


def _id(**kw):
    return serializers.IntegerField(min_value=1, max_value=MAX_PK, **kw)


def _text(limit, **kw):
    return serializers.CharField(max_length=limit, allow_blank=True, required=False, **kw)


# A plain string (the service checks it): an enum here would collide with the consent "channel" enum.
CHANNEL_HELP = _("How it came in: %(values)s.") % {"values": ", ".join(Channel.values)}


class StoreField(serializers.CharField):
    def __init__(self, **kw):
        super().__init__(max_length=20, required=False, allow_blank=True,
                         help_text=_("Store code; a store terminal acts for its own store and may leave it out."), **kw)


class ResponseInSerializer(serializers.Serializer):
    survey = serializers.CharField(max_length=20, help_text=_("Survey code, e.g. nps or csat."))
    store = StoreField()
    score = serializers.IntegerField(min_value=0, max_value=10, help_text=_("0–10 for NPS, 1–5 for CSAT."))
    member = _id(required=False, allow_null=True, help_text=_("Member id (optional)."))
    channel = _text(10, help_text=CHANNEL_HELP)
    comment = _text(2000)
    reference = _text(60, help_text=_("Your key for this answer: a retry with the same key records once."))


class ReportQuerySerializer(serializers.Serializer):
    store = StoreField()
    date_from = serializers.DateField(required=False, help_text=_("First business date (default: first of this month)."))
    date_to = serializers.DateField(required=False, help_text=_("Last business date (default: today)."))


class ComplaintInSerializer(serializers.Serializer):
    store = StoreField()
    category = serializers.CharField(max_length=40, help_text=_("Category code, e.g. service.attitude."))
    description = serializers.CharField(max_length=4000)
    member = _id(required=False, allow_null=True)
    channel = _text(10, help_text=CHANNEL_HELP)
    received_at = serializers.DateTimeField(required=False)
    owner = serializers.CharField(max_length=150, required=False, allow_blank=True, help_text=_("User name of the owner."))


class ComplaintQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ComplaintStatus.choices, required=False)
    store = StoreField()
    overdue = serializers.BooleanField(required=False, help_text=_("Only unresolved complaints past their deadline."))


class TransitionInSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=ComplaintStatus.choices)
    note = _text(2000)
    remedy = _text(4000)
    closure_note = _text(4000)


class AssignInSerializer(serializers.Serializer):
    owner = serializers.CharField(max_length=150, help_text=_("User name of the new owner."))
    note = _text(2000)


class ReferralInSerializer(serializers.Serializer):
    referrer = _id(help_text=_("Member id of the referrer."))
    referred = _id(help_text=_("Member id of the member he brought."))
    store = StoreField()
    note = _text(200)


class ComplaintEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    verb = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.CharField(allow_null=True)
    note = serializers.CharField()


class ComplaintSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    store = serializers.CharField()
    member = serializers.IntegerField(allow_null=True)
    category = serializers.CharField()
    category_name = serializers.CharField()
    channel = serializers.CharField()
    description = serializers.CharField()
    received_at = serializers.DateTimeField()
    deadline = serializers.DateField()
    overdue = serializers.BooleanField()
    owner = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    remedy = serializers.CharField()
    closure_note = serializers.CharField()
    escalated = serializers.BooleanField()
    escalated_on = serializers.DateField(allow_null=True)
    events = ComplaintEventSerializer(many=True, required=False)


class ReferralSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    referrer = serializers.IntegerField()
    referred = serializers.IntegerField()
    store = serializers.CharField()
    at = serializers.DateTimeField()
    points = serializers.IntegerField()
    status = serializers.CharField()
    created = serializers.BooleanField(required=False)


class SurveySerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()
    question = serializers.CharField()


class ResponseOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    survey = serializers.CharField()
    store = serializers.CharField()
    score = serializers.IntegerField()
    business_date = serializers.DateField()
    points = serializers.IntegerField()
    created = serializers.BooleanField()


class NpsSerializer(serializers.Serializer):
    responses = serializers.IntegerField()
    promoters = serializers.IntegerField(help_text=_("Scores 9–10."))
    passives = serializers.IntegerField(help_text=_("Scores 7–8."))
    detractors = serializers.IntegerField(help_text=_("Scores 0–6."))
    score = serializers.CharField(allow_null=True, help_text=_("% promoters − % detractors, −100…100; null without answers."))


class CsatSerializer(serializers.Serializer):
    responses = serializers.IntegerField()
    satisfied = serializers.IntegerField(help_text=_("Scores 4–5."))
    percent = serializers.CharField(allow_null=True, help_text=_("% satisfied; null without answers."))


class StoreSurveyFiguresSerializer(serializers.Serializer):
    store = serializers.CharField(allow_null=True, help_text=_("null in the total."))
    store_name = serializers.CharField(allow_null=True)
    nps = NpsSerializer()
    csat = CsatSerializer()


class SurveyReportSerializer(serializers.Serializer):
    to = serializers.DateField()
    stores = StoreSurveyFiguresSerializer(many=True)
    total = StoreSurveyFiguresSerializer()

    def get_fields(self):
        # "from" is a Python keyword, so it cannot be declared above.
        return {"from": serializers.DateField(), **super().get_fields()}
