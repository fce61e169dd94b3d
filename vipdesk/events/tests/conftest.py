import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from vipdesk.events.services import event_open, event_save
from vipdesk.points.models import PointsPolicy
from vipdesk.points.services import points_credit_bonus
from vipdesk.testing.factories import make_member
from vipdesk.tiers.config import programme_install
from vipdesk.tiers.models import Level, MemberTier, Programme
from vipdesk.tiers.presets import PRESETS

SHANGHAI = ZoneInfo("Asia/Shanghai")
TOP_LEVELS = ["GOLD", "DIAMOND", "PURPLE"]  # 金卡 and above


@pytest.fixture(autouse=True)
def _at_eleven(clock, settings):
    """Every test starts at 11:00 Shanghai time on the test date, links under a known address."""
    day = timezone.now().astimezone(SHANGHAI).date()
    clock.move_to(dt.datetime.combine(day, dt.time(11, 0), tzinfo=SHANGHAI))
    settings.VIPDESK = {**settings.VIPDESK, "PUBLIC_URL": "https://vip.example.cn"}


@pytest.fixture
def programme(db):
    programme_install(spec=PRESETS["department-store"])
    PointsPolicy.objects.get_or_create(code="default")


def set_level(member, code):
    programme = Programme.objects.get(active=True)
    MemberTier.objects.update_or_create(member=member, defaults={"programme": programme, "level": Level.objects.get(
        programme=programme, code=code), "reached_on": dt.date(2025, 1, 1)})


def vip(store, name, level="GOLD", points=500, actor=None):
    member = make_member(actor=actor, store=store, name=name)
    set_level(member, level)
    if points:
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        points_credit_bonus(member=member, points=points, action="test", store=store, on=yesterday)
    return member


def event_data(**over):
    start = (timezone.localtime() + dt.timedelta(days=10)).replace(hour=19, minute=0, second=0, microsecond=0)
    data = {"name": "奥迪之夜", "kind": "closed_store", "stores": ["SA01"], "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=3)).isoformat(), "venue": "新玛特总店", "capacity": "200", "guests_allowed": "1",
            "audience": "levels", "levels": TOP_LEVELS, "points": "100", "results_days": "7",
            "budget_venue": "20000", "actual_venue": "18000.50", "budget_gifts": "30000", "budget_catering": "15000",
            "actual_catering": "16000", "budget_staff": "5000"}
    data.update(over)
    return data


@pytest.fixture
def make_event(programme, hq, store_a):
    def make(**over):
        event = event_save(actor=hq, data=event_data(**over))
        return event_open(actor=hq, event=event)
    return make
