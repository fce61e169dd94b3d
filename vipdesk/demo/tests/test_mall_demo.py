"""The demo member's open points-mall order (issue 16), on the demo chain the package loads once."""
import pytest

from vipdesk.demo.mall import REFERENCE, demo_mall_order
from vipdesk.demo.portal import DEMO_MOBILE
from vipdesk.members.models import Member
from vipdesk.points.models import Redemption
from vipdesk.testing.factories import make_member

pytestmark = pytest.mark.django_db


def test_the_demo_member_has_an_open_order_to_collect_at_her_home_store(demo):
    her = Member.objects.get(mobile=DEMO_MOBILE)
    order = Redemption.objects.get(account__member=her, reference=REFERENCE)
    assert (order.order_status, order.store) == ("to_collect", her.home_store)
    assert demo_mall_order(her).pk == order.pk  # a second load replays the same order


def test_a_member_without_points_gets_no_order_and_no_error(demo):
    member = make_member(store=Member.objects.get(mobile=DEMO_MOBILE).home_store, name="林小白")
    assert demo_mall_order(member) is None
