"""Earn rules and expiry dates as pure functions (no database)."""
import datetime as dt
from decimal import Decimal as D

from vipdesk.points import rules
from vipdesk.points.choices import ExpiryKind, RuleKind
from vipdesk.points.models import EarnRule, PointsPolicy

DAY = dt.date(2026, 3, 10)


def rule(kind, pk, **kw):
    r = EarnRule(kind=kind, **kw)
    r.pk = pk
    return r


def sale(*lines, level=None, store=1, on=DAY, share=D("1")):
    return rules.SaleIn(store_id=store, business_date=on, level_code=level, base_share=share,
                        lines=tuple(rules.LineIn(key=i, amount=D(a), category=c, brand=b) for i, (a, c, b) in enumerate(lines)))


BASE1 = rule(RuleKind.BASE, 1, yuan_per_point=D("1"))


def test_one_point_per_yuan_rounded_down():
    assert rules.earn([BASE1], sale(("499.99", "女装", ""))).points == 499


def test_two_yuan_per_point_rounds_down_the_odd_yuan():
    base2 = rule(RuleKind.BASE, 1, yuan_per_point=D("2"))
    assert rules.earn([base2], sale(("101.00", "", ""))).points == 50


def test_no_base_rule_earns_nothing():
    assert rules.earn([], sale(("1000", "", ""))).points == 0


def test_store_base_rule_wins_over_chain_rule():
    store_rate = rule(RuleKind.BASE, 2, yuan_per_point=D("2"), store_id=1)
    assert rules.earn([BASE1, store_rate], sale(("100", "", ""))).points == 50
    assert rules.earn([BASE1, store_rate], sale(("100", "", ""), store=7)).points == 100


def test_tier_multiplier_by_level_code():
    gold = rule(RuleKind.TIER, 2, level_code="gold", multiplier=D("1.5"))
    assert rules.earn([BASE1, gold], sale(("100", "", ""), level="gold")).points == 150
    assert rules.earn([BASE1, gold], sale(("100", "", ""), level="silver")).points == 100
    assert rules.earn([BASE1, gold], sale(("100", "", ""))).points == 100


def test_excluded_goods_earn_nothing_and_other_lines_still_earn():
    gold = rule(RuleKind.EXCLUSION, 2, category="黄金")
    watches = rule(RuleKind.EXCLUSION, 3, category="钟表")
    got = rules.earn([BASE1, gold, watches], sale(("8000", "黄金", ""), ("3000", "钟表", "浪琴"), ("200", "女装", "")))
    assert got.points == 200
    assert got.weights == {0: 0, 1: 0, 2: D("200")}


def test_brand_exclusion_and_category_multiplier():
    no_brand = rule(RuleKind.EXCLUSION, 2, brand="寄卖")
    cosmetics = rule(RuleKind.CATEGORY, 3, category="化妆品", multiplier=D("2"))
    got = rules.earn([BASE1, no_brand, cosmetics], sale(("100", "化妆品", "兰蔻"), ("100", "化妆品", "寄卖"), ("100", "女装", "")))
    assert got.points == 300  # 200 + 0 + 100


def test_brand_multiplier_multiplies_with_category():
    brand = rule(RuleKind.BRAND, 2, brand="兰蔻", multiplier=D("1.5"))
    cosmetics = rule(RuleKind.CATEGORY, 3, category="化妆品", multiplier=D("2"))
    assert rules.earn([BASE1, brand, cosmetics], sale(("100", "化妆品", "兰蔻"))).points == 300


def test_campaign_applies_only_inside_its_window_and_store():
    double = rule(RuleKind.CAMPAIGN, 2, multiplier=D("2"), starts_on=dt.date(2026, 3, 8), ends_on=dt.date(2026, 3, 10), store_id=1)
    assert rules.earn([BASE1, double], sale(("100", "", ""), on=dt.date(2026, 3, 10))).points == 200
    assert rules.earn([BASE1, double], sale(("100", "", ""), on=dt.date(2026, 3, 11))).points == 100
    assert rules.earn([BASE1, double], sale(("100", "", ""), on=dt.date(2026, 3, 7))).points == 100
    assert rules.earn([BASE1, double], sale(("100", "", ""), store=2)).points == 100


def test_campaigns_do_not_stack_but_multiply_with_tier():
    double = rule(RuleKind.CAMPAIGN, 2, multiplier=D("2"))
    triple = rule(RuleKind.CAMPAIGN, 3, multiplier=D("3"))
    vip = rule(RuleKind.TIER, 4, level_code="vip", multiplier=D("1.5"))
    assert rules.earn([BASE1, double, triple, vip], sale(("100", "", ""), level="vip")).points == 450


def test_inactive_rules_are_ignored():
    off = rule(RuleKind.CAMPAIGN, 2, multiplier=D("5"), active=False)
    assert rules.earn([BASE1, off], sale(("100", "", ""))).points == 100


def test_part_paid_with_points_does_not_earn():
    assert rules.earn([BASE1], sale(("100", "", ""), share=D("0.9"))).points == 90


def test_bonus_points_for_an_action():
    reg = rule(RuleKind.BONUS, 2, action="registration", bonus_points=200)
    shop = rule(RuleKind.BONUS, 3, action="registration", bonus_points=300, store_id=5)
    assert rules.bonus_points([reg, shop], action="registration", store_id=None, on=DAY) == 200
    assert rules.bonus_points([reg, shop], action="registration", store_id=5, on=DAY) == 300
    assert rules.bonus_points([reg], action="deposit", store_id=None, on=DAY) == 0


def test_rolling_two_years_ends_the_day_before_the_anniversary():
    pol = PointsPolicy(expiry_kind=ExpiryKind.ROLLING_MONTHS, expiry_n=24)
    assert rules.expires_on(pol, dt.date(2026, 3, 15)) == dt.date(2028, 3, 14)
    assert rules.expires_on(pol, dt.date(2026, 2, 28)) == dt.date(2028, 2, 27)


def test_rolling_days_counts_the_day_of_earning():
    pol = PointsPolicy(expiry_kind=ExpiryKind.ROLLING_DAYS, expiry_n=30)
    assert rules.expires_on(pol, dt.date(2026, 3, 1)) == dt.date(2026, 3, 30)


def test_calendar_clearing_31_december_of_the_following_year():
    pol = PointsPolicy(expiry_kind=ExpiryKind.CALENDAR, clearing_month=12, clearing_day=31, clearing_years_after=1)
    assert rules.expires_on(pol, dt.date(2025, 1, 1)) == dt.date(2026, 12, 31)
    assert rules.expires_on(pol, dt.date(2025, 12, 31)) == dt.date(2026, 12, 31)


def test_never_expiring_points():
    assert rules.expires_on(PointsPolicy(expiry_kind=ExpiryKind.NEVER), DAY) is None


def test_pending_until_the_return_window_closes():
    assert rules.available_on(PointsPolicy(pending_days=7), DAY) == dt.date(2026, 3, 17)
    assert rules.available_on(PointsPolicy(), DAY) == DAY


def test_proportional_is_exact_on_the_whole_and_floors_a_part():
    assert rules.proportional(333, D("1000"), D("1000")) == 333
    assert rules.proportional(333, D("500"), D("1000")) == 166
    assert rules.proportional(333, D("0"), D("1000")) == 0
