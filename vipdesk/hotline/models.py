"""The VIP hotline (issue 19 §3, R12.2): lines and their chains as data, seats and desks with their
presence, the call log and the missed calls waiting for a call back.

kamailio (deploy/kamailio/) asks `routing.plan_call` where a call goes and reports what happened
(services.py); the console shows the roster, the agents' status and the call log."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from vipdesk.core.models import TimeStampedModel

from .choices import AgentStatus, CallOutcome, SeatKind, StepKind, StepWhen


class Line(TimeStampedModel):
    """A number callers dial. `store` is the area whose desk takes callers who are not members."""

    number = models.CharField(_("number dialled"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=60)
    store = models.ForeignKey("org.Store", verbose_name=_("area for non-members"), on_delete=models.PROTECT, related_name="+")
    open_days = models.CharField(_("open days"), max_length=7, default="1234567", help_text="ISO weekdays, 1 = Monday")
    open_from = models.TimeField(_("open from"))
    open_to = models.TimeField(_("open until"))
    callback_minutes = models.PositiveIntegerField(_("call back a missed caller within (minutes)"), default=30)
    gateway = models.CharField(_("PSTN gateway (host:port) for mobiles"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("hotline")
        constraints = [models.CheckConstraint(condition=models.Q(callback_minutes__gte=1), name="hotline_line_callback_positive")]

    def __str__(self):
        return f"{self.name} {self.number}"


class ChainStep(models.Model):
    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("who rings"), max_length=20, choices=StepKind.choices)
    ring_seconds = models.PositiveSmallIntegerField(_("ring time (seconds)"), default=15)
    when = models.CharField(pgettext_lazy("hotline", "when"), max_length=10, choices=StepWhen.choices, default=StepWhen.ALWAYS)

    class Meta:
        ordering = ["line", "position"]
        constraints = [
            models.UniqueConstraint(fields=["line", "position"], name="hotline_step_position_unique"),
            models.CheckConstraint(condition=models.Q(ring_seconds__gte=1, ring_seconds__lte=120), name="hotline_step_ring_range"),
        ]


class Seat(TimeStampedModel):
    """A SIP phone: a dedicated manager's seat (`user` is the manager) or a duty desk of a store
    (`user` is whoever staffs it today). `username` is what the phone registers as."""

    username = models.CharField(_("SIP user name"), max_length=40, unique=True)
    label = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=SeatKind.choices)
    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staffed by"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="hotline_seats")
    agent_status = models.CharField(_("agent status"), max_length=10, choices=AgentStatus.choices, default=AgentStatus.AVAILABLE)
    registered_until = models.DateTimeField(_("registered until"), null=True, blank=True)
    on_call = models.BooleanField(_("on a call"), default=False)
    idle_since = models.DateTimeField(_("idle since"), null=True, blank=True)

    class Meta:
        ordering = ["store", "kind", "label"]
        indexes = [models.Index(fields=["store", "kind"])]

    def __str__(self):
        return self.label


class StoreDuty(models.Model):
    """Who is the duty officer of a store's area today (the last step before a missed call)."""

    store = models.OneToOneField("org.Store", on_delete=models.CASCADE, related_name="hotline_duty")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("duty officer"), on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)


class Call(models.Model):
    """One call to a hotline as routed: the plan vipdesk gave kamailio, what each step did, who answered."""

    call_id = models.CharField(max_length=200, unique=True)
    line = models.ForeignKey(Line, null=True, on_delete=models.SET_NULL, related_name="calls")
    caller = models.CharField(_("caller"), max_length=40)
    dialled = models.CharField(_("dialled"), max_length=64)
    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    store = models.ForeignKey("org.Store", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    vip = models.BooleanField(default=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ticket_ref = models.CharField(max_length=40, blank=True)
    in_hours = models.BooleanField(default=True)
    plan = models.JSONField(default=list)     # [{kind, label, seat, uri, ring}]
    attempts = models.JSONField(default=list)  # [{step, event, code, at}]
    outcome = models.CharField(max_length=10, choices=CallOutcome.choices, default=CallOutcome.RINGING)
    answered_step = models.PositiveSmallIntegerField(null=True, blank=True)
    answered_by = models.CharField(_("answered by"), max_length=80, blank=True)
    answered_seat = models.ForeignKey(Seat, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["store", "started_at"])]

    @property
    def wait_seconds(self) -> int | None:
        end = self.answered_at or self.ended_at
        return None if end is None else max(0, round((end - self.started_at).total_seconds()))


class MissedCall(TimeStampedModel):
    """Nobody answered: the person who must call back, and by when (tickets.open_missed_call_ticket)."""

    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="missed")
    number = models.CharField(_("ticket number"), max_length=20, unique=True)
    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    store = models.ForeignKey("org.Store", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    callback_due = models.DateTimeField(_("call back by"))
    called_back_at = models.DateTimeField(null=True, blank=True)
