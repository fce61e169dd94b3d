"""The demo member's open points-mall order (issue 16)."""
import datetime as dt

import pytest

from vipdesk.core import clock
from vipdesk.demo.mall import demo_mall_order
from vipdesk.points.services import points_credit_bonus
from vipdesk.testing.factories import make_member

pytestmark = pytest.mark.django_db


def test_the_demo_member_gets_an_open_order_to_collect_at_her_home_store(store_a, store_b):
    member = make_member(store=store_a, name="林小红")
    assert demo_mall_order(member) is None  # no points: no order, no error
    points_credit_bonus(member=member, points=1000, action="demo", store=store_a, on=clock.today(store_a) - dt.timedelta(days=3))
    order = demo_mall_order(member)
    assert (order.order_status, order.store) == ("to_collect", store_a)
    assert demo_mall_order(member).pk == order.pk  # a second load replays the same order
