"""Refund of unused principal (退卡/退款), and what a withdrawal (退会) does to stored value (issue 13 §4).

Prepaid money is the customer's until spent or refunded, so:
- a refund pays back principal and forfeits the bonus in the same proportion (all of the bonus when
  all of the principal goes); it works for a withdrawn member too — the till identifies him by
  member number, the one identifier a withdrawal keeps;
- only someone whose scope holds the member (the home store's manager, or HQ) refunds, at a store
  of the party that issued the account (issuers.py);
- a withdrawal is refused while the account holds principal (`stored_value_not_refunded`): staff
  refund it first, which records who paid what back, where and why; with no principal left the
  bonus (a gift) is forfeited by the withdrawal, as an entry of its own.
"""
from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action
from vipdesk.audit.services import actor_fields, event_record
from vipdesk.core import clock, parsing
from vipdesk.core.errors import Conflict, PermissionDenied
from vipdesk.core.money import format_money, quantize
from vipdesk.members.disclosure import discreet_to_other_stores
from vipdesk.members.models import Member

from . import issuers
from .choices import EntryKind
from .ledger import ZERO, WalletError, _amount, _locked_account, _require, _require_till, _staff, _write
from .models import TopUp, WalletAccount, WalletRefund
from .services import _topup_conflict


def _refund_conflict(reference: str) -> Conflict:
    return Conflict(_("Refund reference %(ref)s was already used for another refund.") % {"ref": reference}, code="refund_conflict")


def wallet_reference_check(*, store, reference: str, refund: bool = False) -> None:
    """For a till request whose member is not found: a reference this store already used is a
    conflict (the first request was a member's, so this one differs), answered as to anyone —
    "no such member" there would tell the till whether the mobile belongs to a member."""
    rows = WalletRefund.objects if refund else TopUp.objects
    if reference and rows.filter(store=store, reference=reference).exists():
        raise (_refund_conflict if refund else _topup_conflict)(reference)


def refund_in_scope(actor, member) -> bool:
    """Refunds stay with the member's own store (or HQ): is `member` in the actor's refund scope?"""
    if actor is None or getattr(actor, "is_superuser", False):
        return True
    return Member.objects.restrict(actor, Action.WALLET_REFUND).filter(pk=member.pk).exists()


def _check_member_scope(actor, member) -> None:
    if not refund_in_scope(actor, member):
        raise PermissionDenied(_("Stored value is refunded only by the member's own store or by HQ."), code="refund_out_of_scope")


def _replay(first: WalletRefund, account: WalletAccount, amount, reference: str) -> WalletRefund:
    if first.account_id != account.pk or (amount is not None and amount != first.principal):
        raise _refund_conflict(reference)
    first.replayed = True
    return first


def wallet_refund_check(*, actor, store, amount=None, reason: str, reference: str = "") -> tuple:
    """(amount, reason, reference) of a refund, checked with the role and the store, before the
    till identifies the member (as `wallet_topup_check`, issue 13 §12); `wallet_refund` runs it again."""
    _require(actor, Action.WALLET_REFUND, _("Only HQ or a store manager may refund stored value."))
    _require_till(actor, store)
    problems = parsing.Problems()
    amount = _amount(amount, "amount", problems, required=False, maximum=parsing.MAX_MONEY)
    reason = parsing.text(reason, "reason", problems, limit=200, required=True)
    reference = parsing.text(reference, "reference", problems, limit=60)
    problems.raise_if_any()
    return amount, reason, reference


@discreet_to_other_stores  # another store's till: "more than the principal", without the figure
@transaction.atomic
def wallet_refund(*, actor, member, store, amount=None, reason: str, at: dt.datetime | None = None,
                  reference: str = "") -> WalletRefund:
    """Pay back unused principal (all of it when `amount` is None). The bonus is forfeited in the
    same proportion: refunding all the principal forfeits all the bonus. HQ or store manager only.
    With a `reference` (unique per store) a refund sent again answers the first one (`replayed`)
    when it is the same member and amount, and is refused (`refund_conflict`, 409) otherwise — also
    when refunds of different members race for one reference. Refusals besides: `permission_denied`,
    `store_out_of_scope`, `refund_out_of_scope`, `stored_value_other_issuer`, `nothing_to_refund`,
    `refund_exceeds_principal`, `validation_error`."""
    amount, reason, reference = wallet_refund_check(actor=actor, store=store, amount=amount, reason=reason, reference=reference)
    _check_member_scope(actor, member)
    account = _locked_account(member.pk)
    if reference:
        first = WalletRefund.objects.filter(store=store, reference=reference).first()
        if first is not None:
            return _replay(first, account, amount, reference)
    issuers.check_refund(account, store)
    principal, bonus = account.principal, account.bonus
    if principal <= 0:
        raise WalletError(_("There is no principal left to refund."), code="nothing_to_refund")
    amount = principal if amount is None else amount
    if amount > principal:
        raise WalletError(_("At most %(max)s of principal can be refunded.") % {"max": format_money(principal)}, code="refund_exceeds_principal",
                          fields={"amount": _("At most %(max)s.") % {"max": format_money(principal)}})
    forfeit = bonus if amount == principal else min(quantize(bonus * amount / principal), bonus)
    on = clock.business_date(at, store)
    try:
        with transaction.atomic():
            refund = WalletRefund.objects.create(account=account, store=store, principal=amount, bonus_forfeited=forfeit,
                                                 reason=reason, reference=reference, business_date=on, **actor_fields(actor))
    except IntegrityError:
        # Another member's refund took this reference first (their accounts are not locked by us);
        # the unique constraint made us wait for it to commit: it is the answer.
        winner = WalletRefund.objects.filter(store=store, reference=reference).first() if reference else None
        if winner is None:
            raise
        return _replay(winner, account, amount, reference)
    _write(account, kind=EntryKind.REFUND, principal=-amount, bonus=-forfeit, business_date=on, store=store, refund=refund,
           note=reason, actor=_staff(actor))
    event_record(actor=actor, verb="wallet.refund", obj=refund,
                 payload={"member": member.pk, "principal": str(amount), "bonus_forfeited": str(forfeit), "reason": reason})
    refund.replayed = False
    return refund


# ---- withdrawal (退会) -----------------------------------------------------------------------------

def refuse_withdrawal_with_principal(sender=None, *, member, actor=None, **kwargs) -> None:
    """Receiver of members.signals.member_withdrawing, inside the withdrawal's transaction (the member
    row locked). Locks the account until the withdrawal commits, so no top-up slips in between."""
    account = WalletAccount.objects.select_for_update().filter(member_id=member.pk).first()
    if account is None:
        return
    if account.principal > 0:
        raise Conflict(_("This member still has %(principal)s of stored-value principal. Refund it first "
                         "(stored-value refund), then withdraw the member.") % {"principal": format_money(account.principal)},
                       code="stored_value_not_refunded")
    if account.bonus > 0:
        _write(account, kind=EntryKind.FORFEIT, principal=ZERO, bonus=-account.bonus, business_date=clock.today(member.home_store),
               note="member withdrawn", actor=_staff(actor))
