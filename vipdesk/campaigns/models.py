"""Campaigns to a segment (营销活动, issue 18 §1, R8.2/R8.5).

A Campaign sends one marketing template on one channel to an audience — a saved segment, a level or
an uploaded list of member numbers / mobiles. When it starts, its audience is selected once: a
CampaignMember row per member records the group (target, control held out, or excluded because no
message could reach the member: consent, address, weekly cap) with the reason; the control group is
drawn from the reachable members by a hash of the campaign's recorded seed and the member id, so the
same seed always draws the same members. Target members are then handed to the messaging outbox a
minute's throttle at a time, each under the source "campaign:<id>:<member id>" — the outbox's unique
(source, channel) makes a retry or a restart write nothing twice.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vipdesk.core.models import TimeStampedModel
from vipdesk.messaging.choices import Channel

from .choices import Audience, CampaignStatus, Group


class Campaign(TimeStampedModel):
    name = models.CharField(_("name"), max_length=60)
    template = models.ForeignKey("messaging.MessageTemplate", verbose_name=_("template"), on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    segment = models.ForeignKey("analytics.Segment", verbose_name=_("segment"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    level = models.ForeignKey("tiers.Level", verbose_name=_("level"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The uploaded list: member numbers and mobiles as given (cleaned, de-duplicated).
    member_list = models.JSONField(_("member list"), default=list, blank=True)
    scheduled_at = models.DateTimeField(_("send from"), null=True, blank=True)
    throttle = models.PositiveIntegerField(_("messages per minute"), default=500)  # 0: no limit
    control_percent = models.PositiveSmallIntegerField(_("control group %"), default=10)
    response_days = models.PositiveSmallIntegerField(_("response window (days)"), default=14)
    seed = models.BigIntegerField(_("random seed"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    selected_at = models.DateTimeField(_("audience selected"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(name="campaign_status_valid", condition=Q(status__in=CampaignStatus.values)),
            models.CheckConstraint(name="campaign_control_percent", condition=Q(control_percent__lte=50)),
        ]
        indexes = [models.Index(fields=["status", "scheduled_at"])]

    def __str__(self):
        return self.name

    def source_for(self, member_id: int) -> str:
        return f"campaign:{self.pk}:{member_id}"


class CampaignMember(models.Model):
    """One member of a campaign's audience, as selected: the group and, for the target, the outbox row."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    group = models.CharField(_("group"), max_length=10, choices=Group.choices)
    reason = models.CharField(_("reason"), max_length=20, blank=True)  # why excluded (messaging's Reason)
    outbox = models.OneToOneField("messaging.OutboxMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    handed_at = models.DateTimeField(_("handed to the outbox"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "member"], name="campaign_member_once")]
        indexes = [models.Index(fields=["campaign", "group", "handed_at"])]
