"""Saved dynamic segments: each filter, validation, scoping, the services; snapshots and migration."""
import datetime as dt
from decimal import Decimal

import pytest

from vipdesk.accounts.roles import Role
from vipdesk.analytics.classify import policy, snapshot_take
from vipdesk.analytics.models import ClassificationPolicy, MemberSnapshot, Segment
from vipdesk.analytics.segments import definition_clean, segment_create, segment_delete, segment_update
from vipdesk.analytics.selectors import NoSnapshot, class_distribution, class_migration, scarcity, segment_count, segment_members
from vipdesk.core.errors import PermissionDenied, ValidationFailed
from vipdesk.members.models import Member, Tag
from vipdesk.scheduler.runs import run_jobs
from vipdesk.testing.factories import StaffFactory
from vipdesk.tiers.models import Level, MemberTier
from vipdesk.tiers.presets import PRESETS
from vipdesk.tiers.config import programme_install

from .helpers import buy, member

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 6, 30)


def D(s):
    return dt.date.fromisoformat(s)


def ids(defn, **kw):
    kw.setdefault("on", ON)
    return set(segment_members(defn, **kw).values_list("pk", flat=True))


@pytest.fixture
def people(store_a, store_b, guide_a):
    owner = StaffFactory(username="owner1", role=Role.GUIDE, stores=[store_a])
    vip_tag, big_tag = Tag.objects.create(name="高端"), Tag.objects.create(name="大码")
    p = {
        "amy": member(store_a, name="艾美", gender="F", birthday=D("1990-07-01")),
        "bob": member(store_a, name="鲍勃", gender="M", birthday=D("1986-06-30")),
        "cat": member(store_b, name="凯特", gender="F", birthday=D("2000-01-01")),
        "dan": member(store_b, name="丹", gender="M"),
    }
    Member.objects.filter(pk=p["amy"].pk).update(owner=owner)
    p["amy"].tags.add(vip_tag, big_tag)
    p["bob"].tags.add(vip_tag)
    buy(p["amy"], D("2026-06-01"), "1200.00", lines=[{"brand": "示例", "category": "女装", "size": "XL", "unit_price": "600.00",
                                                     "quantity": 2, "amount": "1200.00"}])
    buy(p["bob"], D("2026-01-10"), "300.00", lines=[{"brand": "其他", "category": "男装", "size": "L", "unit_price": "300.00"}])
    buy(p["cat"], D("2025-01-10"), "5000.00", lines=[{"brand": "示例", "category": "鞋", "size": "37", "unit_price": "5000.00"}])
    # a line returned in full does not count as "bought"
    buy(p["dan"], D("2026-06-20"), "800.00", returned="800.00",
        lines=[{"brand": "示例", "category": "女装", "size": "XL", "unit_price": "800.00", "returned_quantity": 1}])
    p["owner"] = owner
    return p


def test_profile_filters(people):
    amy, bob, cat, dan = (people[k].pk for k in ("amy", "bob", "cat", "dan"))
    assert ids({}) == {amy, bob, cat, dan}
    assert ids({"stores": ["SA01"]}) == {amy, bob}
    assert ids({"owners": ["owner1"]}) == {amy}
    assert ids({"genders": ["F"]}) == {amy, cat}
    assert ids({"tags": ["高端", "大码"]}) == {amy, bob}
    assert ids({"tags": ["高端", "大码"], "tags_mode": "all"}) == {amy}
    # ages on 2026-06-30: amy 35 (36 tomorrow), bob 40 today, cat 26, dan unknown
    assert ids({"age": {"min": 36}}) == {bob}
    assert ids({"age": {"min": 26, "max": 35}}) == {amy, cat}
    assert ids({"age": {"max": 39}}) == {amy, cat}


def test_behaviour_filters(people):
    amy, bob, cat = (people[k].pk for k in ("amy", "bob", "cat"))
    assert ids({"bought": {"brands": ["示例"], "days": 90}}) == {amy}                    # dan's line was returned
    assert ids({"bought": {"brands": ["示例"], "days": 600}}) == {amy, cat}
    assert ids({"bought": {"categories": ["男装", "鞋"], "days": 730}}) == {bob, cat}
    assert ids({"bought": {"sizes": ["XL"]}}) == {amy}
    assert ids({"bought": {"price_min": "500.00", "price_max": "1000.00", "days": 365}}) == {amy}
    assert ids({"spend": {"min": "1000.00", "days": 365}}) == {amy}
    assert ids({"spend": {"max": "500.00", "days": 365}}) == {bob, cat, people["dan"].pk}  # 0 spend counts as under
    assert ids({"spend": {"min": "100", "max": "5000", "days": 730}}) == {amy, bob, cat}
    # days since the last purchase: amy 29, bob 171, cat 536; dan never bought (his only sale was returned)
    assert ids({"last_purchase_days": {"min": 30}}) == {bob, cat}
    assert ids({"last_purchase_days": {"min": 29, "max": 171}}) == {amy, bob}
    assert ids({"stores": ["SA01"], "bought": {"brands": ["示例"]}}) == {amy}               # keys combine with AND


def test_level_and_classification_filters(people):
    programme = programme_install(spec=PRESETS["department-store"])
    diamond = Level.objects.get(programme=programme, code="DIAMOND")
    MemberTier.objects.create(member=people["amy"], programme=programme, level=diamond)
    MemberTier.objects.create(member=people["cat"], programme=programme, level=Level.objects.get(programme=programme, code="GOLD"))
    amy, bob, cat, dan = (people[k].pk for k in ("amy", "bob", "cat", "dan"))
    assert ids({"levels": ["DIAMOND", "PURPLE"]}) == {amy}
    with pytest.raises(NoSnapshot):
        ids({"abc": ["C"]})
    snapshot_take(on=ON)
    # scored: amy (recent, 1,200) and bob (older, 300); both F = 1 (tie) → F low
    assert ids({"rfm_segments": ["important_develop"]}) == {amy}
    assert ids({"rfm_segments": ["general_win_back"]}) == {bob}
    assert ids({"r_score": {"min": 2}}) == {amy} and ids({"m_score": {"max": 1}}) == {bob}
    assert ids({"f_score": {"min": 1, "max": 1}}) == {amy, bob}
    assert ids({"abc": ["C"]}) == {amy, bob, cat, dan}
    assert ids({"spend_class": ["C"]}) == {amy} and ids({"spend_class": ["D"]}) == {bob, cat, dan}
    assert ids({"pyramid": ["platinum"]}) == {amy}
    assert ids({"lifecycle": ["dormant"]}) == {cat}
    assert ids({"lifecycle": ["active"]}) == {amy, bob}        # bob: 171 days, under 6 months
    assert ids({"vip": True}) == {amy} and ids({"svip": True}) == {amy} and ids({"svip": False}) == {bob, cat, dan}
    # the latest snapshot on or before the date is used
    assert ids({"abc": ["C"]}, on=ON + dt.timedelta(days=5)) == {amy, bob, cat, dan}
    with pytest.raises(NoSnapshot):
        ids({"abc": ["C"]}, on=ON - dt.timedelta(days=1))
    assert segment_count({"lifecycle": ["active", "about_to_churn"]}, on=ON) == 2


def test_scoping_a_guide_sees_only_his_stores_members(people, guide_a, guide_b, hq):
    amy, bob, cat, dan = (people[k].pk for k in ("amy", "bob", "cat", "dan"))
    defn = {"genders": ["F", "M"]}
    assert ids(defn, user=guide_a) == {amy, bob}
    assert ids(defn, user=guide_b) == {cat, dan}
    assert ids(defn, user=hq) == {amy, bob, cat, dan}
    am = StaffFactory(username="am1", role=Role.ACCOUNT_MANAGER, stores=[])
    Member.objects.filter(pk=cat).update(owner=am)
    assert ids(defn, user=am) == {cat}                         # an account manager: his own book
    segment = segment_create(actor=hq, data={"name": "全部", "definition": defn})
    assert segment_count(segment, user=guide_a, on=ON) == 2


def test_withdrawn_members_are_never_in_a_segment(people):
    Member.objects.filter(pk=people["amy"].pk).update(status="withdrawn")
    assert people["amy"].pk not in ids({})


@pytest.mark.parametrize("bad, field", [
    ({"colour": ["red"]}, "colour"),
    ({"genders": ["X"]}, "genders"),
    ({"rfm_segments": ["重要价值"]}, "rfm_segments"),
    ({"stores": []}, None),                                   # an empty list is "no filter", not an error
    ({"age": {"min": 40, "max": 30}}, "age"),
    ({"age": {}}, "age"),
    ({"spend": {"min": 10.5}}, "spend.min"),                  # money as strings, never floats
    ({"bought": {"days": 0}}, "bought.days"),
    ({"bought": {"colour": "red"}}, "bought"),
    ({"svip": "yes"}, "svip"),
    ({"tags_mode": "some"}, "tags_mode"),
    ({"r_score": {"min": 11}}, "r_score.min"),
])
def test_definitions_are_validated(bad, field):
    if field is None:
        assert definition_clean(bad) == {"stores": []} or definition_clean(bad) == {}
        return
    with pytest.raises(ValidationFailed) as exc:
        definition_clean(bad)
    assert field in exc.value.fields


def test_definition_clean_is_canonical():
    assert definition_clean({"spend": {"min": "1000"}, "genders": "F", "bought": {"brands": ["示例", "示例"]}}) == {
        "spend": {"min": "1000.00", "days": 365}, "genders": ["F"], "bought": {"days": 365, "brands": ["示例"]}}


def test_segment_services_and_who_may_change(people, hq, manager_a, guide_a):
    with pytest.raises(PermissionDenied):
        segment_create(actor=guide_a, data={"name": "x", "definition": {}})
    seg = segment_create(actor=manager_a, data={"name": "大码女装", "definition": {"bought": {"sizes": ["XL"]}}})
    assert seg.owner == manager_a and seg.definition == {"bought": {"days": 365, "sizes": ["XL"]}}
    with pytest.raises(ValidationFailed) as exc:
        segment_create(actor=hq, data={"name": "大码女装", "definition": {"genders": ["Q"]}})
    assert set(exc.value.fields) == {"name", "definition.genders"}
    other = StaffFactory(username="manager_x", role=Role.STORE_MANAGER, stores=[])
    with pytest.raises(PermissionDenied):
        segment_update(actor=other, segment=seg, data={"name": "改"})
    seg = segment_update(actor=hq, segment=seg, data={"description": "HQ 改"})
    assert seg.description == "HQ 改" and seg.name == "大码女装"
    segment_delete(actor=manager_a, segment=seg)
    assert not Segment.objects.exists()


# ---- snapshots -------------------------------------------------------------------------------------

def _rows(day):
    return sorted(MemberSnapshot.objects.filter(date=day).values_list(
        "member_id", "r_score", "f_score", "m_score", "rfm_segment", "abc_class", "pyramid_class", "spend_class", "svip",
        "lifecycle", "frequency", "monetary"))


def test_snapshot_is_idempotent_per_date_and_redone_on_demand(people):
    first = snapshot_take(on=ON)
    rows = _rows(ON)
    assert first["members"] == 4 and len(rows) == 4
    assert snapshot_take(on=ON)["members"] == 4 and _rows(ON) == rows
    buy(people["dan"], ON, "50000.00")                      # a late sale of the same date: a re-take sees it
    snapshot_take(on=ON)
    assert MemberSnapshot.objects.get(date=ON, member=people["dan"]).abc_class == "C"
    assert MemberSnapshot.objects.get(date=ON, member=people["dan"]).spend_class == "A"
    assert MemberSnapshot.objects.filter(date=ON).count() == 4


def test_the_daily_job_takes_the_snapshot_once(people):
    out = run_jobs(on=ON)
    assert out["segments"]["members"] == 4
    assert run_jobs(on=ON)["segments"] is None
    assert MemberSnapshot.objects.filter(date=ON).count() == 4


def test_retention_keeps_recent_days_and_month_ends(people):
    policy()
    ClassificationPolicy.objects.update(snapshot_daily_days=3)
    for day in (D("2026-05-30"), D("2026-05-31"), D("2026-06-01"), D("2026-06-26"), D("2026-06-27"), D("2026-06-28")):
        snapshot_take(on=day)
    snapshot_take(on=ON)
    assert sorted(set(MemberSnapshot.objects.values_list("date", flat=True))) == [
        D("2026-05-31"), D("2026-06-27"), D("2026-06-28"), ON]


def test_migration_matrix_between_two_snapshots(people, store_a):
    april = D("2026-04-30")
    snapshot_take(on=april)
    newcomer = member(store_a, enrolled=D("2026-05-10"))
    buy(people["bob"], D("2026-06-10"), "25000.00")
    Member.objects.filter(pk=people["cat"].pk).update(status="withdrawn")
    snapshot_take(on=ON)
    # by hand from the fixture's purchases — spend class over the last 12 months on 30 April:
    #   amy 0 → D (her purchase is in June), bob 300 → D, cat 0 → D (January 2025 is too old), dan D
    #   on 30 June: amy 1,200 → C, bob 25,300 → A, cat withdrawn (gone), dan D, newcomer D (new)
    got = class_migration("spend_class", april, ON)
    assert got["matrix"] == {"D": {"C": 1, "A": 1, "D": 1, "gone": 1}, "new": {"D": 1}}
    assert got["classes"] == ["A", "B", "C", "D"]
    life = class_migration("lifecycle", april, ON)["matrix"]
    # 30 April: amy had not bought yet and enrolled in 2020 → churned; bob bought 2026-01-10 → active;
    # cat 2025-01-10, over 12 months → dormant; dan churned. 30 June: amy, bob, newcomer active, dan churned.
    assert life == {"churned": {"active": 1, "churned": 1}, "active": {"active": 1}, "dormant": {"gone": 1},
                    "new": {"active": 1}}
    assert newcomer.pk
    assert class_migration("svip", april, ON)["matrix"] == {"-": {"-": 3, "gone": 1}, "new": {"-": 1}}
    with pytest.raises(NoSnapshot):
        class_migration("abc_class", D("2026-01-01"), ON)


def test_distribution_and_scarcity(people, store_a, guide_b):
    programme = programme_install(spec=PRESETS["department-store"])
    diamond = Level.objects.get(programme=programme, code="DIAMOND")
    for key in ("amy", "bob"):
        MemberTier.objects.create(member=people[key], programme=programme, level=diamond)
    snapshot_take(on=ON)
    dist = class_distribution(on=ON)
    assert dist["members"] == 4 and dist["lifecycle"] == {"active": 2, "churned": 1, "dormant": 1}
    assert dist["svip"] == {"-": 3, "svip": 1}
    assert class_distribution(on=ON, user=guide_b)["members"] == 2
    s = scarcity(on=ON)
    # 2 of 4 members are VIP (50 %); SVIP = top 10 % of 2 VIPs → amy (1,200 of 1,500 VIP spend = 80 %)
    assert (s["vips"], s["vip_pct"], s["svips"], s["svip_pct_of_vips"]) == (2, "50.0", 1, "50.0")
    assert (s["vip_spend"], s["svip_spend"], s["svip_pct_of_vip_spend"]) == ("1500.00", "1200.00", "80.0")
    assert Decimal(s["vip_spend"]) == Decimal("1500.00")


def test_cli_snapshot_and_classify(people):
    import json
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = StringIO()
    call_command("analytics", "snapshot", "--date", "2026-06-30", stdout=out)
    assert json.loads(out.getvalue())["members"] == 4
    out = StringIO()
    call_command("analytics", "classify", "--member", people["amy"].member_no, "--date", "2026-07-02", "--json", stdout=out)
    got = json.loads(out.getvalue())
    assert (got["date"], got["spend_class"], got["lifecycle"], got["monetary"]) == ("2026-06-30", "C", "active", "1200.00")
    with pytest.raises(CommandError):
        call_command("analytics", "classify", "--member", people["amy"].member_no, "--date", "2026-06-01")


def test_birthday_months(people):
    amy, cat = people["amy"].pk, people["cat"].pk                  # born in July and January; dan has no birthday
    assert ids({"birthday_months": [7]}) == {amy}
    assert ids({"birthday_months": [1, 7, 12]}) == {amy, cat}
    assert definition_clean({"birthday_months": ["7", 1, 7]}) == {"birthday_months": [1, 7]}
    for bad in ([13], [0], ["七月"], "7"):
        with pytest.raises(ValidationFailed) as exc:
            definition_clean({"birthday_months": bad})
        assert "birthday_months" in exc.value.fields


def test_saving_checks_that_named_stores_levels_and_owners_exist(people, hq):
    programme_install(spec=PRESETS["department-store"])
    with pytest.raises(ValidationFailed) as exc:
        segment_create(actor=hq, data={"name": "x", "definition": {"stores": ["SA01", "NOPE"], "levels": ["GOLD", "TIN"],
                                                                   "owners": ["owner1", "ghost"]}})
    assert {k: len(v) for k, v in exc.value.fields.items()} == {"definition.stores": 1, "definition.levels": 1, "definition.owners": 1}
    assert "NOPE" in exc.value.fields["definition.stores"][0] and "ghost" in exc.value.fields["definition.owners"][0]
    seg = segment_create(actor=hq, data={"name": "x", "definition": {"stores": ["SA01"], "levels": ["GOLD"], "owners": ["owner1"]}})
    # evaluating does not check: a store closed (renamed) later just matches nobody
    Segment.objects.filter(pk=seg.pk).update(definition={"stores": ["GONE"]})
    seg.refresh_from_db()
    assert segment_count(seg, on=ON) == 0
