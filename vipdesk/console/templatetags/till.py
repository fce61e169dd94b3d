"""Display helpers of the loyalty screens: money in yuan, signed points, labels of stored codes."""
from __future__ import annotations

from django import template
from django.utils.translation import gettext, gettext_lazy as _

from vipdesk.console.loyalty_reads import yuan as _yuan
from vipdesk.core.money import format_number
from vipdesk.points.choices import ItemKind, LimitPeriod
from vipdesk.members.choices import IdentifiedBy
from vipdesk.sales.choices import PaymentMethod
from vipdesk.points.clearing import HQ
from vipdesk.wallet.choices import EntryKind
from vipdesk.coupons.choices import CouponKind

register = template.Library()

PERIOD_LABELS = {"day": _("per day"), "month": _("per month"), "year": _("per year")}


@register.filter
def yuan(value) -> str:
    """{{ sale.amount|yuan }} → ¥1,299.00"""
    return _yuan(value)


@register.filter
def points(value) -> str:
    """{{ 1299|points }} → 1,299 ; negative values keep their minus sign (core.money.format_number)."""
    return format_number(value)


@register.filter
def signed_points(value) -> str:
    """+1,299 / −500 (a real minus sign) / 0"""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return "—" if value in (None, "") else str(value)
    if number > 0:
        return f"+{number:,}"
    if number < 0:
        return f"−{-number:,}"
    return "0"


@register.filter
def period_label(value) -> str:
    return PERIOD_LABELS.get(value, "")


@register.filter
def payment_label(value) -> str:
    try:
        return PaymentMethod(value).label
    except ValueError:
        return value


@register.filter
def identified_label(value) -> str:
    try:
        return IdentifiedBy(value).label
    except ValueError:
        return value


@register.filter
def item_kind_label(value) -> str:
    try:
        return ItemKind(value).label
    except ValueError:
        return value


@register.filter
def limit_period_label(value) -> str:
    try:
        return LimitPeriod(value).label
    except ValueError:
        return value


@register.filter
def months_list(months) -> str:
    """[3, 8] → "3月、8月" (in Chinese) / "months 3, 8" (in English)."""
    if not months:
        return ""
    return gettext("%(months)s only") % {"months": "、".join(gettext("month %(m)s") % {"m": m} for m in months)}


# Fulfilment adapters of virtual goods (vipdesk.points.fulfilment) are registered by name: the
# screens show what the name stands for; an adapter registered by a provider shows its own name.
FULFILMENT_LABELS = {"voucher": _("In-house e-voucher code")}

# Presets of tier programmes (vipdesk.tiers.presets), by code.
PRESET_LABELS = {
    "department-store": _("Department store"), "apparel": _("Apparel brand"),
    "specialty": _("Specialty counter"), "restaurant": _("Restaurant"),
}


@register.filter
def fulfilment_label(value) -> str:
    if not value:
        return ""
    return str(FULFILMENT_LABELS.get(value, value))


@register.filter
def preset_label(value) -> str:
    if not value:
        return ""
    return str(PRESET_LABELS.get(value, value))


@register.filter
def party_name(name, code=None) -> str:
    """A clearing party: the directly run chain (code "HQ") in the user's language, a franchisee by name."""
    if code == HQ or (code is None and name == HQ) or not name:
        return gettext("Directly run stores (HQ)")
    return name


@register.filter
def rate(value) -> str:
    """Value per point: ¥0.10 (more decimals only when the setting has them, e.g. ¥0.0125)."""
    from decimal import Decimal, InvalidOperation

    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return "—" if value in (None, "") else str(value)
    places = max(2, -amount.normalize().as_tuple().exponent)
    return f"¥{amount:,.{places}f}"


@register.filter
def wallet_entry_label(value) -> str:
    try:
        return EntryKind(value).label
    except ValueError:
        return value


@register.filter
def coupon_kind_label(value) -> str:
    try:
        return CouponKind(value).label
    except ValueError:
        return value


COUPON_STATES = {"issued": _("Usable"), "used": _("Used"), "void": _("Void"), "revoked": _("Revoked"), "expired": _("Expired")}


@register.filter
def coupon_state_label(value) -> str:
    return COUPON_STATES.get(value, value)


@register.filter
def plain_number(value) -> str:
    """9.50 → 9.5, 2.00 → 2: a 折 or a multiplier as HQ typed it."""
    from decimal import Decimal, InvalidOperation

    try:
        return format(Decimal(str(value)).normalize(), "f")
    except (InvalidOperation, ValueError):
        return "" if value is None else str(value)


WEEKDAYS = {1: _("Monday"), 2: _("Tuesday"), 3: _("Wednesday"), 4: _("Thursday"), 5: _("Friday"), 6: _("Saturday"), 7: _("Sunday")}


@register.filter
def weekday_names(values) -> str:
    return "、".join(str(WEEKDAYS.get(int(v), v)) for v in values or [])
