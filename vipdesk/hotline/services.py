"""Writes of the hotline: what kamailio reports (registrations, a call's route and each step's
outcome, hang-ups) and what staff do in the console (agent status, duty officer, called back).

Every report is idempotent on the call id and step, so a report kamailio sends twice changes nothing."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, require
from vipdesk.accounts.scoping import store_ids_in_scope
from vipdesk.core.errors import DomainError, NotFound

from .choices import AgentStatus, CallOutcome
from .models import Call, MissedCall, Seat, StoreDuty
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
    from vipdesk.accounts.roles import can
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
