"""HQ configuration services: earn rules, the points policy, catalogue items. Refusals are per field,
in Chinese, and write nothing; each change records an audit event."""
import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils.translation import override

from vipdesk.audit.models import Event
from vipdesk.core.errors import PermissionDenied, ValidationFailed
from vipdesk.points.choices import ExpiryKind, ItemKind, RuleKind
from vipdesk.points.models import EarnRule, PointsPolicy, RedemptionItem
from vipdesk.points.config import (
    earn_rule_save, earn_rule_set_active, points_policy_save, redemption_item_save, redemption_item_set_active,
)
from vipdesk.points.services import points_quote_for_sale
from vipdesk.tiers.presets import PRESETS
from vipdesk.tiers.config import programme_install

from .helpers import make_sale

pytestmark = pytest.mark.django_db

CAMPAIGN = {"kind": RuleKind.CAMPAIGN, "name": "双倍积分周", "multiplier": "2", "starts_on": "2026-03-09", "ends_on": "2026-03-15"}


def refused(fn, **kw):
    with override("zh-hans"), pytest.raises(ValidationFailed) as exc:
        fn(**kw)
    return exc.value


def test_campaign_rule_doubles_points_in_its_window_and_store(hq, base_rule, member, store_a, store_b):
    rule = earn_rule_save(actor=hq, data={**CAMPAIGN, "store": store_a.code, "yuan_per_point": "9", "category": "ignored"})
    assert (rule.kind, rule.multiplier, rule.store, rule.starts_on, rule.ends_on) == (
        "campaign", D("2.00"), store_a, dt.date(2026, 3, 9), dt.date(2026, 3, 15))
    assert rule.yuan_per_point is None and rule.category == ""  # inputs the kind does not use are not kept
    assert points_quote_for_sale(sale=make_sale(member=member, store=store_a, on=dt.date(2026, 3, 10))).points == 2000
    assert points_quote_for_sale(sale=make_sale(member=member, store=store_b, on=dt.date(2026, 3, 10))).points == 1000
    assert points_quote_for_sale(sale=make_sale(member=member, store=store_a, on=dt.date(2026, 3, 16))).points == 1000
    event = Event.objects.get(verb="points.earn_rule_create")
    assert event.actor == hq and event.payload["multiplier"] == "2.00" and event.payload["store"] == "SA01"


@pytest.mark.parametrize("data,key,words", [
    ({**CAMPAIGN, "ends_on": "2026-03-01"}, "ends_on", "结束日期不能早于开始日期"),
    ({**CAMPAIGN, "multiplier": "0"}, "multiplier", "必须大于零"),
    ({**CAMPAIGN, "multiplier": "-1"}, "multiplier", "不能为负数"),
    ({**CAMPAIGN, "multiplier": "zwei"}, "multiplier", "不是有效的数字"),
    ({**CAMPAIGN, "multiplier": "1000"}, "multiplier", "不能大于 100"),
    ({**CAMPAIGN, "starts_on": ""}, "starts_on", "必填"),
    ({**CAMPAIGN, "starts_on": "2026-02-30"}, "starts_on", "不是有效的日期"),
    ({**CAMPAIGN, "store": "NOPE"}, "store", "NOPE"),
    ({"kind": RuleKind.TIER, "multiplier": "1.5", "level_code": "GOLD"}, "level_code", "没有此代码的等级"),
    ({"kind": RuleKind.CATEGORY, "multiplier": "2"}, "category", "必填"),
    ({"kind": RuleKind.EXCLUSION}, "category", "品类或品牌"),
    ({"kind": RuleKind.BONUS, "action": "dancing", "bonus_points": "100"}, "action", "不是有效的选项"),
    ({"kind": RuleKind.BONUS, "action": "registration", "bonus_points": "0"}, "bonus_points", "不能小于 1"),
    ({"kind": RuleKind.BASE, "yuan_per_point": "0"}, "yuan_per_point", "必须大于零"),
    ({"kind": "lottery"}, "kind", "不是有效的选项"),
])
def test_bad_earn_rules_are_refused_and_nothing_is_created(hq, points_policy, store_a, data, key, words):
    error = refused(earn_rule_save, actor=hq, data=data)
    assert words in " ".join(error.fields[key]), error.fields
    assert not EarnRule.objects.exists() and not Event.objects.exists()


def test_tier_rule_names_a_level_of_the_active_programme(hq, points_policy):
    programme_install(spec=PRESETS["department-store"])
    rule = earn_rule_save(actor=hq, data={"kind": RuleKind.TIER, "multiplier": "1.5", "level_code": "GOLD"})
    assert (rule.level_code, rule.multiplier) == ("GOLD", D("1.50"))


def test_only_one_base_rate_per_store_and_period(hq, base_rule, store_a):
    error = refused(earn_rule_save, actor=hq, data={"kind": RuleKind.BASE, "yuan_per_point": "2"})
    assert "已有生效的基础积分规则" in error.message
    own = earn_rule_save(actor=hq, data={"kind": RuleKind.BASE, "yuan_per_point": "2", "store": store_a.code})  # a store's own rate
    earn_rule_set_active(actor=hq, rule=base_rule, active=False)
    second = earn_rule_save(actor=hq, data={"kind": RuleKind.BASE, "yuan_per_point": "2"})
    with override("zh-hans"), pytest.raises(ValidationFailed):
        earn_rule_set_active(actor=hq, rule=base_rule, active=True)  # would clash with `second`
    assert EarnRule.objects.filter(active=True).count() == 2 and {own.pk, second.pk} <= set(EarnRule.objects.values_list("pk", flat=True))


def test_switching_a_rule_off_stops_it_and_is_recorded(hq, base_rule, member, store_a):
    rule = earn_rule_save(actor=hq, data={"kind": RuleKind.CATEGORY, "category": "女装", "multiplier": "3"})
    sale = make_sale(member=member, store=store_a, on=dt.date(2026, 3, 10))
    assert points_quote_for_sale(sale=sale).points == 3000
    earn_rule_set_active(actor=hq, rule=rule, active=False)
    assert points_quote_for_sale(sale=sale).points == 1000
    assert list(Event.objects.filter(verb__startswith="points.earn_rule").values_list("verb", flat=True)) == [
        "points.earn_rule_deactivate", "points.earn_rule_create"]


def test_policy_save_and_refusals(hq, points_policy):
    data = {"expiry_kind": ExpiryKind.ROLLING_MONTHS, "expiry_n": "24", "pending_days": "7", "same_day_redeemable": "",
            "debt_policy": "cash", "value_per_point": "0.05", "earn_on_points_paid": "on"}
    pol = points_policy_save(actor=hq, data=data)
    assert (pol.expiry_kind, pol.expiry_n, pol.pending_days, pol.debt_policy, pol.value_per_point, pol.earn_on_points_paid) == (
        "rolling_months", 24, 7, "cash", D("0.0500"), True)
    assert Event.objects.get(verb="points.policy_update").payload["after"]["value_per_point"] == "0.0500"
    for bad, key, words in [({"expiry_n": "0"}, "expiry_n", "不能小于 1"),
                            ({"value_per_point": "0"}, "value_per_point", "必须大于零"),
                            ({"value_per_point": "0.00001"}, "value_per_point", "最多 4 位小数"),
                            ({"pending_days": "-3"}, "pending_days", "不能小于 0"),
                            ({"debt_policy": "forgive"}, "debt_policy", "不是有效的选项"),
                            ({"expiry_kind": "calendar", "clearing_month": "2", "clearing_day": "30", "clearing_years_after": "1"},
                             "clearing_day", "不能大于 29"),
                            ({"expiry_kind": "calendar", "clearing_month": "13", "clearing_day": "1", "clearing_years_after": "1"},
                             "clearing_month", "不能大于 12")]:
        error = refused(points_policy_save, actor=hq, data={**data, **bad})
        assert words in " ".join(error.fields[key]), (bad, error.fields)
    assert PointsPolicy.objects.get().value_per_point == D("0.0500") and Event.objects.filter(verb="points.policy_update").count() == 1


def test_calendar_clearing_policy(hq, points_policy):
    pol = points_policy_save(actor=hq, data={"expiry_kind": "calendar", "clearing_month": "12", "clearing_day": "31",
                                             "clearing_years_after": "1", "debt_policy": "debt", "value_per_point": "0.1"})
    assert (pol.expiry_kind, pol.clearing_month, pol.clearing_day, pol.clearing_years_after) == ("calendar", 12, 31, 1)


ITEM = {"code": "GIFT-UMB", "name": "品牌雨伞", "kind": ItemKind.GIFT, "points": "800", "value": "60.00", "months": ["3", "8"],
        "limit_per_member": "2", "limit_period": "year", "tracks_stock": "on"}


def test_catalogue_item_create_update_and_withdraw(hq, points_policy):
    item = redemption_item_save(actor=hq, data=ITEM)
    assert (item.code, item.points, item.value, item.months, item.limit_per_member, item.tracks_stock) == (
        "GIFT-UMB", 800, D("60.00"), [3, 8], 2, True)
    item = redemption_item_save(actor=hq, item=item, data={**ITEM, "code": "CHANGED", "points": "900", "months": "8、3"})
    assert (item.code, item.points, item.months) == ("GIFT-UMB", 900, [3, 8])
    redemption_item_set_active(actor=hq, item=item, active=False)
    assert not RedemptionItem.objects.get().active
    assert [e.verb for e in Event.objects.order_by("id")] == ["points.item_create", "points.item_update", "points.item_deactivate"]


@pytest.mark.parametrize("over,key,words", [
    ({"code": "礼品 1"}, "code", "只能使用字母"),
    ({"points": "0"}, "points", "不能小于 1"),
    ({"points": "1.5"}, "points", "必须是整数"),
    ({"value": "-1"}, "value", "不能为负数"),
    ({"value": "1.234"}, "value", "最多 2 位小数"),
    ({"months": ["13"]}, "months", "不能大于 12"),
    ({"limit_per_member": "0"}, "limit_per_member", "不能小于 1"),
    ({"kind": ItemKind.VIRTUAL}, "tracks_stock", "不需要管理库存"),
    ({"name": ""}, "name", "必填"),
])
def test_bad_items_are_refused(hq, points_policy, over, key, words):
    error = refused(redemption_item_save, actor=hq, data={**ITEM, **over})
    assert words in " ".join(error.fields[key]), error.fields
    assert not RedemptionItem.objects.exists()


def test_duplicate_code_is_refused(hq, points_policy):
    redemption_item_save(actor=hq, data=ITEM)
    assert "已有此代码" in refused(redemption_item_save, actor=hq, data=ITEM).fields["code"][0]


def test_configuration_is_for_hq_only(guide_a, manager_a, auditor, points_policy, base_rule):
    item = RedemptionItem.objects.create(code="X", name="X", kind=ItemKind.GIFT, points=1, value=D("1"))
    for who in (guide_a, manager_a, auditor, None):
        for call in (lambda: earn_rule_save(actor=who, data=CAMPAIGN), lambda: earn_rule_set_active(actor=who, rule=base_rule, active=False),
                     lambda: points_policy_save(actor=who, data={}), lambda: redemption_item_save(actor=who, data=ITEM),
                     lambda: redemption_item_set_active(actor=who, item=item, active=False)):
            with pytest.raises(PermissionDenied):
                call()
    assert EarnRule.objects.get().active and RedemptionItem.objects.get().active
