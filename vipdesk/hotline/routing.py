"""Where a call to a hotline goes (R12.2, seed 000 篇4): the ordered chain kamailio rings.

`plan_call` reads the line's chain (data: `ChainStep` rows with ring times and hours) and who the
caller is, and answers the steps in order:

- a VIP (an active member with a dedicated manager): the manager's seat → the manager's mobile →
  the duty desks of the member's area, the one idle longest first → the duty officer's mobile;
- anyone else: only the duty desk and duty officer steps, for the line's own area;
- staff keying a ticket number after the line (`<line>*<ticket>`): the ticket's owner's seat, then mobile;
- outside the line's hours only the steps marked "always" or "outside hours" ring.

A seat rings only if it is registered (kamailio's REGISTER reports), not on a call and its agent is
available (the console); a mobile only if the line has a gateway and the person has a mobile.
Nobody left to ring → kamailio reports "unanswered" at once and a missed-call ticket is opened.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.db.models import F

from vipdesk.core.clock import store_tz
from vipdesk.members.choices import MemberStatus
from vipdesk.members.models import Member

from .choices import AgentStatus, SeatKind, StepKind, StepWhen
from .models import Line, Seat, StoreDuty
from .tickets import ticket_owner

TICKET_SEPARATOR = "*"


@dataclass
class Step:
    kind: str
    label: str
    uri: str
    ring: int
    lookup: bool            # a registered seat kamailio looks up, or an outside number sent to the gateway
    seat: int | None = None


@dataclass
class Plan:
    line: Line | None
    member: Member | None = None
    store_id: int | None = None
    vip: bool = False
    in_hours: bool = True
    ticket_ref: str = ""
    owner_id: int | None = None       # who gets the missed-call ticket
    steps: list[Step] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)  # steps left out, and why (busy, away, not registered)

    def for_kamailio(self) -> dict:
        """Flat JSON kamailio's json module reads: n, then u<i> (URI), r<i> (ring seconds), l<i> (look up)."""
        out: dict[str, str] = {"n": str(len(self.steps))}
        for i, step in enumerate(self.steps, start=1):
            out[f"u{i}"], out[f"r{i}"], out[f"l{i}"] = step.uri, str(step.ring), "1" if step.lookup else "0"
        return out

    def steps_json(self) -> list[dict]:
        return [asdict(s) for s in self.steps]


def sip_domain() -> str:
    return getattr(settings, "VIPDESK_SIP_DOMAIN", "") or "hotline.example.com"


def in_hours(line: Line, at: dt.datetime) -> bool:
    local = at.astimezone(store_tz(line.store))
    if str(local.isoweekday()) not in line.open_days:
        return False
    t = local.time()
    if line.open_from == line.open_to:
        return True  # around the clock on the open days
    if line.open_from < line.open_to:
        return line.open_from <= t < line.open_to
    return t >= line.open_from or t < line.open_to  # a night line past midnight


def seat_free(seat: Seat, at: dt.datetime) -> str:
    """'' when the seat may ring, else why not."""
    if seat.registered_until is None or seat.registered_until <= at:
        return "not_registered"
    if seat.agent_status != AgentStatus.AVAILABLE:
        return "away"
    if seat.on_call:
        return "busy"
    return ""


def _seat_step(seat: Seat, kind: str, ring: int) -> Step:
    return Step(kind=kind, label=seat.label, uri=f"sip:{seat.username}@{sip_domain()}", ring=ring, lookup=True, seat=seat.pk)


def _mobile_step(line: Line, user, kind: str, ring: int) -> Step | None:
    mobile = getattr(user, "mobile", "") if user is not None else ""
    if not (line.gateway and mobile):
        return None
    return Step(kind=kind, label=str(user), uri=f"sip:{mobile}@{line.gateway}", ring=ring, lookup=False)


def find_line(dialled: str) -> tuple[Line | None, str]:
    number, _sep, ticket = dialled.partition(TICKET_SEPARATOR)
    return Line.objects.select_related("store").filter(number=number, active=True).first(), ticket


def find_vip(caller: str) -> Member | None:
    member = (Member.objects.select_related("owner", "home_store")
              .filter(mobile=caller, status=MemberStatus.ACTIVE).first()) if caller.isdigit() else None
    return member if member is not None and member.owner_id else None


def _is_staff_caller(caller: str) -> bool:
    from django.contrib.auth import get_user_model
    return (Seat.objects.filter(username=caller).exists()
            or get_user_model().objects.filter(mobile=caller, is_active=True).exclude(mobile="").exists())


def plan_call(caller: str, dialled: str, at: dt.datetime) -> Plan:
    line, ticket = find_line(dialled)
    if line is None:
        return Plan(line=None)
    plan = Plan(line=line, in_hours=in_hours(line, at))
    owner = None
    if ticket and _is_staff_caller(caller):
        owner = ticket_owner(ticket)
        plan.ticket_ref = ticket if owner is not None else ""
    if owner is None:
        plan.member = find_vip(caller)
        plan.vip = plan.member is not None
    store = plan.member.home_store if plan.member is not None else line.store
    plan.store_id = store.pk
    duty = StoreDuty.objects.select_related("officer").filter(store=store).first()
    officer = duty.officer if duty else None
    manager = owner if owner is not None else (plan.member.owner if plan.vip else None)
    plan.owner_id = (manager or officer).pk if (manager or officer) else None
    for step in line.steps.all():
        if step.when == StepWhen.OPEN and not plan.in_hours or step.when == StepWhen.CLOSED and plan.in_hours:
            continue
        if step.kind in (StepKind.MANAGER_SEAT, StepKind.MANAGER_MOBILE) and manager is None:
            continue
        if owner is not None and step.kind in (StepKind.DUTY_DESK, StepKind.DUTY_MOBILE):
            continue  # a ticket number reaches its owner, nobody else
        _add(plan, step, line, store, manager, officer, at)
    return plan


def _add(plan: Plan, step, line, store, manager, officer, at) -> None:
    if step.kind == StepKind.MANAGER_SEAT:
        seats = list(Seat.objects.filter(user=manager, kind=SeatKind.MANAGER))
        candidates = seats
    elif step.kind == StepKind.DUTY_DESK:
        # the desk idle longest first; a desk never used yet counts as idle longest
        candidates = list(Seat.objects.filter(store=store, kind=SeatKind.DESK)
                          .order_by(F("idle_since").asc(nulls_first=True), "pk"))
    else:
        person = manager if step.kind == StepKind.MANAGER_MOBILE else officer
        mobile = _mobile_step(line, person, step.kind, step.ring_seconds)
        if mobile is not None:
            plan.steps.append(mobile)
        else:
            plan.skipped.append({"kind": step.kind, "why": "no_mobile"})
        return
    if not candidates:
        plan.skipped.append({"kind": step.kind, "why": "no_seat"})
    for seat in candidates:
        why = seat_free(seat, at)
        if why:
            plan.skipped.append({"kind": step.kind, "label": seat.label, "why": why})
        else:
            plan.steps.append(_seat_step(seat, step.kind, step.ring_seconds))
