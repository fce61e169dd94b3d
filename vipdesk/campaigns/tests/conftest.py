import datetime as dt

import pytest
from django.utils import timezone

from vipdesk.analytics.segments import segment_create
from vipdesk.testing.factories import make_member

from .helpers import SECRET, SHANGHAI, grant, promo_template


@pytest.fixture(autouse=True)
def _at_eleven(clock, settings, tmp_path):
    """Every test starts at 11:00 Shanghai time on the test date (outside the quiet hours), with
    the file SMS gateway under a temporary data dir and the callback secret set."""
    day = timezone.now().astimezone(SHANGHAI).date()
    clock.move_to(dt.datetime.combine(day, dt.time(11, 0), tzinfo=SHANGHAI))
    settings.DATA_DIR = tmp_path
    settings.VIPDESK = {**settings.VIPDESK, "CALLBACK_SECRET": SECRET, "PUBLIC_URL": "https://vip.example.cn"}


@pytest.fixture
def template(db):
    return promo_template()


@pytest.fixture
def audience(store_a, store_b, hq):
    """120 members of store A — 100 agreed to marketing SMS, 10 refused, 10 never asked — and 5 of
    store B (outside the segment); the segment is 'home store SA01'."""
    members = []
    for i in range(120):
        m = make_member(store=store_a, name=f"会员{i:03d}", gender="F" if i % 2 else "M")
        if i < 100:
            grant(m)
        elif i < 110:
            grant(m, granted=False)
        members.append(m)
    for i in range(5):
        grant(make_member(store=store_b, name=f"乙店{i}"))
    segment = segment_create(actor=hq, data={"name": "A店会员", "definition": {"stores": ["SA01"]}})
    return segment, members
