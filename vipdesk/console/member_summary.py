"""The summary strip at the top of the 360° page (issue 15 §4): what a clerk looks for first — level
and the way to the next, points usable now / not yet / expiring soonest, stored value, usable
coupons, owner, today's care tasks, open complaints and consent to marketing.

Built from what the page's panes already read (tier progress, points summary, wallet, coupons,
consents) plus two counts; nothing here writes. "Usable now" is what a redemption may take today:
points earned today wait until tomorrow unless the points policy lets them be redeemed the same day
(points.services.points_summary `redeemable_today`), so they count as not yet usable.
"""
from __future__ import annotations

import datetime as dt

from vipdesk.accounts.roles import Action, can
from vipdesk.care.choices import PENDING
from vipdesk.care.selectors import tasks_for
from vipdesk.feedback.choices import ComplaintStatus
from vipdesk.feedback.selectors import complaints_for
from vipdesk.members.choices import ConsentChannel, ConsentPurpose


def _next_step(tier_pane: dict) -> dict | None:
    """The first way to the next level that is still open: what is missing (sentences) and by when."""
    nxt = tier_pane.get("next")
    if not nxt:
        return None
    for option in tier_pane.get("next_options") or []:
        missing = [g for g in option if not g["met"] and not g["lost"]]
        if missing:
            dates = [g["by"] for g in missing if g.get("by")]
            return {"level": nxt["level"]["name"], "short": "、".join(g["short"] or g["need"] for g in missing),
                    "by": min(dates) if dates else None}
    return {"level": nxt["level"]["name"], "short": "", "by": None}


def summary_strip(member, user, *, on: dt.date, tier_pane: dict, points_pane: dict, wallet: dict, coupons: dict,
                  consents: list[dict]) -> dict:
    usable = points_pane.get("redeemable_today", 0)
    not_yet = points_pane.get("pending", 0) + points_pane.get("available", 0) - usable
    marketing = next((row for row in consents if row["purpose"] == ConsentPurpose.MARKETING), None)
    granted = [c["label"] for c in (marketing["channels"] if marketing else []) if c["row"] is not None and c["row"].granted]
    care = None
    if can(user, Action.CARE_WORK):
        tasks = tasks_for(user).filter(member=member, status__in=PENDING, due_on__lte=on)
        care = {"due": tasks.count(), "overdue": tasks.filter(due_on__lt=on).count()}
    complaints = complaints_for(user).filter(member=member, status__in=(ComplaintStatus.OPEN, ComplaintStatus.IN_PROGRESS)).count()
    expiry = points_pane.get("next_expiry")
    return {
        "level": tier_pane.get("current"),
        "programme": tier_pane.get("programme"),
        "next": _next_step(tier_pane),
        "points_usable": usable,
        "points_not_yet": not_yet,
        "points_expiring": {"points": expiry["points"], "on": dt.date.fromisoformat(expiry["date"])} if expiry else None,
        "points_debt": points_pane.get("debt", 0),
        "wallet_balance": wallet.get("balance"),
        "wallet_principal": wallet.get("principal"),
        "wallet_bonus": wallet.get("bonus"),
        "coupons": coupons.get("usable_count", 0),
        "owner": member.owner,
        "care": care,
        "complaints": complaints,
        "marketing_channels": granted,
        "marketing_all": len(granted) == len(ConsentChannel.values),
    }
