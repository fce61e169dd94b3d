"""Fulfilment adapters for virtual goods (phone top-up, e-vouchers, cash-offset vouchers).

An adapter is a callable (item, member, quantity, redemption) -> the code issued, which the
redemption records. A name may carry an argument after a colon ("coupon:B60": the coupons app's
adapter issues coupons of campaign B60 — a points-mall item paid in coupons). It runs inside the redemption's transaction: if it raises, nothing is
deducted. Real providers register their own adapter under a name set on the catalogue item.
"""
from __future__ import annotations

import secrets
from typing import Callable

Adapter = Callable[..., str]
ADAPTERS: dict[str, Adapter] = {}


def register(name: str, adapter: Adapter) -> None:
    ADAPTERS[name] = adapter


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
