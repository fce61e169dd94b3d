"""Deadlines: the kind's hours counted around the clock (property emergency 24 h, SVIP 2 h) or in
the store's business hours — across a night and a weekend (seeds 002, 004; R12.3)."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from vipdesk.core.errors import ValidationFailed
from vipdesk.servicedesk.choices import ClockMode
from vipdesk.servicedesk.hours import due_after
from vipdesk.servicedesk.models import BusinessHours
from vipdesk.servicedesk.services import ticket_open

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=SH)


@pytest.fixture
def weekdays_only(store_a):
    """Store A opens 9:00–18:00 Monday to Friday, closed at the weekend."""
    for day in range(5):
        BusinessHours.objects.create(store=store_a, weekday=day, opens=dt.time(9), closes=dt.time(18))


def test_around_the_clock_counts_every_hour(kinds, clock, store_a, member_a, weekdays_only):
    friday = at(2026, 6, 19, 21, 0)  # a Friday evening, the store closed
    clock.move_to(friday)
    emergency = ticket_open(kind_code="property_emergency", member=member_a, description="楼上漏水", opened_at=friday)
    svip = ticket_open(kind_code="svip_request", member=member_a, description="明早接机", opened_at=friday)
    assert emergency.due_at == at(2026, 6, 20, 21, 0)  # Saturday 21:00: the weekend counts
    assert svip.due_at == at(2026, 6, 19, 23, 0)
    assert emergency.kind.clock == ClockMode.AROUND and kinds["property_emergency"].hours == 24 and kinds["svip_request"].hours == 2


def test_business_hours_skip_the_night(store_a, weekdays_only):
    # Tuesday 16:00 + 4 business hours: 2 h to closing, 2 h from Wednesday's opening
    assert due_after(at(2026, 6, 16, 16), 4, ClockMode.BUSINESS, store_a) == at(2026, 6, 17, 11)
    # opened at night (2:00): counting starts at 9:00 the same day
    assert due_after(at(2026, 6, 17, 2), 4, ClockMode.BUSINESS, store_a) == at(2026, 6, 17, 13)
    # exactly at closing time: the next morning
    assert due_after(at(2026, 6, 16, 18), 1, ClockMode.BUSINESS, store_a) == at(2026, 6, 17, 10)


def test_business_hours_skip_the_weekend(kinds, clock, store_a, member_a, weekdays_only):
    friday = at(2026, 6, 19, 17, 0)  # Friday 17:00, one hour before closing
    clock.move_to(friday)
    ticket = ticket_open(kind_code="after_sales", member=member_a, description="拉链坏了", opened_at=friday)  # 24 business hours
    # Friday 1 h, Monday 9 h, Tuesday 9 h, Wednesday 5 h → Wednesday 14:00
    assert ticket.due_at == at(2026, 6, 24, 14, 0)
    reservation = ticket_open(kind_code="reservation", member=member_a, opened_at=friday)  # 4 business hours
    assert reservation.due_at == at(2026, 6, 22, 12, 0)  # Monday noon, not Saturday


def test_default_hours_and_store_rows_and_a_store_never_open(kinds, store_a, store_b):
    # no rows anywhere: 10:00–22:00 every day, weekends included
    assert due_after(at(2026, 6, 20, 21), 2, ClockMode.BUSINESS, store_a) == at(2026, 6, 21, 11)
    # default rows (no store) for every store without its own
    BusinessHours.objects.create(store=None, weekday=5, opens=dt.time(12), closes=dt.time(13))
    assert due_after(at(2026, 6, 19, 8), 2, ClockMode.BUSINESS, store_b) == at(2026, 6, 27, 13)  # Saturdays only: 1 h + 1 h
    with pytest.raises(ValidationFailed):
        due_after(at(2026, 6, 19, 8), 1, ClockMode.BUSINESS, store_b, week={})


def test_due_in_minutes_overrides_the_kind(kinds, clock, store_a, member_a, manager_a):
    night = at(2026, 6, 20, 23, 50)
    clock.move_to(night)
    ticket = ticket_open(kind_code="missed_call", member=member_a, store=store_a, assignee=manager_a, source="missed_call",
                         due_in_minutes=15, reference="call-1", opened_at=night)
    assert ticket.due_at == at(2026, 6, 21, 0, 5) and ticket.assignee == manager_a and ticket.desk is None
    again = ticket_open(kind_code="missed_call", member=member_a, store=store_a, assignee=manager_a, source="missed_call",
                        due_in_minutes=15, reference="call-1")
    assert again.pk == ticket.pk  # a retry of the same call opens one ticket
