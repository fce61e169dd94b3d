from django.db import models
from django.utils.translation import gettext_lazy as _


class Point(models.TextChoices):
    """Where the arrival was seen (the device's place)."""
    ENTRANCE = "entrance", _("Entrance")
    QUEUE = "queue", _("Queue machine")
    TILL = "till", _("Till")
    COUNTER = "counter", _("Counter")


class Outcome(models.TextChoices):
    """What became of a reported arrival. Only ANNOUNCED sends notices."""
    ANNOUNCED = "announced", _("Announced")
    NOT_MEMBER = "not_member", _("Not a member")
    CARD_INVALID = "card_invalid", _("Invalid card")
    WITHDRAWN = "withdrawn", _("Withdrawn member")
    OPTED_OUT = "opted_out", _("Asked not to be recognised")
    REPEAT = "repeat", _("Already announced")
    NO_ONE = "no_one", _("Nobody on duty")


class NoticeState(models.TextChoices):
    NEW = "new", _("Not dealt with")
    GREETED = "greeted", _("Greeted")
    TAKEN = "taken", _("Taken over")


class Audience(models.TextChoices):
    OWNER = "owner", _("Owner")
    DUTY = "duty", _("Duty staff")
    MANAGER = "manager", _("Store manager")


IDENTIFIERS = ("card", "ecard", "mobile", "id_number")
