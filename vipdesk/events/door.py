"""Check-in at the door (issue 18 §2), on a tablet: the member's e-card dynamic code (or a card, a
coupon of hers, her mobile, her member number) identifies her; an invitation found by the last
digits of a mobile is checked in by its id. A second scan of the same member finds the check-in
already there and changes nothing but its scan count. A member without a place comes in as a
walk-in when the door staff say so. The points the event costs are taken here (seed 003 篇6:
组织相应的活动之后再扣除VIP客户的相应积分), through the points ledger; `waive_points` lets the door
admit a member short of points (recorded in the audit trail).

A check-in made by mistake (the wrong member scanned) is taken back on the event's day by the same
staff (`check_in_undo`, with a reason): the points given back, the invitation put back as it was.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, require
from vipdesk.audit.services import event_record
from vipdesk.core import clock, parsing
from vipdesk.core.errors import Conflict, NotFound
from vipdesk.coupons.models import Coupon
from vipdesk.members.ecard import looks_dynamic
from vipdesk.members.identification import identify_member
from vipdesk.members.models import Member
from vipdesk.points.attendance import points_spend_for_event

from .choices import HOLDING, CheckInHow, EventStatus, InvitationStatus, ReplyVia
from .models import CheckIn, CheckInUndo, Event, Invitation
from .places import care_sync, refund
from .services import event_get

EARLY = dt.timedelta(hours=6)  # the door opens this long before the start
MOBILE = re.compile(r"^1\d{10}$")


@dataclass
class Arrival:
    invitation: Invitation
    check_in: CheckIn
    again: bool  # a second scan: nothing changed


def identify(raw) -> tuple[Member, str]:
    """The member a scanned or typed code names, and how."""
    value = str(raw or "").strip().replace(" ", "")
    if not value or len(value) > 40:
        raise NotFound(_("Scan the e-card or type a code or mobile."), code="member_not_found")
    if looks_dynamic(value):
        member, _card, _how = identify_member({"ecard": value})
        return member, CheckInHow.ECARD
    if MOBILE.match(value):
        member, _card, _how = identify_member({"mobile": value})
        return member, CheckInHow.MOBILE
    coupon = Coupon.objects.select_related("member").filter(code=value, member__isnull=False).first()
    if coupon is not None:
        return coupon.member, CheckInHow.COUPON
    member = Member.objects.filter(member_no=value).first()
    if member is not None:
        return member, CheckInHow.MEMBER_NO
    member, _card, _how = identify_member({"card": value})
    return member, CheckInHow.CARD


def door_search(event: Event, query: str, *, limit: int = 20) -> list[Invitation]:
    """Invitations whose member's mobile ends with the digits typed (at least 4) or whose name contains the text."""
    q = str(query or "").strip()[:20]
    if len(q) < 2:
        return []
    qs = Invitation.objects.filter(event=event).select_related("member", "check_in")
    qs = qs.filter(member__mobile__endswith=q) if q.isdigit() and len(q) >= 4 else qs.filter(member__name__contains=q)
    return list(qs.order_by("member__name")[:limit])


def check_in(*, actor, event, code: str | None = None, invitation_id=None, guests=None, walk_in: bool = False,
             waive_points: bool = False, now: dt.datetime | None = None) -> Arrival:
    require(actor, Action.CARE_WORK)
    now = now or timezone.now()
    event = event_get(actor, getattr(event, "pk", event))
    if invitation_id not in (None, ""):
        invitation = Invitation.objects.filter(event=event, pk=invitation_id).first() if str(invitation_id).isdigit() else None
        if invitation is None:
            raise NotFound(_("No such invitation."), code="not_invited")
        member_id, how = invitation.member_id, CheckInHow.MOBILE
    else:
        member, how = identify(code)
        member_id = member.pk
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if event.status != EventStatus.OPEN:
            raise Conflict(_("This event is not open."), code="event_not_open")
        if now < event.starts_at - EARLY or now > event.ends_at:
            raise Conflict(_("The door is open from %(hours)d hours before the start until the end.") % {"hours": EARLY.seconds // 3600},
                           code="door_closed")
        invitation = Invitation.objects.select_for_update(of=("self",)).select_related("member").filter(event=event, member_id=member_id).first()
        done = CheckIn.objects.filter(invitation=invitation).first() if invitation else None
        if done is not None:
            CheckIn.objects.filter(pk=done.pk).update(scans=done.scans + 1)
            done.scans += 1
            return Arrival(invitation, done, True)
        before = ("", "") if invitation is None else (invitation.status, invitation.via)
        if invitation is None or invitation.status != InvitationStatus.ACCEPTED:
            if not walk_in:
                raise Conflict(_("This member has no place at the event. Admit as a walk-in?"), code="no_place")
            if invitation is None:
                invitation = Invitation.objects.create(event=event, member_id=member_id, invited_at=now, walk_in=True, via=ReplyVia.DOOR)
            else:  # invited, but without a place (waiting, declined…): still counted among the invited
                invitation.via = ReplyVia.DOOR
        problems = parsing.Problems()
        came = invitation.guests if parsing.blank(guests) else parsing.whole(guests, "guests", problems, maximum=event.guests_allowed)
        problems.raise_if_any()
        store = event.stores.order_by("pk").first()
        if event.points and not waive_points:
            invitation.points_entry = points_spend_for_event(member=invitation.member, points=event.points,
                                                             reference=f"event:{event.pk} {event.name}", on=clock.today(store),
                                                             store=store, actor=actor)
        invitation.status, invitation.responded_at = InvitationStatus.ATTENDED, invitation.responded_at or now
        invitation.save()
        arrival = CheckIn.objects.create(invitation=invitation, at=now, how=how, guests=came,
                                         by=actor if getattr(actor, "_meta", None) else None,
                                         status_before=before[0], via_before=before[1])
        care_sync(event, member_id, holding=True)
        event_record(actor=actor, verb="events.check_in", obj=event,
                     payload={"member": member_id, "guests": came, "walk_in": invitation.walk_in, "how": how,
                              "points": 0 if waive_points else event.points})
    return Arrival(invitation, arrival, False)


def _restored(check: CheckIn, invitation: Invitation, event: Event) -> str | None:
    """The invitation's status once its check-in is undone: what it was before the scan (accepted,
    as a rule); None for a walk-in whose invitation the scan made. After the event is finished an
    accepted member who did not come is a no-show and nobody waits any more (event_finish)."""
    status = check.status_before
    if not status:
        if invitation.walk_in:
            return None
        status = InvitationStatus.ACCEPTED  # a check-in from before the status was recorded
    if event.status == EventStatus.FINISHED:
        status = {InvitationStatus.ACCEPTED: InvitationStatus.NO_SHOW, InvitationStatus.WAITLISTED: InvitationStatus.CANCELLED}.get(
            status, status)
    return status


def check_in_undo(*, actor, event, invitation_id, reason: str, now: dt.datetime | None = None) -> CheckInUndo:
    """Take back a check-in made by mistake, on the day the event ends at the latest (store time), by
    staff who work the door (Action.CARE_WORK, the event in their scope), with a reason. The points
    taken at the check-in come back through the ledger (a refund entry, once: the CheckInUndo row
    holds both entries one-to-one); the invitation is put back as it was before the scan (a walk-in
    made by the scan is removed); the CheckIn row goes, so the member can be checked in again; the
    audit trail keeps who, when and why. A second undo finds no check-in and is refused."""
    require(actor, Action.CARE_WORK)
    now = now or timezone.now()
    event = event_get(actor, getattr(event, "pk", event))
    problems = parsing.Problems()
    why = parsing.text(reason, "reason", problems, limit=200, required=True)
    problems.raise_if_any()
    pk = str(invitation_id or "").strip()
    if not pk.isdigit() or int(pk) > parsing.PK_MAX:
        raise NotFound(_("No such invitation."), code="not_invited")
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if event.status not in (EventStatus.OPEN, EventStatus.FINISHED):
            raise Conflict(_("The event is cancelled; its check-ins cannot be undone."), code="event_closed")
        store = event.stores.order_by("pk").first()
        if clock.business_date(now, store) > clock.business_date(event.ends_at, store):
            raise Conflict(_("A check-in can only be undone on the day of the event."), code="undo_too_late")
        invitation = (Invitation.objects.select_for_update(of=("self",)).select_related("member", "points_entry")
                      .filter(event=event, pk=int(pk)).first())
        if invitation is None:
            raise NotFound(_("No such invitation."), code="not_invited")
        check = CheckIn.objects.filter(invitation=invitation).first()
        if check is None:
            raise Conflict(_("%(name)s is not checked in; the check-in may already have been undone.") % {"name": invitation.member.name},
                           code="not_checked_in")
        refund(invitation, actor=actor, note=_("Check-in undone: %(reason)s") % {"reason": why})
        spend, back = invitation.points_entry, invitation.refund_entry
        status = _restored(check, invitation, event)
        member_id = invitation.member_id
        check.delete()
        if status is None:  # the scan made this walk-in's invitation: without it, it never was
            invitation.delete()
            invitation = None
        else:
            invitation.status, invitation.via = status, check.via_before or invitation.via
            if status == InvitationStatus.INVITED:
                invitation.responded_at = None
            invitation.points_entry = invitation.refund_entry = None  # kept on the undo row below
            invitation.save(update_fields=["status", "via", "responded_at", "points_entry", "refund_entry"])
        undo = CheckInUndo.objects.create(event=event, invitation=invitation, member_id=member_id, checked_in_at=check.at, how=check.how,
                                          guests=check.guests, checked_in_by_id=check.by_id, at=now,
                                          by=actor if getattr(actor, "_meta", None) else None, reason=why, points_entry=spend,
                                          refund_entry=back)
        care_sync(event, member_id, holding=status in HOLDING)
        event_record(actor=actor, verb="events.check_in_undone", obj=event,
                     payload={"member": member_id, "reason": why, "checked_in_at": check.at.isoformat(), "checked_in_by": check.by_id,
                              "status": status or "removed", "points_back": back.points if back else 0})
    return undo
