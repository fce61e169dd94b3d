"""Display helpers of the loyalty screens: money in yuan, signed points, labels of stored codes."""
from __future__ import annotations

from django import template
from django.utils.translation import gettext, gettext_lazy as _

from vipdesk.console.loyalty_reads import yuan as _yuan
from vipdesk.points.choices import ItemKind, LimitPeriod
from vipdesk.sales.choices import IdentifiedBy, PaymentMethod

register = template.Library()

PERIOD_LABELS = {"day": _("per day"), "month": _("per month"), "year": _("per year")}


@register.filter
def yuan(value) -> str:
    """{{ sale.amount|yuan }} → ¥1,299.00"""
    return _yuan(value)


@register.filter
def points(value) -> str:
    """{{ 1299|points }} → 1,299 ; negative values keep their minus sign."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return "—" if value in (None, "") else str(value)


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
