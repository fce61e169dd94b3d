"""The member portal's demo member (issue 16): one member of the demo chain, given a fixed mobile,
who has points (the soonest-expiring shown), usable coupons, stored value and a level near the next.

Picked after the history is loaded: among the members with a level and a next level, the one closest
to it; then topped up and given a coupon if she had none. `vipdesk demo` prints her mobile.
"""
from __future__ import annotations

from decimal import Decimal

from vipdesk.core import clock
from vipdesk.coupons.models import Campaign
from vipdesk.coupons.services import coupons_issue_bulk, usable_coupons
from vipdesk.members.models import Member
from vipdesk.members.services import member_update
from vipdesk.messaging.choices import Channel
from vipdesk.messaging.services import enqueue_text
from vipdesk.points.services import points_summary
from vipdesk.tiers.progress import tier_progress
from vipdesk.wallet.services import wallet_summary, wallet_topup

from .mall import demo_mall_order

DEMO_MOBILE = "13800138000"


def _closeness(member) -> float | None:
    """How far (0–1) the member still is from her next level, by the nearest option; None without one."""
    progress = tier_progress(member, clock.today(member.home_store))
    if not progress.get("current") or not progress.get("next"):
        return None
    best = None
    for option in progress["next"]["options"]:
        shares = [Decimal(g["short"]) / Decimal(g["target"]) for g in option
                  if g.get("short") not in (None, "0", "0.00") and g.get("target") not in (None, "0", "0.00")]
        if shares:
            value = float(max(shares))
            best = value if best is None else min(best, value)
    return best


def portal_demo_member_make(*, candidates: int = 200):
    """Choose and prepare the portal's demo member; her mobile becomes DEMO_MOBILE. Returns her."""
    if Member.objects.filter(mobile=DEMO_MOBILE).exists():
        return Member.objects.get(mobile=DEMO_MOBILE)
    pool = Member.objects.filter(status="active", mobile__isnull=False, total_spend__gt=0).select_related("home_store")
    scored = []
    for member in pool.order_by("-total_spend", "pk")[:candidates]:
        gap = _closeness(member)
        if gap is not None and points_summary(member)["available"] > 0:
            scored.append((gap, member.pk, member))
    if not scored:
        return None
    member = min(scored)[2]
    member = member_update(actor=None, member=member, data={"mobile": DEMO_MOBILE})
    if Decimal(wallet_summary(member, entries=0)["balance"]) <= 0:
        wallet_topup(actor=None, member=member, store=member.home_store, amount=Decimal("1000.00"), reference="DEMO-PORTAL-TU")
    if not usable_coupons(member).exists():
        campaign = Campaign.objects.filter(active=True).order_by("pk").first()
        if campaign is not None:
            coupons_issue_bulk(actor=None, campaign=campaign, members=Member.objects.filter(pk=member.pk))
    demo_mall_order(member)  # an open points-mall order to collect at her home store (h6)
    enqueue_text(member, Channel.INBOX, body="欢迎使用会员中心：在“会员卡”页出示动态会员码即可积分、用券和使用储值。",
                 subject="欢迎来到会员中心", source="demo:portal-welcome")
    return member
