"""The points service behind the real posting service (sales app): sale, points payment, return."""
import datetime as dt

import pytest
from django.utils import timezone

from vipdesk.core.clock import today
from vipdesk.points.choices import EntryKind
from vipdesk.points.models import PointsEntry
from vipdesk.points.services import points_recompute, points_summary
from vipdesk.till.services import return_post, sale_post

from .helpers import make_sale
from vipdesk.points.services import points_earn_for_sale

pytestmark = pytest.mark.django_db


AT = (timezone.now() - dt.timedelta(minutes=5)).replace(microsecond=0).isoformat()


def posting(receipt, member, **over):
    # a retried posting is byte-for-byte the same, so the time is fixed once
    data = {"store": "SA01", "terminal": "T1", "receipt_no": receipt, "member": {"mobile": member.mobile},
            "occurred_at": AT,
            "lines": [{"line_no": 1, "sku": "COAT", "name": "大衣", "brand": "示例", "category": "女装",
                       "unit_price": "800.00", "quantity": 1, "amount": "800.00"}],
            "payments": [{"method": "cash", "amount": "800.00"}], "amount_paid": "800.00"}
    data.update(over)
    return data


def test_posted_sale_earns_and_its_return_takes_back(member, store_a, base_rule, hq):
    # points from an earlier day pay 50 yuan of the coat
    points_earn_for_sale(sale=make_sale(member=member, store=store_a, on=today() - dt.timedelta(days=30), lines=[("1000.00", "", "")]), level=None)
    first = sale_post(actor=hq, data=posting("R1", member, payments=[{"method": "points", "amount": "50.00", "points": 500},
                                                                     {"method": "cash", "amount": "750.00"}]))
    assert first.result["points"]["earned"] == 750 and first.result["points"]["spent"] == 500
    assert points_summary(member)["balance"] == 1000 - 500 + 750
    again = sale_post(actor=hq, data=posting("R1", member, payments=[{"method": "points", "amount": "50.00", "points": 500},
                                                                     {"method": "cash", "amount": "750.00"}]))
    assert again.result == first.result
    assert PointsEntry.objects.filter(kind=EntryKind.EARN, sale__receipt_no="R1").count() == 1
    back = return_post(actor=hq, data={"store": "SA01", "terminal": "T1", "receipt_no": "T1", "original": {"receipt_no": "R1"},
                                       "occurred_at": timezone.now().replace(microsecond=0).isoformat()})
    assert (back.result["points"]["reversed"], back.result["points"]["refunded"]) == (750, 500)
    assert points_summary(member)["balance"] == 1000
    assert points_recompute(member=member)["ok"]
