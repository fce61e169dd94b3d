from django.db import models
from django.utils.translation import gettext_lazy as _


class ClockMode(models.TextChoices):
    AROUND = "around", _("Around the clock")
    BUSINESS = "business", _("Store business hours")


class TicketStatus(models.TextChoices):
    OPEN = "open", _("Waiting to be accepted")
    ACCEPTED = "accepted", _("Being handled")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class Source(models.TextChoices):
    CONSOLE = "console", _("Console")
    API = "api", _("API")
    PORTAL = "portal", _("Member portal")
    MISSED_CALL = "missed_call", _("Missed VIP call")


# Moves by verb: verb → (statuses it may start from, status it leads to; None keeps the status).
# A hand-over puts the ticket back to "open": the new assignee (or desk) accepts it again. A member
# not satisfied with a resolution reopens it (resolved → accepted).
MOVES: dict[str, tuple[frozenset[str], str | None]] = {
    "accept": (frozenset({TicketStatus.OPEN}), TicketStatus.ACCEPTED),
    "reply": (frozenset({TicketStatus.OPEN, TicketStatus.ACCEPTED, TicketStatus.RESOLVED}), None),
    "handover": (frozenset({TicketStatus.OPEN, TicketStatus.ACCEPTED}), TicketStatus.OPEN),
    "resolve": (frozenset({TicketStatus.ACCEPTED}), TicketStatus.RESOLVED),
    "reopen": (frozenset({TicketStatus.RESOLVED}), TicketStatus.ACCEPTED),
    "close": (frozenset({TicketStatus.RESOLVED}), TicketStatus.CLOSED),
}

UNRESOLVED = (TicketStatus.OPEN, TicketStatus.ACCEPTED)
SATISFACTION = range(1, 6)  # the member's satisfaction at closing, 1 (very unhappy) … 5 (very happy)
