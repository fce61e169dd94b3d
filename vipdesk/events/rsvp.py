"""Replies to an invitation (issue 18 §2): accept (with guests), decline, cancel — by the member
through the signed link in her message (links.py) or the member centre, or by staff from the
member's 360° page or the event's page. All go through `reply`, which takes the event's row lock
first: 50 members accepting at once for 10 places give exactly 10 places and a waiting list of
40 in the order the lock was granted (tests/test_concurrency.py on PostgreSQL).

Accepting needs the points the event costs to be usable now (they are taken at the door, seed
003 篇6); while anyone waits, a new acceptance joins the end of the waiting list, so nobody jumps
the queue when places free up. Answers repeat harmlessly: accepting twice changes nothing.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, require
from vipdesk.audit.services import event_record
from vipdesk.core import clock, parsing
from vipdesk.core.errors import Conflict, NotFound
from vipdesk.members.services import member_for_actor
from vipdesk.points.attendance import points_usable_check

from .choices import EventStatus, InvitationStatus, ReplyVia
from .links import rsvp_read
from .models import Event, Invitation
from .places import give_place, places_taken, put_on_waitlist, release
from .services import event_get

ACCEPT, DECLINE, CANCEL = "accept", "decline", "cancel"
ANSWERS = (ACCEPT, DECLINE, CANCEL)
CLOSED = (InvitationStatus.ATTENDED, InvitationStatus.NO_SHOW)


@dataclass
class Reply:
    invitation: Invitation
    changed: bool
    promoted: list


def _guests(value, event: Event) -> int:
    problems = parsing.Problems()
    n = parsing.whole(0 if parsing.blank(value) else value, "guests", problems, minimum=0, maximum=event.guests_allowed)
    problems.raise_if_any()
    return n


def _accept(event, invitation, guests, *, via, now) -> bool:
    if invitation.status in (InvitationStatus.ACCEPTED, InvitationStatus.WAITLISTED):
        if invitation.guests == guests:
            return False
        if invitation.status == InvitationStatus.ACCEPTED and guests > invitation.guests \
                and places_taken(event) + guests - invitation.guests > event.capacity:
            raise Conflict(_("No places left for more guests."), code="no_places_for_guests", fields={"guests": _("No places left.")})
        invitation.guests = guests
        invitation.save(update_fields=["guests"])
        return True
    if event.points:
        points_usable_check(member=invitation.member, points=event.points, on=clock.today())
    invitation.guests, invitation.via, invitation.responded_at = guests, via, now
    waiting = Invitation.objects.filter(event=event, status=InvitationStatus.WAITLISTED).exists()
    if not waiting and places_taken(event) + 1 + guests <= event.capacity:
        give_place(event, invitation, now=now)
    else:
        put_on_waitlist(event, invitation)
    return True


def reply(*, event_id: int, member_id: int, answer: str, guests=0, via: str, actor=None, now: dt.datetime | None = None,
          invite: bool = False) -> Reply:
    """Record one answer under the event's lock. `invite`: staff may add a member not invited yet."""
    if answer not in ANSWERS:
        raise Conflict(_("Unknown answer."), code="unknown_answer")
    now = now or timezone.now()
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event_id)
        if event.status != EventStatus.OPEN:
            raise Conflict(_("This event does not take replies."), code="event_not_open")
        if now >= event.starts_at:
            raise Conflict(_("The event has started; replies are closed."), code="replies_closed")
        invitation = Invitation.objects.select_for_update(of=("self",)).select_related("member", "points_entry").filter(
            event=event, member_id=member_id).first()
        if invitation is None:
            if not invite:
                raise NotFound(_("This member is not invited to the event."), code="not_invited")
            invitation = Invitation.objects.create(event=event, member_id=member_id, invited_at=now)
        if invitation.status in CLOSED:
            raise Conflict(_("The member has already been at the event."), code="already_attended")
        promoted: list = []
        if answer == ACCEPT:
            changed = _accept(event, invitation, _guests(guests, event), via=via, now=now)
        elif invitation.status in (InvitationStatus.DECLINED, InvitationStatus.CANCELLED):
            changed = False
        else:
            status = InvitationStatus.DECLINED if invitation.status == InvitationStatus.INVITED else InvitationStatus.CANCELLED
            invitation.via = via
            invitation.save(update_fields=["via"])
            promoted = release(event, invitation, now=now, actor=actor, note=_("Reply cancelled"), status=status)
            changed = True
        if changed:
            event_record(actor=actor, verb=f"events.{answer}", obj=event,
                         payload={"member": member_id, "status": invitation.status, "guests": invitation.guests, "via": via,
                                  "promoted": [p.member_id for p in promoted]})
    return Reply(invitation, changed, promoted)


def rsvp_by_staff(*, actor, event: Event | int, member, answer: str, guests=0, now=None) -> Reply:
    """Staff reply for a member they may see (the 360° page, the event's page); adds the member if not invited."""
    require(actor, Action.CARE_WORK)
    event = event_get(actor, getattr(event, "pk", event))
    member = member_for_actor(actor, getattr(member, "pk", member))
    return reply(event_id=event.pk, member_id=member.pk, answer=answer, guests=guests, via=ReplyVia.STAFF, actor=actor, now=now,
                 invite=True)


def rsvp_by_link(*, token: str, answer: str, guests=0, now=None) -> Reply:
    invitation = rsvp_read(token)
    return reply(event_id=invitation.event_id, member_id=invitation.member_id, answer=answer, guests=guests, via=ReplyVia.LINK, now=now)


def rsvp_by_member(*, member, event_id, answer: str, guests=0, now=None) -> Reply:
    """The member centre: her own invitation only."""
    if not Invitation.objects.filter(event_id=event_id, member=member).exists():
        raise NotFound(_("No such invitation."), code="not_invited")
    return reply(event_id=int(event_id), member_id=member.pk, answer=answer, guests=guests, via=ReplyVia.PORTAL, now=now)


def member_invitations(member):
    """A member's invitations to open events, soonest first (the 360° page, the member centre)."""
    return (Invitation.objects.filter(member=member, event__status=EventStatus.OPEN).select_related("event")
            .order_by("event__starts_at"))
