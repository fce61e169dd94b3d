"""HQ loyalty configuration screens: tier programme and levels, earn rules and points policy,
catalogue and gift stock. Refusals show Chinese messages and change nothing; other roles get 403."""
import pytest
from django.urls import reverse

from vipdesk.audit.models import Event
from vipdesk.points.choices import ItemKind, RuleKind
from vipdesk.points.models import EarnRule, ItemStock, PointsPolicy, RedemptionItem, StockMovement
from vipdesk.points.services import earn_rule_install_default
from vipdesk.tiers.models import Condition, Level, Programme
from vipdesk.tiers.presets import PRESETS
from vipdesk.tiers.config import programme_install

pytestmark = pytest.mark.django_db


@pytest.fixture
def dept(db):
    return programme_install(spec=PRESETS["department-store"])


@pytest.fixture
def gift(db):
    return RedemptionItem.objects.create(code="UMB", name="品牌雨伞", kind=ItemKind.GIFT, points=800, value="60.00", tracks_stock=True)


def rules_of(programme):
    return sorted(Condition.objects.filter(group__level__programme=programme).values_list(
        "group__level__code", "group__position", "kind", "amount", "months", "count"))


def level_post(level, **over):
    """The level form as the page shows it (rows of the existing conditions), with changes."""
    data = {"name": level.name, "mode": level.mode, "shape": ""}
    if level.is_vip:
        data["is_vip"] = "on"
    if level.retention_exempt:
        data["retention_exempt"] = "on"
    shape = []
    for g, group in enumerate(level.groups.all()):
        data[f"g{g}_mode"] = group.mode
        conditions = list(group.conditions.all())
        for c, cond in enumerate(conditions):
            data.update({f"g{g}_c{c}_kind": cond.kind, f"g{g}_c{c}_amount": str(cond.amount or ""),
                         f"g{g}_c{c}_months": str(cond.months or ""), f"g{g}_c{c}_count": str(cond.count or "")})
        shape.append(len(conditions) + 1)
    shape.append(2)
    data["shape"] = ",".join(map(str, shape))
    data.update(over)
    return data


CONFIG_URLS = ["console:loyalty_programme", "console:loyalty_programme_policy", "console:loyalty_earn_rules",
               "console:loyalty_points_policy", "console:loyalty_catalogue"]


@pytest.mark.parametrize("who", ["guide_a", "cashier_a", "manager_a", "auditor", "account_manager_a"])
def test_only_hq_reaches_the_configuration(login, request, dept, gift, who):
    client = login(request.getfixturevalue(who))
    level = dept.levels.get(code="SILVER")
    for name in CONFIG_URLS:
        assert client.get(reverse(name)).status_code == 403, name
        assert client.post(reverse(name), {}).status_code == 403, name
    assert client.get(reverse("console:loyalty_level", args=[level.pk])).status_code == 403
    assert client.post(reverse("console:loyalty_level", args=[level.pk]), {"name": "X"}).status_code == 403
    assert client.post(reverse("console:loyalty_item", args=[gift.pk]), {"step": "stock", "kind": "purchase", "quantity": "5"}).status_code == 403
    assert 'id="nav-loyalty"' not in client.get(reverse("console:home")).content.decode()
    assert Level.objects.get(pk=level.pk).name == "银卡" and not StockMovement.objects.exists()


def test_anonymous_goes_to_login(client, dept):
    response = client.get(reverse("console:loyalty_programme"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_programme_page_shows_levels_in_readable_chinese(login, hq, dept):
    html = login(hq).get(reverse("console:loyalty_programme")).content.decode()
    assert "百货会员等级" in html and "紫金钻石卡" in html
    assert "首次消费满 500 元 且 近3个月累计消费满 1,500 元" in html
    assert "近6个月累计消费满 3,000 元 或 近12个月累计消费满 5,000 元" in html
    assert "近12个月累计消费满 40,000 元 且 经总部审批" in html
    assert "每次复核最多降一级" in html and "免费停车" in html


def test_no_programme_yet(login, hq):
    html = login(hq).get(reverse("console:loyalty_programme")).content.decode()
    assert "系统运维在初始化系统时安装一套预设方案" in html and "vipdesk init" not in html


def test_level_edit_saves_valid_rules(login, hq, dept):
    client = login(hq)
    level = Level.objects.prefetch_related("groups__conditions").get(programme=dept, code="SILVER")
    page = client.get(reverse("console:loyalty_level", args=[level.pk]))
    assert page.status_code == 200 and 'name="g0_c0_amount"' in page.content.decode() and 'value="3000.00"' in page.content.decode()
    data = level_post(level, g0_c0_amount="3500", name="银卡会员", **{"g2_c0_kind": "visits", "g2_c0_months": "6", "g2_c0_count": "4"})
    response = client.post(reverse("console:loyalty_level", args=[level.pk]), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else None
    level.refresh_from_db()
    assert level.name == "银卡会员"
    assert ("SILVER", 1, "rolling_window_spend", 3500, 6, None) in rules_of(dept)
    assert ("SILVER", 3, "visits", None, 6, 4) in rules_of(dept)
    follow = client.get(reverse("console:loyalty_programme")).content.decode()
    assert "等级“银卡会员”已保存" in follow and "近6个月到店消费满 4 天" in follow


def test_level_edit_refuses_falling_thresholds_and_changes_nothing(login, hq, dept):
    client = login(hq)
    before = rules_of(dept)
    level = Level.objects.prefetch_related("groups__conditions").get(programme=dept, code="GOLD")
    response = client.post(reverse("console:loyalty_level", args=[level.pk]), level_post(level, g1_c0_amount="4000", name="黄金卡"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="level-errors"' in html and "门槛必须随等级升高" in html
    assert rules_of(dept) == before and Level.objects.get(pk=level.pk).name == "金卡"
    assert not Event.objects.filter(verb="tier.level_update").exists()


@pytest.mark.parametrize("field,value,words", [
    ("g0_c0_amount", "三千", "不是有效的数字"),
    ("g0_c0_amount", "-100", "不能为负数"),
    ("g0_c0_months", "0", "不能小于 1"),
    ("g0_c0_amount", "0", "金额必须大于零"),
])
def test_level_edit_bad_values_are_shown_in_the_row(login, hq, dept, field, value, words):
    client = login(hq)
    before = rules_of(dept)
    level = Level.objects.prefetch_related("groups__conditions").get(programme=dept, code="SILVER")
    response = client.post(reverse("console:loyalty_level", args=[level.pk]), level_post(level, **{field: value}))
    assert response.status_code == 200 and words in response.content.decode()
    assert rules_of(dept) == before


def test_level_of_an_inactive_programme_is_404(login, hq, dept):
    old = dept.levels.get(code="SILVER")
    programme_install(spec={**PRESETS["apparel"]})
    assert login(hq).get(reverse("console:loyalty_level", args=[old.pk])).status_code == 404


def test_policy_edit(login, hq, dept):
    client = login(hq)
    data = {"name": "百货会员等级", "retention_policy": "rolling", "grace_months": "3", "return_policy": "revoke", "notes": "滚动复核"}
    bad = client.post(reverse("console:loyalty_programme_policy"), {**data, "grace_months": "-1"})
    assert bad.status_code == 200 and "不能小于 0" in bad.content.decode()
    assert Programme.objects.get(pk=dept.pk).retention_policy == "anniversary"
    assert client.post(reverse("console:loyalty_programme_policy"), data).status_code == 302
    dept.refresh_from_db()
    assert (dept.retention_policy, dept.grace_months, dept.one_level_per_evaluation) == ("rolling", 3, False)


# ---- earn rules and points policy -----------------------------------------------------------------

CAMPAIGN = {"kind": RuleKind.CAMPAIGN, "name": "双倍积分周", "multiplier": "2", "starts_on": "2026-03-09", "ends_on": "2026-03-15",
            "store": "SA01"}


def test_earn_rules_list_create_and_switch_off(login, hq, store_a, dept):
    earn_rule_install_default(yuan_per_point=1)
    client = login(hq)
    page = client.get(reverse("console:loyalty_earn_rules")).content.decode()
    assert "每 ¥1.00 积 1 分" in page and "积分政策" in page
    response = client.post(reverse("console:loyalty_earn_rules"), CAMPAIGN)
    assert response.status_code == 302
    rule = EarnRule.objects.get(kind=RuleKind.CAMPAIGN)
    assert (rule.multiplier, rule.store, str(rule.starts_on)) == (2, store_a, "2026-03-09")
    page = client.get(reverse("console:loyalty_earn_rules")).content.decode()
    assert "双倍积分周" in page and "2026-03-09 – 2026-03-15" in page and "A店" in page
    tier = client.post(reverse("console:loyalty_earn_rules"), {"kind": RuleKind.TIER, "multiplier": "1.5", "level_code": "GOLD"})
    assert tier.status_code == 302 and EarnRule.objects.filter(kind=RuleKind.TIER, level_code="GOLD").exists()
    client.post(reverse("console:loyalty_earn_rule_active", args=[rule.pk]), {"active": "0"})
    rule.refresh_from_db()
    assert not rule.active
    assert 'id="inactive-rules"' in client.get(reverse("console:loyalty_earn_rules")).content.decode()


@pytest.mark.parametrize("over,words", [
    ({"ends_on": "2026-03-01"}, "结束日期不能早于开始日期"),
    ({"multiplier": "0"}, "必须大于零"),
    ({"multiplier": "x2"}, "不是有效的数字"),
    ({"starts_on": ""}, "该字段是必填项"),
])
def test_bad_earn_rule_is_refused_in_chinese(login, hq, store_a, over, words):
    response = login(hq).post(reverse("console:loyalty_earn_rules"), {**CAMPAIGN, **over})
    assert response.status_code == 200 and words in response.content.decode()
    assert not EarnRule.objects.exists() and response.context["form_open"]


def test_points_policy_form(login, hq):
    client = login(hq)
    page = client.get(reverse("console:loyalty_points_policy"))
    assert page.status_code == 200 and "积分有效期" in page.content.decode()
    data = {"expiry_kind": "rolling_months", "expiry_n": "24", "pending_days": "0", "debt_policy": "debt", "value_per_point": "0.1"}
    bad = client.post(reverse("console:loyalty_points_policy"), {**data, "value_per_point": "0"})
    assert bad.status_code == 200 and "必须大于零" in bad.content.decode()
    assert PointsPolicy.objects.get().expiry_kind == "calendar"  # the default, unchanged
    assert client.post(reverse("console:loyalty_points_policy"), data).status_code == 302
    pol = PointsPolicy.objects.get()
    assert (pol.expiry_kind, pol.expiry_n) == ("rolling_months", 24)


# ---- catalogue and stock --------------------------------------------------------------------------

ITEM = {"code": "GIFT-UMB", "name": "品牌雨伞", "kind": "gift", "points": "800", "value": "60", "months": ["3", "8"],
        "limit_per_member": "1", "limit_period": "year", "tracks_stock": "on"}


def test_catalogue_create_and_refuse(login, hq):
    client = login(hq)
    bad = client.post(reverse("console:loyalty_catalogue"), {**ITEM, "points": "0", "value": "-5"})
    assert bad.status_code == 200 and "不能小于 1" in bad.content.decode() and "不能为负数" in bad.content.decode()
    assert not RedemptionItem.objects.exists()
    response = client.post(reverse("console:loyalty_catalogue"), ITEM)
    item = RedemptionItem.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("console:loyalty_item", args=[item.pk])
    assert (item.points, item.months, item.limit_per_member) == (800, [3, 8], 1)
    listing = client.get(reverse("console:loyalty_catalogue")).content.decode()
    assert "GIFT-UMB" in listing and "3月、8月" in listing


def test_stock_life_cycle_through_the_item_page(login, hq, gift, store_a):
    client = login(hq)
    url = reverse("console:loyalty_item", args=[gift.pk])

    def move(kind, quantity, store=""):
        return client.post(url, {"step": "stock", "kind": kind, "quantity": quantity, "store": store, "note": "春季礼品"})

    assert move("purchase", "20").status_code == 302
    assert move("stock_in", "20").status_code == 302
    assert move("allocation", "8", "SA01").status_code == 302
    assert move("receipt", "5", "SA01").status_code == 302
    warehouse = ItemStock.objects.get(item=gift, store=None)
    at_a = ItemStock.objects.get(item=gift, store=store_a)
    assert (warehouse.on_order, warehouse.on_hand, at_a.in_transit, at_a.on_hand) == (0, 12, 3, 5)
    page = client.get(url).content.decode()
    assert 'id="stock-SA01"' in page and "春季礼品" in page
    assert StockMovement.objects.count() == 4
    # refusals: more than in transit, no store for an allocation, not a number
    for response, words in [(move("receipt", "4", "SA01"), "库存不足"), (move("allocation", "1"), "请选择门店"),
                            (move("purchase", "many"), "必须是整数"), (move("purchase", "0"), "不能小于 1")]:
        assert response.status_code == 200 and words in response.content.decode(), words
    at_a.refresh_from_db()
    assert (at_a.in_transit, at_a.on_hand) == (3, 5) and StockMovement.objects.count() == 4


def test_item_edit_and_withdraw(login, hq, gift):
    client = login(hq)
    url = reverse("console:loyalty_item", args=[gift.pk])
    data = {"step": "edit", "name": "品牌雨伞（大）", "kind": "gift", "points": "900", "value": "70", "limit_period": "ever", "tracks_stock": "on"}
    bad = client.post(url, {**data, "kind": "virtual"})
    assert bad.status_code == 200 and "不需要管理库存" in bad.content.decode()
    assert client.post(url, data).status_code == 302
    gift.refresh_from_db()
    assert (gift.name, gift.points, gift.code) == ("品牌雨伞（大）", 900, "UMB")
    client.post(url, {"step": "active", "active": "0"})
    gift.refresh_from_db()
    assert not gift.active


def test_programme_names_its_preset_and_keeps_languages_apart(login, hq, dept):
    client = login(hq)
    html = client.get(reverse("console:loyalty_programme")).content.decode()
    assert "由预设方案“百货商场”建立" in html and "“department-store”" not in html
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("console:loyalty_programme")).content.decode()
    assert "Retention and downgrade</h2>" in english and "(保级)" not in english
    assert "Installed from the preset “Department store”" in english


def test_catalogue_and_item_show_money_points_and_names(login, hq):
    client = login(hq)
    item = RedemptionItem.objects.create(code="EV-1800", name="电子购物券", kind=ItemKind.GIFT, points=2500, value="1800.00",
                                         tracks_stock=False, fulfilment="voucher")
    html = client.get(reverse("console:loyalty_catalogue")).content.decode()
    table = html.split('id="catalogue"')[1].split("</table>")[0]
    assert "<th>名称</th>" in table and "姓名" not in table  # a gift has a name, not a person's name
    assert "2,500" in table and "¥1,800.00" in table
    page = client.get(reverse("console:loyalty_item", args=[item.pk])).content.decode()
    assert 'id="item-points">2,500<' in page and 'id="item-value">¥1,800.00<' in page
    assert 'id="item-fulfilment">自有电子券码<' in page and ">voucher<" not in page
    assert '<option value="voucher" selected>自有电子券码</option>' in page


def test_earn_rules_page_formats_the_policy_and_names_the_rule_field(login, hq, dept):
    earn_rule_install_default(yuan_per_point=1)
    html = login(hq).get(reverse("console:loyalty_earn_rules")).content.decode()
    assert 'id="value-per-point">¥0.10<' in html and "0.1000" not in html
    assert "每 ¥1.00 积 1 分" in html
    assert '<label for="id_name">名称</label>' in html


def test_level_form_with_field_errors_says_nothing_was_saved(login, hq, dept):
    level = Level.objects.prefetch_related("groups__conditions").get(programme=dept, code="SILVER")
    html = login(hq).post(reverse("console:loyalty_level", args=[level.pk]), level_post(level, g0_c0_months="0")).content.decode()
    assert 'id="level-errors"' in html and "尚未保存：请更正下面标出的内容。" in html and "不能小于 1" in html


def test_earn_rules_page_shows_what_earns_and_hq_changes_it_audited(login, hq):
    """Issue 13 §6: which ways of paying earn points is policy, shown on the earn-rules page."""
    client = login(hq)
    html = client.get(reverse("console:loyalty_earn_rules")).content.decode()
    assert 'id="what-earns"' in html and "哪些付款积分" in html
    assert 'id="earns-money">始终积分<' in html
    assert 'id="earns-stored_value_principal">积分<' in html and 'id="earns-stored_value_bonus">不积分<' in html
    assert 'id="earns-coupon">不积分<' in html and 'id="earns-points">不积分<' in html
    form = client.get(reverse("console:loyalty_points_policy")).content.decode()
    assert "储值赠送金支付的部分也积分" in form and "用券抵扣的部分也积分" in form
    data = {"expiry_kind": "calendar", "clearing_month": "12", "clearing_day": "31", "clearing_years_after": "1",
            "pending_days": "0", "debt_policy": "debt", "value_per_point": "0.1",
            "earn_on_stored_value_principal": "on", "earn_on_stored_value_bonus": "on"}
    assert client.post(reverse("console:loyalty_points_policy"), data).status_code == 302
    pol = PointsPolicy.objects.get()
    assert (pol.earn_on_stored_value_principal, pol.earn_on_stored_value_bonus, pol.earn_on_coupon_paid) == (True, True, False)
    event = Event.objects.get(verb="points.policy_update")
    assert (event.payload["before"]["earn_on_stored_value_bonus"], event.payload["after"]["earn_on_stored_value_bonus"]) == (False, True)
    assert 'id="earns-stored_value_bonus">积分<' in client.get(reverse("console:loyalty_earn_rules")).content.decode()
