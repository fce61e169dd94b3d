"""Top-ups (R6.1, seed 003 篇8) and the prepaid-card limits of 单用途商业预付卡管理办法."""
import datetime as dt
from decimal import Decimal as D

import pytest

from vipdesk.audit.models import Event
from vipdesk.core.errors import DomainError
from vipdesk.members.models import Member
from vipdesk.testing.factories import make_member
from vipdesk.wallet.choices import EntryKind
from vipdesk.wallet.models import TopUp, TopUpRule, WalletEntry, WalletLimitChange
from vipdesk.wallet.bonus_rules import topup_rule_save, topup_rule_set_active
from vipdesk.wallet.config import wallet_raise_limit
from vipdesk.wallet.services import wallet_recompute, wallet_summary

from .helpers import balances, topup

pytestmark = pytest.mark.django_db


def test_seed_3000_top_up_gives_4000_of_which_3000_principal_and_1000_bonus(rules, member, store_a):
    result = topup(member, store_a, "3000.00")
    assert result["amount"] == "3000.00" and result["bonus"] == "1000.00"
    assert result["stored_value"] == {"principal": "3000.00", "bonus": "1000.00", "balance": "4000.00"}
    assert balances(member) == (D("3000.00"), D("1000.00"))
    entry = WalletEntry.objects.get()
    assert entry.kind == EntryKind.TOPUP and entry.topup_id == result["id"]
    assert wallet_recompute(member=member)["ok"]


def test_seed_5000_top_up_gives_7000_because_only_principal_counts_toward_the_limit(rules, member, store_a):
    result = topup(member, store_a, "5000.00")
    assert result["stored_value"] == {"principal": "5000.00", "bonus": "2000.00", "balance": "7000.00"}


@pytest.mark.parametrize("amount,bonus", [("2999.99", "0.00"), ("3000.00", "1000.00"), ("4999.99", "1000.00"),
                                          ("5000.00", "2000.00"), ("10000.00", "5000.00"), ("30000.00", "10000.00"),
                                          ("45000.00", "10000.00")])
def test_the_highest_threshold_reached_applies_once(rules, member, store_a, hq, amount, bonus):
    wallet_raise_limit(actor=hq, member=member, limit="100000.00", reason="VIP 大客户")
    for rule in rules:  # the tiers above the 5,000 limit come switched off: HQ switches them on with the raise
        if not rule.active:
            topup_rule_set_active(actor=hq, rule=rule, active=True)
    assert topup(member, store_a, amount)["bonus"] == bonus


def test_bonus_tiers_above_the_named_limit_are_installed_switched_off(rules):
    # 单用途卡: a named account holds at most 5,000 yuan, so 充10000送5000 and 充30000送10000 cannot be reached.
    assert {(str(r.threshold), r.active) for r in rules} == {("3000.00", True), ("5000.00", True), ("10000.00", False),
                                                              ("30000.00", False)}


def test_the_5000_yuan_limit_refuses_then_hq_raises_it(rules, member, store_a, hq, cashier_a):
    topup(member, store_a, "3000.00", actor=cashier_a)
    with pytest.raises(DomainError) as refused:
        topup(member, store_a, "3000.00", actor=cashier_a)  # 6000 of principal > 5000
    assert refused.value.code == "stored_value_limit" and refused.value.status == 422
    assert "¥5,000.00" in refused.value.message and "¥2,000.00" in refused.value.message  # the limit and the room left
    assert balances(member) == (D("3000.00"), D("1000.00")) and TopUp.objects.count() == 1
    topup(member, store_a, "2000.00", actor=cashier_a)  # exactly at the limit is fine
    assert balances(member) == (D("5000.00"), D("1000.00"))

    with pytest.raises(DomainError):
        wallet_raise_limit(actor=cashier_a, member=member, limit="20000.00", reason="大客户")
    change = wallet_raise_limit(actor=hq, member=member, limit="20000.00", reason="大客户, 总部批准")
    assert change.before is None and change.after == D("20000.00") and change.actor == hq
    assert Event.objects.filter(verb="wallet.limit_change").count() == 1
    result = topup(member, store_a, "3000.00", actor=cashier_a)
    assert result["stored_value"]["principal"] == "8000.00" and result["limit"] == "20000.00"
    assert wallet_summary(member)["limit_raised"] is True
    assert WalletLimitChange.objects.count() == 1


def test_an_anonymous_account_holds_at_most_1000(rules, store_a):
    # Enrolment needs a mobile; a migrated legacy file may have none (and no ID number): not 记名.
    nobody = make_member(store=store_a)
    Member.objects.filter(pk=nobody.pk).update(mobile=None)
    nobody.refresh_from_db()
    topup(nobody, store_a, "1000.00")
    with pytest.raises(DomainError) as refused:
        topup(nobody, store_a, "0.01")
    assert refused.value.code == "stored_value_limit"
    assert wallet_summary(nobody)["named"] is False and wallet_summary(nobody)["limit"] == "1000.00"


def test_same_reference_same_content_answers_the_first_result_other_content_conflicts(rules, member, store_a):
    first = topup(member, store_a, "3000.00", reference="TU-1")
    again = topup(member, store_a, "3000.00", reference="TU-1")
    assert again == {**first, "replayed": True}
    assert balances(member) == (D("3000.00"), D("1000.00")) and WalletEntry.objects.count() == 1
    with pytest.raises(DomainError) as conflict:
        topup(member, store_a, "300.00", reference="TU-1")
    assert conflict.value.code == "topup_conflict" and conflict.value.status == 409


def test_rules_restricted_by_level_and_date_window(member, store_a, hq):
    topup_rule_save(actor=hq, data={"threshold": "1000.00", "bonus": "100.00"})
    topup_rule_save(actor=hq, data={"threshold": "1000.00", "bonus": "300.00", "level_code": "GOLD"})
    topup_rule_save(actor=hq, data={"threshold": "2000.00", "bonus": "800.00", "starts_on": "2026-10-01", "ends_on": "2026-10-07"})
    at = dt.datetime(2026, 9, 30, 12, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert topup(member, store_a, "2000.00", at=at)["bonus"] == "100.00"  # not GOLD; the National Day rule not yet open
    at = dt.datetime(2026, 10, 3, 12, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert topup(member, store_a, "2000.00", at=at)["bonus"] == "800.00"
    with pytest.raises(DomainError):
        topup_rule_save(actor=hq, data={"threshold": "100.00", "bonus": "10.00", "starts_on": "2026-10-07", "ends_on": "2026-10-01"})
    assert TopUpRule.objects.count() == 3


def test_roles_cashier_at_own_store_only_auditor_never(rules, member, store_a, store_b, cashier_a, guide_a, auditor):
    topup(member, store_a, "100.00", actor=cashier_a)
    for actor, store, code in [(cashier_a, store_b, "store_out_of_scope"), (auditor, store_a, "permission_denied"),
                               (guide_a, store_a, "permission_denied")]:
        with pytest.raises(DomainError) as refused:
            topup(member, store, "100.00", actor=actor)
        assert refused.value.code == code
    assert balances(member) == (D("100.00"), D("0.00"))


@pytest.mark.parametrize("amount", ["0", "-5", "1.001", "abc", None])
def test_bad_amounts_are_refused(member, store_a, amount):
    with pytest.raises(DomainError) as refused:
        topup(member, store_a, amount)
    assert refused.value.code == "validation_error"


def test_withdrawn_member_cannot_top_up(rules, member, store_a, hq):
    from vipdesk.members.services import member_withdraw

    member_withdraw(actor=hq, member=member, reason="test")
    with pytest.raises(DomainError) as refused:
        topup(member, store_a, "3000.00")
    assert refused.value.code == "member_withdrawn" and not TopUp.objects.exists()


def test_a_top_up_rule_may_also_give_points_and_coupons_once(member, store_a, hq):
    """Issue 4 §1: the gift of a top-up may also be points or coupons."""
    from vipdesk.coupons.campaigns import campaign_save
    from vipdesk.coupons.models import Coupon
    from vipdesk.points.models import PointsAccount
    from vipdesk.points.services import earn_rule_install_default
    from vipdesk.wallet.bonus_rules import topup_rule_save

    earn_rule_install_default(yuan_per_point=1)
    campaign_save(actor=hq, data={"code": "TU50", "name": "充值礼券", "kind": "voucher", "face_value": "50.00", "valid_days": 30})
    topup_rule_save(actor=hq, data={"name": "充2000送300分和两张券", "threshold": "2000.00", "bonus": "0.00", "gift_points": 300,
                                    "gift_campaign": "TU50", "gift_coupons": 2})
    first = topup(member, store_a, "2000.00", reference="TU-G1")
    assert first["gifts"]["points"] == 300 and len(first["gifts"]["coupons"]) == 2
    again = topup(member, store_a, "2000.00", reference="TU-G1")
    assert again["replayed"] and again["gifts"] == first["gifts"]
    assert PointsAccount.objects.get(member=member).balance == 300 and Coupon.objects.filter(member=member).count() == 2


def test_gift_coupons_need_their_campaign(hq):
    from vipdesk.core.errors import ValidationFailed
    from vipdesk.wallet.bonus_rules import topup_rule_save

    with pytest.raises(ValidationFailed) as refused:
        topup_rule_save(actor=hq, data={"threshold": "1000.00", "bonus": "0.00", "gift_coupons": 1})
    assert "gift_campaign" in refused.value.fields
