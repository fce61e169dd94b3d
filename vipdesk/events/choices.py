from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EventKind(models.TextChoices):
    CLOSED_STORE = "closed_store", _("Closed-store night")
    SALON = "salon", _("Salon")
    TRIP = "trip", _("Trip")
    APPRECIATION = "appreciation", _("Appreciation gathering")


class EventStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("VIP event", "Draft")
    OPEN = "open", pgettext_lazy("VIP event", "Open for replies")
    CANCELLED = "cancelled", pgettext_lazy("VIP event", "Cancelled")
    FINISHED = "finished", pgettext_lazy("VIP event", "Finished")


class Audience(models.TextChoices):
    LEVELS = "levels", _("Levels")
    SEGMENT = "segment", _("Saved segment")
    LIST = "list", _("Uploaded list")


class InvitationStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    WAITLISTED = "waitlisted", _("On the waiting list")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", pgettext_lazy("invitation", "Cancelled")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("No-show")


# Holding a place (counted against the capacity): the member and her guests.
HOLDING = (InvitationStatus.ACCEPTED, InvitationStatus.ATTENDED)
# May still answer (accept, decline) through the link or the staff.
ANSWERABLE = (InvitationStatus.INVITED, InvitationStatus.DECLINED, InvitationStatus.CANCELLED)


class ReplyVia(models.TextChoices):
    STAFF = "staff", _("Staff")
    LINK = "link", _("Link in the message")
    PORTAL = "portal", _("Member centre")
    DOOR = "door", _("At the door")


class CostKind(models.TextChoices):
    VENUE = "venue", _("Venue")
    GIFTS = "gifts", _("Gifts")
    CATERING = "catering", _("Catering")
    STAFF = "staff", _("Staff")


class CheckInHow(models.TextChoices):
    ECARD = "ecard", _("E-card code")
    CARD = "card", _("Card number")
    COUPON = "coupon", _("Coupon code")
    MOBILE = "mobile", _("Mobile search")
    MEMBER_NO = "member_no", _("Member number")
