"""Arrivals: report one (a device or a clerk), decide who is told, store and push the notices;
act on a notice (greeted, taking over: a contact in the care log); put oneself or a colleague on
duty. Every write of the app goes through here (API, console, demo, bench)."""
from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Action, Role, can
from vipdesk.audit.services import event_record
from vipdesk.care.choices import Channel, ContactKind, Outcome as ContactOutcome
from vipdesk.care.services import contact_log
from vipdesk.core import clock
from vipdesk.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from vipdesk.core.fields import blind_index
from vipdesk.core.validators import normalize_id_number, normalize_mobile
from vipdesk.members.identification import identify_member
from vipdesk.members.models import Member
from vipdesk.org.scoping import posting_store

from . import notice as notices
from .bus import bus
from .choices import IDENTIFIERS, Audience, NoticeState, Outcome, Point
from .models import Arrival, DutyShift, Notice


def repeat_minutes() -> int:
    """A member seen again at the same store within so many minutes is not announced again."""
    return int(settings.VIPDESK.get("ARRIVAL_REPEAT_MINUTES", 30))


def may_report(principal) -> bool:
    return can(principal, Action.SELL) or can(principal, Action.CARE_WORK)


def clean_identifier(data: dict) -> tuple[str, str]:
    """(kind, value) from exactly one of card, ecard, mobile, id_number; a value that cannot be one
    (a mobile of the wrong shape) is a 400, an unknown one is just not a member."""
    given = {k: data.get(k) for k in IDENTIFIERS if data.get(k) not in (None, "")}
    if len(given) != 1:
        raise ValidationFailed(_("Identify the person by exactly one of: card, e-card code, mobile, ID number."),
                               fields={"identifier": _("Give exactly one.")})
    kind, raw = next(iter(given.items()))
    if not isinstance(raw, (str, int)) or isinstance(raw, bool):
        raise ValidationFailed(_("Must be text."), fields={kind: _("Must be text.")})
    raw = str(raw).strip()
    if not raw or len(raw) > 40 or "\x00" in raw:
        raise ValidationFailed(_("Not a valid value."), fields={kind: _("Not a valid value.")})
    try:
        if kind == "mobile":
            raw = normalize_mobile(raw)
        elif kind == "id_number":
            raw = normalize_id_number(raw, today=clock.today())
    except DjangoValidationError as exc:
        raise ValidationFailed(exc.messages[0], fields={kind: exc.messages[0]}) from None
    return kind, raw


def recognise(kind: str, value: str, *, actor, store) -> tuple[Member | None, str | None]:
    """(member, None) or (None, the outcome saying why nobody is announced)."""
    if kind == "id_number":
        member = Member.objects.filter(id_number_hash=blind_index(value)).first()
        if member is None:
            return None, Outcome.NOT_MEMBER
        return (None, Outcome.WITHDRAWN) if member.is_withdrawn else (member, None)
    try:
        member, _card, _how = identify_member({kind: value}, actor=actor, store=store)
    except NotFound:
        return None, Outcome.NOT_MEMBER
    except DomainError as exc:
        if exc.code == "member_withdrawn":
            return None, Outcome.WITHDRAWN
        return None, Outcome.CARD_INVALID  # invalid, lost, pending, frozen card; an expired e-card code
    return member, None


def on_duty(store, today: dt.date, point: str | None = None):
    qs = DutyShift.objects.filter(store=store, date=today, staff__is_active=True)
    if point is not None:
        qs = qs.filter(Q(point=point) | Q(point=""))
    return qs


def recipients(member: Member, store, point: str, today: dt.date) -> tuple[list[Staff], str]:
    """The owner when on duty at this store today; else the duty staff of the area (or of the whole
    store); else the store's managers, so that a VIP is never announced to nobody."""
    shifts = list(on_duty(store, today).select_related("staff"))  # one query: a store's shifts of a day are few
    owner = member.owner
    if owner is not None and owner.is_active and any(s.staff_id == owner.pk for s in shifts):
        return [owner], Audience.OWNER
    duty = sorted({s.staff_id: s.staff for s in shifts if s.point in (point, "")}.values(), key=lambda staff: staff.pk)
    if duty:
        return duty, Audience.DUTY
    managers = list(Staff.objects.filter(stores=store, role=Role.STORE_MANAGER, is_active=True).order_by("pk"))
    return managers, Audience.MANAGER


def _event_text(n: Notice) -> str:
    return json.dumps({**n.payload, "id": n.pk, "state": n.state}, ensure_ascii=False)


def arrival_report(*, actor, store: str | None, point: str, data: dict) -> Arrival:
    """Record an arrival and announce it when it should be. `data` holds one identifier."""
    if actor is not None and not may_report(actor):
        raise PermissionDenied(_("Your role may not report arrivals."))
    if point not in Point.values:
        raise ValidationFailed(_("Choose where the person came in."), fields={"point": _("Unknown point.")})
    kind, value = clean_identifier(data)
    store_obj = posting_store(actor, store, None, action=None)
    if store_obj is None:
        raise ValidationFailed(_("Choose the store."), fields={"store": _("This field is required.")})
    member, why = recognise(kind, value, actor=actor, store=store_obj)  # before the transaction: a card flag stays
    now = timezone.now()
    today = clock.today()
    staff = actor if isinstance(actor, Staff) else None
    device = actor if getattr(actor, "is_api_client", False) else None
    facts, people, audience = None, [], ""
    with transaction.atomic():
        if member is not None:
            member = Member.objects.select_for_update(of=("self",)).select_related("owner").get(pk=member.pk)  # one announcement at a time
            # One statement after the lock: the consent, "announced lately" and what the notice says.
            facts = notices.member_facts(member.pk, store=store_obj, now=now, today=today,
                                         repeat_since=now - dt.timedelta(minutes=repeat_minutes()))
            if facts["recognition"] is not None and not facts["recognition"]:  # the latest recognition choice is a no
                why = Outcome.OPTED_OUT
            elif facts["announced_lately"]:
                why = Outcome.REPEAT
        if why is None:
            people, audience = recipients(member, store_obj, point, today)
            if not people:
                why = Outcome.NO_ONE
        arrival = Arrival.objects.create(store=store_obj, point=point, identified_by=kind, at=now, reported_by=staff, device=device,
                                         member=member if why in (None, Outcome.REPEAT, Outcome.NO_ONE) else None,
                                         outcome=why or Outcome.ANNOUNCED, audience=audience if why is None else "")
        if why is not None:
            return arrival
        tasks = notices.care_tasks_today(member, today, facts)
        made = []
        with translation.override(settings.LANGUAGE_CODE):
            for person in people:
                payload = notices.build(member, arrival, person, audience=str(Audience(audience).label), today=today,
                                        facts=facts, tasks=tasks)
                made.append(Notice.objects.create(arrival=arrival, staff=person, payload=payload, created_at=now))
        event_record(actor=actor, verb="arrival.announced", obj=member, payload={"store": store_obj.code, "point": point,
                                                                                 "to": [p.pk for p in people]})
        transaction.on_commit(lambda: [bus().publish(n.staff_id, _event_text(n)) for n in made])
    return arrival


def notices_since(staff, last_id: int | None, *, hours: int = 12, limit: int = 50) -> list[dict]:
    """What a page missed: after `last_id` (the stream's Last-Event-ID), or, on a fresh page, the
    notices of the last hours nobody has acted on yet."""
    since = timezone.now() - dt.timedelta(hours=hours)
    qs = Notice.objects.filter(staff=staff, created_at__gte=since)
    qs = qs.filter(pk__gt=last_id) if last_id is not None else qs.filter(state=NoticeState.NEW)
    return [json.loads(_event_text(n)) for n in qs.order_by("-id")[:limit][::-1]]


ACTS = {"greeted": NoticeState.GREETED, "taken": NoticeState.TAKEN}


def notice_act(*, actor, notice: int, act: str) -> Notice:
    """已问候 / 接待: the staff member greeted the member, or takes over the service. Either is an
    in-person contact in the care log; taking over also tells the other recipients' pages."""
    if act not in ACTS:
        raise ValidationFailed(_("Unknown action."), fields={"act": _("Unknown action.")})
    with transaction.atomic():
        n = Notice.objects.select_for_update(of=("self",)).select_related("arrival__member").filter(pk=notice, staff=actor).first()
        if n is None or n.arrival.member is None:
            raise NotFound(_("No such notice."), code="not_found")
        if n.state != NoticeState.NEW:
            raise DomainError(_("This notice has already been dealt with."), code="notice_done", status=409)
        n.state, n.acted_at = ACTS[act], timezone.now()
        n.save(update_fields=["state", "acted_at"])
        note = _("Greeted on arrival (%(point)s)") if act == "greeted" else _("Took over the service on arrival (%(point)s)")
        contact_log(actor=actor, member=n.arrival.member, kind=ContactKind.VISIT, channel=Channel.VISIT,
                    outcome=ContactOutcome.VISITED, note=note % {"point": n.arrival.get_point_display()})
    return n


def duty_set(*, actor, store, staff, point: str = "", on: dt.date | None = None, on_duty_now: bool = True) -> DutyShift | None:
    """Put someone on duty at a store (an area, or the whole store) for a day, or take them off.
    Anyone may put himself on duty at his own store; a manager (or HQ) anybody of the store."""
    on = on or clock.today()
    if point not in ("", *Point.values):
        raise ValidationFailed(_("Unknown area."), fields={"point": _("Unknown area.")})
    if actor is not None:  # None: the system itself (the demo, the bench)
        is_self = getattr(actor, "pk", None) == staff.pk
        if not (is_self or can(actor, Action.ROSTER_EDIT)):
            raise PermissionDenied(_("Only a manager may set another person's duty."))
        if not (getattr(actor, "is_superuser", False) or getattr(actor, "role", None) == Role.HQ_ADMIN) and store.pk not in actor.store_ids:
            raise PermissionDenied(_("Only for your own stores."))
    if store.pk not in staff.store_ids:
        raise ValidationFailed(_("%(who)s does not work in this store.") % {"who": staff}, fields={"staff": _("Other store.")})
    if not on_duty_now:
        DutyShift.objects.filter(store=store, staff=staff, date=on, point=point).delete()
        return None
    shift, _created = DutyShift.objects.get_or_create(store=store, staff=staff, date=on, point=point)
    return shift
