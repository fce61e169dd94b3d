"""Service tickets (派单, R12.3): kinds with deadlines, desks, business hours, tickets and their log.

A ticket's kind says how long the store has (`hours`, counted around the clock or in the store's
business hours); the deadline (`due_at`) is fixed when the ticket is opened. Every act on a ticket
writes an append-only TicketEvent; what the member is told goes through the messaging outbox.
Complaints stay in vipdesk.feedback (their own life cycle: remedy, closure note, days): the desk's
board shows them next to the tickets (docs/decisions.md, issue 19).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vipdesk.core.models import AppendOnlyModel, TimeStampedModel

from .choices import ClockMode, Source, TicketStatus


class TicketKind(TimeStampedModel):
    """What is asked, and how long the store has for it. Data: HQ renames kinds or changes hours."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    hours = models.PositiveIntegerField(_("hours to resolve"))
    clock = models.CharField(_("counted"), max_length=10, choices=ClockMode.choices, default=ClockMode.BUSINESS)
    member_visible = models.BooleanField(_("the member may ask for it in the portal"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("ticket kind")
        verbose_name_plural = _("ticket kinds")
        constraints = [models.CheckConstraint(name="ticket_kind_hours_positive", condition=Q(hours__gte=1))]

    def __str__(self):
        return self.name


class BusinessHours(models.Model):
    """When a store is open, per weekday (0 Monday … 6 Sunday). Rows without a store are the
    default for every store that has none of its own; a weekday without a row is closed."""

    store = models.ForeignKey("org.Store", verbose_name=_("store"), null=True, blank=True, on_delete=models.CASCADE,
                              related_name="+")
    weekday = models.PositiveSmallIntegerField(_("weekday"))
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["store_id", "weekday"]
        verbose_name = _("business hours")
        verbose_name_plural = _("business hours")
        constraints = [
            models.CheckConstraint(name="business_hours_weekday", condition=Q(weekday__lte=6)),
            models.CheckConstraint(name="business_hours_open_before_close", condition=Q(opens__lt=models.F("closes"))),
            models.UniqueConstraint(fields=["store", "weekday"], name="business_hours_once_per_day"),
            models.UniqueConstraint(fields=["weekday"], condition=Q(store__isnull=True), name="business_hours_default_once"),
        ]


class Desk(TimeStampedModel):
    """A team that takes tickets at a store (VIP 管家台, after-sales desk…): its staff see its board,
    its manager gets what is overdue."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+")
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("manager"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("staff"), blank=True, related_name="desks")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["store_id", "code"]
        verbose_name = _("desk")
        verbose_name_plural = _("desks")

    def __str__(self):
        return self.name


class Ticket(TimeStampedModel):
    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.ForeignKey(TicketKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="tickets")
    member = models.ForeignKey("members.Member", verbose_name=_("member"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="tickets")
    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+")
    desk = models.ForeignKey(Desk, verbose_name=_("desk"), null=True, blank=True, on_delete=models.PROTECT, related_name="tickets")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="assigned_tickets")
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.CONSOLE)
    description = models.TextField(_("description"))
    status = models.CharField(_("status"), max_length=10, choices=TicketStatus.choices, default=TicketStatus.OPEN, db_index=True)
    opened_at = models.DateTimeField(_("opened at"))
    due_at = models.DateTimeField(_("due at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("member's satisfaction"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    escalated_to = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("escalated to"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("reference"), max_length=60, blank=True)  # the caller's key: a retry opens once
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("service ticket")
        verbose_name_plural = _("service tickets")
        indexes = [models.Index(fields=["status", "due_at"]), models.Index(fields=["store", "opened_at"]),
                   models.Index(fields=["desk", "status", "due_at"])]
        constraints = [
            models.CheckConstraint(name="ticket_satisfaction_range",
                                   condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5)),
            models.CheckConstraint(name="ticket_closed_rated", condition=~Q(status=TicketStatus.CLOSED) | Q(satisfaction__isnull=False)),
            models.UniqueConstraint(fields=["source", "reference"], condition=~Q(reference=""), name="ticket_reference_once"),
        ]

    def __str__(self):
        return self.number


class TicketEvent(AppendOnlyModel):
    """Every act on a ticket, never changed afterwards. `to_member`: the text was meant for the member."""

    ledger = "ticket event"
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField()
    verb = models.CharField(max_length=20)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    api_client = models.ForeignKey("org.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    to_member = models.BooleanField(default=False)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
