"""The stored-value ledger's plumbing, shared by the wallet's services (top-up, payment, returns,
refunds, configuration): the policy, the account lock, entries, limits, the principal/bonus split,
money in and out.

Locking: a writer locks the member's WalletAccount row (select_for_update) before it reads the
balances it decides on; the entry and the cached principal/bonus are written in that one
transaction; the CheckConstraints (principal ≥ 0, bonus ≥ 0) are the backstop. Inside a posting
the member row is already locked by the sales service, so the order is always member → account.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Role, require as _require
from vipdesk.core import confcache, parsing
from vipdesk.core.errors import DomainError, PermissionDenied
from vipdesk.core.models import locked_row
from vipdesk.core.sql import model_table
from vipdesk.core.money import quantize
from vipdesk.accounts.models import Staff

from . import issuers
from .choices import SpendOrder
from .models import WalletAccount, WalletEntry, WalletPolicy
from .signals import wallet_entry_written

ZERO = Decimal("0.00")
MAX_TOPUP = Decimal("10000000.00")
STORED_VALUE = "stored_value"  # sales.choices.PaymentMethod.STORED_VALUE


class WalletError(DomainError):
    status = 422


@dataclass(frozen=True)
class Split:
    principal: Decimal
    bonus: Decimal

    @property
    def total(self) -> Decimal:
        return self.principal + self.bonus


def policy() -> WalletPolicy:
    return confcache.policy_row(WalletPolicy)  # kept per process until HQ changes it


def _locked_account(member_id: int) -> WalletAccount:
    """The member's account, locked until the transaction ends; opened (issued by the home store's
    party, see issuers.py) when missing."""
    found = WalletAccount.objects.select_for_update().filter(member_id=member_id).first()
    if found is not None:
        return found
    return locked_row(WalletAccount, member_id=member_id, defaults={"issuer_id": issuers.home_issuer(member_id)})


def _write(account: WalletAccount, *, kind: str, principal: Decimal, bonus: Decimal, business_date: dt.date, **source) -> WalletEntry:
    """Append one entry and move the cached balances with it (the caller holds the account lock).

    The new balances are computed in Decimal from the row read under the lock, not as
    `F("principal") + x`: SQLite does that arithmetic in binary floating point (0.30 - 0.10 - 0.20
    is -2.8e-17 there, which the CHECK constraint refuses). The update is conditional on the row
    still holding what was read, so a writer that somehow did not hold the lock fails loudly
    instead of losing an update."""
    entry = WalletEntry.objects.create(account=account, kind=kind, principal=principal, bonus=bonus, business_date=business_date,
                                       **source)
    new_principal, new_bonus = account.principal + principal, account.bonus + bonus
    moved = WalletAccount.objects.filter(pk=account.pk, principal=account.principal, bonus=account.bonus).update(
        principal=new_principal, bonus=new_bonus, updated_at=timezone.now())
    if moved != 1:
        raise RuntimeError("stored-value account changed without its lock")
    account.principal, account.bonus = new_principal, new_bonus
    wallet_entry_written.send(sender=WalletEntry, entry=entry, account=account)  # webhooks: stored_value.changed
    return entry


def _staff(actor):
    return actor if isinstance(actor, Staff) else None


def _require_till(actor, store) -> None:
    """Store roles (and store-bound keys) work only at their own stores."""
    if actor is None or getattr(actor, "is_superuser", False):
        return
    if getattr(actor, "role", None) in Role.STORE_ROLES | {Role.ACCOUNT_MANAGER} and store.pk not in actor.store_ids:
        raise PermissionDenied(_("You may only work at your own stores."), code="store_out_of_scope")


def is_named(member) -> bool:
    """记名: the member file identifies the holder (mobile number or ID number), so the card can be
    reported lost and the money recovered. Otherwise the account counts as anonymous (不记名)."""
    return bool(member.mobile or member.id_number_hash)


def limit_for(account: WalletAccount, member, pol: WalletPolicy | None = None) -> Decimal:
    pol = pol or policy()
    if account.limit_override is not None:
        return account.limit_override
    return pol.named_limit if is_named(member) else pol.anonymous_limit


def split_payment(amount: Decimal, principal: Decimal, bonus: Decimal, order: str) -> Split:
    """How much of `amount` comes from principal and from bonus (amount ≤ principal + bonus).

    Proportional: the principal's share is rounded down to the fen and the bonus takes the
    remainder, so the parts always add up and neither exceeds what the account holds."""
    if order == SpendOrder.PRINCIPAL_FIRST:
        p = min(amount, principal)
        return Split(p, amount - p)
    if order == SpendOrder.BONUS_FIRST:
        b = min(amount, bonus)
        return Split(amount - b, b)
    total = principal + bonus
    if total <= 0:
        return Split(ZERO, ZERO)
    p = quantize(amount * principal / total, ROUND_DOWN)
    return Split(p, amount - p)


def _hash(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def _amount(value, key: str, problems: parsing.Problems, *, required: bool = True, maximum: Decimal = MAX_TOPUP) -> Decimal | None:
    if isinstance(value, Decimal):
        value = str(value)
    return parsing.decimal(value, key, problems, places=2, positive=True, required=required, maximum=maximum)


def _fen(value) -> Decimal:
    """An aggregate back to the fen: SQLite sums decimals as binary floats (PostgreSQL's numeric is exact)."""
    return quantize(Decimal(value or 0))


def _money_out(value: Decimal) -> str:
    return str(quantize(value))


def balance_dict(member_id: int) -> dict:
    """The cached balances, for posting results and receipts: {"principal", "bonus", "balance"} as strings."""
    # One plain statement (every posting's result carries it: compiling the ORM query cost more than running it)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT principal, bonus FROM {model_table(WalletAccount)} WHERE member_id = %s ORDER BY id LIMIT 1", [member_id])
        row = cursor.fetchone()
    # SQLite hands back numbers as floats or ints: through their text, to the fen
    principal, bonus = (quantize(Decimal(str(v))) for v in row) if row else (ZERO, ZERO)
    return {"principal": _money_out(principal), "bonus": _money_out(bonus), "balance": _money_out(principal + bonus)}
