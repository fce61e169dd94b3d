"""Places and the waiting list, shared by the replies (rsvp.py), the door (door.py) and the event's
life cycle (services.py). Every function here runs inside a transaction that holds the event's
row lock (select_for_update): places counted and given in one decision.

Order: a member who asks when the places are gone is put on the waiting list at the next position;
when places free up (a cancellation, more places), the waiting list is promoted strictly in order —
the first waiting invitation takes the freed places if it fits, else nobody behind it jumps ahead.
Each member promoted is told once that she now has a place (notify.py, through the outbox).
"""
from __future__ import annotations

import datetime as dt

from django.db.models import F, Sum

from vipdesk.care.events import care_event_invitee
from vipdesk.core import clock
from vipdesk.points.attendance import points_refund_event

from .choices import HOLDING, EventStatus, InvitationStatus
from .models import Event, Invitation
from .notify import tell_promoted


def places_taken(event: Event) -> int:
    """Places held: each accepted or attended invitation, 1 + its guests."""
    got = Invitation.objects.filter(event=event, status__in=HOLDING).aggregate(n=Sum(1 + F("guests")))["n"]
    return int(got or 0)


def care_sync(event: Event, member_id: int, *, holding: bool) -> None:
    """Keep the pre-event notice's invitees (care) in step with who holds a place."""
    if event.care_event_id:
        care_event_invitee(event.care_event, member_id, invited=holding)


def give_place(event: Event, invitation: Invitation, *, now: dt.datetime) -> None:
    invitation.status, invitation.accepted_at = InvitationStatus.ACCEPTED, now
    invitation.save(update_fields=["status", "accepted_at", "guests", "via", "responded_at", "waitlist_position"])
    care_sync(event, invitation.member_id, holding=True)


def put_on_waitlist(event: Event, invitation: Invitation) -> None:
    invitation.status, invitation.waitlist_position = InvitationStatus.WAITLISTED, event.waitlist_next
    Event.objects.filter(pk=event.pk).update(waitlist_next=F("waitlist_next") + 1)
    event.waitlist_next += 1
    invitation.save(update_fields=["status", "waitlist_position", "guests", "via", "responded_at"])


def promote(event: Event, *, now: dt.datetime) -> list[Invitation]:
    """Give freed places to the waiting list in order; returns those promoted."""
    if event.status != EventStatus.OPEN:
        return []
    free = event.capacity - places_taken(event)
    promoted = []
    waiting = (Invitation.objects.filter(event=event, status=InvitationStatus.WAITLISTED).select_related("member__home_store")
               .order_by("waitlist_position"))
    for invitation in waiting:
        if invitation.places > free:
            break
        give_place(event, invitation, now=now)
        tell_promoted(event, invitation)  # she is told once (notify.py)
        free -= invitation.places
        promoted.append(invitation)
    return promoted


def refund(invitation: Invitation, *, actor, note: str) -> None:
    """Give back the points taken at the door, once."""
    if invitation.points_entry_id and not invitation.refund_entry_id:
        spend = invitation.points_entry
        invitation.refund_entry = points_refund_event(spend=spend, on=clock.today(spend.store), note=note, actor=actor)
        invitation.save(update_fields=["refund_entry"])


def release(event: Event, invitation: Invitation, *, now: dt.datetime, actor, note: str,
            status: str = InvitationStatus.CANCELLED) -> list[Invitation]:
    """The invitation gives up its place or waiting-list entry (cancelled or declined): points back,
    the notice not sent to the member, the freed places to the waiting list. Returns those promoted."""
    holding = invitation.status in HOLDING
    refund(invitation, actor=actor, note=note)
    invitation.status, invitation.responded_at = status, now
    invitation.save(update_fields=["status", "responded_at"])
    care_sync(event, invitation.member_id, holding=False)
    return promote(event, now=now) if holding else []
