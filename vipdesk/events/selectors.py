"""Reads of a member's own invitations (the member centre's 我的活动, issue 18 §2): every function
takes the member and filters by her, never by an id alone.

Events she may answer are the invitations written for her when the event opened (its levels,
segment or list at that moment): the member centre has no self-invitation to other events, as the
reply service (rsvp.reply) takes a member's answer only to an invitation she has.
"""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from vipdesk.core import parsing

from .choices import EventStatus, InvitationStatus
from .models import Invitation
from .rsvp import CLOSED


def _mine(member):
    return (Invitation.objects.filter(member=member).exclude(event__status=EventStatus.DRAFT)
            .select_related("event", "check_in").prefetch_related("event__stores"))


def waitlist_rank(invitation: Invitation) -> int | None:
    """Her place in the queue now (1 = next to get a place), not the number she was given."""
    if invitation.status != InvitationStatus.WAITLISTED or invitation.waitlist_position is None:
        return None
    return Invitation.objects.filter(event_id=invitation.event_id, status=InvitationStatus.WAITLISTED,
                                     waitlist_position__lte=invitation.waitlist_position).count()


def answerable(invitation: Invitation, now: dt.datetime | None = None) -> bool:
    """May she still reply (accept, decline, cancel)? Open event, not started, not been there."""
    now = now or timezone.now()
    return (invitation.event.status == EventStatus.OPEN and now < invitation.event.starts_at
            and invitation.status not in CLOSED)


def _decorate(invitation: Invitation, now: dt.datetime) -> Invitation:
    invitation.queue = waitlist_rank(invitation)
    invitation.answerable = answerable(invitation, now)
    invitation.over = invitation.event.status != EventStatus.OPEN or invitation.event.ends_at < now
    invitation.store_names = [s.name for s in invitation.event.stores.all()]
    return invitation


def member_events(member, *, now: dt.datetime | None = None) -> dict:
    """Her invitations split into upcoming (soonest first) and past or called off (latest first)."""
    now = now or timezone.now()
    rows = [_decorate(i, now) for i in _mine(member).order_by("event__starts_at", "pk")]
    upcoming = [i for i in rows if i.event.status == EventStatus.OPEN and i.event.ends_at >= now]
    ahead = {i.pk for i in upcoming}
    past = [i for i in reversed(rows) if i.pk not in ahead]
    return {"upcoming": upcoming, "past": past}


def member_invitation(member, pk) -> Invitation | None:
    """One of her invitations by its id (another member's id finds nothing)."""
    if not str(pk).isdigit() or int(pk) > parsing.PK_MAX:
        return None
    found = _mine(member).filter(pk=int(pk)).first()
    return _decorate(found, timezone.now()) if found is not None else None
