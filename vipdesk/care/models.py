"""Care (R9.1, R9.4) and ownership (R10.2): rules as data, the tasks they create, the contact log,
the ownership log and the A/B shift pairs that share a book.

A task's `source_key` is unique: every path that creates tasks (the daily job, a sale, a check-out)
derives the same key for the same reason to contact the same member, so running a date again or
an event arriving twice creates nothing new.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vipdesk.core.models import AppendOnlyModel, TimeStampedModel

from .choices import Audience, Channel, ContactKind, Outcome, OwnershipReason, RuleKind, TaskKind, TaskStatus


class CareRule(TimeStampedModel):
    """One care rule. `kind` picks the strategy in rules.py (which members, which date); the rest is
    what to do: a task kind and channel, a script template, whom it targets, how many days ahead."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=RuleKind.choices)
    active = models.BooleanField(_("active"), default=True)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    task_kind = models.CharField(_("task"), max_length=10, choices=TaskKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    lead_days = models.PositiveSmallIntegerField(_("days ahead"), default=0)
    due_time = models.TimeField(_("due at (store time)"), default=dt.time(10, 0))
    levels = models.JSONField(_("only these levels"), default=list, blank=True)      # level codes; empty: every member
    exclude_levels = models.JSONField(_("not these levels"), default=list, blank=True)
    audience = models.CharField(_("audience"), max_length=8, choices=Audience.choices, default=Audience.ALL)
    store = models.ForeignKey("org.Store", verbose_name=_("store"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")  # None: every store
    script_zh = models.TextField(_("script (Chinese)"), blank=True)
    script_en = models.TextField(_("script (English)"), blank=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("care rule")
        verbose_name_plural = _("care rules")

    def __str__(self):
        return self.name


class CareTask(TimeStampedModel):
    member = models.ForeignKey("members.Member", verbose_name=_("member"), on_delete=models.CASCADE, related_name="care_tasks")
    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="care_tasks")
    rule = models.ForeignKey(CareRule, verbose_name=_("rule"), null=True, blank=True, on_delete=models.PROTECT, related_name="tasks")
    kind = models.CharField(_("task"), max_length=10, choices=TaskKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    due_on = models.DateField(_("due date"))
    due_at = models.DateTimeField(_("due"))
    script = models.TextField(_("script"), blank=True)
    context = models.JSONField(default=dict, blank=True)  # figures the script used (points, dates, sale id …)
    # A member's calls of one day are one call: [{"rule": name, "kind": rule kind, "script": …}, …] (generation.merge_calls).
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    outcome = models.CharField(_("outcome"), max_length=15, choices=Outcome.choices, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    escalated_to = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("escalated to"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="escalated_care_tasks")
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    source_key = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("care task")
        verbose_name_plural = _("care tasks")
        indexes = [
            models.Index(fields=["owner", "due_on"], condition=Q(status__in=["open", "escalated"]), name="care_task_pending_owner"),
            models.Index(fields=["store", "due_on"]),
            models.Index(fields=["member", "-due_at"]),
        ]
        constraints = [
            models.CheckConstraint(name="care_task_done_has_outcome",
                                   condition=~Q(status=TaskStatus.DONE) | ~Q(outcome="")),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.member_id} {self.due_on}"


class ContactLog(AppendOnlyModel):
    """Every call, visit, message and gift with its outcome (R9.4): the member's care timeline."""

    ledger = "contact log"
    member = models.ForeignKey("members.Member", verbose_name=_("member"), on_delete=models.CASCADE, related_name="contacts")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    store = models.ForeignKey("org.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    outcome = models.CharField(_("outcome"), max_length=15, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    at = models.DateTimeField(_("time"))
    task = models.OneToOneField(CareTask, null=True, blank=True, on_delete=models.PROTECT, related_name="contact")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contact log")
        indexes = [models.Index(fields=["member", "-at"])]


class OwnershipChange(AppendOnlyModel):
    """Who owned a member before and after, why, who did it, and the batch it belonged to."""

    ledger = "ownership log"
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="ownership_changes")
    from_staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=12, choices=OwnershipReason.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("time"), auto_now_add=True)
    batch = models.CharField(_("batch"), max_length=32, blank=True, db_index=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("ownership change")
        verbose_name_plural = _("ownership changes")
        indexes = [models.Index(fields=["member", "-at"])]


class StaffPair(TimeStampedModel):
    """Two staff of one store on opposite shifts (A班/B班) who share their books (seed 002 M.PLANCK:
    第一组 1号员工、5号员工 …; 每一组员工负责管理组内两个员工共同拥有VIP客户)."""

    store = models.ForeignKey("org.Store", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("group"))
    shift_a = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("Shift A"), on_delete=models.PROTECT, related_name="+")
    shift_b = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("Shift B"), on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["store", "position"]
        verbose_name = _("staff pair")
        verbose_name_plural = _("staff pairs")
        constraints = [
            models.UniqueConstraint(fields=["shift_a"], condition=Q(active=True), name="care_pair_a_once"),
            models.UniqueConstraint(fields=["shift_b"], condition=Q(active=True), name="care_pair_b_once"),
            models.CheckConstraint(name="care_pair_two_people", condition=~Q(shift_a=models.F("shift_b"))),
        ]


class CareEvent(TimeStampedModel):
    """A VIP event to announce (closed-store night, salon…): the event-notice rule tells members
    `days_ahead` before it starts (seed 001: 凡有活动推出,最好提前3天通知VIP客户)."""

    name = models.CharField(_("name"), max_length=100)
    store = models.ForeignKey("org.Store", verbose_name=_("store"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")  # None: every store's members
    starts_at = models.DateTimeField(_("starts at"))
    levels = models.JSONField(_("invited levels"), default=list, blank=True)  # empty: everybody the rule targets
    # A VIP event with invitations (vipdesk.events) keeps its accepted invitees here: the notice
    # then goes to them alone, whatever the store and levels say.
    invitees_only = models.BooleanField(_("accepted invitees only"), default=False)
    invitees = models.ManyToManyField("members.Member", verbose_name=_("accepted invitees"), blank=True, related_name="+")

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("VIP event")
        verbose_name_plural = _("VIP events")

    def __str__(self):
        return self.name


class WinBack(models.Model):
    """What a win-back call learned: why the VIP left (seed 001 §3) and whether they came back."""

    member = models.ForeignKey("members.Member", verbose_name=_("member"), on_delete=models.CASCADE, related_name="winbacks")
    store = models.ForeignKey("org.Store", on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind of loss"), max_length=15)
    reason = models.CharField(_("reason"), max_length=20)
    outcome = models.CharField(_("outcome"), max_length=10)
    note = models.CharField(_("note"), max_length=500, blank=True)
    at = models.DateTimeField(_("time"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("win-back")
        verbose_name_plural = _("win-backs")
        indexes = [models.Index(fields=["at"]), models.Index(fields=["member", "-at"])]
