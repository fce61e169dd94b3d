"""HQ edits a level's rules and the programme's retention policy: the same checks as installation,
refusals in Chinese that change nothing, an audit event for each change."""
from decimal import Decimal

import pytest
from django.utils.translation import override

from vipdesk.audit.models import Event
from vipdesk.core.errors import PermissionDenied, ValidationFailed
from vipdesk.tiers import config
from vipdesk.tiers.choices import ConditionKind as K, RetentionPolicy
from vipdesk.tiers.describe import level_rules_text, policy_text
from vipdesk.tiers.models import Condition, Level

from .conftest import buy, code

pytestmark = pytest.mark.django_db


def level(programme, code_):
    return Level.objects.prefetch_related("groups__conditions").get(programme=programme, code=code_)


def spec_of(programme, code_):
    return config.level_spec(level(programme, code_))


def snapshot(programme):
    return sorted(Condition.objects.filter(group__level__programme=programme).values_list(
        "group__level__code", "group__position", "kind", "amount", "months", "count"))


def refused(**kw):
    with override("zh-hans"), pytest.raises(ValidationFailed) as exc:
        config.level_update(**kw)
    return exc.value


def test_level_update_replaces_the_rules_and_records_an_event(dept, hq):
    spec = spec_of(dept, "SILVER")
    spec["groups"][0]["conditions"][0]["amount"] = "3500"
    spec["name"] = "银卡会员"
    config.level_update(actor=hq, level=level(dept, "SILVER"), data=spec)
    silver = level(dept, "SILVER")
    assert silver.name == "银卡会员"
    assert [(c.kind, c.months, c.amount) for g in silver.groups.all() for c in g.conditions.all()] == [
        (K.ROLLING_SPEND, 6, Decimal("3500.00")), (K.ROLLING_SPEND, 12, Decimal("5000.00"))]
    event = Event.objects.get(verb="tier.level_update")
    assert event.actor == hq and event.payload["before"]["groups"][0]["conditions"][0]["amount"] == "3000.00"
    assert event.payload["after"]["groups"][0]["conditions"][0]["amount"] == "3500.00"
    with override("zh-hans"):
        assert level_rules_text(silver) == "近6个月累计消费满 3,500 元 或 近12个月累计消费满 5,000 元"


def test_new_rules_decide_the_next_upgrade(dept, hq, member):
    spec = spec_of(dept, "PK")
    spec["groups"][0]["conditions"] = [{"kind": K.FIRST_PURCHASE, "amount": "300"}, {"kind": K.ROLLING_SPEND, "months": "3", "amount": "800"}]
    config.level_update(actor=hq, level=level(dept, "PK"), data=spec)
    buy(member, "900", "2026-03-01")
    assert code(member) == "PK"  # 900 would not have reached the preset's 1500


def test_thresholds_must_still_rise_and_nothing_changes(dept, hq):
    before = snapshot(dept)
    spec = spec_of(dept, "GOLD")
    spec["groups"][1]["conditions"][0]["amount"] = "5000"  # 12 months: no more than 银卡's 5000
    error = refused(actor=hq, level=level(dept, "GOLD"), data=spec)
    assert "门槛必须随等级升高" in error.message and "金卡" in error.message
    assert snapshot(dept) == before and not Event.objects.filter(verb="tier.level_update").exists()


@pytest.mark.parametrize("row,key,words", [
    ({"kind": K.ROLLING_SPEND, "months": "0", "amount": "3000"}, "groups.0.conditions.0.months", "不能小于 1"),
    ({"kind": K.ROLLING_SPEND, "months": "6", "amount": "abc"}, "groups.0.conditions.0.amount", "不是有效的数字"),
    ({"kind": K.ROLLING_SPEND, "months": "6", "amount": "-1"}, "groups.0.conditions.0.amount", "不能为负数"),
    ({"kind": K.ROLLING_SPEND, "months": "6", "amount": "3000.001"}, "groups.0.conditions.0.amount", "最多 2 位小数"),
    ({"kind": K.ROLLING_SPEND, "amount": "3000"}, "groups.0.conditions.0.months", "必填"),
    ({"kind": "lucky_draw", "amount": "3000"}, "groups.0.conditions.0.kind", "不是有效的选项"),
])
def test_bad_input_is_refused_per_field(dept, hq, row, key, words):
    before = snapshot(dept)
    spec = spec_of(dept, "SILVER")
    spec["groups"][0]["conditions"][0] = row
    error = refused(actor=hq, level=level(dept, "SILVER"), data=spec)
    assert words in " ".join(error.fields[key]), error.fields
    assert snapshot(dept) == before


def test_zero_amount_is_refused_by_the_programme_check(dept, hq):
    spec = spec_of(dept, "SILVER")
    spec["groups"][0]["conditions"][0]["amount"] = "0"
    assert "金额必须大于零" in refused(actor=hq, level=level(dept, "SILVER"), data=spec).message


def test_a_level_left_without_conditions_is_refused(dept, hq):
    spec = spec_of(dept, "DIAMOND")
    spec["groups"] = [{"mode": "all", "conditions": [{"kind": "", "amount": "", "months": "", "count": ""}]}]
    assert "没有升级条件" in refused(actor=hq, level=level(dept, "DIAMOND"), data=spec).message


def test_only_hq_configures(dept, guide_a, auditor):
    for who in (guide_a, auditor, None):
        with pytest.raises(PermissionDenied):
            config.level_update(actor=who, level=level(dept, "SILVER"), data=spec_of(dept, "SILVER"))
        with pytest.raises(PermissionDenied):
            config.programme_policy_update(actor=who, programme=dept, data={})


def test_policy_update_and_its_refusals(dept, hq):
    data = {"name": "百货会员等级", "retention_policy": RetentionPolicy.ROLLING, "grace_months": "3",
            "one_level_per_evaluation": "on", "return_policy": "wait", "notes": "改为滚动复核"}
    config.programme_policy_update(actor=hq, programme=dept, data=data)
    dept.refresh_from_db()
    assert (dept.retention_policy, dept.grace_months, dept.one_level_per_evaluation, dept.return_policy) == ("rolling", 3, True, "wait")
    with override("zh-hans"):
        assert "宽限 3 个月" in " ".join(policy_text(dept))
    assert Event.objects.get(verb="tier.programme_update").payload["before"]["retention_policy"] == "anniversary"
    for bad, key in [({"grace_months": "-1"}, "grace_months"), ({"grace_months": "two"}, "grace_months"),
                     ({"retention_policy": "sometimes"}, "retention_policy"), ({"name": " "}, "name")]:
        with override("zh-hans"), pytest.raises(ValidationFailed) as exc:
            config.programme_policy_update(actor=hq, programme=dept, data={**data, **bad, "notes": "不应保存"})
        assert key in exc.value.fields
    dept.refresh_from_db()
    assert dept.notes == "改为滚动复核" and Event.objects.filter(verb="tier.programme_update").count() == 1
