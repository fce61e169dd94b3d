import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from vipdesk.members.cards import card_issue
from vipdesk.till import services
from vipdesk.testing.factories import make_member


class LoyaltyStandIn:
    """Stands in for points/tiers in tests of the posting mechanics: records every call."""

    def __init__(self):
        self.sales, self.returns = [], []

    def sale(self, sale):
        self.sales.append(sale.pk)
        earned = int(sale.amount)  # 1 point per yuan, rounded down
        return {"points": {"earned": earned, "pending": False, "spent": 0}, "tier": None, "benefits": []}

    def sale_return(self, ret):
        self.returns.append(ret.pk)
        return {"points": {"reversed": int(ret.amount), "refunded": 0, "debt": 0}, "tier": None, "benefits": []}


@pytest.fixture
def loyalty(monkeypatch):
    stand_in = LoyaltyStandIn()
    monkeypatch.setattr(services, "_apply_loyalty", stand_in.sale)
    monkeypatch.setattr(services, "_apply_return_loyalty", stand_in.sale_return)
    return stand_in


@pytest.fixture
def shopper(store_a, guide_a):
    return make_member(actor=guide_a, name="陈美玲", mobile="13612345678")


@pytest.fixture
def shopper_card(shopper):
    return card_issue(actor=None, member=shopper)


def a_sale(receipt="R0001", store="SA01", member=None, **over):
    """A two-line sale of 1,299.00: 2 × 399.50 scarves and 1 × 500.00 coat, paid by WeChat and cash."""
    data = {
        "store": store, "terminal": "T1", "receipt_no": receipt,
        "occurred_at": (timezone.now() - dt.timedelta(minutes=5)).replace(microsecond=0).isoformat(),
        "lines": [
            {"line_no": 1, "sku": "SCF-01", "name": "真丝围巾", "brand": "示例", "category": "配饰", "unit_price": "399.50", "quantity": 2, "amount": "799.00"},
            {"line_no": 2, "sku": "COAT-7", "name": "羊绒大衣", "brand": "示例", "category": "女装", "unit_price": "500.00", "quantity": 1, "amount": "500.00"},
        ],
        "payments": [{"method": "wechat", "amount": "1000.00"}, {"method": "cash", "amount": "299.00"}],
        "amount_paid": "1299.00",
    }
    if member:
        data["member"] = member
    data.update(over)
    return data


def a_return(receipt="T0001", original="R0001", store="SA01", **over):
    data = {"store": store, "terminal": "T1", "receipt_no": receipt,
            "original": {"receipt_no": original} if isinstance(original, str) else original,
            "occurred_at": timezone.now().replace(microsecond=0).isoformat()}
    data.update(over)
    return data


YUAN = Decimal
