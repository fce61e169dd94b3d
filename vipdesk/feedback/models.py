"""Satisfaction surveys, complaints and referrals (R9.4, R9.5).

Complaints have a life cycle (choices.COMPLAINT_TRANSITIONS); every move, assignment and
escalation writes an append-only ComplaintEvent. A referral is recorded once per referred member
and carries the points entry that rewarded it (one-to-one), so the reward cannot be paid twice.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vipdesk.core.models import AppendOnlyModel, TimeStampedModel

from .choices import Channel, ComplaintStatus, ReferralStatus, SurveyKind


class FeedbackPolicy(TimeStampedModel):
    """Programme-wide settings of this app; one row (code "default"), created on first use.
    The seeds give no numbers for these, so they are settings (requirements: "X" → a setting)."""

    code = models.CharField(max_length=20, unique=True, default="default")
    referral_points = models.PositiveIntegerField(_("points for a referral"), default=100)
    complaint_days = models.PositiveSmallIntegerField(_("default days to resolve a complaint"), default=7)

    class Meta:
        verbose_name = _("feedback settings")
        verbose_name_plural = _("feedback settings")
        constraints = [models.CheckConstraint(name="feedback_complaint_days_positive", condition=Q(complaint_days__gte=1))]

    def __str__(self):
        return self.code


class Survey(TimeStampedModel):
    code = models.CharField(_("code"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=SurveyKind.choices)
    question = models.CharField(_("question"), max_length=200)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self):
        return self.title


class SurveyResponse(models.Model):
    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.PROTECT, related_name="responses")
    member = models.ForeignKey("members.Member", verbose_name=_("member"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="survey_responses")
    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.IN_STORE)
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("time"))
    business_date = models.DateField(_("business date"))
    reference = models.CharField(_("reference"), max_length=60, blank=True)  # a client's key: a retry records once
    points = models.PositiveIntegerField(_("points awarded"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [models.Index(fields=["store", "business_date"])]
        constraints = [
            models.CheckConstraint(name="survey_score_range", condition=Q(score__lte=10)),
            models.UniqueConstraint(fields=["survey", "reference"], condition=~Q(reference=""), name="survey_response_reference_once"),
        ]


class ComplaintCategory(TimeStampedModel):
    """Categories are data (HQ adds or renames them); a sub-category names its parent.
    `deadline_days` empty: the sub-category's parent's, then the policy's default."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    parent = models.ForeignKey("self", verbose_name=_("parent category"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    deadline_days = models.PositiveSmallIntegerField(_("days to resolve"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")

    def __str__(self):
        return f"{self.parent.name} / {self.name}" if self.parent_id else self.name


class Complaint(TimeStampedModel):
    number = models.CharField(_("number"), max_length=20, unique=True)
    member = models.ForeignKey("members.Member", verbose_name=_("member"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="complaints")
    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="complaints")
    category = models.ForeignKey(ComplaintCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="complaints")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.IN_STORE)
    description = models.TextField(_("description"))
    received_at = models.DateTimeField(_("received at"))
    deadline = models.DateField(_("deadline"))  # last business day to resolve it, at the store
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="owned_complaints")
    status = models.CharField(_("status"), max_length=12, choices=ComplaintStatus.choices, default=ComplaintStatus.OPEN, db_index=True)
    remedy = models.TextField(_("remedy"), blank=True)
    closure_note = models.TextField(_("closure note"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    escalated = models.BooleanField(_("escalated"), default=False)
    escalated_on = models.DateField(_("escalated on"), null=True, blank=True)
    escalated_to = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("escalated to"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [models.Index(fields=["status", "deadline"]), models.Index(fields=["store", "received_at"])]
        constraints = [
            models.CheckConstraint(name="complaint_escalation_dated", condition=Q(escalated=False) | Q(escalated_on__isnull=False)),
        ]

    def __str__(self):
        return self.number


class ComplaintEvent(AppendOnlyModel):
    """Every state change or notable act on a complaint, never changed afterwards."""

    ledger = "complaint event"
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    verb = models.CharField(max_length=30)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    api_client = models.ForeignKey("org.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")


class Referral(models.Model):
    """Who brought whom (转介绍). One row per referred member; `points_entry` is the reward."""

    referrer = models.ForeignKey("members.Member", verbose_name=_("referrer"), on_delete=models.PROTECT, related_name="referrals_made")
    referred = models.OneToOneField("members.Member", verbose_name=_("referred member"), on_delete=models.PROTECT,
                                    related_name="referral")
    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("time"))
    points = models.PositiveIntegerField(_("reward points"), default=0)
    points_entry = models.OneToOneField("points.PointsEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="referral")
    status = models.CharField(_("status"), max_length=10, choices=ReferralStatus.choices)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [models.CheckConstraint(name="referral_not_self", condition=~Q(referrer=models.F("referred")))]
