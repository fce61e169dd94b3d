import datetime as dt
from decimal import Decimal

import pytest

from vipdesk.points.services import earn_rule_install_default
from vipdesk.testing.factories import make_member
from vipdesk.tiers.models import Benefit, Level
from vipdesk.tiers.presets import PRESETS
from vipdesk.tiers.config import programme_install
from vipdesk.tiers.overrides import tier_override


@pytest.fixture
def programme(db):
    """Department-store levels; 金卡 gets a 9.5折 level discount (the seed's partner discounts are elsewhere)."""
    programme = programme_install(spec=PRESETS["department-store"])
    earn_rule_install_default(yuan_per_point=1)
    gold = Level.objects.get(programme=programme, code="GOLD")
    Benefit.objects.create(level=gold, code="discount", name="金卡9.5折", value=Decimal("9.5"), unit="折")
    return programme


@pytest.fixture
def gold_member(programme, store_a, hq):
    member = make_member(store=store_a, name="陈美玲", mobile="13612345678", birthday="1988-03-13")
    tier_override(actor=hq, member=member, level="GOLD", reason="测试", until=dt.date(2099, 1, 1))
    return member
