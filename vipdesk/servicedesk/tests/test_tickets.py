"""The ticket's life: open, accept, reply, hand over, resolve, reopen, close with the member's
satisfaction — each step logged and told to the member through the outbox; overdue tickets go to
the manager; staff see and touch their stores' tickets only (R12.3)."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from vipdesk.accounts.roles import Role
from vipdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from vipdesk.messaging.models import OutboxMessage
from vipdesk.servicedesk.choices import TicketStatus
from vipdesk.servicedesk.models import Ticket, TicketEvent
from vipdesk.servicedesk.selectors import board, sla_figures, ticket_for_actor, tickets_for
from vipdesk.servicedesk.services import (
    desk_save, ticket_accept, ticket_close, ticket_handover, ticket_open, ticket_reopen, ticket_reply, ticket_resolve,
    tickets_escalate,
)
from vipdesk.servicedesk.tasks import escalate_tickets
from vipdesk.testing.factories import StaffFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def told(ticket):
    """What the member was told about the ticket, oldest first (inbox copies)."""
    return list(OutboxMessage.objects.filter(member=ticket.member, channel="inbox", source__startswith="ticket_event:")
                .order_by("pk").values_list("body", flat=True))


def test_each_step_is_logged_and_told_to_the_member(kinds, clock, store_a, member_a, desk_a, guide_a, manager_a):
    ticket = ticket_open(actor=guide_a, kind_code="alteration", member=member_a, description="裤长改短 2 厘米")
    assert ticket.desk == desk_a and ticket.assignee is None and ticket.status == TicketStatus.OPEN  # the store's desk
    assert ticket.number.startswith("GD") and ticket.source == "console"
    ticket = ticket_accept(actor=guide_a, ticket=ticket)
    assert ticket.status == TicketStatus.ACCEPTED and ticket.assignee == guide_a and ticket.accepted_at
    ticket_reply(actor=guide_a, ticket=ticket, text="裁缝师傅明天下午到店")
    other = StaffFactory(username="guide_a2", role=Role.GUIDE, stores=[store_a])
    ticket = ticket_handover(actor=guide_a, ticket=ticket, assignee=other, note="我明天休息")
    assert ticket.status == TicketStatus.OPEN and ticket.assignee == other
    with pytest.raises(PermissionDenied):  # neither the assignee, nor on the desk, nor a manager
        ticket_resolve(actor=StaffFactory(username="guide_a3", role=Role.GUIDE, stores=[store_a]), ticket=ticket, note="x")
    ticket = ticket_accept(actor=other, ticket=ticket)
    with pytest.raises(ValidationFailed):  # what was done is said
        ticket_resolve(actor=other, ticket=ticket, note="")
    ticket = ticket_resolve(actor=other, ticket=ticket, note="已改好，可随时来取")
    ticket = ticket_reopen(actor=other, ticket=ticket, note="顾客说还是长")
    ticket = ticket_resolve(actor=other, ticket=ticket, note="再改短 1 厘米，已试穿合适")
    with pytest.raises(ValidationFailed):  # the member's satisfaction is required, 1–5
        ticket_close(actor=other, ticket=ticket, satisfaction=None)
    with pytest.raises(ValidationFailed):
        ticket_close(actor=other, ticket=ticket, satisfaction=6)
    ticket = ticket_close(actor=manager_a, ticket=ticket, satisfaction=5, note="顾客很满意")
    assert ticket.status == TicketStatus.CLOSED and ticket.satisfaction == 5 and ticket.closed_at
    with pytest.raises(Conflict):
        ticket_accept(actor=manager_a, ticket=ticket)
    verbs = list(TicketEvent.objects.filter(ticket=ticket).values_list("verb", "to_status"))
    assert verbs == [("opened", "open"), ("accepted", "accepted"), ("replied", "accepted"), ("handed_over", "open"),
                     ("accepted", "accepted"), ("resolved", "resolved"), ("reopened", "accepted"), ("resolved", "resolved"),
                     ("closed", "closed")]
    texts = told(ticket)
    assert len(texts) == 9  # every step reached the member
    assert ticket.number in texts[0] and "受理" in texts[0]
    assert "裁缝师傅明天下午到店" in texts[2] and "已改好，可随时来取" in texts[5] and "结单" in texts[-1]
    assert OutboxMessage.objects.filter(member=member_a, channel="sms", source__startswith="ticket_event:").count() == 9
    with pytest.raises(TypeError):
        TicketEvent.objects.filter(ticket=ticket).delete()


def test_a_desk_member_or_a_manager_works_the_ticket_others_only_reply(kinds, store_a, member_a, desk_a, guide_a, cashier_a,
                                                                         manager_a):
    ticket = ticket_open(actor=cashier_a, kind_code="delivery", member=member_a, description="送到小区门口")
    with pytest.raises(PermissionDenied):  # the cashier is not on the desk
        ticket_accept(actor=cashier_a, ticket=ticket)
    ticket_reply(actor=cashier_a, ticket=ticket, text="已登记，稍后联系您")  # anyone of the store may reply
    ticket_accept(actor=guide_a, ticket=ticket)  # desk staff
    with pytest.raises(ValidationFailed):  # a hand-over needs a person or a desk
        ticket_handover(actor=manager_a, ticket=ticket)
    ticket = ticket_handover(actor=manager_a, ticket=ticket, desk=desk_a)
    assert ticket.assignee is None and ticket.desk == desk_a and ticket.status == TicketStatus.OPEN


def test_overdue_tickets_go_to_the_manager_once(kinds, clock, store_a, member_a, desk_a, guide_a, manager_a):
    opened = dt.datetime(2026, 6, 19, 21, 0, tzinfo=SH)
    clock.move_to(opened)
    svip = ticket_open(actor=guide_a, kind_code="svip_request", member=member_a, description="酒店订房", opened_at=opened)  # due 23:00
    later = ticket_open(actor=guide_a, kind_code="property_emergency", member=member_a, description="停电", opened_at=opened)
    done = ticket_open(actor=guide_a, kind_code="svip_request", member=member_a, description="订花", opened_at=opened)
    ticket_accept(actor=guide_a, ticket=done)
    ticket_resolve(actor=guide_a, ticket=done, note="已送达")
    assert tickets_escalate(now=dt.datetime(2026, 6, 19, 22, 59, tzinfo=SH))["escalated"] == 0
    clock.move_to(dt.datetime(2026, 6, 19, 23, 1, tzinfo=SH))
    result = escalate_tickets.call_local()  # the queue's every-minute task
    assert result == {"escalated": 1, "tickets": [svip.number]}
    svip.refresh_from_db()
    assert svip.escalated_to == manager_a and svip.escalated_at
    assert tickets_escalate()["escalated"] == 0  # once
    later.refresh_from_db()
    assert later.escalated_at is None
    assert TicketEvent.objects.filter(ticket=svip, verb="escalated").count() == 1
    # without a desk manager: the store's manager
    desk_save(actor=manager_a, code="A-VIP", name="A店VIP管家台", store=store_a, manager=None, staff=[guide_a])
    assert tickets_escalate(now=dt.datetime(2026, 6, 20, 21, 1, tzinfo=SH))["tickets"] == [later.number]
    later.refresh_from_db()
    assert later.escalated_to == manager_a


def test_staff_see_and_touch_their_stores_tickets_only(kinds, store_a, store_b, member_a, member_b, guide_a, guide_b, hq,
                                                        auditor, account_manager_a):
    mine = ticket_open(actor=guide_a, kind_code="after_sales", member=member_a)
    theirs = ticket_open(actor=guide_b, kind_code="after_sales", member=member_b)
    assert set(tickets_for(guide_a)) == {mine} and set(tickets_for(guide_b)) == {theirs}
    assert set(tickets_for(hq)) == {mine, theirs} and set(tickets_for(auditor)) == {mine, theirs}
    with pytest.raises(NotFound):
        ticket_for_actor(guide_a, theirs.pk)
    for act in (lambda: ticket_accept(actor=guide_a, ticket=theirs), lambda: ticket_reply(actor=guide_a, ticket=theirs, text="x"),
                lambda: ticket_open(actor=guide_a, kind_code="after_sales", store=store_b),
                lambda: ticket_open(actor=guide_a, kind_code="after_sales", member=member_b)):
        with pytest.raises(NotFound):
            act()
    assert [r.obj for r in board(guide_a)] == [mine]
    with pytest.raises(ValidationFailed):  # nobody of store B may take A's ticket
        ticket_handover(actor=hq, ticket=mine, assignee=guide_b)
    with pytest.raises(Exception):  # the auditor only reads
        ticket_open(actor=auditor, kind_code="after_sales", member=member_a)


def test_the_board_puts_what_is_due_first_with_complaints(kinds, clock, store_a, member_a, desk_a, guide_a):
    from vipdesk.feedback.services import categories_install_default, complaint_create

    categories = {c.code: c for c in categories_install_default()}
    opened = dt.datetime(2026, 6, 17, 10, 30, tzinfo=SH)
    clock.move_to(opened)
    slow = ticket_open(actor=guide_a, kind_code="delivery", member=member_a, opened_at=opened)  # 48 business hours
    fast = ticket_open(actor=guide_a, kind_code="svip_request", member=member_a, opened_at=opened)  # 2 h
    complaint = complaint_create(actor=guide_a, store=store_a, category=categories["service.attitude"], description="等太久")
    rows = board(guide_a, desk=desk_a)
    assert [r.obj for r in rows] == [fast, complaint, slow]  # complaint due end of 20 June; delivery 21 June 14:30
    assert [r.kind for r in rows] == ["ticket", "complaint", "ticket"]


def test_sla_figures_per_store_desk_and_month(kinds, clock, store_a, member_a, desk_a, guide_a, hq):
    opened = dt.datetime(2026, 6, 17, 10, 30, tzinfo=SH)
    clock.move_to(opened)
    on_time = ticket_open(actor=guide_a, kind_code="svip_request", member=member_a, opened_at=opened)
    late = ticket_open(actor=guide_a, kind_code="svip_request", member=member_a, opened_at=opened)
    ticket_open(actor=guide_a, kind_code="svip_request", member=member_a, opened_at=opened)
    ticket_accept(actor=guide_a, ticket=on_time)
    ticket_resolve(actor=guide_a, ticket=on_time, note="好了")
    ticket_close(actor=guide_a, ticket=on_time, satisfaction=4)
    clock.move_to(dt.datetime(2026, 6, 17, 13, 0, tzinfo=SH))
    ticket_accept(actor=guide_a, ticket=late)
    ticket_resolve(actor=guide_a, ticket=late, note="晚了")
    rows = sla_figures(hq, start=dt.date(2026, 6, 1), end=dt.date(2026, 6, 30))
    assert rows == [{"month": "2026-06", "store": "SA01", "store_name": store_a.name, "desk": desk_a.name, "opened": 3,
                     "resolved": 2, "on_time": 1, "overdue": 1, "escalated": 0, "on_time_percent": 50.0, "satisfaction": 4.0}]
    assert sla_figures(hq, start=dt.date(2026, 7, 1), end=dt.date(2026, 7, 31)) == []


def test_a_withdrawn_member_gets_no_ticket(kinds, store_a, member_a, guide_a, hq):
    from vipdesk.members.services import member_withdraw

    member_withdraw(actor=hq, member=member_a, reason="不再需要")
    with pytest.raises((Conflict, NotFound)):
        ticket_open(actor=guide_a, kind_code="after_sales", member=member_a)
    assert not Ticket.objects.exists()
