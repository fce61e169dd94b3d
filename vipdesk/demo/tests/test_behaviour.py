"""The demo's purchase behaviour comes from the CDNOW histories, shifted to end yesterday."""
import datetime as dt
import importlib.util
from decimal import Decimal

import pytest

from vipdesk.demo.behaviour import YUAN_PER_DOLLAR, cdnow_histories, plan_purchases

HISTORIES = {
    "00001": [(dt.date(1997, 1, 1), 1, Decimal("11.77"))],
    "00002": [(dt.date(1997, 1, 12), 6, Decimal("89.00")), (dt.date(1998, 6, 30), 2, Decimal("20.76"))],
}


def test_dates_end_yesterday_and_amounts_add_up_exactly():
    plans = plan_purchases(members=2, stores=3, yesterday=dt.date(2026, 11, 21), histories=HISTORIES)
    assert len(plans) == 3
    assert max(p.day for p in plans) == dt.date(2026, 11, 21)
    assert min(p.day for p in plans) == dt.date(2025, 5, 25)  # 1997-01-01 shifted by the same 10,371 days
    for plan in plans:
        assert plan.lines and all(line.amount > 0 and line.category and line.brand for line in plan.lines)
    assert sorted(p.amount for p in plans) == sorted(d * YUAN_PER_DOLLAR for h in HISTORIES.values() for _, _, d in h)


def test_deterministic():
    one = plan_purchases(members=2, stores=2, yesterday=dt.date(2026, 1, 1), histories=HISTORIES)
    two = plan_purchases(members=2, stores=2, yesterday=dt.date(2026, 1, 1), histories=HISTORIES)
    assert [(p.member_index, p.day, p.store_index, [(l.sku, l.amount) for l in p.lines]) for p in one] == \
           [(p.member_index, p.day, p.store_index, [(l.sku, l.amount) for l in p.lines]) for p in two]


def test_the_shipped_cdnow_file_is_read():
    if importlib.util.find_spec("lifetimes") is None:
        pytest.skip("the CDNOW data ships with the PyPI package lifetimes")
    histories = cdnow_histories()
    assert len(histories) > 23000
    assert histories["00002"][0][0] == dt.date(1997, 1, 12)
