"""Refund of unused principal (退卡/退款): the bonus is forfeited in proportion."""
from decimal import Decimal as D

import pytest

from vipdesk.audit.models import Event
from vipdesk.core.errors import DomainError
from vipdesk.till.services import sale_post
from vipdesk.wallet.choices import EntryKind
from vipdesk.wallet.models import WalletEntry
from vipdesk.wallet.refunds import wallet_refund
from vipdesk.wallet.services import wallet_recompute

from .helpers import balances, sale_data, topup

pytestmark = pytest.mark.django_db


@pytest.fixture
def spent(rules, member, store_a):
    """3000 paid in (+1000 bonus), then 1000 spent: 750.00 principal and 250.00 bonus."""
    topup(member, store_a, "3000.00")
    sale_post(actor=None, data=sale_data("R1", total="1000.00", stored_value="1000.00"))
    assert balances(member) == (D("2250.00"), D("750.00"))
    return member


def test_refund_after_a_partial_spend_forfeits_the_bonus_in_proportion(spent, store_a, manager_a):
    refund = wallet_refund(actor=manager_a, member=spent, store=store_a, amount="1000.00", reason="顾客搬家")
    # 750.00 × 1000 / 2250 = 333.333… → 333.33 forfeited
    assert (refund.principal, refund.bonus_forfeited) == (D("1000.00"), D("333.33"))
    assert balances(spent) == (D("1250.00"), D("416.67"))
    rest = wallet_refund(actor=manager_a, member=spent, store=store_a, reason="退卡")  # all the principal left
    assert (rest.principal, rest.bonus_forfeited) == (D("1250.00"), D("416.67"))
    assert balances(spent) == (D("0.00"), D("0.00"))
    entries = WalletEntry.objects.filter(kind=EntryKind.REFUND).order_by("id")
    assert [(e.principal, e.bonus, e.refund_id) for e in entries] == [(D("-1000.00"), D("-333.33"), refund.pk),
                                                                     (D("-1250.00"), D("-416.67"), rest.pk)]
    assert Event.objects.filter(verb="wallet.refund").count() == 2
    assert wallet_recompute(member=spent)["ok"]


def test_refund_all_forfeits_all_bonus(spent, store_a, hq):
    refund = wallet_refund(actor=hq, member=spent, store=store_a, reason="退卡")
    assert (refund.principal, refund.bonus_forfeited) == (D("2250.00"), D("750.00"))
    with pytest.raises(DomainError) as nothing:
        wallet_refund(actor=hq, member=spent, store=store_a, reason="again")
    assert nothing.value.code == "nothing_to_refund"


def test_refund_refusals(spent, store_a, store_b, cashier_a, auditor, manager_a):
    for actor, store, code in [(cashier_a, store_a, "permission_denied"), (auditor, store_a, "permission_denied"),
                               (manager_a, store_b, "store_out_of_scope")]:
        with pytest.raises(DomainError) as refused:
            wallet_refund(actor=actor, member=spent, store=store, reason="x")
        assert refused.value.code == code
    with pytest.raises(DomainError) as too_much:
        wallet_refund(actor=manager_a, member=spent, store=store_a, amount="2250.01", reason="x")
    assert too_much.value.code == "refund_exceeds_principal"
    with pytest.raises(DomainError) as no_reason:
        wallet_refund(actor=manager_a, member=spent, store=store_a, reason=" ")
    assert no_reason.value.code == "validation_error"
    assert balances(spent) == (D("2250.00"), D("750.00"))
