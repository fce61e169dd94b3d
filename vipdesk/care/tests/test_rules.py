"""One test per care rule: crafted members, one business date, exactly the expected tasks; running
the date again creates nothing new."""
import datetime as dt

import pytest
from django.utils import timezone

from vipdesk.care.jobs import care_run_daily
from vipdesk.care.models import CareEvent, CareTask
from vipdesk.members.cards import card_issue
from vipdesk.members.models import Consent, Member
from vipdesk.members.services import member_withdraw
from vipdesk.points.models import PointsAccount, PointsLot
from vipdesk.points.tests.helpers import make_sale
from vipdesk.members.models import DormantCard
from vipdesk.testing.factories import make_member
from vipdesk.tiers.models import Level, MemberTier, TierHistory

from .helpers import SHANGHAI, D, member, names, rule, run, set_level

MID_AUTUMN_2026 = D("2026-09-25")  # lunar 2026-08-15, a Friday


def phone_marketing_ok(m):
    """A call that sells (rewards, winning back) needs the member's marketing consent on the phone."""
    Consent.objects.create(member=m, purpose="marketing", channel="phone", granted=True, source="console")
    return m


def again_nothing(on):
    count = CareTask.objects.count()
    assert care_run_daily(on=on)["created"] == 0
    assert CareTask.objects.count() == count


def test_birthday_greeting_on_the_day_solar_and_lunar(guide_a, hq):
    rule("birthday-greeting")
    solar = member(guide_a, "王芳", birthday="1990-09-25")
    member(guide_a, "李静", birthday="1990-09-26")
    member(guide_a, "赵敏", birthday="1985-03-02", lunar_birth_month=8, lunar_birth_day=15)   # keeps the lunar one
    member(guide_a, "孙丽", birthday="1988-09-25", lunar_birth_month=2, lunar_birth_day=3)    # lunar recorded: not today
    gone = member(guide_a, "周洋", birthday="1970-09-25")
    member_withdraw(actor=hq, member=gone)
    got = run(MID_AUTUMN_2026)
    assert got == {("王芳", "birthday-greeting", "message", "sms", "2026-09-25"),
                   ("赵敏", "birthday-greeting", "message", "sms", "2026-09-25")}
    task = CareTask.objects.get(member=solar)
    assert task.owner == guide_a and task.script.startswith("王芳，今天是您的生日")
    assert task.script.endswith(f"【A店】{guide_a.display_name}")  # signed with store and name (seed 000 篇2)
    assert timezone.localtime(task.due_at, SHANGHAI).time() == dt.time(9, 0)
    again_nothing(MID_AUTUMN_2026)


def test_birthday_of_29_february_is_kept_on_28_february_in_common_years(guide_a):
    rule("birthday-greeting")
    member(guide_a, "林涛", birthday="2000-02-29")
    assert names(run(D("2027-02-28"))) == {"林涛"}
    assert run(D("2028-02-28")) == set()
    assert run(D("2027-03-01")) == set()
    assert names(run(D("2028-02-29"))) == {"林涛"}


def test_lunar_birthday_on_the_30th_of_a_short_month_and_none_in_a_leap_month(guide_a):
    rule("birthday-greeting")
    member(guide_a, "黄霞", lunar_birth_month=8, lunar_birth_day=30)
    member(guide_a, "吴娟", lunar_birth_month=6, lunar_birth_day=1)
    # lunar 2026 month 8 has 29 days: the 29th (2026-10-09) stands for the 30th
    assert names(run(D("2026-10-09"))) == {"黄霞"}
    # 2025 has a leap sixth month: 2025-07-25 is 闰六月初一, the birthday is kept on 六月初一 (2025-06-25)
    assert run(D("2025-07-25")) == set()
    assert names(run(D("2025-06-25"))) == {"吴娟"}


def test_birthday_gift_prepared_seven_days_ahead_for_vip_levels(dept, guide_a):
    rule("birthday-gift")
    vip = member(guide_a, "钱敏", birthday="1979-10-02")
    set_level(vip, "DIAMOND")
    silver = member(guide_a, "郑杰", birthday="1980-10-02")
    set_level(silver, "SILVER")
    member(guide_a, "冯超", birthday="1980-10-03")
    assert run(MID_AUTUMN_2026) == {("钱敏", "birthday-gift", "gift_prep", "store", "2026-09-25")}
    task = CareTask.objects.get(member=vip)
    assert "钻石卡" in task.script and "2026-10-02" in task.script and task.context == {"date": "2026-10-02"}
    again_nothing(MID_AUTUMN_2026)


def test_birthday_discount_reminder_three_days_ahead(guide_a):
    rule("birthday-discount")
    member(guide_a, "陈兰", birthday="1992-09-28")
    member(guide_a, "杨平", birthday="1992-09-25")
    assert run(MID_AUTUMN_2026) == {("陈兰", "birthday-discount", "message", "sms", "2026-09-25")}
    assert "生日折扣" in CareTask.objects.get().script


def test_holiday_greeting_on_lunar_and_solar_holidays(guide_a, hq):
    rule("holiday-greeting")
    member(guide_a, "王芳")
    member(guide_a, "李静")
    gone = member(guide_a, "周洋")
    member_withdraw(actor=hq, member=gone)
    got = run(MID_AUTUMN_2026)
    assert got == {(n, "holiday-greeting", "message", "sms", "2026-09-25") for n in ("王芳", "李静")}
    assert CareTask.objects.filter(script__contains="中秋节快乐").count() == 2
    assert names(run(D("2026-02-17"))) == {"王芳", "李静"}  # Spring Festival 2026 (正月初一)
    assert CareTask.objects.filter(script__contains="春节快乐").count() == 2
    assert names(run(D("2026-02-16"))) == {"王芳", "李静"}  # 除夕
    assert names(run(D("2026-10-01"))) == {"王芳", "李静"}  # National Day
    assert run(D("2026-09-26")) == set()
    again_nothing(MID_AUTUMN_2026)


def test_holiday_gift_three_days_ahead_for_vip_levels(dept, guide_a):
    rule("holiday-gift")
    vip = member(guide_a, "钱敏")
    set_level(vip, "PURPLE")
    member(guide_a, "郑杰")
    assert run(D("2026-09-22")) == {("钱敏", "holiday-gift", "gift_prep", "store", "2026-09-22")}
    assert run(MID_AUTUMN_2026) == set()


def test_change_of_season_is_care_only(guide_a):
    rule("season-change")
    member(guide_a, "王芳")
    assert names(run(D("2026-11-07"))) == {"王芳"}
    task = CareTask.objects.get()
    assert "立冬" in task.script and "加减衣服" in task.script and "新品" not in task.script
    assert run(D("2026-11-08")) == set()


def test_missing_you_after_n_days_without_a_purchase(guide_a):
    rule("missing-you")
    on = D("2026-09-25")
    for name, days in (("王芳", 90), ("李静", 89), ("赵敏", 91)):
        m = member(guide_a, name)
        Member.objects.filter(pk=m.pk).update(last_purchase_at=dt.datetime.combine(on - dt.timedelta(days=days), dt.time(20, 30), SHANGHAI))
    member(guide_a, "孙丽")  # never bought
    assert run(on) == {("王芳", "missing-you", "message", "sms", "2026-09-25")}
    assert "想念" in CareTask.objects.get().script
    again_nothing(on)


def test_1311_follow_up_same_day_day_3_month_1_year_1(guide_a, store_a):
    for code in ("1311-same-day", "1311-day-3", "1311-month-1", "1311-year-1"):
        rule(code)
    on = D("2026-09-25")
    bought = {"今天": on, "三天前": on - dt.timedelta(days=3), "一月前": D("2026-08-25"), "一年前": D("2025-09-25"),
              "两天前": on - dt.timedelta(days=2)}
    for name, day in bought.items():
        make_sale(member=member(guide_a, name), store=store_a, on=day)
    assert run(on) == {
        ("今天", "1311-same-day", "call", "phone", "2026-09-25"),
        ("三天前", "1311-day-3", "message", "sms", "2026-09-25"),
        ("一月前", "1311-month-1", "call", "phone", "2026-09-25"),
        ("一年前", "1311-year-1", "call", "phone", "2026-09-25"),
    }
    again_nothing(on)


def test_1311_month_after_31_january_is_due_on_the_last_of_february(guide_a, store_a):
    rule("1311-month-1")
    make_sale(member=member(guide_a, "王芳"), store=store_a, on=D("2026-01-30"))
    make_sale(member=member(guide_a, "李静"), store=store_a, on=D("2026-01-31"))
    assert names(run(D("2026-02-28"))) == {"王芳", "李静"}


def test_after_visit_message_thirty_minutes_after_a_vip_leaves(dept, guide_a):
    from vipdesk.care.services import care_member_left

    rule("after-visit")
    vip = member(guide_a, "钱敏")
    set_level(vip, "DIAMOND")
    other = member(guide_a, "郑杰")
    left = dt.datetime(2026, 9, 25, 23, 10, tzinfo=SHANGHAI)
    [task] = care_member_left(actor=guide_a, member=vip, left_at=left)
    assert (task.kind, task.channel, task.due_at) == ("message", "sms", left + dt.timedelta(minutes=30))
    assert care_member_left(actor=guide_a, member=vip, left_at=left) == [task]  # the same check-out twice: one message
    assert care_member_left(actor=guide_a, member=other, left_at=left) == []
    assert run(D("2026-09-25")) == set()  # the daily job creates none of these


def test_event_notice_three_days_ahead_phone_for_key_levels_sms_for_the_rest(dept, guide_a, store_a):
    rule("event-notice-call")
    rule("event-notice-sms")
    CareEvent.objects.create(name="秋季VIP专场", store=store_a, starts_at=dt.datetime(2026, 9, 28, 19, 0, tzinfo=SHANGHAI))
    CareEvent.objects.create(name="冬季沙龙", store=store_a, starts_at=dt.datetime(2026, 9, 29, 19, 0, tzinfo=SHANGHAI))
    vip = phone_marketing_ok(member(guide_a, "钱敏"))  # an invitation by phone sells: her marketing consent
    set_level(vip, "DIAMOND")
    gold = member(guide_a, "郑杰")
    set_level(gold, "GOLD")
    member(guide_a, "冯超")
    assert run(MID_AUTUMN_2026) == {
        ("钱敏", "event-notice-call", "call", "phone", "2026-09-25"),
        ("郑杰", "event-notice-sms", "message", "sms", "2026-09-25"),
        ("冯超", "event-notice-sms", "message", "sms", "2026-09-25"),
    }
    assert "秋季VIP专场" in CareTask.objects.get(member=vip).script
    again_nothing(MID_AUTUMN_2026)


def test_points_near_ten_thousand(guide_a):
    rule("points-near")
    for name, balance in (("王芳", 9000), ("李静", 9999), ("赵敏", 10000), ("孙丽", 8999)):
        PointsAccount.objects.create(member=phone_marketing_ok(member(guide_a, name)), balance=balance)
    assert names(run(MID_AUTUMN_2026)) == {"王芳", "李静"}
    assert "再积 1 分即满 10,000 分" in CareTask.objects.get(member__name="李静").script
    again_nothing(MID_AUTUMN_2026)
    assert run(D("2026-09-26")) == set()  # once a year per threshold


def test_points_expiring_within_thirty_days(guide_a):
    rule("points-expiring")
    expires = D("2026-10-25")
    for name, lots in (("王芳", [(300, expires), (200, expires), (50, D("2026-10-26"))]), ("李静", [(0, expires)]),
                       ("赵敏", [(80, D("2026-10-24"))])):
        account = PointsAccount.objects.create(member=member(guide_a, name), balance=sum(r for r, _e in lots))
        for remaining, day in lots:
            PointsLot.objects.create(account=account, earned_on=D("2024-10-25"), available_on=D("2024-10-25"), expires_on=day,
                                     original=max(remaining, 100), remaining=remaining)
    assert run(MID_AUTUMN_2026) == {("王芳", "points-expiring", "message", "sms", "2026-09-25")}
    task = CareTask.objects.get()
    assert "500 积分将于 2026-10-25 到期" in task.script and task.context == {"points": 500, "expires_on": "2026-10-25"}
    again_nothing(MID_AUTUMN_2026)


def test_level_about_to_change_thirty_days_before_its_review(dept, guide_a, store_a):
    rule("tier-review")
    review = D("2026-10-25")
    losing = member(guide_a, "王芳")
    keeping = member(guide_a, "李静")
    later = member(guide_a, "赵敏")
    for m, reached in ((losing, review.replace(year=2025)), (keeping, review.replace(year=2025)), (later, D("2025-10-26"))):
        MemberTier.objects.create(member=m, programme=dept, level=Level.objects.get(programme=dept, code="GOLD"), reached_on=reached)
    make_sale(member=keeping, store=store_a, on=D("2026-08-01"), lines=[("8000.00", "女装", "示例")])
    assert run(MID_AUTUMN_2026) == {("王芳", "tier-review", "call", "phone", "2026-09-25")}
    assert "金卡" in CareTask.objects.get().script and "2026-10-25" in CareTask.objects.get().script
    again_nothing(MID_AUTUMN_2026)


def test_level_changed_call(dept, guide_a):
    rule("tier-changed")
    up = member(guide_a, "王芳")
    levels = {lv.code: lv for lv in Level.objects.filter(programme=dept)}
    TierHistory.objects.create(member=up, programme=dept, from_level=levels["SILVER"], to_level=levels["GOLD"], reason="upgrade",
                               on=MID_AUTUMN_2026)
    other = member(guide_a, "李静")
    TierHistory.objects.create(member=other, programme=dept, from_level=levels["SILVER"], to_level=levels["GOLD"], reason="upgrade",
                               on=MID_AUTUMN_2026 - dt.timedelta(days=1))
    assert run(MID_AUTUMN_2026) == {("王芳", "tier-changed", "call", "phone", "2026-09-25")}
    assert "由“银卡”变为“金卡”" in CareTask.objects.get().script
    again_nothing(MID_AUTUMN_2026)


def test_dormant_card_call(guide_a):
    rule("dormant-card")
    sleeper = phone_marketing_ok(member(guide_a, "王芳"))
    card = card_issue(actor=None, member=sleeper)
    DormantCard.objects.create(card=card, since=MID_AUTUMN_2026)
    earlier = card_issue(actor=None, member=phone_marketing_ok(member(guide_a, "李静")))
    DormantCard.objects.create(card=earlier, since=MID_AUTUMN_2026 - dt.timedelta(days=1))
    assert run(MID_AUTUMN_2026) == {("王芳", "dormant-card", "call", "phone", "2026-09-25")}


def test_weekly_greeting_on_friday_to_vips_by_their_owners(dept, guide_a, guide_a2):
    rule("weekly-greeting")
    mine = member(guide_a, "钱敏")
    hers = member(guide_a2, "郑杰")
    for m in (mine, hers):
        set_level(m, "DIAMOND")
    member(guide_a, "冯超")  # not VIP
    assert names(run(MID_AUTUMN_2026)) == {"钱敏", "郑杰"}
    assert CareTask.objects.get(member=mine).owner == guide_a and CareTask.objects.get(member=hers).owner == guide_a2
    assert run(D("2026-09-26")) == set()  # Saturday
    again_nothing(MID_AUTUMN_2026)
    assert run(D("2026-10-02")) != set()  # next Friday, next week's key


def test_weekly_greeting_split_evenly_among_the_store_guides(dept, guide_a, guide_a2, hq, store_a):
    rule("weekly-greeting", parameters={"weekday": 4, "split": "even"})
    people = [make_member(actor=hq, store=store_a, name=f"会员{i}") for i in range(4)]  # enrolled at HQ: no guide owns them
    for m in people:
        set_level(m, "DIAMOND")
    run(MID_AUTUMN_2026)
    owners = [CareTask.objects.get(member=m).owner for m in people]
    assert owners == [guide_a, guide_a2, guide_a, guide_a2]


def test_owner_who_left_is_replaced_by_a_store_guide(guide_a, guide_a2):
    rule("birthday-greeting")
    m = member(guide_a2, "王芳", birthday="1990-09-25")
    guide_a2.is_active = False
    guide_a2.save()
    run(MID_AUTUMN_2026)
    assert CareTask.objects.get(member=m).owner == guide_a


def test_every_preset_together_and_a_rerun_creates_nothing(dept, guide_a, store_a):
    from vipdesk.care.services import care_rules_install_default

    rules = care_rules_install_default()
    assert len(rules) == 20 and care_rules_install_default() == rules
    vip = member(guide_a, "钱敏", birthday="1979-09-25")
    set_level(vip, "DIAMOND")
    make_sale(member=vip, store=store_a, on=MID_AUTUMN_2026 - dt.timedelta(days=3))
    first = care_run_daily(on=MID_AUTUMN_2026)
    assert first["by_rule"]["birthday-greeting"] == 1 and first["by_rule"]["holiday-greeting"] == 1
    assert first["by_rule"]["weekly-greeting"] == 1 and first["by_rule"]["1311-day-3"] == 1
    assert first["created"] == 4
    again_nothing(MID_AUTUMN_2026)


def test_run_jobs_includes_care_after_the_other_parts(guide_a):
    from vipdesk.scheduler.runs import run_jobs

    rule("birthday-greeting")
    member(guide_a, "王芳", birthday="1990-09-25")
    out = run_jobs(on=MID_AUTUMN_2026)
    # care after every part it reads; only housekeeping follows it (the webhooks' switch-offs and old
    # events, the portal's old sign-in records), which reads nothing care writes
    names = list(out)
    assert names[:3] == ["dormant_cards", "points", "tiers"]
    assert set(names[names.index("care") + 1:]) <= {"webhooks", "portal_records"}
    assert out["care"]["created"] == 1
    assert run_jobs(on=MID_AUTUMN_2026)["care"] is None
    assert CareTask.objects.count() == 1


def test_greeting_scripts_may_not_advertise(db):
    from vipdesk.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        rule("holiday-greeting", script_zh="{name}，中秋快乐！本店中秋促销全场8折。")
    assert "促销" in exc.value.message
    with pytest.raises(ValidationFailed):
        rule("season-change", script_zh="{name}，入冬了，新品上市，欢迎选购。")
    with pytest.raises(ValidationFailed):
        rule("birthday-greeting", script_zh="{name} {phone}")  # unknown placeholder
    with pytest.raises(ValidationFailed):
        rule("missing-you", parameters={"days": 0})
    with pytest.raises(ValidationFailed):
        rule("missing-you", channel="phone")  # a message rule cannot go by phone

