"""客户分群 and 分类规则 in the console: live counts equal to the selector's (in the user's scope), a
segment built from the form with a preview count and the first members masked, field errors in
Chinese that change nothing, delete, who may do what; the classification settings edited through
analytics.config (checked, audited) beside the members per class of the latest snapshot."""
import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from vipdesk.analytics.classify import policy, snapshot_take
from vipdesk.analytics.models import ClassificationPolicy, Segment
from vipdesk.analytics.segments import segment_create
from vipdesk.analytics.selectors import segment_count, segment_members
from vipdesk.analytics.tests.helpers import buy, member
from vipdesk.audit.models import Event
from vipdesk.tiers.models import Level, MemberTier
from vipdesk.tiers.presets import PRESETS
from vipdesk.tiers.config import programme_install

pytestmark = pytest.mark.django_db

LIST = reverse("console:segment_list")
NEW = reverse("console:segment_new")
POLICY = reverse("console:classification_policy")


def days_ago(n):
    return timezone.localdate() - dt.timedelta(days=n)


@pytest.fixture
def chain(store_a, store_b):
    """Six members, two stores, tiers of the department-store preset, purchases and today's snapshot.
    Gold members a1 (store A) and b1 (store B) buy often, much and lately: 重要价值客户."""
    programme = programme_install(spec=PRESETS["department-store"])
    level = {lv.code: lv for lv in Level.objects.filter(programme=programme)}
    people = {
        "a1": member(store_a, name="王丽", mobile="13900001111", gender="F"),
        "a2": member(store_a, name="赵强", mobile="13900002222", gender="M"),
        "a3": member(store_a, name="孙梅", mobile="13900003333", gender="F"),
        "b1": member(store_b, name="周杰", mobile="13900004444", gender="M"),
        "b2": member(store_b, name="吴芳", mobile="13900005555", gender="F"),
        "b3": member(store_b, name="郑波", mobile="13900006666", gender="M"),
    }
    for key, code in (("a1", "GOLD"), ("a2", "GOLD"), ("a3", "SILVER"), ("b1", "GOLD"), ("b2", "PK"), ("b3", "GOLD")):
        MemberTier.objects.create(member=people[key], programme=programme, level=level[code])
    for key in ("a1", "b1"):
        for n in (3, 20, 40, 60):
            buy(people[key], days_ago(n), "3000.00", lines=[{"brand": "示例", "category": "女装", "size": "M", "unit_price": "3000.00"}])
    buy(people["a2"], days_ago(300), "200.00")
    buy(people["a3"], days_ago(5), "150.00")
    buy(people["b2"], days_ago(200), "90.00")
    snapshot_take(on=timezone.localdate())
    return people


GOLD_VALUE = {"levels": ["GOLD"], "rfm_segments": ["important_value"]}


def test_the_selector_agrees_with_the_fixture(chain, hq, manager_a):
    assert set(segment_members(GOLD_VALUE)) == {chain["a1"], chain["b1"]}
    assert set(segment_members(GOLD_VALUE, user=manager_a)) == {chain["a1"]}


def test_the_list_shows_each_segment_with_its_live_count_in_the_users_scope(chain, login, hq, manager_a):
    gold = segment_create(actor=hq, data={"name": "金卡重要价值", "definition": GOLD_VALUE})
    women = segment_create(actor=hq, data={"name": "女士", "definition": {"genders": ["F"]}})
    mine = segment_create(actor=manager_a, data={"name": "近30天买过女装", "definition": {"bought": {"categories": ["女装"], "days": 30}}})
    page = login(hq).get(LIST).content.decode()
    for seg in (gold, women, mine):
        count = segment_count(seg, user=hq)
        assert f'id="segment-{seg.pk}"' in page
        row = page.split(f'id="segment-{seg.pk}"')[1].split("</tr>")[0]
        assert f'<td class="num segment-count">{count}</td>' in row
    assert segment_count(gold, user=hq) == 2 and segment_count(women, user=hq) == 3
    assert "等级：金卡" in page and "重要价值客户" in page and "近30天买过" in page
    # a store manager counts her own store's members only
    page = login(manager_a).get(LIST).content.decode()
    row = page.split(f'id="segment-{gold.pk}"')[1].split("</tr>")[0]
    assert segment_count(gold, user=manager_a) == 1 and '<td class="num segment-count">1</td>' in row
    row = page.split(f'id="segment-{women.pk}"')[1].split("</tr>")[0]
    assert '<td class="num segment-count">2</td>' in row


def test_hq_builds_a_segment_previews_the_count_then_saves_it(chain, login, hq):
    client = login(hq)
    assert "客户分群" in client.get(NEW).content.decode()
    data = {"name": "金卡重要价值", "levels": ["GOLD"], "rfm_segments": ["important_value"], "tags_mode": "any"}
    page = client.post(NEW, {**data, "step": "preview"}).content.decode()
    assert '<span class="stat-value" id="preview-count">2</span>' in page
    assert "13900001111" in page                                          # HQ may see personal data in full
    assert chain["b1"].member_no in page and chain["a2"].member_no not in page
    assert not Segment.objects.exists()                                  # a preview saves nothing
    response = client.post(NEW, {**data, "step": "save"})
    seg = Segment.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("console:segment", args=[seg.pk])
    assert seg.definition == GOLD_VALUE and seg.owner == hq
    assert Event.objects.filter(verb="segment.create", object_id=str(seg.pk)).exists()
    page = client.get(reverse("console:segment", args=[seg.pk])).content.decode()
    assert 'id="preview-count">2<' in page
    assert re.search(r'name="levels" value="GOLD"[^>]*checked', page) and not re.search(r'name="levels" value="SILVER"[^>]*checked', page)


def test_every_kind_of_filter_goes_from_the_form_into_the_definition(chain, login, hq, store_a):
    client = login(hq)
    data = {
        "name": "全条件", "description": "测试", "genders": ["F", "M"], "age_min": "20", "age_max": "60", "birthday_months": ["3", "4"],
        "levels": ["GOLD"], "stores": "SA01，SB01", "owners": "hq", "tags": "高端, 大码", "tags_mode": "all",
        "rfm_segments": ["important_value", "important_keep"], "r_min": "3", "r_max": "5", "f_min": "2", "m_max": "5",
        "abc": ["A", "B"], "pyramid": ["platinum"], "spend_class": ["A"], "lifecycle": ["active"], "vip": "no", "svip": "yes",
        "bought_brands": "示例", "bought_categories": "女装\n男装", "bought_sizes": "M", "bought_price_min": "100",
        "bought_price_max": "5000", "bought_days": "90", "spend_min": "1000", "spend_max": "", "spend_days": "180",
        "last_purchase_min": "", "last_purchase_max": "30", "step": "save",
    }
    assert client.post(NEW, data).status_code == 302
    assert Segment.objects.get().definition == {
        "genders": ["F", "M"], "levels": ["GOLD"], "rfm_segments": ["important_value", "important_keep"], "abc": ["A", "B"],
        "pyramid": ["platinum"], "spend_class": ["A"], "lifecycle": ["active"], "stores": ["SA01", "SB01"], "owners": ["hq"],
        "tags": ["高端", "大码"], "tags_mode": "all", "r_score": {"min": 3, "max": 5}, "f_score": {"min": 2}, "m_score": {"max": 5},
        "vip": False, "svip": True, "age": {"min": 20, "max": 60}, "birthday_months": [3, 4],
        "last_purchase_days": {"max": 30}, "spend": {"min": "1000.00", "days": 180},
        "bought": {"days": 90, "brands": ["示例"], "categories": ["女装", "男装"], "sizes": ["M"], "price_min": "100.00",
                   "price_max": "5000.00"},
    }
    # the saved segment's page shows the same values back
    page = client.get(reverse("console:segment", args=[Segment.objects.get().pk])).content.decode()
    assert "SA01, SB01</textarea>" in page and "女装, 男装</textarea>" in page
    assert 'name="bought_days" value="90"' in page and 'name="spend_min" value="1000.00"' in page


@pytest.mark.parametrize("bad, field, words", [
    ({"age_min": "50", "age_max": "20"}, "age_min", "最小值大于最大值"),
    ({"age_min": "abc"}, "age_min", "整数"),
    ({"r_min": "11"}, "r_min", "不能大于 10"),
    ({"bought_days": "0"}, "bought_days", "不能小于 1"),
    ({"spend_min": "12.345"}, "spend_min", "最多 2 位小数"),
    ({"bought_price_min": "500", "bought_price_max": "100"}, "bought_price_min", "最小值大于最大值"),
    ({"spend_days": "30"}, "spend_min", "请给出"),
    ({"stores": "NOPE"}, "stores", "NOPE"),
    ({"levels": ["NOPE"]}, "levels", "NOPE"),
    ({"owners": "nobody"}, "owners", "nobody"),
    ({"name": ""}, "name", "必填"),
])
def test_bad_input_is_marked_in_chinese_and_nothing_is_saved(chain, login, hq, bad, field, words):
    data = {"name": "坏条件", "tags_mode": "any", "step": "save", **bad}
    page = login(hq).post(NEW, data).content.decode()
    assert f'id="error-{field}"' in page, page[:3000]
    error = page.split(f'id="error-{field}"')[1].split("</p>")[0]
    assert words in error, error
    assert not Segment.objects.exists()


def test_a_bad_preview_is_marked_too_and_a_classification_filter_needs_a_snapshot(login, hq, store_a):
    client = login(hq)
    page = client.post(NEW, {"age_min": "50", "age_max": "20", "step": "preview"}).content.decode()
    assert 'id="error-age_min"' in page and "preview-count" not in page
    page = client.post(NEW, {"abc": ["A"], "step": "preview"}).content.decode()   # no snapshot taken yet
    assert 'id="preview-why"' in page and "快照" in page


def test_a_name_taken_is_refused(chain, login, hq):
    segment_create(actor=hq, data={"name": "金卡", "definition": {"levels": ["GOLD"]}})
    page = login(hq).post(NEW, {"name": "金卡", "genders": ["F"], "step": "save"}).content.decode()
    assert 'id="error-name"' in page and Segment.objects.count() == 1


def test_editing_and_deleting_and_who_may(chain, login, hq, manager_a, guide_a):
    seg = segment_create(actor=hq, data={"name": "金卡", "definition": {"levels": ["GOLD"]}})
    url = reverse("console:segment", args=[seg.pk])
    client = login(hq)
    assert client.post(url, {"name": "金卡女士", "levels": ["GOLD"], "genders": ["F"], "step": "save"}).status_code == 302
    seg.refresh_from_db()
    assert (seg.name, seg.definition) == ("金卡女士", {"genders": ["F"], "levels": ["GOLD"]})
    # a store manager may count and preview HQ's segment (her store's members only) but not change it
    client = login(manager_a)
    page = client.get(url).content.decode()
    assert 'id="segment-readonly"' in page and 'id="segment-save"' not in page and 'id="segment-delete"' not in page
    assert 'id="preview-count">1<' in page and chain["a1"].member_no in page and chain["b1"].member_no not in page
    assert "139****1111" in page and "13900001111" not in page and "王丽" not in page      # masked for a store manager
    page = client.post(url, {"name": "改名", "levels": ["GOLD"], "step": "save"}).content.decode()
    assert "只有" in page and Segment.objects.get().name == "金卡女士"
    client.post(reverse("console:segment_delete", args=[seg.pk]))
    assert Segment.objects.filter(pk=seg.pk).exists()
    # her own segment she may delete
    own = segment_create(actor=manager_a, data={"name": "本店女士", "definition": {"genders": ["F"]}})
    assert client.post(reverse("console:segment_delete", args=[own.pk])).status_code == 302
    assert not Segment.objects.filter(pk=own.pk).exists()
    assert Event.objects.filter(verb="segment.delete", object_id=str(own.pk)).exists()
    assert client.get(reverse("console:segment", args=[999999])).status_code == 404
    # a guide has no segments at all
    client = login(guide_a)
    for response in (client.get(LIST), client.get(NEW), client.get(url), client.post(NEW, {"name": "x", "step": "save"}),
                     client.post(reverse("console:segment_delete", args=[seg.pk])), client.get(POLICY), client.post(POLICY, {})):
        assert response.status_code == 403
    assert 'id="nav-segments"' not in client.get("/").content.decode()
    assert Segment.objects.filter(pk=seg.pk).exists()


# ---- classification settings ------------------------------------------------------------------------

def policy_data(**changes):
    pol = policy()
    from vipdesk.analytics.config import POLICY_FIELDS

    return {**{k: str(getattr(pol, k)) for k in POLICY_FIELDS}, **changes}


def test_hq_changes_the_svip_share_beside_the_distribution(chain, login, hq):
    client = login(hq)
    page = client.get(POLICY).content.decode()
    assert "分类规则" in page and 'id="nav-segments"' in page
    assert 'id="dist-rfm_segment"' in page and "重要价值客户" in page and 'id="scarcity"' in page
    table = page.split('id="dist-pyramid_class"')[1].split("</table>")[0]
    assert "白金层" in table and "重铅层" in table
    response = client.post(POLICY, policy_data(svip_pct="15", pyramid_platinum_pct="2.5"))
    assert response.status_code == 302
    pol = ClassificationPolicy.objects.get()
    assert (pol.svip_pct, pol.pyramid_platinum_pct) == (D("15.00"), D("2.50"))
    event = Event.objects.get(verb="analytics.policy_update")
    assert event.actor == hq and event.payload == {"before": {"svip_pct": "10.00", "pyramid_platinum_pct": "1.00"},
                                                   "after": {"svip_pct": "15.00", "pyramid_platinum_pct": "2.50"}}
    assert 'value="15.00"' in client.get(POLICY).content.decode()


@pytest.mark.parametrize("bad, field, words", [
    ({"svip_pct": "101"}, "svip_pct", "不能大于"),
    ({"svip_pct": "abc"}, "svip_pct", "数字"),
    ({"rfm_bins": "1"}, "rfm_bins", "不能小于 2"),
    ({"pyramid_gold_pct": "0.5"}, "pyramid_gold_pct", "白金"),
    ({"spend_b": "30000"}, "spend_b", "X1"),
    ({"abc_b_spend": "20000"}, "abc_a_spend", "B"),
    ({"about_to_churn_months": "12"}, "about_to_churn_months", "休眠"),
    ({"churned_months": "6"}, "churned_months", "休眠"),
    ({"rfm_split": "median"}, "rfm_split", "选择"),
])
def test_bad_settings_are_marked_in_chinese_and_nothing_changes(login, hq, bad, field, words):
    before = policy_data()
    page = login(hq).post(POLICY, policy_data(**bad)).content.decode()
    assert f'id="error-{field}"' in page, page[:2000]
    assert words in page.split(f'id="error-{field}"')[1].split("</p>")[0]
    assert policy_data() == before and not Event.objects.filter(verb="analytics.policy_update").exists()


def test_a_store_manager_reads_the_rules_and_her_distribution_but_may_not_change_them(chain, login, manager_a):
    client = login(manager_a)
    page = client.get(POLICY).content.decode()
    assert 'id="policy-readonly"' in page and 'id="classification-save"' not in page and "disabled" in page
    assert "您权限范围内共 3 位会员" in page                               # the snapshot rows of store A's three members
    assert client.post(POLICY, policy_data(svip_pct="50")).status_code == 403
    assert ClassificationPolicy.objects.get().svip_pct == D("10.00")


def test_the_policy_page_without_a_snapshot(login, hq):
    page = login(hq).get(POLICY).content.decode()
    assert 'id="no-snapshot"' in page and 'id="classification-form"' in page


def test_english_still_works(chain, login, hq):
    client = login(hq)
    client.cookies["django_language"] = "en"
    page = client.get(LIST, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Customer segments" in page and "No saved segments yet." in page
    page = client.get(POLICY, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Classification rules" in page and "SVIP: top % of VIPs by spend" in page
