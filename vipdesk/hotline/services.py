"""Writes of the hotline: what kamailio reports (registrations, a call's route and each step's
outcome, hang-ups) and what staff do in the console (agent status, duty officer, called back).

Every report is idempotent on the call id and step, so a report kamailio sends twice changes nothing."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Action, can, require
from vipdesk.accounts.scoping import store_ids_in_scope
from vipdesk.core import parsing
from vipdesk.core.errors import DomainError, NotFound

from .choices import AgentStatus, CallOutcome, SeatKind, StepKind, StepWhen
from .models import Call, ChainStep, Line, MissedCall, Seat, StoreDuty
from .routing import Plan, plan_call
from .tickets import open_missed_call_ticket, ticket_called_back

EVENTS = ("answered", "failed", "unregistered", "unanswered", "abandoned", "ended")


def seat_registered(username: str, expires: int, at: dt.datetime | None = None) -> Seat | None:
    """A phone registered (expires > 0) or signed off (0). Unknown user names are ignored (None)."""
    at = at or timezone.now()
    seat = Seat.objects.filter(username=username).first()
    if seat is None:
        return None
    seat.registered_until = at + dt.timedelta(seconds=expires) if expires > 0 else None
    if expires > 0 and seat.idle_since is None:
        seat.idle_since = at
    seat.save(update_fields=["registered_until", "idle_since", "updated_at"])
    return seat


def call_route(*, caller: str, dialled: str, call_id: str, at: dt.datetime | None = None) -> Plan:
    """kamailio asks where a new call goes: plan it and log the call (once per call id)."""
    at = at or timezone.now()
    plan = plan_call(caller, dialled, at)
    Call.objects.get_or_create(call_id=call_id, defaults=dict(
        line=plan.line, caller=caller[:40], dialled=dialled[:64], member=plan.member, store_id=plan.store_id, vip=plan.vip, owner_id=plan.owner_id,
        ticket_ref=plan.ticket_ref[:40], in_hours=plan.in_hours, plan=plan.steps_json(), started_at=at,
        attempts=[{"event": "skipped", **s} for s in plan.skipped]))
    return plan


@transaction.atomic
def call_event(*, call_id: str, event: str, step: int, code: int = 0, at: dt.datetime | None = None) -> Call | None:
    """kamailio reports a step's outcome (answered, failed, unregistered), the end of the chain
    (unanswered, abandoned) or a hang-up (ended). Unknown calls are ignored (None)."""
    if event not in EVENTS:
        raise DomainError(_("Unknown call event."))
    at = at or timezone.now()
    call = Call.objects.select_for_update().filter(call_id=call_id).first()
    if call is None:
        return None
    record = {"step": step, "event": event, "code": code, "at": at.isoformat()}
    if record in call.attempts or any(a.get("event") == event and a.get("step") == step for a in call.attempts):
        return call
    call.attempts = [*call.attempts, record]
    planned = call.plan[step - 1] if 1 <= step <= len(call.plan) else None
    if event == "answered" and call.outcome == CallOutcome.RINGING and planned:
        call.outcome, call.answered_step, call.answered_at = CallOutcome.ANSWERED, step, at
        call.answered_by = planned["label"]
        if planned.get("seat"):
            call.answered_seat_id = planned["seat"]
            Seat.objects.filter(pk=planned["seat"]).update(on_call=True, updated_at=at)
    elif event == "unanswered" and call.outcome == CallOutcome.RINGING:
        call.outcome, call.ended_at = CallOutcome.MISSED, at
        _missed(call, at)
    elif event == "abandoned" and call.outcome == CallOutcome.RINGING:
        call.outcome, call.ended_at = CallOutcome.ABANDONED, at
    elif event == "ended" and call.outcome == CallOutcome.ANSWERED and call.ended_at is None:
        call.ended_at = at
        if call.answered_seat_id:
            Seat.objects.filter(pk=call.answered_seat_id).update(on_call=False, idle_since=at, updated_at=at)
    call.save()
    return call


def _missed(call: Call, at: dt.datetime) -> None:
    assignee = call.owner
    minutes = call.line.callback_minutes if call.line_id else 30
    open_missed_call_ticket(call=call, member=call.member, store=call.store, assignee=assignee, due_in_minutes=minutes, at=at)


# --- the console


def _seat_for(actor, pk: int) -> Seat:
    stores = store_ids_in_scope(actor)
    seat = Seat.objects.filter(pk=pk).first()
    if seat is None or stores is not None and seat.store_id not in stores:
        raise NotFound(_("No such seat."))
    return seat


def set_agent_status(actor, seat_pk: int, status: str) -> Seat:
    """An agent says they are available or away; a store manager may set their store's seats too."""
    require(actor, Action.HOTLINE, system=False)
    seat = _seat_for(actor, seat_pk)
    if status not in AgentStatus.values:
        raise DomainError(_("Choose available or away."), fields={"status": [_("Choose available or away.")]})
    if seat.user_id != actor.pk and not _may_manage(actor):
        raise DomainError(_("Only the agent of this seat or a store manager may change its status."))
    seat.agent_status = status
    seat.save(update_fields=["agent_status", "updated_at"])
    return seat


def _may_manage(actor) -> bool:
    return can(actor, Action.HOTLINE_MANAGE)


def set_duty_officer(actor, store_id: int, officer) -> StoreDuty:
    require(actor, Action.HOTLINE_MANAGE, system=False)
    stores = store_ids_in_scope(actor)
    if stores is not None and store_id not in stores:
        raise NotFound(_("No such store."))
    if officer is None or not officer.is_active:
        raise DomainError(_("Choose a member of staff."), fields={"officer": [_("Choose a member of staff.")]})
    duty, _created = StoreDuty.objects.update_or_create(store_id=store_id, defaults={"officer": officer})
    return duty


def staff_of_store(store_id: int):
    """Who may staff a store's desk or be its duty officer: its active staff."""
    return Staff.objects.filter(stores=store_id, is_active=True).distinct().order_by("username")


def seat_staff(actor, seat_pk: int, user_pk: int | None) -> Seat:
    """The duty roster: who staffs a store's duty desk (its calls ring whoever is on it); empty frees the desk.
    A manager's own seat belongs to that manager and is not rostered."""
    require(actor, Action.HOTLINE_MANAGE, system=False)
    seat = _seat_for(actor, seat_pk)
    if seat.kind != SeatKind.DESK:
        raise DomainError(_("A manager's seat belongs to its manager; only duty desks are rostered."))
    user = None
    if user_pk:
        user = staff_of_store(seat.store_id).filter(pk=user_pk).first()
        if user is None:
            text = _("Choose a member of staff of this store.")
            raise DomainError(text, fields={"user": [text]})
    seat.user = user
    seat.save(update_fields=["user", "updated_at"])
    return seat


def mark_called_back(actor, missed_pk: int, at: dt.datetime | None = None) -> MissedCall:
    require(actor, Action.HOTLINE, system=False)
    stores = store_ids_in_scope(actor)
    missed = MissedCall.objects.filter(pk=missed_pk).first()
    if missed is None or stores is not None and missed.store_id not in stores:
        raise NotFound(_("No such missed call."))
    if missed.called_back_at is None:
        with transaction.atomic():
            missed.called_back_at = at or timezone.now()
            missed.save(update_fields=["called_back_at", "updated_at"])
            ticket_called_back(actor, missed.number)
    return missed


# --- a line's hours and chain (HQ: every line; a store manager: the lines of her stores)

RING_MAX = 120  # seconds; the model's check constraint
CALLBACK_MAX = 24 * 60


def lines_for(actor):
    """The lines the actor may see: those whose area is one of her stores (HQ: all)."""
    require(actor, Action.HOTLINE, system=False)
    stores = store_ids_in_scope(actor)
    qs = Line.objects.select_related("store").order_by("number")
    return qs if stores is None else qs.filter(store_id__in=stores)


def line_for(actor, pk) -> Line:
    line = lines_for(actor).filter(pk=parsing.row_id(pk, _("No such hotline."))).first()
    if line is None:
        raise NotFound(_("No such hotline."))
    return line


def _time(value, key: str, problems: parsing.Problems) -> dt.time | None:
    if isinstance(value, dt.time):
        return value
    text = str(value or "").strip()
    if not text:
        problems.add(key, _("This field is required."))
        return None
    try:
        return dt.time.fromisoformat(text)
    except ValueError:
        problems.add(key, _("Give a time such as 09:00."))
        return None


def _steps(rows, problems: parsing.Problems) -> list[dict]:
    """The chain as typed: rows of {kind, ring_seconds, when}; a row with no kind is left out.
    Errors are keyed steps-<i>-<field> (the row's index as given)."""
    out = []
    for i, row in enumerate(rows):
        kind = str(row.get("kind") or "").strip()
        if not kind:
            continue
        key = f"steps-{i}-"
        kind = parsing.choice(kind, key + "kind", problems, StepKind)
        ring = parsing.whole(row.get("ring_seconds"), key + "ring_seconds", problems, minimum=1, maximum=RING_MAX)
        when = parsing.choice(row.get("when") or StepWhen.ALWAYS, key + "when", problems, StepWhen)
        out.append({"kind": kind, "ring_seconds": ring, "when": when})
    if not out:
        problems.add("steps", _("Give at least one step: who rings first."))
    return out


@transaction.atomic
def line_create(*, actor, data: dict) -> Line:
    """A new line: the number dialled (digits, unused) and the store whose duty desk takes callers
    who are not members (one of the actor's stores), then its hours and chain as in line_save."""
    require(actor, Action.HOTLINE_MANAGE, system=False)
    problems = parsing.Problems()
    number = parsing.text(data.get("number"), "number", problems, limit=32, required=True)
    if number and not number.isdigit():
        problems.add("number", _("Digits only, as callers dial it."))
    elif number and Line.objects.filter(number=number).exists():
        problems.add("number", _("Another line already has this number."))
    stores = store_ids_in_scope(actor)
    store = data.get("store")
    if store is None or not getattr(store, "active", False) or stores is not None and store.pk not in stores:
        problems.add("store", _("Choose one of your stores."))
    typed = _line_fields(data, problems)
    problems.raise_if_any()
    line = Line(number=number, store=store)
    return _line_write(line, typed)


@transaction.atomic
def line_save(*, actor, line: Line, data: dict) -> Line:
    """Change a line's name, hours, call-back time and its ordered chain (the steps replace the old
    ones, in the order given). Refused per field: nothing is saved unless everything is right."""
    require(actor, Action.HOTLINE_MANAGE, system=False)
    line = line_for(actor, line.pk)
    line = Line.objects.select_for_update().get(pk=line.pk)
    problems = parsing.Problems()
    typed = _line_fields(data, problems)
    problems.raise_if_any()
    return _line_write(line, typed)


def _line_fields(data: dict, problems: parsing.Problems) -> dict:
    """Read (and check) a line's name, hours, call-back time and chain: the typed values."""
    name = parsing.text(data.get("name"), "name", problems, limit=60, required=True)
    days = "".join(sorted(set(str(d) for d in (data.get("open_days") or []))))
    if not days or any(d not in "1234567" for d in days):
        problems.add("open_days", _("Choose the days the line is open."))
    open_from = _time(data.get("open_from"), "open_from", problems)
    open_to = _time(data.get("open_to"), "open_to", problems)
    callback = parsing.whole(data.get("callback_minutes"), "callback_minutes", problems, minimum=1, maximum=CALLBACK_MAX)
    active = parsing.flag(data.get("active"))
    steps = _steps(data.get("steps") or [], problems)
    return dict(name=name, open_days=days, open_from=open_from, open_to=open_to, callback_minutes=callback, active=active, steps=steps)


def _line_write(line: Line, typed: dict) -> Line:
    typed = dict(typed)
    steps = typed.pop("steps")
    for key, value in typed.items():
        setattr(line, key, value)
    line.save()
    line.steps.all().delete()
    ChainStep.objects.bulk_create([ChainStep(line=line, position=i, **step) for i, step in enumerate(steps, start=1)])
    return line
