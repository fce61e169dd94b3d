"""Coupons as a points-mall item (issue 16): the catalogue item's fulfilment "coupon:<campaign code>"
issues `quantity` coupons of that campaign to the member inside the redemption's transaction (if
none can be issued — campaign stopped, total or per-member limit reached — the redemption fails and
no points are taken). Cancelling the redemption voids those coupons, and is refused if one was used
(`redemption_coupons_void`). Registered with points.fulfilment by CouponsConfig.ready."""
from __future__ import annotations

from django.utils.translation import gettext as _

from vipdesk.core.clock import today
from vipdesk.core.errors import DomainError

from .choices import CouponStatus
from .models import Campaign, Coupon
from .services import _issue, coupon_void_locked


def redemption_coupons(*, item, member, quantity, redemption, argument: str = "") -> str:
    campaign = Campaign.objects.filter(code=argument, active=True).first()
    coupons = _issue(campaign, member.pk, count=quantity, on=today(redemption.store), batch=f"points-{redemption.pk}",
                     note=f"points redemption {redemption.pk}") if campaign is not None else []
    if len(coupons) < quantity:
        raise DomainError(_("This coupon cannot be issued any more; choose another item."), code="item_unavailable", status=422)
    return ",".join(c.code for c in coupons)


def redemption_coupons_void(*, redemption, actor, reason: str, argument: str = "") -> None:
    coupons = list(Coupon.objects.select_for_update().filter(batch=f"points-{redemption.pk}").order_by("pk"))
    if any(c.status != CouponStatus.ISSUED and c.status != CouponStatus.VOID for c in coupons):
        raise DomainError(_("A coupon of this redemption was already used; the redemption cannot be cancelled."),
                          code="coupon_already_used", status=409)
    for coupon in coupons:
        if coupon.status == CouponStatus.ISSUED:
            coupon_void_locked(coupon, actor=actor, reason=reason or _("Points redemption cancelled"))
