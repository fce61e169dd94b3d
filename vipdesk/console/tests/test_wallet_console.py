"""Stored value in the console: top-up and refund at the till, the HQ policy and bonus rules, a member's
limit and PIN. Writes go through the wallet's services; refusals show Chinese and change nothing."""
from decimal import Decimal as D

import pytest
from django.urls import reverse

from vipdesk.audit.models import Event
from vipdesk.wallet.models import TopUp, TopUpRule, WalletAccount, WalletLimitChange, WalletPolicy, WalletRefund
from vipdesk.wallet.bonus_rules import topup_rules_install_default
from vipdesk.wallet.ledger import policy
from vipdesk.wallet.services import wallet_topup

pytestmark = pytest.mark.django_db

TOPUP = "/pos/topup/"
REFUND = "/pos/wallet-refund/"
CONFIG = "/loyalty/wallet/"


@pytest.fixture(autouse=True)
def rules(db):
    return topup_rules_install_default()


def who(mobile="13812348000"):
    return {"store": "SA01", "member_by": "mobile", "member_value": mobile}


def balances(member):
    row = WalletAccount.objects.filter(member=member).first()
    return (row.principal, row.bonus) if row else (D("0.00"), D("0.00"))


def test_lookup_shows_the_account_and_the_bonus_steps(login, cashier_a, member_a):
    wallet_topup(actor=None, member=member_a, store=cashier_a.stores.get(), amount="1000.00", reference="OLD-1")
    page = login(cashier_a).get(TOPUP, who()).content.decode()
    assert 'id="wallet-principal">¥1,000.00' in page and 'id="wallet-room">¥4,000.00' in page  # named: 5,000 on principal
    assert 'data-threshold="3000.00" data-bonus="1000.00"' in page and 'data-threshold="5000.00" data-bonus="2000.00"' in page
    assert 'data-threshold="30000.00"' not in page  # above the 5,000 limit: installed switched off, not offered
    assert "储值充值" in page and 'id="topup-form"' in page


def test_a_top_up_writes_through_the_service_with_the_bonus_of_the_step_reached(login, cashier_a, member_a):
    client = login(cashier_a)
    response = client.post(TOPUP, {**who(), "amount": "3000", "method": "wechat", "reference": "SA01-TU-1"})
    assert response.status_code == 302 and "done=" in response["Location"]
    assert balances(member_a) == (D("3000.00"), D("1000.00"))
    page = client.get(response["Location"]).content.decode()
    assert 'id="result-bonus">¥1,000.00' in page and 'id="result-wallet-balance">¥4,000.00' in page and "充3000送1000" in page
    # the same reference again (a double click): the first result, nothing added twice
    again = client.post(TOPUP, {**who(), "amount": "3000", "method": "wechat", "reference": "SA01-TU-1"})
    assert "replayed=1" in again["Location"] and balances(member_a) == (D("3000.00"), D("1000.00"))


def test_a_top_up_above_the_limit_is_refused_in_chinese_with_the_room_left(login, cashier_a, member_a):
    client = login(cashier_a)
    client.post(TOPUP, {**who(), "amount": "3000", "method": "cash", "reference": "R-1"})
    page = client.post(TOPUP, {**who(), "amount": "3000", "method": "cash", "reference": "R-2"}).content.decode()
    assert 'data-code="stored_value_limit"' in page and "最多还可充值 ¥2,000.00" in page
    assert balances(member_a) == (D("3000.00"), D("1000.00")) and TopUp.objects.count() == 1


def test_a_bad_amount_is_marked_next_to_the_field_and_nothing_changes(login, cashier_a, member_a):
    page = login(cashier_a).post(TOPUP, {**who(), "amount": "abc", "method": "cash", "reference": "R-1"}).content.decode()
    assert 'id="error-amount"' in page and "不是有效的数字" in page
    assert not TopUp.objects.exists() and not WalletAccount.objects.filter(member=member_a, principal__gt=0).exists()


def test_an_unknown_member_is_said_so(login, cashier_a, member_a):
    page = login(cashier_a).post(TOPUP, {**who("13900000000"), "amount": "100", "method": "cash", "reference": "R-1"}).content.decode()
    assert 'data-code="member_not_found"' in page and not TopUp.objects.exists()


def test_refund_pays_back_principal_and_forfeits_bonus_in_proportion(login, manager_a, member_a, store_a):
    wallet_topup(actor=None, member=member_a, store=store_a, amount="3000.00", reference="T-1")  # 3000 + 1000
    client = login(manager_a)
    page = client.get(REFUND, who()).content.decode()
    assert 'id="refund-form"' in page and 'data-principal="3000.00" data-bonus="1000.00"' in page
    response = client.post(REFUND, {**who(), "amount": "1000", "reason": "会员搬家"})
    assert response.status_code == 302
    refund = WalletRefund.objects.get()
    assert (refund.principal, refund.bonus_forfeited) == (D("1000.00"), D("333.33"))
    assert balances(member_a) == (D("2000.00"), D("666.67"))
    page = client.get(response["Location"]).content.decode()
    assert 'id="result-forfeited">¥333.33' in page and 'id="result-wallet-balance">¥2,666.67' in page


def test_refund_above_the_principal_or_without_reason_changes_nothing(login, manager_a, member_a, store_a):
    wallet_topup(actor=None, member=member_a, store=store_a, amount="3000.00", reference="T-1")
    client = login(manager_a)
    page = client.post(REFUND, {**who(), "amount": "5000", "reason": "x"}).content.decode()
    assert "最多可退还本金 ¥3,000.00" in page
    page = client.post(REFUND, {**who(), "amount": "100", "reason": ""}).content.decode()
    assert 'id="error-reason"' in page and "必填" in page
    assert not WalletRefund.objects.exists() and balances(member_a) == (D("3000.00"), D("1000.00"))


def test_who_may_take_top_ups_and_refunds(login, guide_a, cashier_a, auditor):
    assert login(guide_a).get(TOPUP).status_code == 403
    assert login(guide_a).post(TOPUP, {}).status_code == 403
    assert login(cashier_a).get(REFUND).status_code == 403  # a cashier takes top-ups, refunds are for managers
    nav = login(cashier_a).get(TOPUP).content.decode()
    assert 'id="tab-topup"' in nav and 'id="tab-wallet-refund"' not in nav
    assert login(auditor).get(TOPUP).status_code == 403


# ---- HQ configuration -------------------------------------------------------------------------

def test_hq_saves_the_policy_through_the_service(login, hq):
    client = login(hq)
    assert "储值政策" in client.get(CONFIG).content.decode()
    data = {"spend_order": "principal_first", "named_limit": "8000", "anonymous_limit": "1000", "no_pin_limit": "300",
            "extra_discount_percent": "2"}
    assert client.post(CONFIG, {**data, "step": "policy"}).status_code == 302
    pol = policy()
    assert (pol.spend_order, pol.named_limit, pol.no_pin_limit, pol.extra_discount_percent) == ("principal_first", D("8000.00"),
                                                                                                  D("300.00"), D("2.00"))
    assert Event.objects.filter(verb="wallet.policy_update").exists()


def test_a_bad_policy_shows_the_message_and_changes_nothing(login, hq):
    page = login(hq).post(CONFIG, {"step": "policy", "spend_order": "proportional", "named_limit": "-5", "anonymous_limit": "1000",
                                   "no_pin_limit": "500", "extra_discount_percent": "0"}).content.decode()
    assert 'id="error-named_limit"' in page and "不能为负数" in page
    assert WalletPolicy.objects.get().named_limit == D("5000.00")


def test_hq_adds_and_switches_off_a_top_up_rule(login, hq, rules):
    client = login(hq)
    assert client.post(CONFIG, {"step": "rule", "name": "国庆充2000送500", "threshold": "2000", "bonus": "500",
                                "starts_on": "2026-10-01", "ends_on": "2026-10-07"}).status_code == 302
    assert TopUpRule.objects.filter(threshold=D("2000.00"), bonus=D("500.00"), active=True).exists()
    page = client.post(CONFIG, {"step": "rule", "name": "x", "threshold": "", "bonus": "10"}).content.decode()
    assert 'id="error-threshold"' in page and TopUpRule.objects.count() == 5
    rule = rules[0]
    assert client.post(reverse("console:wallet_rule_active", args=[rule.pk]), {"active": "0"}).status_code == 302
    assert not TopUpRule.objects.get(pk=rule.pk).active


@pytest.mark.parametrize("who_", ["guide_a", "cashier_a", "manager_a", "auditor"])
def test_only_hq_reaches_the_stored_value_configuration(login, request, rules, who_):
    client = login(request.getfixturevalue(who_))
    assert client.get(CONFIG).status_code == 403
    assert client.post(CONFIG, {"step": "policy", "named_limit": "1"}).status_code == 403
    assert client.post(reverse("console:wallet_rule_active", args=[rules[0].pk]), {"active": "0"}).status_code == 403
    assert TopUpRule.objects.filter(active=True).count() == 2 and policy().named_limit == D("5000.00")


# ---- the 360° page ----------------------------------------------------------------------------

def test_the_360_page_shows_the_account_and_hq_raises_the_limit(login, hq, cashier_a, member_a, store_a):
    wallet_topup(actor=None, member=member_a, store=store_a, amount="3000.00", reference="T-1")
    url = reverse("console:member_detail", args=[member_a.pk])
    page = login(cashier_a).get(url).content.decode()
    assert 'id="wallet-balance">¥4,000.00' in page and 'id="wallet-principal">¥3,000.00' in page and "T-1" in page
    assert 'id="wallet-limit-form"' not in page  # the limit is HQ's
    assert login(cashier_a).post(reverse("console:member_wallet_limit", args=[member_a.pk]),
                                 {"limit": "20000", "reason": "x"}).status_code == 403
    client = login(hq)
    client.post(reverse("console:member_wallet_limit", args=[member_a.pk]), {"limit": "20000", "reason": ""})
    assert not WalletLimitChange.objects.exists()  # a reason is required
    client.post(reverse("console:member_wallet_limit", args=[member_a.pk]), {"limit": "20000", "reason": "单位客户"})
    assert WalletAccount.objects.get(member=member_a).limit_override == D("20000.00")
    assert 'id="wallet-limit">¥20,000.00' in client.get(url).content.decode()


def test_a_cashier_sets_the_payment_pin(login, cashier_a, member_a):
    client = login(cashier_a)
    client.post(reverse("console:member_wallet_pin", args=[member_a.pk]), {"pin": "12ab"})
    assert not WalletAccount.objects.filter(member=member_a).exclude(pin_hash="").exists()
    client.post(reverse("console:member_wallet_pin", args=[member_a.pk]), {"pin": "246810"})
    assert WalletAccount.objects.get(member=member_a).pin_hash


def test_a_refund_sent_again_under_its_reference_pays_once(login, manager_a, member_a, store_a):
    wallet_topup(actor=None, member=member_a, store=store_a, amount="3000.00", reference="T-1")
    client = login(manager_a)
    data = {**who(), "amount": "1000", "reason": "会员搬家", "reference": "SA01-RF-1"}
    assert client.post(REFUND, data).status_code == 302
    again = client.post(REFUND, data, follow=True).content.decode()
    assert "未重复退款" in again and WalletRefund.objects.count() == 1 and balances(member_a) == (D("2000.00"), D("666.67"))


def test_a_top_up_rule_with_gift_points(login, hq, cashier_a, member_a):
    client = login(hq)
    assert client.post(CONFIG, {"step": "rule", "name": "充1000送100积分", "threshold": "1000", "bonus": "0",
                                "gift_points": "100"}).status_code == 302
    page = client.post(CONFIG, {"step": "rule", "threshold": "1000", "bonus": "0", "gift_coupons": "2"}).content.decode()
    assert 'id="error-gift_campaign"' in page
    response = login(cashier_a).post(TOPUP, {**who(), "amount": "1000", "method": "cash", "reference": "R-G"})
    page = login(cashier_a).get(response["Location"]).content.decode()
    assert 'id="result-gifts"' in page and "100 积分" in page
