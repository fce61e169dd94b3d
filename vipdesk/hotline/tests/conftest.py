"""Fixtures of the hotline tests: a line with the full chain, a VIP with a dedicated manager, seats."""
from __future__ import annotations

import datetime as dt

import pytest

from vipdesk.accounts.roles import Role
from vipdesk.hotline.choices import SeatKind, StepKind, StepWhen
from vipdesk.hotline.models import ChainStep, Line, Seat, StoreDuty
from vipdesk.members.models import Member
from vipdesk.testing.factories import StaffFactory, StoreFactory, make_member

CHAIN = [(StepKind.MANAGER_SEAT, StepWhen.OPEN), (StepKind.MANAGER_MOBILE, StepWhen.ALWAYS),
         (StepKind.DUTY_DESK, StepWhen.OPEN), (StepKind.DUTY_MOBILE, StepWhen.ALWAYS)]


@pytest.fixture
def hotline(db):
    """Store A's VIP line 95588 open around the clock, its chain, a VIP member of store A whose
    dedicated manager has a seat, two duty desks and a duty officer."""
    store = StoreFactory(code="SA01", name="A店")
    manager = StaffFactory(username="kehujingli", role=Role.ACCOUNT_MANAGER, mobile="13900000001", stores=[store])
    officer = StaffFactory(username="zhiban", role=Role.STORE_MANAGER, mobile="13900000002", stores=[store])
    line = Line.objects.create(number="95588", name="VIP专线", store=store, open_from=dt.time(0), open_to=dt.time(0),
                               callback_minutes=30, gateway="127.0.0.1:8149")
    for i, (kind, when) in enumerate(CHAIN, start=1):
        ChainStep.objects.create(line=line, position=i, kind=kind, ring_seconds=2, when=when)
    seat = Seat.objects.create(username="seat-mgr", label="客户经理席", kind=SeatKind.MANAGER, store=store, user=manager)
    desk1 = Seat.objects.create(username="desk-1", label="值班台1", kind=SeatKind.DESK, store=store)
    desk2 = Seat.objects.create(username="desk-2", label="值班台2", kind=SeatKind.DESK, store=store)
    StoreDuty.objects.create(store=store, officer=officer)
    vip = make_member(store=store, mobile="13800000001")
    Member.objects.filter(pk=vip.pk).update(owner=manager)
    vip.refresh_from_db()
    return dict(store=store, manager=manager, officer=officer, line=line, seat=seat, desk1=desk1, desk2=desk2, vip=vip)
