"""Each seed preset at its boundaries (R4.2–R4.5): one fen below a threshold is not enough."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from vipdesk.tiers.models import TierApproval, TierHistory
from vipdesk.tiers.overrides import tier_approve

from .conftest import buy, code, install

pytestmark = pytest.mark.django_db


# ---- department store (000 篇6) ----

def test_first_purchase_of_499_99_never_opens_a_standard_card_whatever_follows(dept, member):
    buy(member, "499.99", "2026-01-05")
    buy(member, "1000.01", "2026-01-20")  # 3-month total 1500.00, but the first purchase fell short
    assert code(member) is None


def test_first_purchase_of_500_and_1500_within_three_months_opens_a_standard_card(dept, member):
    _sale, first = buy(member, "500.00", "2026-01-05")
    assert first.after is None and not first.changed  # 500 alone is not 1500 in three months
    sale, outcome = buy(member, "1000.00", "2026-01-20")
    assert outcome.changed and outcome.before is None and outcome.after.code == "PK"
    assert {"code": "parking", "name": "免费停车1小时", "value": "1.00", "unit": "小时", "quota": 1, "period": "day"} in outcome.benefits
    history = TierHistory.objects.get(member=member)
    assert history.reason == "upgrade" and history.sale == sale and history.to_level.name == "普卡"


def test_the_three_month_window_ends_the_day_before_the_same_date_three_months_on(dept, member):
    buy(member, "500.00", "2026-01-01")
    buy(member, "999.99", "2026-03-31")
    assert code(member) is None  # 1499.99
    buy(member, "0.01", "2026-03-31")
    assert code(member) == "PK"  # 1 Jan still inside the window ending 31 Mar


def test_a_purchase_just_outside_three_months_does_not_count(dept, member):
    buy(member, "500.00", "2026-01-01")
    buy(member, "1000.00", "2026-04-01")  # the window ending 1 Apr starts 2 Jan
    assert code(member) is None


@pytest.mark.parametrize("amount,expected", [("2999.99", "PK"), ("3000.00", "SILVER"), ("4999.99", "SILVER"),
                                             ("5000.00", "GOLD"), ("19999.99", "GOLD"), ("20000.00", "DIAMOND")])
def test_six_and_twelve_month_thresholds_in_one_purchase(dept, member, amount, expected):
    buy(member, amount, "2026-02-01")
    assert code(member) == expected


def test_silver_by_twelve_months_when_six_months_fall_short(dept, member):
    buy(member, "2500.00", "2025-03-10")          # 普卡 (first ≥ 500, 3 months ≥ 1500)
    _s, outcome = buy(member, "2499.99", "2025-10-10")  # 6 months: 2499.99; 12 months: 4999.99
    assert code(member) == "PK" and not outcome.changed
    _s, outcome = buy(member, "0.01", "2025-10-11")
    assert outcome.before.code == "PK" and outcome.after.code == "SILVER"


def test_gold_by_twelve_months_8000(dept, member):
    buy(member, "4000.00", "2025-01-15")
    buy(member, "3999.99", "2025-09-01")
    assert code(member) == "SILVER"  # 12 months 7999.99
    buy(member, "0.01", "2025-09-02")
    assert code(member) == "GOLD"


def test_purple_diamond_needs_40000_and_hq_approval(dept, member, hq, clock):
    clock.move_to(dt.datetime(2026, 2, 3, 18, 0, tzinfo=ZoneInfo("Asia/Shanghai")))  # HQ approves within the window
    _s, outcome = buy(member, "39999.99", "2026-02-01")
    assert outcome.after.code == "DIAMOND" and outcome.awaiting_approval is None
    sale, outcome = buy(member, "0.01", "2026-02-02")
    assert outcome.after.code == "DIAMOND" and not outcome.changed
    assert outcome.awaiting_approval.code == "PURPLE"
    approval = TierApproval.objects.get(member=member, status="pending")
    assert approval.sale == sale
    buy(member, "10.00", "2026-02-03")  # a later posting does not open a second request
    assert TierApproval.objects.filter(member=member).count() == 1
    tier_approve(actor=hq, approval=approval, approve=True, note="信用良好,消费稳定")
    assert code(member) == "PURPLE"
    assert TierHistory.objects.filter(member=member, reason="approval", to_level__code="PURPLE").exists()


def test_a_rejected_purple_request_leaves_the_member_at_diamond(dept, member, hq):
    buy(member, "40000.00", "2026-02-01")
    tier_approve(actor=hq, approval=TierApproval.objects.get(member=member), approve=False)
    assert code(member) == "DIAMOND"


# ---- apparel (001): quarterly spend ----

@pytest.mark.parametrize("amount,expected", [("1999.99", None), ("2000.00", "MEMBER"), ("4999.99", "MEMBER"),
                                             ("5000.00", "SILVER"), ("9999.99", "SILVER"), ("10000.00", "GOLD"),
                                             ("19999.99", "GOLD"), ("20000.00", "DIAMOND")])
def test_apparel_quarterly_thresholds(db, member, amount, expected):
    install("apparel")
    buy(member, amount, "2026-05-20")
    assert code(member) == expected


def test_apparel_quarters_are_calendar_quarters(db, member):
    install("apparel")
    buy(member, "1500.00", "2026-03-31")
    buy(member, "1500.00", "2026-04-01")
    assert code(member) is None  # 1500 in Q1, 1500 in Q2
    buy(member, "500.00", "2026-06-30")
    assert code(member) == "MEMBER"


# ---- specialty counter (002) ----

@pytest.mark.parametrize("amount,expected", [("4999.99", None), ("5000.00", "SILVER"), ("9999.99", "SILVER"), ("10000.00", "GOLD")])
def test_specialty_single_purchase(db, member, amount, expected):
    install("specialty")
    buy(member, amount, "2026-03-01")
    assert code(member) == expected


def test_specialty_twelve_month_totals(db, member):
    install("specialty")
    buy(member, "4000.00", "2025-06-01")
    buy(member, "4000.00", "2025-12-01")
    buy(member, "1999.99", "2026-05-01")
    assert code(member) is None  # 9999.99 in 12 months, no single purchase of 5000
    buy(member, "0.01", "2026-05-01")
    assert code(member) == "SILVER"
    buy(member, "4999.99", "2026-05-02")
    buy(member, "4999.99", "2026-05-03")
    assert code(member) == "SILVER"  # 19999.98
    buy(member, "0.02", "2026-05-03")
    assert code(member) == "GOLD"


# ---- restaurant (002): spend and visit frequency, numbers chosen and documented ----

def test_restaurant_needs_both_spend_and_visits(db, member):
    programme = install("restaurant")
    assert "到店6天" in programme.notes
    for day in range(1, 6):
        buy(member, "400.00", f"2026-03-{day:02d}")
    assert code(member) is None  # 2000 yuan but 5 visits
    buy(member, "0.01", "2026-03-06")
    assert code(member) == "BRONZE"


def test_restaurant_visits_are_days_not_receipts(db, member):
    install("restaurant")
    for _ in range(6):
        buy(member, "400.00", "2026-03-01")
    assert code(member) is None
