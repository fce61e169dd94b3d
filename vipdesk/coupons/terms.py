"""What a coupon may do on a basket: pure functions over a campaign, a coupon and priced lines,
shared by the till (a sale paid with coupons), the coupon check and the quote. No database writes."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext as _

from vipdesk.core.errors import DomainError
from vipdesk.core.money import format_money, quantize

from .choices import CouponKind, CouponStatus, GoodsScope

ZERO = Decimal("0.00")


class CouponRefused(DomainError):
    status = 422
    code = "coupon_refused"


@dataclass(frozen=True)
class Line:
    """A priced basket line as the terms see it (a SaleLine or a quote line)."""

    sku: str
    brand: str
    category: str
    unit_price: Decimal
    quantity: int
    amount: Decimal


def _shown(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def in_scope(campaign, line) -> bool:
    if campaign.goods_scope == GoodsScope.ALL:
        return True
    listed = (line.sku in campaign.scope_skus or (line.brand and line.brand in campaign.scope_brands)
              or (line.category and line.category in campaign.scope_categories))
    return listed if campaign.goods_scope == GoodsScope.LISTED else not listed


def eligible_amount(campaign, lines) -> Decimal:
    return sum((line.amount for line in lines if in_scope(campaign, line)), ZERO)


def allowance(campaign, lines, *, face_value: Decimal | None = None) -> Decimal:
    """The most this coupon can take off (or pay for) these lines, in yuan; zero when it does not apply."""
    eligible = eligible_amount(campaign, lines)
    face = face_value if face_value is not None else campaign.face_value
    if eligible <= 0 or eligible < campaign.threshold:
        return ZERO
    if campaign.kind in (CouponKind.VOUCHER, CouponKind.GIFT, CouponKind.THRESHOLD):
        return min(face, eligible)
    if campaign.kind == CouponKind.DISCOUNT:
        off = quantize(eligible * (Decimal(10) - campaign.discount_zhe) / Decimal(10), ROUND_DOWN)
        return min(off, campaign.max_discount) if campaign.max_discount is not None else off
    if campaign.kind == CouponKind.EXCHANGE:
        prices = [line.unit_price for line in lines if line.sku == campaign.exchange_sku and line.quantity > 0]
        return max(prices) if prices else ZERO
    return ZERO


def check_usable(coupon, *, member_id: int | None, store_code: str, level_code: str | None, on: dt.date,
                 whose: bool = True) -> None:
    """Refuse a coupon that cannot be used here and now, with the reason the till shows. With
    whose=False only what does not depend on the member (his own coupon, his level) is checked."""
    campaign = coupon.campaign
    if coupon.status != CouponStatus.ISSUED:
        raise CouponRefused(_("Coupon %(code)s is %(status)s.") % {"code": _shown(coupon.code), "status": coupon.get_status_display()},
                            code="coupon_not_usable")
    if whose and coupon.member_id is not None and coupon.member_id != member_id:
        raise CouponRefused(_("Coupon %(code)s belongs to another member.") % {"code": _shown(coupon.code)}, code="coupon_other_member")
    if on < coupon.valid_from:
        raise CouponRefused(_("Coupon %(code)s is valid from %(day)s.") % {"code": _shown(coupon.code), "day": coupon.valid_from},
                            code="coupon_not_yet_valid")
    if coupon.valid_until is not None and on > coupon.valid_until:
        raise CouponRefused(_("Coupon %(code)s expired on %(day)s.") % {"code": _shown(coupon.code), "day": coupon.valid_until},
                            code="coupon_expired")
    if on.isoformat() in (campaign.blackout_dates or []):
        raise CouponRefused(_("Coupons of %(name)s cannot be used today.") % {"name": campaign.name}, code="coupon_blackout")
    if not campaign.active:
        raise CouponRefused(_("The campaign %(name)s has been stopped.") % {"name": campaign.name}, code="coupon_not_usable")
    if campaign.store_codes and store_code not in campaign.store_codes:
        raise CouponRefused(_("Coupon %(code)s cannot be used in this store.") % {"code": _shown(coupon.code)}, code="coupon_store")
    if whose and campaign.level_codes and level_code not in campaign.level_codes:
        raise CouponRefused(_("Coupon %(code)s is for members of other levels.") % {"code": _shown(coupon.code)}, code="coupon_level")


def check_amount(coupon, lines, amount: Decimal) -> Decimal:
    """The allowance for `amount` asked of the coupon on these lines; refuses more than it allows."""
    campaign = coupon.campaign
    allowed = allowance(campaign, lines, face_value=coupon.face_value)
    if allowed <= 0:
        eligible = eligible_amount(campaign, lines)
        if eligible > 0 and eligible < campaign.threshold:
            raise CouponRefused(_("Coupon %(code)s needs %(threshold)s of goods in its scope; this receipt has %(eligible)s.")
                                % {"code": _shown(coupon.code), "threshold": format_money(campaign.threshold), "eligible": format_money(eligible)},
                                code="coupon_threshold")
        raise CouponRefused(_("Coupon %(code)s does not apply to any goods on this receipt.") % {"code": _shown(coupon.code)},
                            code="coupon_scope")
    if amount > allowed:
        raise CouponRefused(_("Coupon %(code)s can pay at most %(allowed)s here.") % {"code": _shown(coupon.code), "allowed": format_money(allowed)},
                            code="coupon_amount")
    return allowed

