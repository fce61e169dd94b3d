"""Invitations sent through a campaign (issue 18 §1's sending path, not a second one): an uploaded-list
campaign of the event's invitees who have not answered yet, no control group, whose template carries
{rsvp_url} — each member's own signed reply link (links.py; campaigns.services fills it in)."""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, require
from vipdesk.campaigns.models import Campaign
from vipdesk.campaigns.services import campaign_save, campaign_schedule
from vipdesk.core.errors import Conflict, ValidationFailed
from vipdesk.messaging.models import MessageTemplate

from .choices import EventStatus, InvitationStatus
from .links import RSVP_PLACEHOLDER
from .models import Event, Invitation


@transaction.atomic
def event_invite_send(*, actor, event: Event, template: str, channel: str, throttle: int = 500) -> Campaign:
    require(actor, Action.MESSAGE_CONFIG)
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status != EventStatus.OPEN:
        raise Conflict(_("Open the event before sending the invitations."), code="event_not_open")
    found = MessageTemplate.objects.filter(code=str(template or ""), active=True).first()
    if found is not None and RSVP_PLACEHOLDER not in (found.extra_placeholders or []):
        raise ValidationFailed(_("The template needs the reply link {rsvp_url}."),
                               fields={"template": _("The template needs the reply link {rsvp_url}.")})
    numbers = list(Invitation.objects.filter(event=event, status=InvitationStatus.INVITED, walk_in=False)
                   .order_by("member_id").values_list("member__member_no", flat=True))
    if not numbers:
        raise Conflict(_("Everybody invited has already answered."), code="nobody_to_invite")
    campaign = campaign_save(actor=actor, data={"name": (_("Invitation: %(name)s") % {"name": event.name})[:60], "template": template,
                                                "channel": channel, "audience": "list", "member_list": numbers,
                                                "control_percent": 0, "throttle": throttle,
                                                "response_days": max(1, min(180, event.results_days or 1))})
    campaign_schedule(actor=actor, campaign=campaign)
    event.campaign = campaign
    event.save(update_fields=["campaign", "updated_at"])
    return campaign
