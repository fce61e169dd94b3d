from django.db import models
from django.utils.translation import gettext_lazy as _


class StepKind(models.TextChoices):
    MANAGER_SEAT = "manager_seat", _("Dedicated manager's seat")
    MANAGER_MOBILE = "manager_mobile", _("Dedicated manager's mobile")
    DUTY_DESK = "duty_desk", _("Duty desk of the member's area")
    DUTY_MOBILE = "duty_mobile", _("Duty officer's mobile")


class StepWhen(models.TextChoices):
    ALWAYS = "always", _("Always")
    OPEN = "open", _("Within the line's hours")
    CLOSED = "closed", _("Outside the line's hours")


class SeatKind(models.TextChoices):
    MANAGER = "manager", _("Manager's seat")
    DESK = "desk", _("Duty desk")


class AgentStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    AWAY = "away", _("Away")


class CallOutcome(models.TextChoices):
    RINGING = "ringing", _("Ringing")
    ANSWERED = "answered", _("Answered")
    MISSED = "missed", _("Nobody answered")
    ABANDONED = "abandoned", _("Caller hung up")
