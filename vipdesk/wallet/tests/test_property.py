"""Property: whatever sequence of top-ups, stored-value payments, returns and refunds runs, the
cached principal and bonus are the sums of the entries, nothing is negative, and no receipt gets
back more principal or bonus than its payment took."""
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vipdesk.core.errors import DomainError
from vipdesk.till.services import return_post, sale_post
from vipdesk.wallet.choices import EntryKind, SpendOrder
from vipdesk.wallet.models import WalletAccount, WalletEntry, WalletPolicy
from vipdesk.wallet.refunds import wallet_refund
from vipdesk.wallet.bonus_rules import topup_rules_install_default
from vipdesk.wallet.config import wallet_raise_limit
from vipdesk.wallet.ledger import _fen
from vipdesk.wallet.services import wallet_recompute

from .helpers import return_data, sale_data, topup

pytestmark = pytest.mark.django_db

ALLOWED = {"insufficient_stored_value", "stored_value_limit", "nothing_to_refund", "return_exceeds_sale"}

op = st.one_of(
    st.tuples(st.just("topup"), st.integers(1, 12000), st.integers(0, 99)),       # yuan and fen
    st.tuples(st.just("pay"), st.integers(1, 3000), st.integers(0, 99)),          # stored-value part of a sale
    st.tuples(st.just("return"), st.integers(0, 50), st.integers(1, 100)),        # which sale, percent of what is left
    st.tuples(st.just("refund"), st.integers(1, 100), st.integers(0, 0)),         # percent of the principal
)


def check(member):
    account = WalletAccount.objects.get(member=member)
    sums = WalletEntry.objects.filter(account=account).aggregate(p=Sum("principal"), b=Sum("bonus"))
    assert account.principal == _fen(sums["p"]) and account.bonus == _fen(sums["b"])
    assert account.principal >= 0 and account.bonus >= 0
    assert wallet_recompute(member=member)["ok"]
    for pay in WalletEntry.objects.filter(account=account, kind=EntryKind.PAY):
        back = WalletEntry.objects.filter(sale__original=pay.sale_id, kind=EntryKind.RETURN_REVERSAL).aggregate(
            p=Sum("principal"), b=Sum("bonus"))
        assert _fen(back["p"]) <= -pay.principal and _fen(back["b"]) <= -pay.bonus
        if pay.sale.returned_amount == pay.sale.amount:  # returned in full: given back exactly
            assert _fen(back["p"]) == -pay.principal and _fen(back["b"]) == -pay.bonus


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(op, min_size=1, max_size=12), order=st.sampled_from(list(SpendOrder)))
def test_ledger_invariants_hold_for_any_sequence(member, store_a, hq, manager_a, ops, order):
    with transaction.atomic():
        topup_rules_install_default()
        WalletPolicy.objects.update_or_create(code="default", defaults={"spend_order": order})
        WalletAccount.objects.get_or_create(member=member)
        if len(ops) % 2:  # half the runs at the regulation's 5000 limit, half raised
            wallet_raise_limit(actor=hq, member=member, limit="100000.00", reason="test")
        sales = []
        for n, (kind, a, b) in enumerate(ops):
            try:
                with transaction.atomic():
                    if kind == "topup":
                        topup(member, store_a, f"{a}.{b:02d}")
                    elif kind == "pay":
                        paid = D(f"{a}.{b:02d}")
                        data = sale_data(f"R{n}", total=str(paid + 7), stored_value=str(paid), lines=[(str(paid + 7), 1)])
                        sales.append(sale_post(actor=None, data=data).sale)
                    elif kind == "return" and sales:
                        sale = sales[a % len(sales)]
                        sale.refresh_from_db()
                        part = ((sale.amount - sale.returned_amount) * b / 100).quantize(D("0.01"))
                        if part > 0:
                            return_post(actor=None, data=return_data(f"T{n}", sale.receipt_no, amount=str(part)))
                    elif kind == "refund":
                        principal = WalletAccount.objects.filter(member=member).values_list("principal", flat=True).first() or 0
                        amount = (D(principal) * a / 100).quantize(D("0.01"))
                        wallet_refund(actor=manager_a, member=member, store=store_a, amount=str(amount) if amount > 0 else None,
                                      reason="test")
            except DomainError as exc:
                assert exc.code in ALLOWED, (exc.code, exc.message)
            except IntegrityError as exc:
                # A known SQLite-only fault of the sales intake, not of the wallet: Sale.returned_amount is
                # moved with F() + amount, which SQLite sums in binary floating point (0.10 + 0.20 >
                # 0.30), so sale_returned_within_amount can refuse a legal last return there.
                assert connection.vendor == "sqlite" and "returned_within" in str(exc), exc
            check(member)
        transaction.set_rollback(True)
