from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from vipdesk.wallet.models import WalletAccount
from vipdesk.wallet.services import wallet_topup

D = Decimal
_refs = itertools.count(1)


def topup(member, store, amount: str, *, actor=None, reference: str | None = None, **kw) -> dict:
    return wallet_topup(actor=actor, member=member, store=store, amount=amount, reference=reference or f"TU{next(_refs):06d}", **kw)


def balances(member) -> tuple[Decimal, Decimal]:
    account = WalletAccount.objects.get(member=member)
    return account.principal, account.bonus


def sale_data(receipt: str, *, total: str, stored_value: str | None = None, member=None, pin: str | None = None,
              lines: list[tuple[str, int]] | None = None, minutes_ago: int = 5) -> dict:
    """A sale at store SA01: lines [(unit price, quantity)] (default one line of `total`), paid
    `stored_value` by stored value and the rest in cash."""
    lines = lines or [(total, 1)]
    payments = []
    rest = D(total)
    if stored_value:
        pay = {"method": "stored_value", "amount": stored_value}
        if pin is not None:
            pay["pin"] = pin
        payments.append(pay)
        rest -= D(stored_value)
    if rest > 0:
        payments.append({"method": "cash", "amount": str(rest)})
    return {
        "store": "SA01", "terminal": "T1", "receipt_no": receipt,
        "occurred_at": (timezone.now() - dt.timedelta(minutes=minutes_ago)).replace(microsecond=0).isoformat(),
        "member": member if member is not None else {"mobile": "13612345678"},
        "lines": [{"line_no": n, "sku": f"SKU{n}", "unit_price": price, "quantity": qty, "amount": str(D(price) * qty)}
                  for n, (price, qty) in enumerate(lines, start=1)],
        "payments": payments, "amount_paid": total,
    }


def return_data(receipt: str, original: str, **over) -> dict:
    data = {"store": "SA01", "terminal": "T1", "receipt_no": receipt, "original": {"receipt_no": original},
            "occurred_at": timezone.now().replace(microsecond=0).isoformat()}
    data.update(over)
    return data
