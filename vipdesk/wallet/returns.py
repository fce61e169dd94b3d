"""The stored-value part of a return (R6, issue 13 §5): given back, within the account's limit.

What a return gives back is computed over all returns of the receipt so far (this one included):
owed = paid × returned / amount, split into principal and bonus in the proportion the payment took
them; what earlier returns gave back is subtracted. A receipt returned in parts thus gives back
exactly what it took, principal and bonus each, and a replayed return gives nothing twice.

Where it goes (单用途商业预付卡: a named account holds at most 5,000 yuan, an anonymous one 1,000):
- into the account as far as its limit has room (limit − principal, or − principal − bonus when the
  policy counts the bonus toward the limit);
- the principal beyond the room goes back as money at the till: it is the customer's money and is
  added to the return's `refund.money`;
- the bonus: when the limit counts principal only (the default), it goes back to the account in
  full; when the limit includes the bonus, the bonus takes the room first (a gift cannot be paid out
  in money, so this keeps as much of it as possible), then the principal, and the bonus that still
  does not fit is forfeited;
- a withdrawn member's account is closed: all principal goes back as money, the bonus is forfeited.
The ledger shows both steps: a `return_reversal` entry with everything given back, then a
`return_paid_out` entry taking out what was paid in money and what was forfeited.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.db.models import Sum

from vipdesk.core.money import quantize
from vipdesk.members.models import Member
from vipdesk.sales.models import Sale

from . import issuers
from .choices import EntryKind
from .ledger import ZERO, _fen, _locked_account, _write, limit_for, policy
from .models import WalletEntry


@dataclass(frozen=True)
class ReturnCredit:
    """What one return did with the stored value it gives back (yuan)."""

    principal: Decimal = ZERO   # given back: principal ...
    bonus: Decimal = ZERO       # ... and bonus, in the proportion the payment took them
    paid_out: Decimal = ZERO    # principal paid back in money at the till instead
    forfeited: Decimal = ZERO   # bonus that was not kept

    @property
    def to_account(self) -> Decimal:
        return self.principal + self.bonus - self.paid_out - self.forfeited


NOTHING = ReturnCredit()


def _done(sale_return, reversal: WalletEntry) -> ReturnCredit:
    out = WalletEntry.objects.filter(sale=sale_return, kind=EntryKind.RETURN_PAID_OUT).first()
    return ReturnCredit(reversal.principal, reversal.bonus, -out.principal if out else ZERO, -out.bonus if out else ZERO)


@transaction.atomic(savepoint=False)  # inside the posting's transaction: a failure fails the posting
def wallet_reverse_for_return(*, sale_return) -> ReturnCredit:
    """Give back the returned share of what the original receipt paid by stored value (called by the
    sales service, the member row already locked). Refusal: `stored_value_other_issuer` when money
    would have to be paid out at a store of another party than the account's issuer."""
    original = sale_return.original
    if original is None or original.member_id is None:
        return NOTHING
    pay = WalletEntry.objects.filter(sale=original, kind=EntryKind.PAY).first()
    if pay is None:
        return NOTHING
    account = _locked_account(original.member_id)
    done = WalletEntry.objects.filter(sale=sale_return, kind=EntryKind.RETURN_REVERSAL).first()
    if done is not None:
        return _done(sale_return, done)
    taken_p, taken_b = -pay.principal, -pay.bonus
    taken = taken_p + taken_b
    returned = min(_fen(Sale.objects.filter(original=original, kind="return").aggregate(s=Sum("amount"))["s"]), original.amount)
    if original.amount <= 0 or taken <= 0:
        return NOTHING
    owed = quantize(taken * returned / original.amount)
    owed_p = quantize(owed * taken_p / taken, ROUND_DOWN)
    owed_b = owed - owed_p
    earlier = WalletEntry.objects.filter(sale__original=original, sale__kind="return", kind=EntryKind.RETURN_REVERSAL).exclude(
        sale=sale_return).aggregate(p=Sum("principal"), b=Sum("bonus"))
    before_p, before_b = _fen(earlier["p"]), _fen(earlier["b"])
    give_p = min(max(owed_p - before_p, ZERO), taken_p - before_p)
    give_b = min(max(owed_b - before_b, ZERO), taken_b - before_b)
    if give_p <= 0 and give_b <= 0:
        return NOTHING

    member = Member.objects.get(pk=original.member_id)  # read under the account lock, which a withdrawal holds
    pol = policy()
    limit = limit_for(account, member, pol)
    room = max(limit - account.principal - (account.bonus if pol.limit_includes_bonus else ZERO), ZERO)
    if member.is_withdrawn:
        keep_p = keep_b = ZERO
    else:
        keep_b = min(give_b, room) if pol.limit_includes_bonus else give_b
        keep_p = min(give_p, room - keep_b if pol.limit_includes_bonus else room)
    paid_out, forfeited = give_p - keep_p, give_b - keep_b
    if paid_out > 0:
        issuers.check_paid_out(account, sale_return.store)

    _write(account, kind=EntryKind.RETURN_REVERSAL, principal=give_p, bonus=give_b, business_date=sale_return.business_date,
           store=sale_return.store, sale=sale_return,
           detail={"owed": str(owed), "owed_principal": str(owed_p), "owed_bonus": str(owed_b), "payment": pay.pk})
    if paid_out > 0 or forfeited > 0:
        _write(account, kind=EntryKind.RETURN_PAID_OUT, principal=-paid_out, bonus=-forfeited,
               business_date=sale_return.business_date, store=sale_return.store, sale=sale_return,
               note="member withdrawn" if member.is_withdrawn else "above the limit",
               detail={"limit": str(limit), "room": str(room), "limit_includes_bonus": pol.limit_includes_bonus,
                       "withdrawn": member.is_withdrawn})
    return ReturnCredit(give_p, give_b, paid_out, forfeited)
