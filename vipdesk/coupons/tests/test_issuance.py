"""Issuing coupons: on sales (003 篇9 活动2), on registration, upgrade and birthday, in bulk."""
import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from vipdesk.core.clock import today
from vipdesk.coupons.campaigns import campaign_save, rule_save
from vipdesk.coupons.models import Coupon, CouponEvent
from vipdesk.coupons.services import ALPHABET, CODE_LENGTH, coupons_issue_bulk
from vipdesk.members.models import Member
from vipdesk.scheduler.runs import run_jobs
from vipdesk.till.services import sale_post
from vipdesk.testing.factories import make_member

from .helpers import held, line, sale_data

pytestmark = pytest.mark.django_db


def test_900_paid_in_cash_gives_three_60_yuan_b_coupons_and_one_a_coupon(seed_campaigns, member):
    result = sale_post(actor=None, data=sale_data(lines=[line("900.00")])).data
    b = held(member, "B60")
    assert [c.face_value for c in b] == [D("60.00")] * 3
    assert len(held(member, "A50")) == 1  # every 500 → one 50-yuan A券; the 400 left over counts for nothing
    assert sorted(c["campaign"] for c in result["coupons_earned"]) == ["A50", "B60", "B60", "B60"]
    assert all(c.earned_by_id == result["id"] and c.issued_on == c.valid_from for c in b)
    assert all(c.valid_until == c.valid_from + dt.timedelta(days=29) for c in b)  # valid 30 days, the day of issue included
    assert CouponEvent.objects.filter(kind="issue").count() == 4


def test_remainders_are_ignored_and_the_day_adds_up(seed_campaigns, member):
    sale_post(actor=None, data=sale_data(lines=[line("299.99")]))
    assert held(member, "B60") == []  # 零头不计
    sale_post(actor=None, data=sale_data(lines=[line("250.00")]))  # 549.99 today → one B券, one A券
    assert len(held(member, "B60")) == 1 and len(held(member, "A50")) == 1
    sale_post(actor=None, data=sale_data(lines=[line("50.01")]))  # 600.00 → the second B券
    assert len(held(member, "B60")) == 2 and len(held(member, "A50")) == 1


def test_yesterdays_sales_do_not_add_up_with_todays(seed_campaigns, member):
    yesterday = timezone.now() - dt.timedelta(days=1)
    sale_post(actor=None, data=sale_data(lines=[line("200.00")], at=yesterday))
    sale_post(actor=None, data=sale_data(lines=[line("200.00")]))
    assert held(member, "B60") == []


def test_only_the_cash_part_counts(seed_campaigns, member, store_a):
    from vipdesk.wallet.services import wallet_topup

    wallet_topup(actor=None, member=member, store=store_a, amount="1000.00", reference="TU1")
    sale_post(actor=None, data=sale_data(lines=[line("900.00")], pay=[("stored_value", "400.00"), ("wechat", "500.00")]))
    assert len(held(member, "B60")) == 1  # 500 of cash → one B券 (300), not three
    assert len(held(member, "A50")) == 1


def test_gold_and_watches_earn_no_a_coupon_but_still_earn_b_coupons(seed_campaigns, member):
    sale_post(actor=None, data=sale_data(lines=[line("1000.00", category="足金"), line("200.00", category="名表")]))
    assert held(member, "A50") == []  # 注2: 足金、铂金、名表… do not take part in 满500送50
    assert len(held(member, "B60")) == 4  # 1200 → four B券


def test_an_excluded_category_counts_in_proportion_of_the_cash_paid(seed_campaigns, member):
    # 1000 of clothes + 1000 of gold, paid 1000 cash + 1000 stored value → 500 of cash on clothes
    from vipdesk.wallet.services import wallet_topup

    wallet_topup(actor=None, member=member, store=member.home_store, amount="1000.00", reference="TU1")
    sale_post(actor=None, data=sale_data(lines=[line("1000.00"), line("1000.00", category="足金")],
                                         pay=[("cash", "1000.00"), ("stored_value", "1000.00")]))
    assert len(held(member, "A50")) == 1


def test_an_anonymous_sale_earns_no_coupons(seed_campaigns, member):
    sale_post(actor=None, data=sale_data(lines=[line("900.00")], mobile=None))
    assert Coupon.objects.count() == 0


def test_a_replayed_receipt_issues_nothing_more(seed_campaigns, member):
    data = sale_data(lines=[line("900.00")])
    sale_post(actor=None, data=data)
    again = sale_post(actor=None, data=data)
    assert again.replayed and len(held(member, "B60")) == 3


def test_codes_are_unique_and_unguessable(seed_campaigns, member):
    sale_post(actor=None, data=sale_data(lines=[line("3000.00")]))
    codes = list(Coupon.objects.values_list("code", flat=True))
    assert len(codes) == 16 and len(set(codes)) == 16
    assert all(len(c) == CODE_LENGTH and set(c) <= set(ALPHABET) for c in codes)


def test_per_member_limit_caps_what_a_sale_gives(seed_campaigns, member, hq):
    campaign_save(actor=hq, campaign=seed_campaigns["B60"], data={**_fields(seed_campaigns["B60"]), "per_member_limit": 2})
    sale_post(actor=None, data=sale_data(lines=[line("1500.00")]))
    assert len(held(member, "B60")) == 2


def test_total_limit_is_never_exceeded(seed_campaigns, member, other_member, hq):
    campaign_save(actor=hq, campaign=seed_campaigns["B60"], data={**_fields(seed_campaigns["B60"]), "total_limit": 4})
    sale_post(actor=None, data=sale_data(lines=[line("900.00")]))
    sale_post(actor=None, data=sale_data(lines=[line("900.00")], mobile="13698765432"))
    assert len(held(member, "B60")) == 3 and len(held(other_member, "B60")) == 1
    seed_campaigns["B60"].refresh_from_db()
    assert seed_campaigns["B60"].issued_count == 4


def test_rule_window_and_store_list(seed_campaigns, member, hq, store_b):
    rule = seed_campaigns["B60"].rules.get()
    from vipdesk.coupons.campaigns import rule_set_active

    rule_set_active(actor=hq, rule=rule, active=False)
    rule_save(actor=hq, data={"campaign": "B60", "trigger": "sale", "step_amount": "300.00", "store_codes": ["SB01"]})
    sale_post(actor=None, data=sale_data(lines=[line("900.00")]))  # at SA01: the new rule is for SB01 only
    assert held(member, "B60") == []


def _fields(campaign) -> dict:
    keys = ["code", "name", "kind", "face_value", "discount_zhe", "threshold", "valid_days", "valid_until", "mall_share_percent",
            "combines_with", "max_per_order", "spend_per_coupon", "goods_scope", "scope_categories"]
    return {k: getattr(campaign, k) for k in keys}


# ---- events ----------------------------------------------------------------------------------

@pytest.fixture
def welcome(hq):
    campaign = campaign_save(actor=hq, data={"code": "W20", "name": "新会员20元券", "kind": "voucher", "face_value": "20.00",
                                             "valid_days": 60})
    rule_save(actor=hq, data={"campaign": "W20", "trigger": "registration"})
    return campaign


def test_registration_gives_the_welcome_coupon_once(welcome, store_a):
    member = make_member(store=store_a, mobile="13500000001")
    assert len(held(member, "W20")) == 1
    from vipdesk.coupons.services import coupons_issue_for_event

    assert coupons_issue_for_event(member=member, trigger="registration", on=today(), key="registration") == []
    assert len(held(member, "W20")) == 1


def test_birthday_coupons_come_days_ahead_once_per_year(hq, store_a):
    campaign_save(actor=hq, data={"code": "BD", "name": "生日券", "kind": "discount", "discount_zhe": "8.80", "valid_days": 14})
    rule_save(actor=hq, data={"campaign": "BD", "trigger": "birthday", "days_before": 3})
    born = make_member(store=store_a, mobile="13500000002", birthday="1990-05-20")
    leapling = make_member(store=store_a, mobile="13500000003", birthday="2000-02-29")
    make_member(store=store_a, mobile="13500000004", birthday="1990-05-21")
    run_jobs(on=dt.date(2027, 5, 17), only=["birthday_coupons"])
    assert [m.mobile for m in Member.objects.filter(coupons__campaign__code="BD")] == ["13500000002"]
    run_jobs(on=dt.date(2027, 2, 25), only=["birthday_coupons"])  # 28 Feb 2027 stands for 29 Feb
    assert len(held(leapling, "BD")) == 1
    from vipdesk.coupons.services import coupons_birthday_daily

    assert coupons_birthday_daily(on=dt.date(2027, 5, 17)) == {"issued": 0}  # again: nothing new
    assert len(held(born, "BD")) == 1


def test_upgrade_gives_the_upgrade_coupon(hq, store_a, seed_campaigns):
    from vipdesk.tiers.presets import PRESETS
    from vipdesk.tiers.config import programme_install

    programme_install(spec=PRESETS["department-store"])
    campaign_save(actor=hq, data={"code": "UP", "name": "升级礼券", "kind": "voucher", "face_value": "100.00", "valid_days": 30})
    rule_save(actor=hq, data={"campaign": "UP", "trigger": "upgrade"})
    member = make_member(store=store_a, mobile="13500000005")
    result = sale_post(actor=None, data=sale_data(lines=[line("20000.00")], mobile="13500000005")).data
    assert result["tier"]["changed"]
    assert len(held(member, "UP")) == 1


# ---- bulk ------------------------------------------------------------------------------------

def test_bulk_issue_previews_then_issues_and_respects_the_per_member_limit(hq, store_a):
    campaign = campaign_save(actor=hq, data={"code": "VIP50", "name": "VIP回馈券", "kind": "voucher", "face_value": "50.00",
                                             "valid_until": "2099-12-31", "per_member_limit": 1})
    members = [make_member(store=store_a, mobile=f"1350000010{i}") for i in range(3)]
    qs = Member.objects.filter(pk__in=[m.pk for m in members])
    coupons_issue_bulk(actor=hq, campaign=campaign, members=qs.filter(pk=members[0].pk))
    preview = coupons_issue_bulk(actor=hq, campaign=campaign, members=qs, preview=True)
    assert preview == {"members": 3, "at_limit": 1, "campaign": "VIP50"} and Coupon.objects.count() == 1
    done = coupons_issue_bulk(actor=hq, campaign=campaign, members=qs)
    assert done["issued"] == 2 and Coupon.objects.count() == 3
    assert Coupon.objects.filter(batch=done["batch"]).count() == 2


def test_a_guide_may_not_issue_in_bulk(guide_a, hq, store_a):
    campaign = campaign_save(actor=hq, data={"code": "X", "name": "X", "kind": "voucher", "face_value": "5.00", "valid_days": 3})
    from vipdesk.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        coupons_issue_bulk(actor=guide_a, campaign=campaign, members=Member.objects.all())
