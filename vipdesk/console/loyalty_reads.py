"""Reads for the loyalty parts of the console: the tier, points and purchases panes of the 360°
page, the sales a user may open, and the member shown at the till.

Nothing here writes; every write goes through vipdesk.sales / vipdesk.points / vipdesk.tiers
services. Each function issues a fixed number of queries whatever the member's history (the
panes are bounded to the last 20 rows; prefetches replace per-row queries).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, Role
from vipdesk.accounts.scoping import member_scope_q
from vipdesk.core.clock import today
from vipdesk.core.money import format_money
from vipdesk.members.choices import CardStatus
from vipdesk.members.models import Card, Member
from vipdesk.org.models import Store
from vipdesk.org.scoping import stores_worked_at
from vipdesk.points.choices import EntryKind
from vipdesk.points.models import PointsEntry
from vipdesk.points.selectors import points_history
from vipdesk.points.services import points_summary
from vipdesk.sales.choices import SaleKind
from vipdesk.sales.models import Sale
from vipdesk.tiers.choices import BenefitPeriod, ConditionKind as K
from vipdesk.tiers.models import MemberTier
from vipdesk.tiers.benefits import benefit_summary
from vipdesk.tiers.programme import tier_of
from vipdesk.tiers.progress import tier_progress

PANE_ROWS = 20
EXPIRING_DAYS = 30


# ---- money and points as shown on screen ------------------------------------------------------

def yuan(value) -> str:
    """¥1,299.00 — money from a Decimal or a decimal string (never through a float): core.money.format_money."""
    return format_money(value)


# ---- scope -------------------------------------------------------------------------------------

def member_in_scope(user, member_id) -> bool:
    if member_id is None:
        return False
    return Member.objects.restrict(user, Action.VIEW).filter(pk=member_id).exists()


def sales_for(user):
    """Sales and returns the user may open: those of members in his scope, and every receipt of
    his own stores (a cashier sees what was rung up at his till even for another store's member)."""
    qs = Sale.objects.all()
    if getattr(user, "is_superuser", False):
        return qs
    member_q = member_scope_q(user)
    if member_q is None and getattr(user, "role", None) in (Role.HQ_ADMIN, Role.AUDITOR):
        return qs
    mine = Q(member_id__in=Member.objects.restrict(user, Action.VIEW).values("pk"))
    if getattr(user, "role", None) in Role.STORE_ROLES:
        mine |= Q(store_id__in=user.store_ids)
    return qs.filter(mine)


till_stores = stores_worked_at  # the stores the user may post at


# ---- the member at the till ------------------------------------------------------------------

def till_member(user, by: str, value: str) -> dict:
    """What the till may show about the customer in front of it, found by card, mobile or member
    number WITHOUT presenting the card (no confiscation flag is set by a mere look-up).

    A member outside the user's scope (another store's customer shopping here) is shown by member
    number, tier and points only: no name and no link to the member file.
    """
    value = (value or "").strip()
    if not value or by not in ("card", "mobile", "member_no"):
        return {"found": False}
    card = None
    if by == "card":
        card = Card.objects.filter(Q(number=value) | Q(token=value)).select_related("member").first()
        member = card.member if card else None
    else:
        member = Member.objects.filter(**{by: value}).first()
    if member is None:
        return {"found": False}
    summary = points_summary(member, today(member.home_store))
    level = tier_of(member)
    return {
        "found": True,
        "in_scope": member_in_scope(user, member.pk),
        "member": member,
        "withdrawn": member.is_withdrawn,
        "card_status": card.status if card else None,
        "card_status_display": card.get_status_display() if card else "",
        "card_usable": card is None or card.status == CardStatus.ACTIVE,
        "tier": level,
        "points": summary,
    }


# ---- tier pane -------------------------------------------------------------------------------

_PERIODS = {BenefitPeriod.DAY: "day", BenefitPeriod.MONTH: "month", BenefitPeriod.YEAR: "year"}


def gap_text(gap: dict) -> dict:
    """One condition of a tier, as sentences: what is asked, what the member has, what is missing, by when."""
    kind, months, target, current = gap["kind"], gap.get("months"), gap.get("target"), gap.get("current")
    if kind == K.MANUAL_APPROVAL:
        return {"need": _("Approval by HQ (credit, sustained spending, standing)"),
                "have": _("Approved") if gap["met"] else _("Not yet approved"), "short": "", "met": gap["met"],
                "by": None, "lost": False}
    if kind == K.VISITS:
        need = _("%(count)s visits in the last %(months)s months") % {"count": target, "months": months}
        have = _("%(count)s visits so far") % {"count": current}
        short = _("%(count)s more visits") % {"count": gap["short"]} if gap["short"] not in (None, "0") else ""
    else:
        amount = yuan(target)
        need = {
            K.FIRST_PURCHASE: _("First purchase of at least %(amount)s"),
            K.SINGLE_PURCHASE: _("A single purchase of at least %(amount)s within %(months)s months"),
            K.ROLLING_SPEND: _("Spend of %(amount)s over the last %(months)s months"),
            K.QUARTER_SPEND: _("Spend of %(amount)s in this calendar quarter"),
            K.YEAR_SPEND: _("Spend of %(amount)s in this calendar year"),
        }.get(kind)
        need = need % {"amount": amount, "months": months} if need else f"{gap.get('label', kind)} {amount}"
        have = _("%(amount)s so far") % {"amount": yuan(current)}
        short = ""
        if gap["short"] is None:
            short = _("The first purchase has been made; this cannot be made up.")
        elif not gap["met"]:
            short = _("%(amount)s to go") % {"amount": yuan(gap["short"])}
    return {"need": need, "have": have, "short": short, "met": gap["met"],
            "by": dt.date.fromisoformat(gap["by"]) if gap.get("by") else None, "lost": gap["short"] is None}


def _options(block: dict | None) -> list[list[dict]]:
    if not block:
        return []
    return [[gap_text(g) for g in group] for group in block.get("options", [])]


def tier_pane(member, on: dt.date) -> dict:
    progress = tier_progress(member, on)
    row = MemberTier.objects.filter(pk=member.pk).select_related("level", "override_from").first()
    override = None
    if row is not None and row.override_active(on):
        override = {"until": row.override_until, "reason": row.override_reason,
                    "from": row.override_from.name if row.override_from_id else None}
    keep = progress.get("keep")
    benefits = []
    for b in benefit_summary(member, on) if progress.get("current") else []:
        benefits.append({**b, "value_text": f"{Decimal(b['value']).normalize():f}{b['unit']}" if b.get("value") else "",
                         "period": _PERIODS.get(b.get("period"), "")})
    return {
        "programme": progress.get("programme"),
        "current": progress.get("current"),
        "reached_on": dt.date.fromisoformat(progress["reached_on"]) if progress.get("reached_on") else None,
        "override": override,
        "next": progress.get("next"),
        "next_options": _options(progress.get("next")),
        "keep": keep,
        "keep_options": _options(keep),
        "keep_on": dt.date.fromisoformat(keep["evaluated_on"]) if keep and keep.get("evaluated_on") else None,
        "benefits": benefits,
        "history": [{**h, "on": dt.date.fromisoformat(h["on"])} for h in progress.get("history", [])],
    }


# ---- points pane -----------------------------------------------------------------------------

def points_pane(member, on: dt.date) -> dict:
    summary = points_summary(member, on)
    soon = on + dt.timedelta(days=EXPIRING_DAYS)
    codes = {lot["store"] for lot in summary["lots"] if lot["store"]}
    names = dict(Store.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    lots = []
    for lot in summary["lots"]:
        expires = dt.date.fromisoformat(lot["expires_on"]) if lot["expires_on"] else None
        lots.append({**lot, "store_name": names.get(lot["store"], lot["store"] or ""),
                     "earned_on": dt.date.fromisoformat(lot["earned_on"]),
                     "available_on": dt.date.fromisoformat(lot["available_on"]), "expires_on": expires,
                     "expiring": expires is not None and expires <= soon})
    expiring = sum(lot["remaining"] for lot in lots if lot["expiring"])
    ledger = [{**e, "business_date": dt.date.fromisoformat(e["business_date"])} for e in points_history(member, limit=PANE_ROWS)]
    # A loyal member holds hundreds of lots; the pane shows what expires when, then the soonest lots.
    by_expiry: dict = {}
    for lot in lots:
        row = by_expiry.setdefault(lot["expires_on"], {"expires_on": lot["expires_on"], "points": 0, "lots": 0,
                                                       "expiring": lot["expiring"]})
        row["points"] += lot["remaining"]
        row["lots"] += 1
    return {**summary, "lots": lots[:PANE_ROWS], "lots_total": len(lots), "by_expiry": list(by_expiry.values()),
            "expiring_points": expiring, "expiring_days": EXPIRING_DAYS, "ledger": ledger}


# ---- purchases pane --------------------------------------------------------------------------

def lines_summary(lines, limit: int = 3) -> str:
    lines = list(lines)
    parts = [f"{ln.name or ln.sku}×{ln.quantity}" for ln in lines[:limit]]
    text = "、".join(parts)
    if len(lines) > limit:
        text += _(" and %(n)s more lines") % {"n": len(lines) - limit}
    return text


def points_by_sale(sale_ids) -> dict[int, int]:
    """The points each sale or return moved: earned and spent on a sale, taken back and given back on a return."""
    out: dict[int, int] = {}
    if not sale_ids:
        return out
    rows = (PointsEntry.objects.filter(sale_id__in=sale_ids, kind__in=[EntryKind.EARN, EntryKind.RETURN_REVERSAL])
            .values("sale_id").annotate(points=Sum("points")).order_by())
    for r in rows:
        out[r["sale_id"]] = int(r["points"] or 0)
    return out


def purchases_pane(member) -> list[Sale]:
    sales = list(Sale.objects.filter(member_id=member.pk).select_related("store", "original")
                 .prefetch_related("lines").order_by("-occurred_at", "-id")[:PANE_ROWS])
    points = points_by_sale([s.pk for s in sales])
    for sale in sales:
        sale.points_moved = points.get(sale.pk, 0)
        sale.lines_text = lines_summary(sale.lines.all())
    return sales


def member_loyalty(member) -> dict:
    """Context of the three loyalty panes of the 360° page."""
    on = today(member.home_store)
    return {"loyalty_on": on, "tier_pane": tier_pane(member, on), "points_pane": points_pane(member, on),
            "purchases": purchases_pane(member), "sale_kind_return": SaleKind.RETURN}
