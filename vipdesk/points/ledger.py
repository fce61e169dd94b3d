"""The points ledger's plumbing, shared by the points services (earning, spending, returns,
adjustments, redemption): the programme's policy, the account lock, entries, lots and their uses.

Locking: a writer locks the member's PointsAccount row first (select_for_update), then the lots,
then any stock row, always in that order, so two writers of one member queue up and never
deadlock. The entry, the lot changes and the cached balance are written in that one transaction;
the CheckConstraints (balance ≥ 0, 0 ≤ lot remaining ≤ original) are the backstop.
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal

from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.core import confcache, limits
from vipdesk.core.errors import DomainError, PermissionDenied
from vipdesk.core.models import locked_row
from vipdesk.core.money import quantize
from vipdesk.accounts.models import Staff

from . import rules
from .choices import EntryKind
from .models import LotUse, PointsAccount, PointsEntry, PointsLot, PointsPolicy, SettlementLine

ZERO = Decimal("0.00")


class PointsError(DomainError):
    status = 422

# ---- plumbing --------------------------------------------------------------------------------

def policy() -> PointsPolicy:
    return confcache.policy_row(PointsPolicy)  # kept per process until HQ changes it


def _locked_account(member_id: int) -> PointsAccount:
    return locked_row(PointsAccount, member_id=member_id)


def _fits(account: PointsAccount, points: int, debt: int = 0) -> None:
    """The balance and the debt stay within their 32-bit columns: beyond, the posting is refused
    (400 points_limit) instead of failing in the database (core/limits.py)."""
    if account.balance + points > limits.POINTS_MAX or account.debt + debt > limits.POINTS_MAX:
        raise DomainError(_("This would take the member's points beyond %(max)s; check the earn rules.") % {"max": limits.POINTS_MAX},
                          code="points_limit", status=400)


def _write(account: PointsAccount, *, kind: str, points: int, debt: int = 0, business_date: dt.date, **source) -> PointsEntry:
    """Append one entry and move the cached balance with it (the caller holds the account lock)."""
    _fits(account, points, debt)
    entry = PointsEntry.objects.create(account=account, kind=kind, points=points, debt=debt, business_date=business_date, **source)
    if points or debt:
        PointsAccount.objects.filter(pk=account.pk).update(balance=F("balance") + points, debt=F("debt") + debt, updated_at=timezone.now())
        account.balance += points
        account.debt += debt
    return entry


def _usable(account: PointsAccount, today: dt.date, *, same_day_ok: bool = True):
    qs = PointsLot.objects.filter(account=account, remaining__gt=0, available_on__lte=today).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    return qs if same_day_ok else qs.filter(earned_on__lt=today)


def _sum(qs) -> int:
    return int(qs.aggregate(s=Sum("remaining"))["s"] or 0)


def _split(value: Decimal, parts: list[int]) -> list[Decimal]:
    """Share `value` over parts in proportion, to the fen; the last part takes the remainder."""
    total = sum(parts)
    if not parts or total == 0:
        return [ZERO for _p in parts]
    shares = [quantize(value * p / total, ROUND_DOWN) for p in parts[:-1]]
    return shares + [quantize(value - sum(shares, ZERO))]


def _take(lots_qs, points: int) -> list[tuple[PointsLot, int]]:
    """Take up to `points` from the lots, soonest-expiring first (never-expiring last)."""
    taken, left = [], points
    if left <= 0:
        return taken
    for lot in lots_qs.select_for_update().order_by(F("expires_on").asc(nulls_last=True), "earned_on", "id"):
        if left == 0:
            break
        take = min(lot.remaining, left)
        if take <= 0:
            continue
        PointsLot.objects.filter(pk=lot.pk).update(remaining=F("remaining") - take)
        lot.remaining -= take
        taken.append((lot, take))
        left -= take
    return taken


def _record_uses(entry: PointsEntry, taken: list[tuple[PointsLot, int]], *, value: Decimal = ZERO, store=None) -> list[LotUse]:
    """One LotUse per lot; when points issued under one franchisee pay value at another, a settlement line (R5.5)."""
    uses = []
    for (lot, pts), share in zip(taken, _split(value, [p for _l, p in taken])):
        use = LotUse.objects.create(lot=lot, entry=entry, points=pts, value=share)
        uses.append(use)
        if store is not None and share and lot.franchisee_id != store.franchisee_id:
            _settle(use, lot=lot, store=store, points=pts, value=share, on=entry.business_date)
    return uses


def _settle(use: LotUse, *, lot: PointsLot, store, points: int, value: Decimal, on: dt.date) -> None:
    SettlementLine.objects.create(period=on.strftime("%Y-%m"), business_date=on, issuer_id=lot.franchisee_id,
                                  redeemer_id=store.franchisee_id, issuer_store_id=lot.store_id, redeemer_store=store,
                                  points=points, value=value, lot_use=use)


def _restore_plan(source_entry: PointsEntry, points: int) -> list[tuple[LotUse, int]]:
    """Which lots get back how much of what `source_entry` consumed: the longest-lived lots
    first, never more than each lot gave."""
    plan, left = [], points
    uses = (LotUse.objects.filter(entry=source_entry, points__gt=0).select_related("lot")
            .order_by(F("lot__expires_on").desc(nulls_first=True), "-id"))
    for use in uses:
        if left <= 0:
            break
        already = -int(use.refunds.aggregate(s=Sum("points"))["s"] or 0)
        give = min(use.points - already, left)
        if give > 0:
            plan.append((use, give))
            left -= give
    return plan


def _restore(entry: PointsEntry, plan: list[tuple[LotUse, int]]) -> None:
    """Put the planned points back into their lots; settlement lines are reversed in proportion."""
    for use, give in plan:
        PointsLot.objects.filter(pk=use.lot_id).update(remaining=F("remaining") + give)
        value = quantize(use.value * give / use.points)
        back = LotUse.objects.create(lot=use.lot, entry=entry, points=-give, value=-value, refund_of=use)
        settlement = SettlementLine.objects.filter(lot_use=use).first()
        if settlement is not None and value:
            SettlementLine.objects.create(period=entry.business_date.strftime("%Y-%m"), business_date=entry.business_date,
                                          issuer_id=settlement.issuer_id, redeemer_id=settlement.redeemer_id,
                                          issuer_store_id=settlement.issuer_store_id, redeemer_store_id=settlement.redeemer_store_id,
                                          points=-give, value=-value, lot_use=back)


def _new_lot(account: PointsAccount, *, points: int, store, earned_on: dt.date, sale=None, pol: PointsPolicy | None = None) -> PointsLot:
    pol = pol or policy()
    available = rules.available_on(pol, earned_on)
    return PointsLot.objects.create(
        account=account, store=store, franchisee_id=getattr(store, "franchisee_id", None), sale=sale, earned_on=earned_on,
        available_on=available, expires_on=rules.expires_on(pol, earned_on), original=points, remaining=points,
        pending=available > earned_on,
    )


def _repay_debt(account: PointsAccount, lot: PointsLot, *, on: dt.date, store) -> int:
    """New points first pay off a recorded debt (R5: 'a debt paid off by future earnings')."""
    pay = min(account.debt, lot.remaining)
    if pay <= 0:
        return 0
    entry = _write(account, kind=EntryKind.DEBT_REPAY, points=-pay, debt=-pay, business_date=on, store=store, lot=lot)
    PointsLot.objects.filter(pk=lot.pk).update(remaining=F("remaining") - pay)
    lot.remaining -= pay
    LotUse.objects.create(lot=lot, entry=entry, points=pay)
    return pay


def _credit(account, *, kind: str, points: int, store, on: dt.date, sale=None, pol=None, **source) -> tuple[PointsEntry, PointsLot]:
    _fits(account, points)  # before the lot, whose column is as narrow
    lot = _new_lot(account, points=points, store=store, earned_on=on, sale=sale, pol=pol)
    entry = _write(account, kind=kind, points=points, business_date=on, store=store, sale=sale, lot=lot, **source)
    _repay_debt(account, lot, on=on, store=store)
    return entry, lot


def _refuse_short(account, needed: int, today: dt.date, *, same_day_ok: bool) -> None:
    usable = _sum(_usable(account, today, same_day_ok=same_day_ok))
    if usable >= needed:
        return
    if not same_day_ok and _sum(_usable(account, today)) >= needed:
        raise PointsError(_("Points earned today cannot be redeemed until tomorrow."), code="same_day_points")
    raise PointsError(_("Not enough points: %(needed)s needed, %(usable)s usable.") % {"needed": needed, "usable": usable},
                      code="insufficient_points")


def _require_role(actor, *roles) -> None:
    if actor is None or getattr(actor, "is_superuser", False):
        return
    if getattr(actor, "role", None) not in roles:
        raise PermissionDenied(_("You may not do this."))


def _staff(actor):
    return actor if isinstance(actor, Staff) else None
