"""VIP events (issue 15 §3): what the event-notice care rules announce `lead_days` before the start
(seed 001: 凡有活动推出,最好提前3天通知VIP客户; rules.py `_event_notice` reads them).

A store manager plans his own stores' events; HQ plans any store's, or one for every store. The
invited levels (empty: everybody the notice rules target) must be levels of the active programme.
Kept simple on purpose: a later issue builds full VIP events (invitations, replies, attendance) on it.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, Role, can, require
from vipdesk.audit.services import event_record
from vipdesk.core import parsing
from vipdesk.core.errors import NotFound, PermissionDenied
from vipdesk.org.models import Store
from vipdesk.tiers.programme import active_programme

from .choices import RuleKind
from .models import CareEvent, CareRule, CareTask

NAME_MAX = 100


def _chain_wide(actor) -> bool:
    return actor is None or getattr(actor, "is_superuser", False) or getattr(actor, "role", None) == Role.HQ_ADMIN


def care_events_for(actor):
    """The events the actor may see and edit: HQ every one, a store manager his stores' (and, to read, the chain's)."""
    qs = CareEvent.objects.select_related("store").order_by("-starts_at", "-id")
    if _chain_wide(actor):
        return qs
    return qs.filter(Q(store_id__in=actor.store_ids) | Q(store__isnull=True))


def may_edit(actor, event: CareEvent) -> bool:
    return _chain_wide(actor) or (event.store_id is not None and event.store_id in actor.store_ids)


def care_event_for_actor(actor, pk) -> CareEvent:
    event = care_events_for(actor).filter(pk=pk).first()
    if event is None:
        raise NotFound(_("No such event."))
    return event


def notice_rules():
    """The event-notice rules in force: how many days ahead each tells whom."""
    return list(CareRule.objects.filter(kind=RuleKind.EVENT_NOTICE, active=True).order_by("lead_days", "code"))


def notice_tasks(event: CareEvent) -> int:
    """Notice tasks made for the event so far (their source key ends in the event's id)."""
    return CareTask.objects.filter(rule__kind=RuleKind.EVENT_NOTICE, source_key__endswith=f":{event.pk}").count()


def _clean(actor, data: dict) -> dict:
    problems = parsing.Problems()
    name = str(data.get("name") or "").strip()
    if not name:
        problems.add("name", _("Give the event a name."))
    elif len(name) > NAME_MAX:
        problems.add("name", _("At most %(n)d characters.") % {"n": NAME_MAX})
    starts_at = data.get("starts_at")
    if not isinstance(starts_at, dt.datetime):
        problems.add("starts_at", _("Give the date and time the event starts."))
    elif starts_at < timezone.now():
        problems.add("starts_at", _("The event must start in the future."))
    code = str(data.get("store") or "").strip()
    store = None
    if code:
        store = Store.objects.filter(code=code, active=True).first()
        if store is None:
            problems.add("store", _("No store with code %(code)s.") % {"code": code})
        elif not _chain_wide(actor) and store.pk not in actor.store_ids:
            problems.add("store", _("You may only plan events of your own stores."))
    elif not _chain_wide(actor):
        problems.add("store", _("Choose the store of the event; only HQ plans an event for every store."))
    levels = [str(c) for c in (data.get("levels") or [])]
    programme = active_programme()
    known = set(programme.levels.values_list("code", flat=True)) if programme else set()
    unknown = sorted(set(levels) - known)
    if unknown:
        problems.add("levels", _("Not a level of the programme: %(codes)s.") % {"codes": ", ".join(unknown)})
    problems.raise_if_any()
    return {"name": name, "starts_at": starts_at, "store": store, "levels": sorted(set(levels))}


@transaction.atomic
def care_event_save(*, actor, data: dict, event: CareEvent | None = None) -> CareEvent:
    """Create (no `event`) or change an event: name, start, store (None: every store), invited levels."""
    require(actor, Action.CARE_MANAGE)
    if event is not None:
        event = CareEvent.objects.select_for_update().get(pk=event.pk)
        if not may_edit(actor, event):
            raise PermissionDenied(_("Only HQ changes an event of every store or of another store."))
    clean = _clean(actor, data)
    verb = "care.event_created" if event is None else "care.event_changed"
    if event is None:
        event = CareEvent(**clean)
    else:
        for key, value in clean.items():
            setattr(event, key, value)
    event.save()
    event_record(actor=actor, verb=verb, obj=event,
                 payload={"name": event.name, "starts_at": event.starts_at.isoformat(),
                          "store": event.store.code if event.store_id else None, "levels": event.levels})
    return event


def may_plan(actor) -> bool:
    return can(actor, Action.CARE_MANAGE)


# ---- events with invitations (vipdesk.events, issue 18 §2) ----------------------------------

def care_event_for_invitations(*, care_event: CareEvent | None, name: str, starts_at: dt.datetime) -> CareEvent:
    """The notice row of an event with invitations, created or kept in step with the event's name
    and start; the notice rules send it to the accepted invitees alone (`invitees_only`)."""
    if care_event is None:
        return CareEvent.objects.create(name=name[:NAME_MAX], starts_at=starts_at, invitees_only=True)
    CareEvent.objects.filter(pk=care_event.pk).update(name=name[:NAME_MAX], starts_at=starts_at, invitees_only=True)
    care_event.refresh_from_db()
    return care_event


def care_event_invitee(care_event: CareEvent, member_id: int, *, invited: bool) -> None:
    """Add (a place given) or remove (cancelled, declined, the event called off) one invitee."""
    through = CareEvent.invitees.through
    if invited:
        through.objects.get_or_create(careevent_id=care_event.pk, member_id=member_id)
    else:
        through.objects.filter(careevent_id=care_event.pk, member_id=member_id).delete()
