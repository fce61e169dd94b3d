"""A redemption's replay (issue 13 §16, docs/api.md §6.1): a retry with the same till reference
answers the first answer — the balance right after that redemption, the item as it was named
then — never today's balance."""
import datetime as dt

import pytest

from vipdesk.points.models import Redemption, RedemptionItem
from vipdesk.points.redemption import redemption_answer
from vipdesk.points.redemption import points_redeem, points_redemption_cancel
from vipdesk.points.services import catalogue_install_default, points_earn_for_sale

from .helpers import at, make_sale

pytestmark = pytest.mark.django_db

EARNED = dt.date(2026, 3, 1)
MARCH = dt.date(2026, 3, 10)


@pytest.fixture
def rich(member, store_a, base_rule):
    points_earn_for_sale(sale=make_sale(member=member, store=store_a, on=EARNED, lines=[("5000.00", "女装", "")]), level=None)
    catalogue_install_default()
    return member


def redeem(member, store, code="GOODS-500", **kw):
    return points_redeem(actor=None, member=member, item_code=code, store=store, at=at(MARCH), **kw)


def test_the_first_answer_is_kept_with_the_balance_right_after_the_redemption(rich, store_a):
    first = redeem(rich, store_a, reference="POS1-0001")
    answer = redemption_answer(first)
    assert answer == {"id": first.pk, "item_code": "GOODS-500", "item_name": "500 积分兑换 300 元商品", "store": "SA01",
                      "quantity": 1, "points": 500, "value": "300.00", "business_date": "2026-03-10", "status": "done",
                      "fulfilment_code": first.fulfilment_code, "reference": "POS1-0001", "balance": 4500}
    assert Redemption.objects.get(pk=first.pk).result == answer


def test_a_replay_answers_the_first_answer_not_todays_balance(rich, store_a, manager_a):
    first = redemption_answer(redeem(rich, store_a, reference="POS1-0001"))
    redeem(rich, store_a, code="GOODS-1000")  # the balance moves on: 3500
    RedemptionItem.objects.filter(code="GOODS-500").update(name="新名称")
    again = redeem(rich, store_a, reference="POS1-0001")
    assert again.replayed and redemption_answer(again) == first
    assert first["balance"] == 4500
    points_redemption_cancel(actor=manager_a, redemption=again, reason="顾客退回")
    assert redemption_answer(redeem(rich, store_a, reference="POS1-0001")) == first  # what was answered then, as it was


def test_a_redemption_stored_without_its_answer_is_answered_from_its_entries(rich, store_a):
    """Redemptions made before the answer was kept: the balance right after is rebuilt from the ledger."""
    first = redeem(rich, store_a, reference="POS1-0001")
    Redemption.objects.filter(pk=first.pk).update(result={})
    redeem(rich, store_a, code="GOODS-1000")
    again = redeem(rich, store_a, reference="POS1-0001")
    assert again.replayed and redemption_answer(again)["balance"] == 4500
