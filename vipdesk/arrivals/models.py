"""Arrivals, who was on duty where, and the notices pushed to staff (one row per recipient: the
stream's event id, so a page that reconnects catches up on what it missed)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Audience, NoticeState, Outcome, Point


class DutyShift(models.Model):
    """Someone on duty at a store on a day, at one point (area) or at all of them (point blank)."""

    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="duty_shifts")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff"), on_delete=models.CASCADE, related_name="duty_shifts")
    date = models.DateField(_("date"))
    point = models.CharField(_("area"), max_length=10, choices=Point.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "store", "staff_id"]
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        constraints = [models.UniqueConstraint(fields=["store", "staff", "date", "point"], name="duty_shift_once")]
        indexes = [models.Index(fields=["store", "date"])]


class Arrival(models.Model):
    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="arrivals")
    point = models.CharField(_("point"), max_length=10, choices=Point.choices)
    identified_by = models.CharField(_("identified by"), max_length=10)
    member = models.ForeignKey("members.Member", verbose_name=_("member"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="arrivals")
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    audience = models.CharField(_("told"), max_length=10, choices=Audience.choices, blank=True)
    at = models.DateTimeField(_("time"), db_index=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    device = models.ForeignKey("org.ApiClient", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("arrival")
        verbose_name_plural = _("arrivals")
        indexes = [models.Index(fields=["member", "outcome", "-at"]), models.Index(fields=["store", "-at"])]


class Notice(models.Model):
    """What one staff member is told of one arrival: the payload is built for that person's role
    (masked or not) when the arrival comes in. The id is the stream's event id."""

    arrival = models.ForeignKey(Arrival, on_delete=models.CASCADE, related_name="notices")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="arrival_notices")
    payload = models.JSONField()
    state = models.CharField(_("state"), max_length=10, choices=NoticeState.choices, default=NoticeState.NEW)
    created_at = models.DateTimeField(_("time"))
    acted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("arrival notice")
        verbose_name_plural = _("arrival notices")
        indexes = [models.Index(fields=["staff", "id"])]
