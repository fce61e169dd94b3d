from django.db import models
from django.utils.translation import gettext_lazy as _


class SurveyKind(models.TextChoices):
    NPS = "nps", _("Net promoter score (0–10)")
    CSAT = "csat", _("Satisfaction (1–5)")


# The score range each kind accepts.
SCORE_RANGE = {SurveyKind.NPS: (0, 10), SurveyKind.CSAT: (1, 5)}


class Channel(models.TextChoices):
    IN_STORE = "in_store", _("In store")
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")
    EMAIL = "email", _("E-mail")
    PORTAL = "portal", _("Member portal")
    LETTER = "letter", _("Letter")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# Allowed moves (django-oscar's set_status idea). A resolved complaint goes back to in progress
# when the customer is not satisfied with the remedy; a closed one stays closed.
COMPLAINT_TRANSITIONS: dict[str, frozenset[str]] = {
    ComplaintStatus.OPEN: frozenset({ComplaintStatus.IN_PROGRESS, ComplaintStatus.RESOLVED}),
    ComplaintStatus.IN_PROGRESS: frozenset({ComplaintStatus.RESOLVED}),
    ComplaintStatus.RESOLVED: frozenset({ComplaintStatus.CLOSED, ComplaintStatus.IN_PROGRESS}),
    ComplaintStatus.CLOSED: frozenset(),
}

UNRESOLVED = (ComplaintStatus.OPEN, ComplaintStatus.IN_PROGRESS)


class ReferralStatus(models.TextChoices):
    REWARDED = "rewarded", _("Rewarded")
    NO_REWARD = "no_reward", _("Recorded, no reward set")
