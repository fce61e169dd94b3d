"""Writes of the service desk (R12.3). Console, API, portal, the hotline and the queue call these.

Each service is keyword-only, runs in one transaction with the ticket row locked, checks the
actor (None: the system — the portal on the member's behalf, a missed call, the escalation task)
and writes a TicketEvent; the member is told through the messaging outbox (notify.py).

Who may act on a ticket: staff with the FEEDBACK capability in the ticket's store. Accepting,
handing over, resolving and closing are for the ticket's worker — its assignee, a staff member of
its desk — or a manager (COMPLAINT_MANAGE); anyone of the store may reply to the member.
"""
from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Action, Role, can, require
from vipdesk.accounts.scoping import store_ids_in_scope
from vipdesk.audit.services import actor_fields
from vipdesk.core import parsing
from vipdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from vipdesk.core.models import Sequence
from vipdesk.members.choices import MemberStatus
from vipdesk.members.services import member_for_actor

from . import notify
from .choices import MOVES, SATISFACTION, UNRESOLVED, ClockMode, Source, TicketStatus
from .hours import due_after
from .models import Desk, Ticket, TicketEvent, TicketKind

# code → (name, hours, counted). Seed 002: a property emergency is answered within 24 hours; seed
# 004: the SVIP butler answers a request at any hour (2 h, the figure). The others are
# settings (no seed gives them) counted in store hours. "missed_call": the hotline's callback.
DEFAULT_KINDS = [
    ("after_sales", "售后服务", 24, ClockMode.BUSINESS, True),
    ("alteration", "改衣（修改尺寸）", 48, ClockMode.BUSINESS, True),
    ("delivery", "送货上门", 48, ClockMode.BUSINESS, True),
    ("reservation", "预约到店", 4, ClockMode.BUSINESS, True),
    ("property_emergency", "物业紧急报修", 24, ClockMode.AROUND, True),
    ("svip_request", "SVIP 管家服务", 2, ClockMode.AROUND, False),  # asked through the butler, not the portal
    ("missed_call", "未接 VIP 来电回电", 1, ClockMode.AROUND, False),
]


@transaction.atomic
def kinds_install_default() -> list[TicketKind]:
    return [TicketKind.objects.get_or_create(code=code, defaults={"name": name, "hours": hours, "clock": mode,
                                                                  "member_visible": visible})[0]
            for code, name, hours, mode, visible in DEFAULT_KINDS]


def kind_get(code: str) -> TicketKind:
    kind = TicketKind.objects.filter(code=code).first()
    if kind is None and any(code == row[0] for row in DEFAULT_KINDS):
        kind = next(k for k in kinds_install_default() if k.code == code)
    if kind is None or not kind.active:
        raise ValidationFailed(_("Choose an active ticket kind."), fields={"kind": _("Unknown or inactive kind.")})
    return kind


def _check_store(actor, store) -> None:
    if actor is None or store is None:
        return
    ids = store_ids_in_scope(actor)
    if ids is not None and store.pk not in ids:
        raise NotFound(_("No such store in your scope."), code="store_out_of_scope")


def _staff_ok(person, store, field: str = "assignee") -> None:
    if person is None:
        return
    if not isinstance(person, Staff) or not person.is_active or person.role == Role.AUDITOR:
        raise ValidationFailed(_("Choose an active staff member."), fields={field: _("Not an active staff member.")})
    if person.role in Role.STORE_ROLES and store.pk not in person.store_ids:
        raise ValidationFailed(_("This staff member does not work in the ticket's store."), fields={field: _("Not in this store.")})


def _desk_ok(desk, store) -> None:
    if desk is not None and (not desk.active or desk.store_id != store.pk):
        raise ValidationFailed(_("Choose an active desk of the ticket's store."), fields={"desk": _("Not a desk of this store.")})


def _event(ticket: Ticket, *, actor, verb: str, at: dt.datetime, from_status: str = "", note: str = "", to_member: bool = False,
           payload: dict | None = None) -> TicketEvent:
    event = TicketEvent.objects.create(ticket=ticket, at=at, verb=verb, from_status=from_status, to_status=ticket.status, note=note,
                                       to_member=to_member, payload=payload or {}, **actor_fields(actor))
    notify.tell_member(ticket, event)
    return event


@transaction.atomic
def ticket_open(*, kind_code: str, member=None, store=None, assignee=None, desk=None, source: str = Source.CONSOLE,
                description: str = "", due_in_minutes: int | None = None, actor=None, reference: str = "",
                opened_at: dt.datetime | None = None) -> Ticket:
    """Open a ticket of the kind `kind_code` for `member` at `store` (default: her home store).

    The deadline is the kind's hours after the opening (around the clock or in the store's hours);
    `due_in_minutes` sets it plainly instead (the hotline's "call back within N minutes"). Given no
    assignee and no desk, the ticket goes to the store's first active desk. `reference` (the
    caller's key, e.g. the call id) makes a retry return the first ticket. actor None: the system."""
    if actor is not None:
        require(actor, Action.FEEDBACK)
    problems = parsing.Problems()
    source = parsing.choice(source or Source.CONSOLE, "source", problems, Source)
    description = parsing.text(description, "description", problems, limit=4000)
    reference = parsing.text(reference, "reference", problems, limit=60)
    if due_in_minutes is not None:
        due_in_minutes = parsing.whole(due_in_minutes, "due_in_minutes", problems, minimum=1, maximum=60 * 24 * 90)
    problems.raise_if_any()
    kind = kind_get(kind_code)
    if reference:
        found = Ticket.objects.filter(source=source, reference=reference).first()
        if found is not None:
            return found
    if member is not None:
        member = member_for_actor(actor, getattr(member, "pk", member))
        if member.status == MemberStatus.WITHDRAWN:
            raise Conflict(_("The member has withdrawn; the file is closed."), code="member_withdrawn")
    store = store or getattr(member, "home_store", None)
    if store is None or not store.active:
        raise ValidationFailed(_("Choose a store."), fields={"store": _("Choose a store.")})
    _check_store(actor, store)
    _staff_ok(assignee, store)
    _desk_ok(desk, store)
    if assignee is None and desk is None:
        desk = Desk.objects.filter(store=store, active=True).order_by("code").first()
    if not description:
        description = kind.name
    now = timezone.now()
    opened_at = opened_at or now
    due = (opened_at + dt.timedelta(minutes=due_in_minutes) if due_in_minutes is not None
           else due_after(opened_at, kind.hours, kind.clock, store))
    try:
        with transaction.atomic():
            ticket = Ticket.objects.create(
                number=f"GD{Sequence.next('ticket'):08d}", kind=kind, member=member, store=store, desk=desk, assignee=assignee,
                source=source, description=description, opened_at=opened_at, due_at=due, reference=reference,
                created_by=actor if isinstance(actor, Staff) else None)
    except IntegrityError:  # a twin call with the same reference won the race
        found = Ticket.objects.filter(source=source, reference=reference).first() if reference else None
        if found is None:
            raise
        return found
    _event(ticket, actor=actor, verb="opened", at=now,
           payload={"kind": kind.code, "due_at": due.isoformat(), "desk": getattr(desk, "pk", None),
                    "assignee": getattr(assignee, "pk", None), "source": source})
    return ticket


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update(of=("self",)).select_related("kind", "store", "desk", "member").get(pk=ticket.pk)


def is_worker(actor, ticket: Ticket) -> bool:
    """The assignee, a staff member of the ticket's desk, or a manager."""
    if actor is None or can(actor, Action.COMPLAINT_MANAGE):
        return True
    pk = getattr(actor, "pk", None)
    if ticket.assignee_id is not None and ticket.assignee_id == pk:
        return True
    return ticket.desk_id is not None and isinstance(actor, Staff) and ticket.desk.staff.filter(pk=pk).exists()


def _begin(actor, ticket: Ticket, verb: str, *, worker: bool = True) -> Ticket:
    if actor is not None:
        require(actor, Action.FEEDBACK)
    ticket = _locked(ticket)
    _check_store(actor, ticket.store)
    if worker and not is_worker(actor, ticket):
        raise PermissionDenied(_("Only the ticket's assignee, its desk's staff or a manager may do this."))
    allowed, _to = MOVES[verb]
    if ticket.status not in allowed:
        raise Conflict(_("The ticket is %(status)s: this cannot be done now.") % {"status": ticket.get_status_display()},
                       code="illegal_transition")
    return ticket


def _note(value: str, field: str, *, required: bool = False, limit: int = 2000) -> str:
    problems = parsing.Problems()
    value = parsing.text(value, field, problems, limit=limit, required=required)
    problems.raise_if_any()
    return value


@transaction.atomic
def ticket_accept(*, actor, ticket: Ticket, note: str = "") -> Ticket:
    """The worker takes the ticket; a desk's ticket becomes the accepting person's."""
    ticket = _begin(actor, ticket, "accept")
    note = _note(note, "note")
    now, before = timezone.now(), ticket.status
    ticket.status, ticket.accepted_at = TicketStatus.ACCEPTED, ticket.accepted_at or now
    if isinstance(actor, Staff):
        ticket.assignee = actor
    ticket.save(update_fields=["status", "accepted_at", "assignee", "updated_at"])
    _event(ticket, actor=actor, verb="accepted", at=now, from_status=before, note=note, payload={"assignee": ticket.assignee_id})
    return ticket


@transaction.atomic
def ticket_reply(*, actor, ticket: Ticket, text: str) -> TicketEvent:
    """A text for the member: kept in the ticket's log and sent to her."""
    ticket = _begin(actor, ticket, "reply", worker=False)
    text = _note(text, "reply", required=True)
    if ticket.member_id is None:
        raise ValidationFailed(_("The ticket names no member to reply to."), fields={"reply": _("No member.")})
    return _event(ticket, actor=actor, verb="replied", at=timezone.now(), note=text, to_member=True)


@transaction.atomic
def ticket_handover(*, actor, ticket: Ticket, assignee=None, desk=None, note: str = "") -> Ticket:
    """Give the ticket to another person or desk; it waits for them to accept it. The deadline stays."""
    ticket = _begin(actor, ticket, "handover")
    note = _note(note, "note")
    if assignee is None and desk is None:
        raise ValidationFailed(_("Choose a person or a desk."), fields={"assignee": _("Choose a person or a desk.")})
    _staff_ok(assignee, ticket.store)
    _desk_ok(desk, ticket.store)
    before = {"assignee": ticket.assignee_id, "desk": ticket.desk_id}
    from_status = ticket.status
    ticket.assignee, ticket.status = assignee, TicketStatus.OPEN
    if desk is not None:
        ticket.desk = desk
    ticket.save(update_fields=["assignee", "desk", "status", "updated_at"])
    _event(ticket, actor=actor, verb="handed_over", at=timezone.now(), from_status=from_status, note=note,
           payload={"from": before, "to": {"assignee": ticket.assignee_id, "desk": ticket.desk_id}})
    return ticket


@transaction.atomic
def ticket_resolve(*, actor, ticket: Ticket, note: str) -> Ticket:
    """Done: what was done is said to the member (required)."""
    ticket = _begin(actor, ticket, "resolve")
    note = _note(note, "note", required=True)
    now, before = timezone.now(), ticket.status
    ticket.status, ticket.resolved_at = TicketStatus.RESOLVED, now
    ticket.save(update_fields=["status", "resolved_at", "updated_at"])
    _event(ticket, actor=actor, verb="resolved", at=now, from_status=before, note=note, to_member=True,
           payload={"on_time": now <= ticket.due_at})
    return ticket


@transaction.atomic
def ticket_reopen(*, actor, ticket: Ticket, note: str) -> Ticket:
    """The member is not satisfied with the resolution: back to work (the deadline stays)."""
    ticket = _begin(actor, ticket, "reopen")
    note = _note(note, "note", required=True)
    before = ticket.status
    ticket.status, ticket.resolved_at = TicketStatus.ACCEPTED, None
    ticket.save(update_fields=["status", "resolved_at", "updated_at"])
    _event(ticket, actor=actor, verb="reopened", at=timezone.now(), from_status=before, note=note)
    return ticket


@transaction.atomic
def ticket_close(*, actor, ticket: Ticket, satisfaction, note: str = "") -> Ticket:
    """Close a resolved ticket with the member's satisfaction (1–5, as she said it)."""
    ticket = _begin(actor, ticket, "close")
    problems = parsing.Problems()
    score = parsing.whole(satisfaction, "satisfaction", problems, minimum=SATISFACTION.start, maximum=SATISFACTION.stop - 1,
                          required=True)
    note = parsing.text(note, "note", problems, limit=2000)
    problems.raise_if_any()
    now, before = timezone.now(), ticket.status
    ticket.status, ticket.closed_at, ticket.satisfaction = TicketStatus.CLOSED, now, score
    ticket.save(update_fields=["status", "closed_at", "satisfaction", "updated_at"])
    _event(ticket, actor=actor, verb="closed", at=now, from_status=before, note=note, payload={"satisfaction": score})
    return ticket


def manager_of(ticket: Ticket):
    """Whom an overdue ticket goes to: the desk's manager, else the store's first active store manager."""
    if ticket.desk_id and ticket.desk.manager_id and ticket.desk.manager.is_active:
        return ticket.desk.manager
    return Staff.objects.filter(role=Role.STORE_MANAGER, is_active=True, stores=ticket.store_id).order_by("pk").first()


def tickets_escalate(*, now: dt.datetime | None = None) -> dict:
    """Unresolved tickets past their deadline go to the manager, once each (escalated_at). Run by
    the queue every minute (tasks.py) and by `vipdesk tickets escalate`; a second run finds nothing."""
    now = now or timezone.now()
    done = []
    ids = list(Ticket.objects.filter(status__in=UNRESOLVED, escalated_at__isnull=True, due_at__lt=now)
               .order_by("due_at", "pk").values_list("pk", flat=True)[:1000])
    for pk in ids:
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update(of=("self",)).select_related("desk__manager", "store").filter(
                pk=pk, status__in=UNRESOLVED, escalated_at__isnull=True).first()
            if ticket is None:
                continue
            manager = manager_of(ticket)
            Ticket.objects.filter(pk=pk).update(escalated_at=now, escalated_to=manager, updated_at=now)
            ticket.escalated_at, ticket.escalated_to = now, manager
            TicketEvent.objects.create(ticket=ticket, at=now, verb="escalated", to_status=ticket.status,
                                       payload={"to": getattr(manager, "pk", None), "due_at": ticket.due_at.isoformat()})
            done.append(ticket.number)
    return {"escalated": len(done), "tickets": done[:100]}


@transaction.atomic
def desk_save(*, actor, code: str, name: str, store, manager=None, staff=(), active: bool = True) -> Desk:
    """Create or change a desk (managers of its store)."""
    require(actor, Action.COMPLAINT_MANAGE)
    _check_store(actor, store)
    problems = parsing.Problems()
    code = parsing.text(code, "code", problems, limit=30, required=True)
    name = parsing.text(name, "name", problems, limit=60, required=True)
    problems.raise_if_any()
    _staff_ok(manager, store, "manager")
    for person in staff:
        _staff_ok(person, store, "staff")
    desk = Desk.objects.select_for_update().filter(code=code).first()
    if desk is not None:
        _check_store(actor, desk.store)
    desk = desk or Desk(code=code)
    desk.name, desk.store, desk.manager, desk.active = name, store, manager, active
    desk.save()
    desk.staff.set(list(staff))
    return desk

