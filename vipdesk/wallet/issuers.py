"""Who issued a member's stored value, and where it may be used (issue 13 §7).

A franchisee is a separate legal entity: the money topped up at its stores is its own prepaid
liability (单用途商业预付卡: the issuer holds the money and owes the service or the refund). So a
stored-value account belongs to one party — the franchisee of the member's home store when the
account was opened, or the directly run chain (HQ, `issuer` empty) — and is topped up, spent, paid
out on a return and refunded only at that party's stores. No stored value crosses between parties,
so no stored-value clearing is needed. The refusal names no balance and no issuer.
"""
from __future__ import annotations

from django.utils.translation import gettext as _

from vipdesk.core.errors import DomainError
from vipdesk.members.models import Member

CODE = "stored_value_other_issuer"


def home_issuer(member_id: int) -> int | None:
    """The party of the member's home store: its franchisee's id, None for the directly run chain."""
    return Member.objects.filter(pk=member_id).values_list("home_store__franchisee_id", flat=True).first()


def same_party(account, store) -> bool:
    return account.issuer_id == store.franchisee_id


def _refuse(message) -> None:
    raise DomainError(message, code=CODE, status=422)


def check_topup(account, store) -> None:
    if not same_party(account, store):
        _refuse(_("This member's stored value was issued by another business entity of the chain: it can be topped up "
                  "only at that entity's stores."))


def check_payment(account, store) -> None:
    if not same_party(account, store):
        _refuse(_("This member's stored value was issued by another business entity of the chain: it can be spent only "
                  "at that entity's stores. Take another means of payment."))


def check_paid_out(account, store) -> None:
    if not same_party(account, store):
        _refuse(_("Part of the stored value of this return must be paid back in money, and only a store of the entity "
                  "that issued the stored value may do that: post the return at one of its stores."))


def check_refund(account, store) -> None:
    if not same_party(account, store):
        _refuse(_("This member's stored value was issued by another business entity of the chain: only that entity's "
                  "stores can refund it."))
