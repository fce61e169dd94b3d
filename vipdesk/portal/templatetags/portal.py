"""Display helpers of the portal pages: money as ¥1,299.00, points as 1,299, dates, QR/barcode SVG."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from vipdesk.core.money import yuan as _yuan
from vipdesk.coupons.choices import CouponStatus
from vipdesk.wallet.choices import EntryKind

register = template.Library()


@register.filter
def yuan(value) -> str:
    try:
        return _yuan(Decimal(str(value)))
    except (InvalidOperation, TypeError, ValueError):
        return "—"


@register.filter
def points(value) -> str:
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return "—"


@register.filter
def signed_points(value) -> str:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return "—"
    return f"+{number:,}" if number > 0 else (f"−{-number:,}" if number < 0 else "0")


@register.filter
def day(value) -> str:
    """An ISO date (or date) in the current language's short form."""
    if not value:
        return "—"
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return formats.date_format(value, "SHORT_DATE_FORMAT" if not isinstance(value, dt.datetime) else "SHORT_DATETIME_FORMAT")


@register.simple_tag
def qr_svg(text: str, scale: int = 5) -> str:
    """A QR code as inline SVG (segno), no external resource."""
    import segno

    return mark_safe(segno.make(text, error="m").svg_inline(scale=scale, border=2, omitsize=True))


@register.filter
def figure(value) -> str:
    """A tier gap's figure: money ("1234.00") as ¥1,234.00, a count as 3, a yes/no gate as ✓/—."""
    if value is None or isinstance(value, bool):
        return "✓" if value else "—"
    text = str(value)
    return yuan(text) if "." in text else points(text)


@register.filter
def share(current, target) -> int:
    """How far `current` is toward `target`, 0–100 (for the progress bar)."""
    try:
        c, t = Decimal(str(current)), Decimal(str(target))
    except (InvalidOperation, TypeError, ValueError):
        return 0
    return 100 if t <= 0 else int(max(0, min(100, c * 100 / t)))


@register.filter
def wallet_kind(value) -> str:
    """The stored-value entry's kind in words (never the stored code)."""
    return str(EntryKind(value).label) if value in EntryKind.values else ""


@register.filter
def coupon_status(value) -> str:
    if value == "expired":
        return gettext("Expired")
    return str(CouponStatus(value).label) if value in CouponStatus.values else ""


@register.filter
def zhe(value) -> str:
    """A partner's discount rate as shoppers write it: 9.50 → 9.5折 (the notation of the levels'
    benefits and the partners' console, in both languages)."""
    try:
        rate = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return ""
    text = f"{rate:f}".rstrip("0").rstrip(".") if "." in f"{rate:f}" else f"{rate:f}"
    return f"{text}折"
