"""VIP event services (issue 18 §2): plan an event (save with its budget lines), open it for
replies (the invitations written for its audience, the pre-event notice row made), cancel it
(every place and waiting-list entry cancelled, points given back), finish it (the accepted who
never came become no-shows). Replies and the waiting list: rsvp.py; the door: door.py.

Who: planning is Action.CARE_MANAGE — HQ for any store, a store manager for events of his own
stores only (an event of the whole chain is HQ's).
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, Role, require
from vipdesk.analytics.models import Segment
from vipdesk.audit.services import event_record
from vipdesk.campaigns.audience import list_clean
from vipdesk.care.events import care_event_for_invitations
from vipdesk.core import parsing
from vipdesk.core.errors import Conflict, NotFound, PermissionDenied
from vipdesk.org.models import Store
from vipdesk.partners.models import Partner
from vipdesk.tiers.programme import active_programme

from .audience import audience_members
from .choices import Audience, CostKind, EventKind, EventStatus, InvitationStatus
from .models import BudgetLine, Event, Invitation
from .places import places_taken, promote, release

FIELDS = ("name", "kind", "stores", "starts_at", "ends_at", "venue", "capacity", "guests_allowed", "audience", "levels", "segment",
          "member_list", "points", "sponsors", "results_days",
          *(f"budget_{k}" for k in CostKind.values), *(f"actual_{k}" for k in CostKind.values))
CHUNK = 5000


def chain_wide(actor) -> bool:
    return actor is None or getattr(actor, "is_superuser", False) or getattr(actor, "role", None) == Role.HQ_ADMIN


def events_for(actor):
    """The events the actor may see: HQ every one; others those of their stores and the chain's."""
    qs = Event.objects.order_by("-starts_at", "-id")
    if chain_wide(actor):
        return qs
    mine = Event.stores.through.objects.filter(store_id__in=actor.store_ids).values("event_id")
    anywhere = Event.stores.through.objects.values("event_id")
    return qs.filter(Q(pk__in=mine) | ~Q(pk__in=anywhere))


def may_edit(actor, event: Event) -> bool:
    if chain_wide(actor):
        return True
    codes = set(event.stores.values_list("pk", flat=True))
    return bool(codes) and codes <= set(actor.store_ids)


def event_get(actor, pk) -> Event:
    found = events_for(actor).filter(pk=pk).first() if str(pk).isdigit() and int(pk) <= parsing.PK_MAX else None
    if found is None:
        raise NotFound(_("No such event."), code="event_not_found")
    return found


def _list(value) -> list[str]:
    if isinstance(value, str):
        return [v for v in (p.strip() for p in value.replace("，", ",").split(",")) if v]
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return []


def _when(value, key, problems) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if parsing.blank(value):
        problems.add(key, _("This field is required."))
        return None
    try:
        at = dt.datetime.fromisoformat(str(value).strip())
    except ValueError:
        problems.add(key, _("Not a valid time (YYYY-MM-DD HH:MM)."))
        return None
    return at if timezone.is_aware(at) else timezone.make_aware(at)


def _clean(actor, data: dict, event: Event | None) -> tuple[dict, dict, list, list]:
    problems = parsing.Problems()
    for key in sorted(set(data) - set(FIELDS)):
        problems.add(key, _("Unknown field."))
    out = {"name": parsing.text(data.get("name"), "name", problems, limit=60, required=True),
           "kind": parsing.choice(data.get("kind"), "kind", problems, EventKind),
           "venue": parsing.text(data.get("venue"), "venue", problems, limit=120)}
    out["starts_at"] = _when(data.get("starts_at"), "starts_at", problems)
    out["ends_at"] = _when(data.get("ends_at"), "ends_at", problems)
    if out["starts_at"] and out["ends_at"] and out["ends_at"] < out["starts_at"]:
        problems.add("ends_at", _("The event must end after it starts."))
    if out["starts_at"] and event is None and out["starts_at"] < timezone.now():
        problems.add("starts_at", _("The event must start in the future."))
    out["capacity"] = parsing.whole(data.get("capacity"), "capacity", problems, minimum=1, maximum=100_000)
    out["guests_allowed"] = parsing.whole(data.get("guests_allowed", 0), "guests_allowed", problems, minimum=0, maximum=10)
    out["points"] = parsing.whole(data.get("points", 0) or 0, "points", problems, minimum=0, maximum=1_000_000)
    out["results_days"] = parsing.whole(data.get("results_days", 7) or 7, "results_days", problems, minimum=0, maximum=90)
    stores = []
    for code in _list(data.get("stores")):
        store = Store.objects.filter(code=code, active=True).first()
        if store is None:
            problems.add("stores", _("No store with code %(code)s.") % {"code": code})
        elif not chain_wide(actor) and store.pk not in actor.store_ids:
            problems.add("stores", _("You may only plan events of your own stores."))
        else:
            stores.append(store)
    if not stores and not chain_wide(actor) and "stores" not in problems.fields:
        problems.add("stores", _("Choose the store of the event; only HQ plans an event for every store."))
    sponsors = []
    for code in _list(data.get("sponsors")):
        partner = Partner.objects.filter(code=code).first()
        if partner is None:
            problems.add("sponsors", _("No partner merchant with code %(code)s.") % {"code": code})
        else:
            sponsors.append(partner)
    out["audience"] = parsing.choice(data.get("audience"), "audience", problems, Audience)
    out["levels"], out["segment"], out["member_list"] = [], None, []
    if out["audience"] == Audience.LEVELS:
        programme = active_programme()
        known = set(programme.levels.values_list("code", flat=True)) if programme else set()
        levels = _list(data.get("levels"))
        if not levels:
            problems.add("levels", _("Choose at least one level."))
        elif set(levels) - known:
            problems.add("levels", _("Not a level of the programme: %(codes)s.") % {"codes": ", ".join(sorted(set(levels) - known))})
        out["levels"] = sorted(set(levels))
    elif out["audience"] == Audience.SEGMENT:
        pk = str(data.get("segment") or "").strip()
        out["segment"] = Segment.objects.filter(pk=pk).first() if pk.isdigit() and int(pk) <= parsing.PK_MAX else None
        if out["segment"] is None:
            problems.add("segment", _("Choose a saved segment."))
    elif out["audience"] == Audience.LIST:
        out["member_list"] = list_clean(data.get("member_list"), problems)
    budget = {}
    for kind in CostKind.values:
        planned = parsing.money(data.get(f"budget_{kind}"), f"budget_{kind}", problems, required=False)
        actual = parsing.money(data.get(f"actual_{kind}"), f"actual_{kind}", problems, required=False)
        for key, value in ((f"budget_{kind}", planned), (f"actual_{kind}", actual)):
            if value is not None and value < 0:
                problems.add(key, _("Must not be negative."))
        if planned is not None or actual is not None:
            budget[kind] = (planned or 0, actual)
    problems.raise_if_any()
    return out, budget, stores, sponsors


@transaction.atomic
def event_save(*, actor, data: dict, event: Event | None = None) -> Event:
    """A new event (a draft), or one changed — a finished one too, to enter the actual costs. Once
    open, the audience is fixed (the invitations are written); the places may not go below those
    already given."""
    require(actor, Action.CARE_MANAGE)
    if event is not None:
        event = _locked_for(actor, event)
        if event.status == EventStatus.CANCELLED:
            raise Conflict(_("A cancelled event cannot be changed."), code="event_closed")
        if event.status != EventStatus.DRAFT:  # the invitations are written: the audience stays what it was
            data = {**data, "audience": event.audience, "levels": event.levels, "segment": event.segment_id or "",
                    "member_list": event.member_list}
    clean, budget, stores, sponsors = _clean(actor, data, event)
    if event is not None and event.status != EventStatus.DRAFT:
        from_places = places_taken(event)
        if clean["capacity"] < from_places:
            raise Conflict(_("%(n)d places are already given; the event cannot have fewer.") % {"n": from_places},
                           code="capacity_below_taken", fields={"capacity": _("At least %(n)d.") % {"n": from_places}})
    verb = "events.created" if event is None else "events.changed"
    if event is None:
        event = Event(created_by=actor if getattr(actor, "_meta", None) else None)
    for key, value in clean.items():
        setattr(event, key, value)
    event.save()
    event.stores.set(stores)
    event.sponsors.set(sponsors)
    for kind, (planned, actual) in budget.items():
        BudgetLine.objects.update_or_create(event=event, kind=kind, defaults={"budget": planned, "actual": actual})
    BudgetLine.objects.filter(event=event).exclude(kind__in=list(budget)).delete()
    if event.care_event_id:
        care_event_for_invitations(care_event=event.care_event, name=event.name, starts_at=event.starts_at)
    promoted = promote(event, now=timezone.now())  # more places: the waiting list moves up, in order (open events only)
    event_record(actor=actor, verb=verb, obj=event, payload={"name": event.name, "starts_at": event.starts_at.isoformat(),
                                                             "capacity": event.capacity, "promoted": [p.member_id for p in promoted]})
    return event


def _locked(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def _locked_for(actor, event: Event) -> Event:
    """The event's row locked, once the actor may change it (HQ every event, a manager his stores' own)."""
    event = _locked(event)
    if not may_edit(actor, event):
        raise PermissionDenied(_("Only HQ changes an event of every store or of another store."))
    return event


def invitations_write(event: Event, *, now: dt.datetime) -> int:
    """An invitation per member of the event's audience not yet invited (idempotent)."""
    ids = audience_members(event).order_by("pk").values_list("pk", flat=True)
    have = set(Invitation.objects.filter(event=event).values_list("member_id", flat=True))
    rows, written = [], 0
    for pk in ids.iterator(chunk_size=CHUNK):
        if pk in have:
            continue
        rows.append(Invitation(event=event, member_id=pk, invited_at=now))
        if len(rows) == CHUNK:
            written += len(Invitation.objects.bulk_create(rows, ignore_conflicts=True))
            rows = []
    written += len(Invitation.objects.bulk_create(rows, ignore_conflicts=True))
    return written


@transaction.atomic
def event_open(*, actor, event: Event, now: dt.datetime | None = None) -> Event:
    """Draft → open: the invitations are written and the pre-event notice row made (care)."""
    require(actor, Action.CARE_MANAGE)
    now = now or timezone.now()
    event = _locked_for(actor, event)
    if event.status != EventStatus.DRAFT:
        raise Conflict(_("Only a draft event can be opened."), code="event_not_draft")
    if event.starts_at <= now:
        raise Conflict(_("The event has already started."), code="event_started")
    event.care_event = care_event_for_invitations(care_event=None, name=event.name, starts_at=event.starts_at)
    event.status = EventStatus.OPEN
    event.save(update_fields=["care_event", "status", "updated_at"])
    n = invitations_write(event, now=now)
    event_record(actor=actor, verb="events.opened", obj=event, payload={"invited": n})
    return event


@transaction.atomic
def event_cancel(*, actor, event: Event, now: dt.datetime | None = None) -> Event:
    """The event is called off: every reply is cancelled, points taken at the door given back, no notice goes."""
    require(actor, Action.CARE_MANAGE)
    now = now or timezone.now()
    event = _locked_for(actor, event)
    if event.status in (EventStatus.CANCELLED, EventStatus.FINISHED):
        raise Conflict(_("A cancelled or finished event cannot be changed."), code="event_closed")
    live = (InvitationStatus.ACCEPTED, InvitationStatus.WAITLISTED, InvitationStatus.ATTENDED, InvitationStatus.INVITED)
    event.status = EventStatus.CANCELLED  # first: a place freed here promotes nobody (and tells nobody she has one)
    for invitation in Invitation.objects.filter(event=event, status__in=live).select_related("points_entry__account"):
        release(event, invitation, now=now, actor=actor, note=_("Event cancelled"))
    event.save(update_fields=["status", "updated_at"])
    event_record(actor=actor, verb="events.cancelled", obj=event, payload={})
    return event


@transaction.atomic
def event_finish(*, actor, event: Event, now: dt.datetime | None = None) -> Event:
    """After the event: the accepted who did not come are no-shows, the waiting list is closed."""
    require(actor, Action.CARE_MANAGE)
    now = now or timezone.now()
    event = _locked_for(actor, event)
    if event.status != EventStatus.OPEN:
        raise Conflict(_("Only an open event can be finished."), code="event_not_open")
    if now < event.starts_at:
        raise Conflict(_("The event has not started yet."), code="event_not_started")
    no_shows = Invitation.objects.filter(event=event, status=InvitationStatus.ACCEPTED).update(status=InvitationStatus.NO_SHOW)
    Invitation.objects.filter(event=event, status=InvitationStatus.WAITLISTED).update(status=InvitationStatus.CANCELLED)
    event.status = EventStatus.FINISHED
    event.save(update_fields=["status", "updated_at"])
    event_record(actor=actor, verb="events.finished", obj=event, payload={"no_shows": no_shows})
    return event
