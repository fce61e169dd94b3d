"""Issue 13 §7: stored value stays inside the party that issued it (a franchisee, or the directly run
chain "HQ"): topped up, spent, paid out and refunded only at that party's stores; refunded only by
someone whose scope holds the member (the home store's manager, or HQ)."""
from decimal import Decimal as D

import pytest

from vipdesk.accounts.roles import Role
from vipdesk.api.tests.conftest import Api
from vipdesk.core.errors import DomainError
from vipdesk.members.services import member_update
from vipdesk.org.choices import Ownership
from vipdesk.org.services import api_client_create
from vipdesk.sales.models import Sale
from vipdesk.till.services import return_post, sale_post
from vipdesk.testing.factories import FranchiseeFactory, StaffFactory, StoreFactory, make_member
from vipdesk.wallet.models import WalletAccount, WalletRefund
from vipdesk.wallet.refunds import wallet_refund

from .helpers import balances, return_data, sale_data, topup

pytestmark = pytest.mark.django_db

FRANCHISED = "13700001111"


def key(name, **kw) -> Api:
    return Api(api_client_create(name=name, **kw)[1])


@pytest.fixture
def store_f(db):
    return StoreFactory(code="SF01", name="加盟店", ownership=Ownership.FRANCHISE, franchisee=FranchiseeFactory(code="F1"))


@pytest.fixture
def manager_f(store_f):
    return StaffFactory(username="manager_f", role=Role.STORE_MANAGER, stores=[store_f])


@pytest.fixture
def franchised(rules, store_f):
    """A member of the franchisee's store with 3000 + 1000 topped up there."""
    member = make_member(store=store_f, name="王芳", mobile=FRANCHISED)
    topup(member, store_f, "3000.00")
    return member


def at(store_code: str, receipt: str, mobile: str, *, stored_value: str = "500.00", total: str = "500.00") -> dict:
    return {**sale_data(receipt, total=total, stored_value=stored_value, member={"mobile": mobile}), "store": store_code}


def test_the_account_is_issued_by_the_home_stores_party(franchised, store_f, member, store_a):
    assert WalletAccount.objects.get(member=franchised).issuer_id == store_f.franchisee_id
    topup(member, store_a, "100.00")
    assert WalletAccount.objects.get(member=member).issuer_id is None  # the directly run chain


def test_stored_value_of_a_franchisee_is_not_spent_at_another_partys_store(franchised, store_a, store_f):
    with pytest.raises(DomainError) as refused:
        sale_post(actor=None, data=at("SA01", "R1", FRANCHISED))
    assert refused.value.code == "stored_value_other_issuer" and refused.value.status == 422
    assert "3000" not in refused.value.message and "4000" not in refused.value.message  # no balance revealed
    assert balances(franchised) == (D("3000.00"), D("1000.00")) and not Sale.objects.exists()
    sale_post(actor=None, data=at("SF01", "R1", FRANCHISED))  # at the issuer's own store
    assert balances(franchised) == (D("2625.00"), D("875.00"))


def test_stored_value_of_the_chain_is_spent_at_any_directly_run_store(rules, member, store_a, store_b):
    topup(member, store_a, "3000.00")
    sale_post(actor=None, data=at("SB01", "R1", "13612345678"))
    assert balances(member) == (D("2625.00"), D("875.00"))


def test_top_ups_are_taken_only_by_the_issuer(franchised, member, store_a, store_f):
    for who, where in ((franchised, store_a), (member, store_f)):
        with pytest.raises(DomainError) as refused:
            topup(who, where, "100.00")
        assert refused.value.code == "stored_value_other_issuer" and "充值" in refused.value.message
    assert balances(franchised) == (D("3000.00"), D("1000.00"))
    assert not WalletAccount.objects.filter(member=member, principal__gt=0).exists()


def test_refunds_stay_with_the_issuer_and_the_members_scope(franchised, store_a, store_f, manager_a, manager_f, hq):
    with pytest.raises(DomainError) as outside:
        wallet_refund(actor=manager_a, member=franchised, store=store_a, reason="退卡")
    assert outside.value.code == "refund_out_of_scope" and outside.value.status == 403
    with pytest.raises(DomainError) as other_till:
        wallet_refund(actor=hq, member=franchised, store=store_a, reason="退卡")
    assert other_till.value.code == "stored_value_other_issuer" and "退款" in other_till.value.message
    assert balances(franchised) == (D("3000.00"), D("1000.00")) and not WalletRefund.objects.exists()
    wallet_refund(actor=manager_f, member=franchised, store=store_f, amount="1000.00", reason="退卡")
    wallet_refund(actor=hq, member=franchised, store=store_f, reason="退卡")
    assert balances(franchised) == (D("0.00"), D("0.00"))


def test_another_stores_manager_key_cannot_refund_and_learns_no_balance(franchised, store_a):
    desk = key("Desk S001", store_code=store_a.code, role=Role.STORE_MANAGER)
    response = desk.post("/api/v1/wallet/refunds/", {"member": {"mobile": FRANCHISED}, "reason": "退卡", "store": "SA01"})
    # whose file is 404 to this key is nobody at its refund desk either (issue 13 §7, §12)
    assert response.status_code == 404, response.json()
    assert response.json()["code"] == "member_not_found" and "3000" not in response.json()["message"]
    assert balances(franchised) == (D("3000.00"), D("1000.00"))


def test_the_issuer_stays_when_the_member_moves_to_another_partys_store(franchised, store_a, store_f, hq):
    member_update(actor=hq, member=franchised, data={"home_store": store_a.code})
    with pytest.raises(DomainError) as refused:
        sale_post(actor=None, data=at("SA01", "R1", FRANCHISED))
    assert refused.value.code == "stored_value_other_issuer"
    sale_post(actor=None, data=at("SF01", "R1", FRANCHISED))
    assert balances(franchised) == (D("2625.00"), D("875.00"))


def test_money_paid_out_on_a_return_is_paid_by_the_issuer_only(franchised, store_f, store_a):
    sale_post(actor=None, data=at("SF01", "R1", FRANCHISED, stored_value="1000.00", total="1000.00"))  # 750 + 250
    topup(franchised, store_f, "2750.00")  # principal back to 5000.00: a return pays its principal out
    with pytest.raises(DomainError) as refused:
        return_post(actor=None, data={**return_data("T1", "R1"), "store": "SA01", "original": {"store": "SF01", "receipt_no": "R1"}})
    assert refused.value.code == "stored_value_other_issuer"
    result = return_post(actor=None, data={**return_data("T1", "R1"), "store": "SF01", "original": {"store": "SF01", "receipt_no": "R1"}})
    assert result.data["refund"]["stored_value_paid_out"] == "750.00"
