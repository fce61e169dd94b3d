"""Fulfilment adapters for virtual goods (phone top-up, e-vouchers, cash-offset vouchers).

An adapter is a callable (item, member, quantity, redemption) -> the code issued, which the
redemption records. An adapter whose goods can be taken back registers an `undo` too: cancelling the
redemption calls it in the same transaction before the points come back, and it refuses (raises)
when the goods were already used — points never come back for a coupon that was spent. A name may carry an argument after a colon ("coupon:B60": the coupons app's
adapter issues coupons of campaign B60 — a points-mall item paid in coupons). It runs inside the redemption's transaction: if it raises, nothing is
deducted. Real providers register their own adapter under a name set on the catalogue item.
"""
from __future__ import annotations

import secrets
from typing import Callable

Adapter = Callable[..., str]
Undo = Callable[..., None]
ADAPTERS: dict[str, Adapter] = {}
UNDOS: dict[str, Undo] = {}


def register(name: str, adapter: Adapter, *, undo: Undo | None = None) -> None:
    ADAPTERS[name] = adapter
    if undo is not None:
        UNDOS[name] = undo


def voucher_code(item, member, quantity, redemption, argument: str = "") -> str:
    """An in-house e-voucher: a random code the till accepts, one per redemption."""
    return f"EV{secrets.token_hex(6).upper()}"


register("voucher", voucher_code)


def fulfil(name: str, **kwargs) -> str:
    """Run the adapter `name`; "name:argument" passes `argument` (e.g. "coupon:B60", the campaign)."""
    base, _sep, argument = name.partition(":")
    try:
        adapter = ADAPTERS[base]
    except KeyError:
        raise LookupError(f"no fulfilment adapter named {base!r}") from None
    return adapter(argument=argument, **kwargs) if argument else adapter(**kwargs)


def unfulfil(name: str, **kwargs) -> None:
    """Take back what the adapter `name` issued (redemption, actor, reason), where it can be."""
    base, _sep, argument = name.partition(":")
    undo = UNDOS.get(base)
    if undo is not None:
        undo(argument=argument, **kwargs)
