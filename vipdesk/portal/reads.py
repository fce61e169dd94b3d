"""What the portal pages show, read through the domain apps' own selectors and summaries.

Every function takes the signed-in member (never an id from the request)."""
from __future__ import annotations

from decimal import Decimal

from vipdesk.core.clock import today
from vipdesk.coupons.services import member_coupons
from vipdesk.members.choices import CardKind, CardStatus
from vipdesk.points.services import points_summary
from vipdesk.tiers.progress import tier_progress
from vipdesk.wallet.services import wallet_summary


def main_card(member):
    """The member's principal card in use (the newest active one), or None."""
    return (member.cards.filter(kind=CardKind.PRINCIPAL, status=CardStatus.ACTIVE).order_by("-issued_at", "-pk").first())


def home_summary(member) -> dict:
    on = today(member.home_store)
    tier = tier_progress(member, on)
    points = points_summary(member, on)
    wallet = wallet_summary(member)
    coupons = member_coupons(member, include_closed=False)
    return {"tier": tier, "points": points, "wallet": wallet, "coupons": coupons, "coupon_count": len(coupons),
            "card": main_card(member), "balance": Decimal(str(wallet.get("balance") or "0"))}
