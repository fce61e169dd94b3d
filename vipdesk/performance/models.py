"""Staff groups and days worked, the inputs of the VIP commission (R10.3, seed 002 M.PLANCK).

The seed pairs staff across shifts (第一组: 1号 and 5号 …); a group shares its VIPs and splits
1 % of their monthly spend by days worked. Commission and KPIs are computed, not stored: the
monthly XLSX export is the record of what was paid.
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vipdesk.core.models import TimeStampedModel

from .choices import DaysSource


class StaffGroup(TimeStampedModel):
    store = models.ForeignKey("org.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="staff_groups")
    name = models.CharField(_("name"), max_length=40)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["store", "name"]
        verbose_name = _("staff group")
        verbose_name_plural = _("staff groups")
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="staff_group_name_unique_per_store")]

    def __str__(self):
        return f"{self.store.code} {self.name}"


class StaffGroupMember(models.Model):
    """A person is in one group at a time (the seed's numbering: 1号 … 8号)."""

    group = models.ForeignKey(StaffGroup, on_delete=models.CASCADE, related_name="memberships")
    staff = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_group_membership")
    seat_no = models.PositiveSmallIntegerField(_("staff number"), null=True, blank=True)

    class Meta:
        ordering = ["group", "seat_no", "staff_id"]
        verbose_name = _("group member")
        verbose_name_plural = _("group members")


class DaysWorked(TimeStampedModel):
    """Days a person worked in a month (上班天数), from a roster import or entered by a manager.
    Half days are allowed; the last write wins and the audit trail keeps the earlier figure."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff"), on_delete=models.PROTECT, related_name="days_worked")
    month = models.DateField(_("month"))  # the first day of the month
    days = models.DecimalField(_("days worked"), max_digits=4, decimal_places=1)
    source = models.CharField(_("source"), max_length=10, choices=DaysSource.choices)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-month", "staff_id"]
        verbose_name = _("days worked")
        verbose_name_plural = _("days worked")
        constraints = [
            models.UniqueConstraint(fields=["staff", "month"], name="days_worked_once_per_month"),
            models.CheckConstraint(name="days_worked_range", condition=Q(days__gte=Decimal("0")) & Q(days__lte=Decimal("31"))),
        ]
