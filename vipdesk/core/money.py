"""Money is CNY in yuan with two decimals, always Decimal."""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def quantize(amount, rounding=ROUND_HALF_UP) -> Decimal:
    """The one rounding helper for money: to the fen, half up (the till's rule)."""
    if isinstance(amount, float):
        raise TypeError("money must not be a float")
    return Decimal(amount).quantize(CENT, rounding=rounding)


def format_money(amount) -> str:
    """The one way money is shown, in pages, messages and errors alike: ¥116,594.80, -¥5.00; "—" for none.

    Never through a float; a value that is not a number is shown as it is."""
    if amount is None or amount == "":
        return "—"
    try:
        value = quantize(amount if isinstance(amount, Decimal) else Decimal(str(amount)))
    except (InvalidOperation, ValueError, TypeError):
        return str(amount)
    return f"{'-' if value < 0 else ''}¥{abs(value):,.2f}"


def format_number(value) -> str:
    """The one way a count or points are shown: 2,764,097 (thousands separators); "—" for none."""
    if value is None or value == "":
        return "—"
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)


yuan = format_money  # the older name, kept for its callers


def in_fen(amount: Decimal) -> bool:
    """Whether a finite amount is whole fen (at most two decimals), as money given to us must be."""
    return amount == amount.quantize(CENT)
