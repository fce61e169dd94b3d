"""VIP commission (R10.3), seed 002 M.PLANCK 五:
[该组VIP月消费总金额*1%] / [该组人员总上班天数] * [个人上班天数]."""
import datetime as dt
from decimal import Decimal as D

import pytest

from vipdesk.core.errors import ValidationFailed
from vipdesk.performance.commission import monthly_commission, split, store_commission
from vipdesk.performance.services import days_worked_set, staff_group_save
from vipdesk.testing.factories import StaffFactory, make_member

from .helpers import give_back, sell

pytestmark = pytest.mark.django_db

MAY = dt.date(2026, 5, 1)


def test_seed_example_computed_exactly(store_a, manager_a, pair_a):
    """Group 1 (1号 + 5号) owns two VIPs. In May they spend 100,000.00 and 25,000.00 − a 1,543.22
    return = 123,456.78. 1 % = 1,234.5678. 1号 worked 26 days, 5号 22: 48 in all.
      1号: 1,234.5678 ÷ 48 × 26 = 668.724225  → 668.72
      5号: 1,234.5678 ÷ 48 × 22 = 565.843575  → 565.84
    The pool rounds to 1,234.57; the shares add up to 1,234.56: remainder 0.01 (not paid)."""
    one, five = pair_a
    other = StaffFactory(username="g2", role="guide", stores=[store_a])
    group = staff_group_save(actor=manager_a, store=store_a, name="第一组", staff=[one, five])
    staff_group_save(actor=manager_a, store=store_a, name="第二组", staff=[other])
    vip_1 = make_member(actor=one, store=store_a, mobile="13600000001")    # a new VIP belongs to whoever opened the card
    vip_5 = make_member(actor=five, store=store_a, mobile="13600000005")
    not_ours = make_member(actor=other, store=store_a, mobile="13600000002")
    sell(store_a, dt.date(2026, 5, 3), "100000.00", member=vip_1)
    receipt = sell(store_a, dt.date(2026, 5, 20), "25000.00", member=vip_5, guide=other)  # whoever served, the VIP is the group's
    give_back(store_a, receipt, dt.date(2026, 5, 25), "1543.22")
    sell(store_a, dt.date(2026, 4, 30), "9999.00", member=vip_1)     # April: not this month
    sell(store_a, dt.date(2026, 6, 1), "9999.00", member=vip_5)      # June: not this month
    sell(store_a, dt.date(2026, 5, 4), "5000.00", member=not_ours)   # the other group's VIP
    sell(store_a, dt.date(2026, 5, 4), "7000.00")                    # no member: no VIP spend
    days_worked_set(actor=manager_a, staff=one, month="2026-05", days="26")
    days_worked_set(actor=manager_a, staff=five, month="2026-05", days="22")

    result = monthly_commission(group, "2026-05")

    assert result["spend"] == D("123456.78") and result["rate"] == D("0.01")
    assert result["total_days"] == D("48") and result["complete"]
    assert [(s["staff"], s["days"], s["amount"]) for s in result["shares"]] == [(one, D("26.0"), D("668.72")), (five, D("22.0"), D("565.84"))]
    assert result["pool"] == D("1234.57") and result["remainder"] == D("0.01")
    assert all(s["amount"].as_tuple().exponent == -2 for s in result["shares"])
    second = store_commission(store_a, "2026-05")[1]
    assert second["spend"] == D("5000.00") and not second["complete"] and second["missing"] == [other]


def test_rounding_is_half_up_to_the_fen_on_each_share():
    # 50.50 × 1 % = 0.505: half up gives 0.51 (banker's rounding would give 0.50)
    assert split(D("50.50"), {"a": D(20)}).shares == {"a": D("0.51")}
    # 100.50 × 1 % = 1.005 split 1 : 1 → 0.5025 each → 0.50 and 0.50; the pool 1.01; remainder 0.01
    two = split(D("100.50"), {"a": D(1), "b": D(1)})
    assert two.shares == {"a": D("0.50"), "b": D("0.50")} and two.pool == D("1.01") and two.remainder == D("0.01")
    # 1,000.00 × 1 % = 10.00 split 1 : 1 : 1 → 3.3333… → 3.33 each; remainder 0.01
    three = split(D("1000.00"), {"a": D(21), "b": D(21), "c": D(21)})
    assert set(three.shares.values()) == {D("3.33")} and three.remainder == D("0.01")
    # 20.00 × 1 % split 1 : 2 = 0.0666… and 0.1333… → 0.07 + 0.13 = 0.20: nothing left over
    assert split(D("20.00"), {"a": D(1), "b": D(2)}).shares == {"a": D("0.07"), "b": D("0.13")}
    # half days count: 0.5 of 20.5 days
    assert split(D("4100.00"), {"a": D("20.0"), "b": D("0.5")}).shares == {"a": D("40.00"), "b": D("1.00")}


def test_another_rate_and_the_edges():
    assert split(D("123456.78"), {"a": D(26), "b": D(22)}, rate=D("0.015")).pool == D("1851.85")  # 1,851.8517
    assert split(D("-200.00"), {"a": D(10)}).shares == {"a": D("0.00")}   # more returns than sales: no debt
    assert split(D("500.00"), {"a": D(0), "b": D(0)}).shares == {"a": D("0.00"), "b": D("0.00")}
    with pytest.raises(TypeError):
        split(500.0, {"a": D(1)})


def test_days_worked_are_checked(store_a, manager_a, pair_a, guide_b):
    one, _five = pair_a
    for bad in ("32", "-1", "10.3", "abc", ""):
        with pytest.raises(ValidationFailed):
            days_worked_set(actor=manager_a, staff=one, month="2026-05", days=bad)
    with pytest.raises(ValidationFailed):  # February 2026 has 28 days
        days_worked_set(actor=manager_a, staff=one, month="2026-02", days="29")
    with pytest.raises(ValidationFailed):
        days_worked_set(actor=manager_a, staff=one, month="2026-13", days="20")
    assert days_worked_set(actor=manager_a, staff=one, month="2026-05", days="20.5").days == D("20.5")
    assert days_worked_set(actor=manager_a, staff=one, month="2026-05", days="21").days == D("21")  # the last entry wins


def test_groups_take_only_the_stores_people(store_a, manager_a, pair_a, guide_b):
    with pytest.raises(ValidationFailed):
        staff_group_save(actor=manager_a, store=store_a, name="第三组", staff=[pair_a[0], guide_b])
    group = staff_group_save(actor=manager_a, store=store_a, name="第一组", staff=[pair_a[0]])
    moved = staff_group_save(actor=manager_a, store=store_a, name="第二组", staff=[pair_a[0], pair_a[1]])
    assert group.memberships.count() == 0 and moved.memberships.count() == 2  # one group per person
