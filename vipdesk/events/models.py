"""VIP events (R11.1, issue 18 §2): a closed-store night, a salon, a trip or an appreciation
gathering; who is invited, the budget lines and actual costs, the invitations with their replies
and waiting list, and the check-ins at the door.

Places: an accepted (or attended) invitation holds 1 + its guests places; the event's row is the
lock every reply takes (select_for_update), so the count and the new reply are one decision.
The waiting list is kept by `waitlist_position` (1, 2, …, never reused within an event).
Points for attending are deducted at check-in (seed 003 篇6: 组织相应的活动之后再扣除VIP客户的相应积分)
through the points ledger; `points_entry` / `refund_entry` link the two entries so nothing strands.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from vipdesk.core.models import TimeStampedModel

from .choices import Audience, CheckInHow, CostKind, EventKind, EventStatus, InvitationStatus, ReplyVia


class Event(TimeStampedModel):
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=15, choices=EventKind.choices, default=EventKind.CLOSED_STORE)
    stores = models.ManyToManyField("org.Store", verbose_name=_("stores"), blank=True, related_name="+")  # none: the chain
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    venue = models.CharField(_("venue"), max_length=120, blank=True)
    capacity = models.PositiveIntegerField(_("places"))
    guests_allowed = models.PositiveSmallIntegerField(_("guests per invitee"), default=0)
    audience = models.CharField(_("who is invited"), max_length=10, choices=Audience.choices, default=Audience.LEVELS)
    levels = models.JSONField(_("levels"), default=list, blank=True)  # level codes of the active programme
    segment = models.ForeignKey("analytics.Segment", verbose_name=_("saved segment"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    member_list = models.JSONField(_("member list"), default=list, blank=True)
    points = models.PositiveIntegerField(_("points to attend"), default=0)
    sponsors = models.ManyToManyField("partners.Partner", verbose_name=_("partner sponsors"), blank=True, related_name="+")
    results_days = models.PositiveSmallIntegerField(_("days counted after the event"), default=7)
    status = models.CharField(_("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.DRAFT)
    waitlist_next = models.PositiveIntegerField(default=1, editable=False)  # the next waiting-list position
    care_event = models.OneToOneField("care.CareEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                      editable=False)  # what the pre-event notice rules read
    campaign = models.ForeignKey("campaigns.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 editable=False)  # the invitation campaign
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("VIP event")
        verbose_name_plural = _("VIP events")
        constraints = [
            models.CheckConstraint(name="event_ends_after_start", condition=Q(ends_at__gte=F("starts_at"))),
            models.CheckConstraint(name="event_status_valid", condition=Q(status__in=EventStatus.values)),
            models.CheckConstraint(name="event_capacity_positive", condition=Q(capacity__gt=0)),
        ]

    def __str__(self):
        return self.name


class BudgetLine(models.Model):
    """One cost line of an event: what was budgeted and what it actually cost (yuan)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="budget_lines")
    kind = models.CharField(_("cost"), max_length=10, choices=CostKind.choices)
    budget = models.DecimalField(_("budget (yuan)"), max_digits=12, decimal_places=2, default=0)
    actual = models.DecimalField(_("actual (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "kind"], name="event_budget_line_once"),
            models.CheckConstraint(name="event_budget_not_negative", condition=Q(budget__gte=0) & (Q(actual__isnull=True) | Q(actual__gte=0))),
        ]


class Invitation(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitations")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.INVITED)
    guests = models.PositiveSmallIntegerField(_("guests"), default=0)
    waitlist_position = models.PositiveIntegerField(_("waiting-list position"), null=True, blank=True)
    walk_in = models.BooleanField(_("walk-in"), default=False)
    via = models.CharField(_("replied through"), max_length=10, choices=ReplyVia.choices, blank=True)
    invited_at = models.DateTimeField(_("invited"))
    responded_at = models.DateTimeField(_("replied"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("place given"), null=True, blank=True)
    points_entry = models.OneToOneField("points.PointsEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    refund_entry = models.OneToOneField("points.PointsEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "member"], name="event_invitation_once"),
            models.UniqueConstraint(fields=["event", "waitlist_position"], name="event_waitlist_position_once",
                                    condition=Q(waitlist_position__isnull=False)),
            models.CheckConstraint(name="event_invitation_status_valid", condition=Q(status__in=InvitationStatus.values)),
        ]
        indexes = [models.Index(fields=["event", "status"])]

    @property
    def places(self) -> int:
        return 1 + self.guests


class CheckIn(models.Model):
    """The member's arrival at the door: once per invitation (a second scan finds this row and changes nothing)."""

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="check_in")
    at = models.DateTimeField(_("arrived"))
    how = models.CharField(_("identified by"), max_length=10, choices=CheckInHow.choices)
    guests = models.PositiveSmallIntegerField(_("guests who came"), default=0)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    scans = models.PositiveIntegerField(_("scans"), default=1)  # a double scan counts here, nowhere else
    # What the invitation was before the scan, so an undo (door.check_in_undo) puts it back: its
    # status and reply channel; "" status: the invitation was made at the door for a walk-in.
    status_before = models.CharField(max_length=10, blank=True, editable=False)
    via_before = models.CharField(max_length=10, blank=True, editable=False)

    class Meta:
        ordering = ["-at", "-id"]


class CheckInUndo(models.Model):
    """A check-in taken back at the door (a clerk scanned the wrong member): what the check-in was,
    who took it back and why, and the points entries — the deduction and the refund that reversed it
    (each once: one-to-one). The CheckIn row itself is gone, so the member can be checked in again."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="check_in_undos")
    invitation = models.ForeignKey(Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="check_in_undos")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    checked_in_at = models.DateTimeField(_("arrived"))
    how = models.CharField(_("identified by"), max_length=10, choices=CheckInHow.choices)
    guests = models.PositiveSmallIntegerField(_("guests who came"), default=0)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("undone"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    points_entry = models.OneToOneField("points.PointsEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    refund_entry = models.OneToOneField("points.PointsEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("check-in undone")
        verbose_name_plural = _("check-ins undone")
