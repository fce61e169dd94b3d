import copy
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils.translation import override

from vipdesk.core.errors import ValidationFailed
from vipdesk.org.models import Store
from vipdesk.tiers.models import Benefit, Level, Programme
from vipdesk.tiers.presets import PRESETS
from vipdesk.tiers.config import programme_install, programme_validate

pytestmark = pytest.mark.django_db


def refused(spec):
    with override("zh-hans"), pytest.raises(ValidationFailed) as exc:
        programme_install(spec=spec)
    return exc.value


def test_thresholds_must_rise_with_the_level():
    spec = copy.deepcopy(PRESETS["department-store"])
    spec["levels"][2]["groups"][1]["conditions"][0]["amount"] = "5000"  # 金卡 12 months = 银卡's 5000
    error = refused(spec)
    assert "门槛必须随等级升高" in error.message and "金卡" in error.message
    assert not Programme.objects.exists()


def test_windows_must_be_positive():
    spec = copy.deepcopy(PRESETS["specialty"])
    spec["levels"][0]["groups"][1]["conditions"][0]["months"] = 0
    assert "统计期必须是正整数个月" in refused(spec).message


def test_a_level_needs_a_condition():
    spec = copy.deepcopy(PRESETS["apparel"])
    spec["levels"][1]["groups"] = []
    assert "没有升级条件" in refused(spec).message


def test_every_preset_is_valid_as_installed():
    for name, spec in PRESETS.items():
        programme = programme_install(spec=spec)
        programme_validate(programme=programme)


@pytest.mark.parametrize("preset,levels", [("department-store", ["普卡", "银卡", "金卡", "钻石卡", "紫金钻石卡"]),
                                           ("apparel", ["普通会员卡", "银卡", "金卡", "钻石卡"]),
                                           ("specialty", ["VIP银卡", "VIP金卡"]),
                                           ("restaurant", ["铜牌VIP", "银牌VIP", "金牌VIP"])])
def test_init_sets_up_an_empty_database(preset, levels, capsys):
    call_command("init", preset=preset)
    programme = Programme.objects.get(active=True)
    assert programme.preset == preset
    assert list(Level.objects.filter(programme=programme).values_list("name", flat=True)) == levels
    assert Store.objects.filter(code="S001").exists()
    assert "S001" in capsys.readouterr().out
    from vipdesk.wallet.models import TopUpRule  # the seed's top-up bonuses (003 篇8) come with every preset

    assert sorted((int(r.threshold), int(r.bonus)) for r in TopUpRule.objects.all()) == [
        (3000, 1000), (5000, 2000), (10000, 5000), (30000, 10000)]
    with pytest.raises(CommandError):
        call_command("init", preset=preset)


def test_department_store_benefits_follow_the_seed():
    call_command("init", preset="department-store")
    parking = dict(Benefit.objects.filter(code="parking").values_list("level__code", "quota"))
    assert parking == {"PK": 1, "SILVER": 2, "GOLD": 4, "DIAMOND": 4, "PURPLE": 6}
    discount = {k: str(v) for k, v in Benefit.objects.filter(code="partner_discount").values_list("level__code", "value")}
    assert discount == {"PK": "9.50", "SILVER": "9.00", "GOLD": "8.80", "DIAMOND": "8.50", "PURPLE": "8.00"}
    assert set(Benefit.objects.filter(code="lounge").values_list("level__code", flat=True)) == {"DIAMOND", "PURPLE"}
    assert list(Level.objects.filter(is_vip=True).values_list("code", flat=True)) == ["DIAMOND", "PURPLE"]


def test_a_higher_level_asking_less_over_a_longer_window_is_refused():
    """银卡 asking ¥1,000 over 6 months is reached by everyone who has 普卡's ¥1,500 over 3 months."""
    from vipdesk.core.errors import ValidationFailed
    from vipdesk.tiers import engine
    from vipdesk.tiers.validation import programme_check

    def level(code, rank, months, amount):
        cond = engine.Cond("rolling_window_spend", Decimal(amount), months)
        return engine.LevelRule(code=code, rank=rank, name=code, groups=(engine.Group(conditions=(cond,)),))

    with pytest.raises(ValidationFailed) as refused:
        programme_check([level("普卡", 1, 3, "1500"), level("银卡", 2, 6, "1000")], retention_policy="never", grace_months=0)
    assert "近6个月累计消费 ¥1,000.00" in refused.value.message and "近3个月累计消费 ¥1,500.00" in refused.value.message
    # asking more over the longer window, or anything over a shorter one, is a real step up
    programme_check([level("普卡", 1, 3, "1500"), level("银卡", 2, 6, "3000")], retention_policy="never", grace_months=0)
    programme_check([level("普卡", 1, 12, "1500"), level("银卡", 2, 3, "1000")], retention_policy="never", grace_months=0)
