"""Money is CNY in yuan with two decimals, always Decimal."""
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def quantize(amount, rounding=ROUND_HALF_UP) -> Decimal:
    """The one rounding helper for money: to the fen, half up (the till's rule)."""
    if isinstance(amount, float):
        raise TypeError("money must not be a float")
    return Decimal(amount).quantize(CENT, rounding=rounding)


def yuan(amount) -> str:
    return f"¥{quantize(amount):,.2f}"


def in_fen(amount: Decimal) -> bool:
    """Whether a finite amount is whole fen (at most two decimals), as money given to us must be."""
    return amount == amount.quantize(CENT)
