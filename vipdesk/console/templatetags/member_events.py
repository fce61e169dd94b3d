"""VIP events on the member's 360° page (issue 18 §2): her invitations to open events, with the
staff's reply form (accept with guests, decline, cancel), and the open events of her store she is
not invited to yet, to add her. An inclusion tag, so the 360° view itself is unchanged; the form
posts to the event's page (events.rsvp.rsvp_by_staff), which comes back here."""
from __future__ import annotations

from django import template
from django.utils import timezone

from vipdesk.accounts.roles import Action, can
from vipdesk.events.choices import EventStatus
from vipdesk.events.rsvp import member_invitations
from vipdesk.events.services import events_for

register = template.Library()
ROWS = 10


@register.inclusion_tag("console/events/member_pane.html", takes_context=True)
def member_events_pane(context, member):
    user = context["request"].user
    if not can(user, Action.CARE_WORK) or member.is_withdrawn:
        return {"shown": False}
    invitations = list(member_invitations(member)[:ROWS])
    invited = {i.event_id for i in invitations}
    others = [e for e in events_for(user).filter(status=EventStatus.OPEN, starts_at__gt=timezone.now()).order_by("starts_at")[:ROWS]
              if e.pk not in invited]
    return {"shown": bool(invitations or others), "request": context["request"], "csrf_token": context.get("csrf_token"),
            "member": member, "invitations": invitations, "others": others,
            "may_manage": can(user, Action.CARE_MANAGE)}
