"""Racing stored-value payments on PostgreSQL: real threads, real transactions (SQLite serialises writers anyway)."""
import threading
from decimal import Decimal as D

import pytest
from django.db import connection

from vipdesk.core.errors import DomainError
from vipdesk.till.services import sale_post
from vipdesk.testing.concurrency import race
from vipdesk.testing.factories import StoreFactory, make_member
from vipdesk.wallet.choices import EntryKind
from vipdesk.wallet.models import WalletAccount, WalletEntry
from vipdesk.wallet.bonus_rules import topup_rules_install_default
from vipdesk.wallet.services import wallet_recompute, wallet_topup

from .helpers import sale_data

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.pgonly,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrency"),
]


def test_twenty_concurrent_payments_on_a_balance_for_five_exactly_five_succeed():
    store = StoreFactory(code="SA01")
    topup_rules_install_default()
    member = make_member(store=store, mobile="13612345678")
    wallet_topup(actor=None, member=member, store=store, amount="3000.00", reference="TU-1")  # 3000 + 1000 = 4000 = 5 × 800

    seen = []
    stop = threading.Event()

    def watch():  # the balances are never seen below zero while the race runs
        from django.db import connections as conns

        while not stop.is_set():
            account = WalletAccount.objects.get(member=member)
            seen.append((account.principal, account.bonus))
        conns.close_all()

    watcher = threading.Thread(target=watch)
    watcher.start()
    results = race(20, lambda i: sale_post(actor=None, data=sale_data(f"R{i:03d}", total="800.00", stored_value="800.00")))
    stop.set()
    watcher.join()

    ok = [r for r, e in results if e is None]
    errors = [e for _r, e in results if e is not None]
    assert len(ok) == 5
    assert all(isinstance(e, DomainError) and e.code == "insufficient_stored_value" for e in errors), errors
    account = WalletAccount.objects.get(member=member)
    assert (account.principal, account.bonus) == (D("0.00"), D("0.00"))
    assert WalletEntry.objects.filter(kind=EntryKind.PAY).count() == 5
    assert min(p for p, _b in seen) >= 0 and min(b for _p, b in seen) >= 0
    assert wallet_recompute(member=member)["ok"]


def test_twin_top_ups_with_one_reference_credit_once():
    store = StoreFactory(code="SA01")
    topup_rules_install_default()
    member = make_member(store=store, mobile="13612345678")
    results = race(10, lambda i: wallet_topup(actor=None, member=member, store=store, amount="3000.00", reference="TU-TWIN"))
    assert all(e is None for _r, e in results), results
    assert sorted(r["replayed"] for r, _e in results) == [False] + [True] * 9
    account = WalletAccount.objects.get(member=member)
    assert (account.principal, account.bonus) == (D("3000.00"), D("1000.00"))


def test_refunds_of_different_members_racing_for_one_reference_pay_once_and_answer_409():
    """Issue 13 §9: 8 refunds, 8 members, one reference: one pays, seven answer `refund_conflict` (no 500)."""
    from vipdesk.accounts.roles import Role
    from vipdesk.testing.factories import StaffFactory
    from vipdesk.wallet.models import WalletRefund
    from vipdesk.wallet.refunds import wallet_refund

    store = StoreFactory(code="SA01")
    manager = StaffFactory(username="manager_race", role=Role.STORE_MANAGER, stores=[store])
    members = [make_member(store=store, mobile=f"1361234{i:04d}") for i in range(8)]
    for i, member in enumerate(members):
        wallet_topup(actor=None, member=member, store=store, amount="1000.00", reference=f"TU-{i}")

    results = race(8, lambda i: wallet_refund(actor=manager, member=members[i], store=store, reason="退卡", reference="SA01-RF-SAME"))
    ok = [r for r, e in results if e is None]
    errors = [e for _r, e in results if e is not None]
    assert len(ok) == 1 and ok[0].replayed is False
    assert len(errors) == 7 and all(isinstance(e, DomainError) and e.code == "refund_conflict" and e.status == 409
                                    for e in errors), errors
    assert WalletRefund.objects.count() == 1
    paid = WalletRefund.objects.get().account.member_id
    for member in members:
        account = WalletAccount.objects.get(member=member)
        assert account.principal == (D("0.00") if member.pk == paid else D("1000.00"))
        assert wallet_recompute(member=member)["ok"]
