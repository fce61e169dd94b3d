"""Every branch of the routing chain (issue 19 §3): idle manager, busy manager, away, unregistered,
no answer anywhere, non-VIP, outside hours, a ticket number keyed in; plus the reports' effects."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from vipdesk.hotline import services
from vipdesk.hotline.choices import AgentStatus, CallOutcome, StepKind
from vipdesk.hotline.models import Call, MissedCall, Seat
from vipdesk.servicedesk.models import Ticket
from vipdesk.hotline.routing import in_hours, plan_call

pytestmark = pytest.mark.django_db


def _register(*seats, expires=300):
    for seat in seats:
        services.seat_registered(seat.username, expires)


def _kinds(plan):
    return [(s.kind, s.label) for s in plan.steps]


def test_idle_manager_rings_first_then_mobile_then_desks_idle_longest_first_then_duty_officer(hotline):
    _register(hotline["seat"], hotline["desk1"], hotline["desk2"])
    now = timezone.now()
    Seat.objects.filter(pk=hotline["desk1"].pk).update(idle_since=now - dt.timedelta(minutes=5))
    Seat.objects.filter(pk=hotline["desk2"].pk).update(idle_since=now - dt.timedelta(minutes=50))
    plan = plan_call(hotline["vip"].mobile, "95588", now)
    assert plan.vip and plan.owner_id == hotline["manager"].pk
    assert [k for k, _l in _kinds(plan)] == [StepKind.MANAGER_SEAT, StepKind.MANAGER_MOBILE, StepKind.DUTY_DESK,
                                            StepKind.DUTY_DESK, StepKind.DUTY_MOBILE]
    assert [label for _k, label in _kinds(plan)][2:4] == ["值班台2", "值班台1"]  # idle 50 min before idle 5 min
    flat = plan.for_kamailio()
    assert flat["n"] == "5" and flat["u1"] == "sip:seat-mgr@hotline.example.com" and flat["l1"] == "1"
    assert flat["u2"] == "sip:13900000001@127.0.0.1:8149" and flat["l2"] == "0" and flat["r2"] == "2"


def test_busy_manager_is_skipped_and_the_chain_goes_on(hotline):
    _register(hotline["seat"], hotline["desk1"])
    Seat.objects.filter(pk=hotline["seat"].pk).update(on_call=True)
    plan = plan_call(hotline["vip"].mobile, "95588", timezone.now())
    assert plan.steps[0].kind == StepKind.MANAGER_MOBILE
    assert {"kind": StepKind.MANAGER_SEAT, "label": "客户经理席", "why": "busy"} in plan.skipped


def test_away_and_unregistered_seats_do_not_ring(hotline):
    _register(hotline["seat"], hotline["desk1"])
    Seat.objects.filter(pk=hotline["seat"].pk).update(agent_status=AgentStatus.AWAY)
    plan = plan_call(hotline["vip"].mobile, "95588", timezone.now())
    whys = {(s.get("label"), s["why"]) for s in plan.skipped}
    assert ("客户经理席", "away") in whys and ("值班台2", "not_registered") in whys
    assert [s.label for s in plan.steps if s.kind == StepKind.DUTY_DESK] == ["值班台1"]


def test_registration_runs_out(hotline, clock):
    _register(hotline["seat"])
    clock.shift(dt.timedelta(seconds=301))
    plan = plan_call(hotline["vip"].mobile, "95588", timezone.now())
    assert StepKind.MANAGER_SEAT not in [s.kind for s in plan.steps]


def test_a_caller_who_is_no_vip_goes_to_the_lines_duty_desk_only(hotline):
    _register(hotline["seat"], hotline["desk1"])
    plan = plan_call("13700009999", "95588", timezone.now())
    assert not plan.vip and plan.member is None
    assert [k for k, _l in _kinds(plan)] == [StepKind.DUTY_DESK, StepKind.DUTY_MOBILE]
    assert plan.owner_id == hotline["officer"].pk


def test_a_member_without_a_dedicated_manager_or_withdrawn_is_no_vip(hotline):
    from vipdesk.members.models import Member
    Member.objects.filter(pk=hotline["vip"].pk).update(status="withdrawn")
    assert not plan_call(hotline["vip"].mobile, "95588", timezone.now()).vip


def test_outside_hours_only_the_always_steps_ring(hotline):
    line = hotline["line"]
    line.open_from, line.open_to = dt.time(9), dt.time(18)
    line.save()
    _register(hotline["seat"], hotline["desk1"], expires=3 * 86400)
    at = timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time(21)))
    assert not in_hours(line, at)
    plan = plan_call(hotline["vip"].mobile, "95588", at)
    assert not plan.in_hours
    assert [k for k, _l in _kinds(plan)] == [StepKind.MANAGER_MOBILE, StepKind.DUTY_MOBILE]
    inside = timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time(10)))
    assert in_hours(line, inside) and plan_call(hotline["vip"].mobile, "95588", inside).steps[0].kind == StepKind.MANAGER_SEAT


def test_hours_past_midnight_and_closed_days(hotline):
    line = hotline["line"]
    line.open_from, line.open_to, line.open_days = dt.time(20), dt.time(2), "12345"
    day = timezone.localdate() + dt.timedelta(days=1)
    monday = day + dt.timedelta(days=(7 - day.weekday()) % 7)
    at = lambda d, h: timezone.make_aware(dt.datetime.combine(d, dt.time(h)))  # noqa: E731
    assert in_hours(line, at(monday, 23)) and in_hours(line, at(monday, 1)) and not in_hours(line, at(monday, 12))
    assert not in_hours(line, at(monday + dt.timedelta(days=5), 23))  # Saturday


def test_no_answer_anywhere_opens_a_missed_call_ticket_for_the_manager(hotline):
    _register(hotline["seat"], hotline["desk1"])
    plan = services.call_route(caller=hotline["vip"].mobile, dialled="95588", call_id="c1")
    for step in range(1, len(plan.steps) + 1):
        services.call_event(call_id="c1", event="failed", step=step, code=408)
    call = services.call_event(call_id="c1", event="unanswered", step=len(plan.steps), code=480)
    assert call.outcome == CallOutcome.MISSED
    missed = MissedCall.objects.get(call=call)
    assert missed.assignee == hotline["manager"] and missed.callback_due == call.ended_at + dt.timedelta(minutes=30)
    # the service desk's ticket: on the manager's board, due when the callback is, escalated if late
    ticket = Ticket.objects.get(number=missed.number)
    assert (ticket.kind.code, ticket.source, ticket.assignee, ticket.member) == ("missed_call", "missed_call", hotline["manager"], hotline["vip"])
    assert ticket.due_at == missed.callback_due and ticket.status == "open"
    services.call_event(call_id="c1", event="unanswered", step=len(plan.steps), code=480)  # repeated report
    assert MissedCall.objects.count() == 1 and Ticket.objects.count() == 1
    services.mark_called_back(hotline["manager"], missed.pk)  # called back: the ticket is resolved
    ticket.refresh_from_db()
    assert ticket.status == "resolved"


def test_nobody_to_ring_at_all_is_a_missed_call_at_once(hotline):
    hotline["line"].gateway = ""
    hotline["line"].save()
    plan = services.call_route(caller=hotline["vip"].mobile, dialled="95588", call_id="c0")
    assert plan.steps == [] and plan.for_kamailio() == {"n": "0"}
    services.call_event(call_id="c0", event="unanswered", step=0, code=480)
    assert MissedCall.objects.get().assignee == hotline["manager"]


def test_answered_then_ended_marks_the_seat_busy_then_idle(hotline):
    _register(hotline["seat"])
    services.call_route(caller=hotline["vip"].mobile, dialled="95588", call_id="c2")
    call = services.call_event(call_id="c2", event="answered", step=1, code=200)
    assert call.answered_by == "客户经理席" and Seat.objects.get(pk=hotline["seat"].pk).on_call
    # while busy, the next VIP call skips the seat
    assert plan_call(hotline["vip"].mobile, "95588", timezone.now()).steps[0].kind == StepKind.MANAGER_MOBILE
    call = services.call_event(call_id="c2", event="ended", step=0)
    seat = Seat.objects.get(pk=hotline["seat"].pk)
    assert not seat.on_call and seat.idle_since == call.ended_at and call.wait_seconds is not None


def test_a_ticket_number_keyed_in_by_staff_reaches_the_tickets_owner(hotline):
    _register(hotline["seat"], hotline["desk1"])
    services.call_route(caller=hotline["vip"].mobile, dialled="95588", call_id="c3")
    services.call_event(call_id="c3", event="unanswered", step=0)
    ticket = MissedCall.objects.get()
    # the duty desk keys in the ticket's number: the manager's seat, then mobile, nobody else
    plan = plan_call("desk-1", f"95588*{ticket.number[2:].lstrip('0')}", timezone.now())
    assert plan.ticket_ref and plan.owner_id == hotline["manager"].pk and not plan.vip
    assert [k for k, _l in _kinds(plan)] == [StepKind.MANAGER_SEAT, StepKind.MANAGER_MOBILE]
    # a caller who is not staff cannot use it: an ordinary call
    assert [k for k, _l in _kinds(plan_call("13700009999", f"95588*{ticket.number}", timezone.now()))][0] == StepKind.DUTY_DESK
    # a ticket done with reaches nobody: the call is routed as usual
    services.mark_called_back(hotline["manager"], ticket.pk)
    assert plan_call("desk-1", f"95588*{ticket.number}", timezone.now()).ticket_ref == ""


def test_unknown_line_calls_and_events_are_ignored(hotline):
    assert plan_call(hotline["vip"].mobile, "12345", timezone.now()).for_kamailio() == {"n": "0"}
    assert services.call_event(call_id="nope", event="answered", step=1) is None
    assert services.seat_registered("nobody", 300) is None
    with pytest.raises(Exception):
        services.call_event(call_id="nope", event="exploded", step=1)
