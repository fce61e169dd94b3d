"""Issue 13 §4: withdrawal (退会) never swallows prepaid money.

The rule: a member cannot withdraw while the account holds principal (refund it first: 409
`stored_value_not_refunded`); with no principal left, the bonus (a gift) is forfeited by the
withdrawal, recorded as an entry. A withdrawn member's principal (a file withdrawn before this
rule, or money a return brought back) can still be refunded, by API and console."""
from decimal import Decimal as D

import pytest
from django.urls import reverse

from vipdesk.accounts.roles import Role
from vipdesk.api.tests.conftest import Api
from vipdesk.audit.models import Event
from vipdesk.core.errors import DomainError
from vipdesk.members.choices import MemberStatus
from vipdesk.members.models import Member
from vipdesk.members.services import member_withdraw
from vipdesk.org.services import api_client_create
from vipdesk.till.services import return_post, sale_post
from vipdesk.wallet.choices import EntryKind
from vipdesk.wallet.models import WalletEntry, WalletRefund
from vipdesk.wallet.refunds import wallet_refund
from vipdesk.wallet.services import wallet_recompute

from .helpers import balances, return_data, sale_data, topup

pytestmark = pytest.mark.django_db


def key(name, **kw) -> Api:
    return Api(api_client_create(name=name, **kw)[1])


def withdrawn_before_the_rule(member) -> Member:
    """A file withdrawn while its account still held principal (data from before this rule):
    the member row as member_withdraw leaves it, the wallet untouched."""
    Member.objects.filter(pk=member.pk).update(status=MemberStatus.WITHDRAWN, mobile=None, mobile_last4="", name="W0000000000")
    return Member.objects.get(pk=member.pk)


def test_withdrawal_is_refused_while_principal_is_left_with_its_own_message(rules, member, store_a, manager_a):
    topup(member, store_a, "3000.00")
    with pytest.raises(DomainError) as refused:
        member_withdraw(actor=manager_a, member=member, reason="顾客申请退会")
    assert refused.value.code == "stored_value_not_refunded" and refused.value.status == 409
    assert "¥3,000.00" in refused.value.message and "退款" in refused.value.message
    member.refresh_from_db()
    assert member.status == MemberStatus.ACTIVE and member.mobile == "13612345678"
    assert balances(member) == (D("3000.00"), D("1000.00"))
    assert not Event.objects.filter(verb="member.withdrawn").exists()


def test_after_the_refund_the_withdrawal_goes_through(rules, member, store_a, manager_a):
    topup(member, store_a, "3000.00")
    wallet_refund(actor=manager_a, member=member, store=store_a, reason="退卡")  # all principal; the bonus goes with it
    member_withdraw(actor=manager_a, member=member, reason="顾客申请退会")
    member.refresh_from_db()
    assert member.status == MemberStatus.WITHDRAWN
    assert balances(member) == (D("0.00"), D("0.00")) and wallet_recompute(member=member)["ok"]


def test_a_bonus_left_without_principal_is_forfeited_by_the_withdrawal_and_recorded(rules, member, store_a, manager_a):
    from vipdesk.wallet.config import wallet_policy_save

    wallet_policy_save(actor=None, data={"spend_order": "principal_first"})
    topup(member, store_a, "3000.00")  # 3000 + 1000
    sale_post(actor=None, data=sale_data("R1", total="3000.00", stored_value="3000.00"))  # the principal, first
    assert balances(member) == (D("0.00"), D("1000.00"))
    member_withdraw(actor=manager_a, member=member, reason="顾客申请退会")
    assert balances(member) == (D("0.00"), D("0.00"))
    forfeit = WalletEntry.objects.get(kind=EntryKind.FORFEIT)
    assert (forfeit.principal, forfeit.bonus) == (D("0.00"), D("-1000.00"))
    assert wallet_recompute(member=member)["ok"]


def test_api_withdrawal_refusal_has_its_own_code_and_message(rules, member, store_a):
    topup(member, store_a, "3000.00")
    desk = key("Desk A", store_code=store_a.code, role=Role.STORE_MANAGER)
    response = desk.post(f"/api/v1/members/{member.pk}/withdraw/", {"reason": "顾客申请退会"})
    assert response.status_code == 409, response.json()
    body = response.json()
    assert body["code"] == "stored_value_not_refunded" and "¥3,000.00" in body["message"] and "销售" not in body["message"]


def test_a_withdrawn_members_principal_is_refunded_over_the_api_by_member_number(rules, member, store_a):
    topup(member, store_a, "3000.00")
    withdrawn = withdrawn_before_the_rule(member)
    desk = key("Desk A", store_code=store_a.code, role=Role.STORE_MANAGER)
    response = desk.post("/api/v1/wallet/refunds/", {"member": {"member_no": withdrawn.member_no}, "reason": "退会退卡"})
    assert response.status_code == 201, response.json()
    assert response.json()["principal"] == "3000.00" and response.json()["bonus_forfeited"] == "1000.00"
    assert balances(member) == (D("0.00"), D("0.00"))


def test_a_withdrawn_member_cannot_top_up_and_is_told_so_not_about_sales(rules, member, store_a):
    topup(member, store_a, "100.00")
    withdrawn = withdrawn_before_the_rule(member)
    till = key("POS A1", store_code=store_a.code)
    response = till.post("/api/v1/wallet/topups/", {"member": {"member_no": withdrawn.member_no}, "amount": "100.00",
                                                     "reference": "TU-W1"})
    assert response.status_code == 409 and response.json()["code"] == "member_withdrawn"
    assert "充值" in response.json()["message"] and "销售" not in response.json()["message"]


def test_a_withdrawn_members_principal_is_refunded_in_the_console(rules, member, store_a, manager_a, client):
    topup(member, store_a, "3000.00")
    withdrawn = withdrawn_before_the_rule(member)
    client.force_login(manager_a)
    form = {"store": "SA01", "member_by": "member_no", "member_value": withdrawn.member_no, "reason": "退会退卡",
            "reference": "SA01-RF-W1"}
    response = client.post(reverse("console:pos_wallet_refund"), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    refund = WalletRefund.objects.get()
    assert (refund.principal, refund.bonus_forfeited) == (D("3000.00"), D("1000.00"))


def test_a_return_to_a_withdrawn_member_pays_the_principal_out_in_money(rules, member, store_a, manager_a):
    topup(member, store_a, "3000.00")  # 3000 + 1000
    sale_post(actor=None, data=sale_data("R1", total="1000.00", stored_value="1000.00"))  # 750 + 250
    wallet_refund(actor=manager_a, member=member, store=store_a, reason="退卡")
    member_withdraw(actor=manager_a, member=member, reason="顾客申请退会")
    result = return_post(actor=None, data=return_data("T1", "R1")).data
    # the account is closed: the principal goes back as money at the till, the bonus is forfeited
    assert result["refund"]["money"] == "750.00"
    assert result["refund"]["stored_value_paid_out"] == "750.00"
    assert result["refund"]["stored_value_bonus_forfeited"] == "250.00"
    assert result["refund"]["stored_value_to_account"] == "0.00"
    assert balances(member) == (D("0.00"), D("0.00")) and wallet_recompute(member=member)["ok"]


def test_the_console_withdrawal_says_to_refund_first_and_changes_nothing(rules, member, store_a, manager_a, client):
    topup(member, store_a, "3000.00")
    client.force_login(manager_a)
    response = client.post(reverse("console:member_withdraw", args=[member.pk]), {"reason": "顾客申请退会", "confirm": "on"},
                           follow=True)
    page = response.content.decode()
    assert "该会员储值账户还有本金 ¥3,000.00未退。请先办理储值退款，再办理退会。" in page
    member.refresh_from_db()
    assert member.status == MemberStatus.ACTIVE and balances(member) == (D("3000.00"), D("1000.00"))
