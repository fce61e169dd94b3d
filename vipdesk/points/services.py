"""Points services (R5): every change of a points balance goes through here.

Locking: a writer locks the member's PointsAccount row first (select_for_update), then the lots,
then any stock row, always in that order, so two writers of one member queue up and never
deadlock. The entry, the lot changes and the cached balance are written in that one transaction;
the CheckConstraints (balance ≥ 0, 0 ≤ lot remaining ≤ original) are the backstop.

Dates are business dates at the store (vipdesk.core.clock): a lot whose `expires_on` is
2026-12-31 can be spent until 23:59:59 Shanghai time that day and not a second later, whether
or not the daily job has run yet.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Subquery, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, Role, can
from vipdesk.audit.services import event_record
from vipdesk.core import clock, parsing
from vipdesk.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from vipdesk.core.models import locked_row
from vipdesk.core.money import CENT, quantize
from vipdesk.members.disclosure import discreet_refusals

from . import rules
from .choices import (
    AdjustmentStatus, BonusAction, DebtPolicy, EntryKind, ExpiryKind, ItemKind, LimitPeriod, RedemptionStatus, RuleKind, StockMove,
)
from .fulfilment import fulfil
from .models import (
    EarnRule, ItemStock, LotUse, PointsAccount, PointsAdjustment, PointsEntry, PointsLot, PointsPolicy, Redemption,
    RedemptionItem, SettlementLine, StockMovement,
)

ZERO = Decimal("0.00")


class PointsError(DomainError):
    status = 422


@dataclass(frozen=True)
class EarnOutcome:
    points: int
    pending: bool


@dataclass(frozen=True)
class ReverseOutcome:
    points_reversed: int        # earned points taken back from the balance by this return
    points_refunded: int        # points that paid for the returned goods, given back
    debt: int                   # points owed (debt policy) because the earned points were already spent
    shortfall: int = 0          # points that could not be taken back (debt or cash)
    cash_deduction: Decimal = ZERO  # yuan to keep back from the refund (cash policy)


# ---- plumbing --------------------------------------------------------------------------------

def policy() -> PointsPolicy:
    found = PointsPolicy.objects.filter(code="default").first()
    if found is None:
        found, _created = PointsPolicy.objects.get_or_create(code="default")
    return found


def _locked_account(member_id: int) -> PointsAccount:
    return locked_row(PointsAccount, member_id=member_id)


def _write(account: PointsAccount, *, kind: str, points: int, debt: int = 0, business_date: dt.date, **source) -> PointsEntry:
    """Append one entry and move the cached balance with it (the caller holds the account lock)."""
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
    shares = [(value * p / total).quantize(CENT, rounding=ROUND_DOWN) for p in parts[:-1]]
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


# ---- earning -------------------------------------------------------------------------------

def _active_rules() -> list[EarnRule]:
    return list(EarnRule.objects.filter(active=True))


def _sale_input(sale, level, pol: PointsPolicy) -> rules.SaleIn:
    lines = tuple(rules.LineIn(key=ln.pk, amount=ln.amount, category=ln.category, brand=ln.brand) for ln in sale.lines.all())
    if not lines:
        lines = (rules.LineIn(key=0, amount=sale.amount),)
    share = Decimal("1")
    # What coupons paid never earns (the voucher is the mall's money, not the member's); what points
    # paid earns only if the policy says so.
    unearning = {"coupon"} if pol.earn_on_points_paid else {"coupon", "points"}
    if sale.amount > 0:
        paid = sum((p.amount for p in sale.payments.all() if p.method in unearning), ZERO)
        share = max(sale.amount - paid, ZERO) / sale.amount
    from vipdesk.pricing.selectors import member_day_multiplier

    level_code = getattr(level, "code", None)
    return rules.SaleIn(store_id=sale.store_id, business_date=sale.business_date, level_code=level_code, lines=lines, base_share=share,
                        extra_factor=member_day_multiplier(store=sale.store, on=sale.business_date, level_code=level_code))


def points_quote_for_sale(*, sale, level=None) -> rules.EarnResult:
    """What a sale earns under the current rules, without writing anything."""
    return rules.earn(_active_rules(), _sale_input(sale, level, policy()))


@transaction.atomic(savepoint=False)  # inside the posting's transaction: a failure fails the posting
def points_earn_for_sale(*, sale, level=None) -> EarnOutcome:
    """Award the points of a posted sale (called by the sales service inside its transaction)."""
    if sale.member_id is None:
        return EarnOutcome(0, False)
    pol = policy()
    account = _locked_account(sale.member_id)
    done = PointsEntry.objects.filter(sale=sale, kind=EntryKind.EARN).select_related("lot").first()
    if done is not None:  # a replay: the first award stands
        return EarnOutcome(done.points, bool(done.lot and done.lot.available_on > sale.business_date))
    result = rules.earn(_active_rules(), _sale_input(sale, level, pol))
    if result.points <= 0:
        return EarnOutcome(0, False)
    detail = {"rate": str(result.yuan_per_point), "sale_factor": str(result.sale_factor),
              "weights": {str(k): str(v) for k, v in result.weights.items()}, "rules": result.applied,
              "level": getattr(level, "code", None)}
    _entry, lot = _credit(account, kind=EntryKind.EARN, points=result.points, store=sale.store, on=sale.business_date,
                          sale=sale, pol=pol, detail=detail)
    return EarnOutcome(result.points, lot.available_on > sale.business_date)


@transaction.atomic
def points_award_bonus(*, member, action: str, store=None, actor=None, on: dt.date | None = None, note: str = "") -> int:
    """Bonus points for an action (registration, deposit, partner spend…) as the rules say."""
    on = on or clock.today(store)
    points = rules.bonus_points(_active_rules(), action=action, store_id=getattr(store, "pk", None), on=on)
    if points <= 0:
        return 0
    account = _locked_account(member.pk)
    _credit(account, kind=EntryKind.BONUS, points=points, store=store, on=on, action=action, note=note[:200], actor=_staff(actor))
    return points


@transaction.atomic
def points_credit_bonus(*, member, points: int, action: str, store=None, actor=None, on: dt.date | None = None,
                        note: str = "", detail: dict | None = None) -> PointsEntry:
    """Credit a fixed number of bonus points for an act another app records (a referral…). Once-only
    is the caller's: it links the returned entry from its own row with a unique constraint, in the
    same transaction (feedback.Referral.points_entry)."""
    if not isinstance(points, int) or points <= 0:
        raise ValidationFailed(_("Points must be a whole number greater than zero."), fields={"points": _("Greater than zero.")})
    on = on or clock.today(store)
    account = _locked_account(member.pk)
    entry, _lot = _credit(account, kind=EntryKind.BONUS, points=points, store=store, on=on, action=action[:20], note=note[:200],
                          detail=detail or {}, actor=_staff(actor))
    return entry


def _staff(actor):
    from vipdesk.accounts.models import Staff

    return actor if isinstance(actor, Staff) else None


# ---- spending at the till and returns ------------------------------------------------------

def points_offset_check(points: int, amount: Decimal, pol: PointsPolicy | None = None) -> None:
    """`amount` yuan paid with `points`: at most what the points are worth (the policy's value per
    point). The till's posting checks it before it identifies the member, and the spending again."""
    most = quantize(points * (pol or policy()).value_per_point)
    if amount > most:
        raise PointsError(_("%(points)s points pay at most %(max)s yuan.") % {"points": points, "max": most},
                          code="points_offset_invalid")


@transaction.atomic(savepoint=False)  # inside the posting's transaction: a failure fails the posting
def points_spend_for_sale(*, sale) -> PointsEntry | None:
    """Deduct the points a sale was paid with (SalePayment method "points")."""
    payments = [p for p in sale.payments.all() if p.method == "points"]
    points = sum(p.points for p in payments)
    if not points:
        return None
    if sale.member_id is None:
        raise PointsError(_("Paying with points needs a member."), code="member_required")
    pol = policy()
    amount = sum((p.amount for p in payments), ZERO)
    points_offset_check(points, amount, pol)
    account = _locked_account(sale.member_id)
    done = PointsEntry.objects.filter(sale=sale, kind=EntryKind.SPEND).first()
    if done is not None:
        return done
    today = sale.business_date
    _refuse_short(account, points, today, same_day_ok=pol.same_day_redeemable)
    entry = _write(account, kind=EntryKind.SPEND, points=-points, business_date=today, store=sale.store, sale=sale)
    taken = _take(_usable(account, today, same_day_ok=pol.same_day_redeemable), points)
    _record_uses(entry, taken, value=amount, store=sale.store)
    return entry


def _returned_weight(original, weights: dict[str, str]) -> tuple[Decimal, Decimal]:
    """(weight returned so far, whole weight) over every return of `original`, this one included."""
    from vipdesk.sales.models import Sale, SaleLine

    whole = sum((Decimal(w) for w in weights.values()), ZERO)
    returned = min(Decimal(Sale.objects.filter(original=original, kind="return").aggregate(s=Sum("amount"))["s"] or ZERO),
                   original.amount)
    if not original.amount or returned >= original.amount:
        return whole, whole  # returned in full: all of it, whatever mix of lines and amounts got there
    back_lines = SaleLine.objects.filter(sale__original=original, sale__kind="return", original_line__isnull=False)
    per_line = {str(r["original_line"]): r["s"] for r in back_lines.values("original_line").annotate(s=Sum("amount"))}
    part, named = ZERO, ZERO
    if per_line and all(k in weights for k in per_line):
        amounts = {str(ln.pk): ln.amount for ln in original.lines.all()}
        for k, v in per_line.items():
            if amounts.get(k):
                taken = min(Decimal(v), amounts[k])
                part += Decimal(weights[k]) * taken / amounts[k]
                named += taken
    # Money returned without naming goods (by amount) takes the same share of what the named returns left.
    unnamed = max(returned - named, ZERO)
    if unnamed and original.amount > named:
        part += (whole - part) * unnamed / (original.amount - named)
    return part, whole


@transaction.atomic(savepoint=False)  # inside the posting's transaction: a failure fails the posting
def points_reverse_for_return(*, sale_return) -> ReverseOutcome:
    """Take back earned points in proportion to what was returned and give back, in proportion,
    the points that paid for it. Totals are computed over all returns of the receipt so far, so a
    receipt returned in parts reverses exactly what it earned, and nothing is done twice."""
    from vipdesk.sales.models import Sale

    original = sale_return.original
    if original is None or original.member_id is None:
        return ReverseOutcome(0, 0, 0)
    pol = policy()
    account = _locked_account(original.member_id)
    done = PointsEntry.objects.filter(sale=sale_return, kind__in=[EntryKind.RETURN_REVERSAL, EntryKind.RETURN_REFUND])
    if done.exists():  # a replay of this return
        by = {e.kind: e for e in done}
        rev = by.get(EntryKind.RETURN_REVERSAL)
        return ReverseOutcome(-rev.points if rev else 0, by[EntryKind.RETURN_REFUND].points if EntryKind.RETURN_REFUND in by else 0,
                              rev.debt if rev else 0, int(rev.detail.get("shortfall", 0)) if rev else 0,
                              Decimal(rev.detail.get("cash_deduction", "0")) if rev else ZERO)
    on, store = sale_return.business_date, sale_return.store
    earlier = PointsEntry.objects.filter(sale__original=original, sale__kind="return").exclude(sale=sale_return)

    # 1. points that paid for the returned goods come back first (they may cover the reversal)
    refunded = 0
    spend = PointsEntry.objects.filter(sale=original, kind=EntryKind.SPEND).first()
    if spend is not None:
        returned = Sale.objects.filter(original=original, kind="return").aggregate(s=Sum("amount"))["s"] or ZERO
        owed = rules.proportional(-spend.points, returned, original.amount)
        before = int(earlier.filter(kind=EntryKind.RETURN_REFUND).aggregate(s=Sum("points"))["s"] or 0)
        plan = _restore_plan(spend, owed - before) if owed - before > 0 else []
        refunded = sum(g for _u, g in plan)
        if refunded:
            entry = _write(account, kind=EntryKind.RETURN_REFUND, points=refunded, business_date=on, store=store, sale=sale_return,
                           detail={"owed": owed - before})
            _restore(entry, plan)

    # 2. earned points go back, from the receipt's own lot first, then the soonest-expiring
    earn = PointsEntry.objects.filter(sale=original, kind=EntryKind.EARN).first()
    reversed_now = debt = shortfall = 0
    cash = ZERO
    if earn is not None:
        part, whole = _returned_weight(original, earn.detail.get("weights", {}))
        owed = rules.proportional(earn.points, part, whole)
        before = sum(int(e.detail.get("owed", 0)) for e in earlier.filter(kind=EntryKind.RETURN_REVERSAL))
        due = owed - before
        if due > 0:
            own = PointsLot.objects.filter(account=account, sale=original, remaining__gt=0)
            taken = _take(own, due)
            got = sum(p for _l, p in taken)
            taken += _take(PointsLot.objects.filter(account=account, remaining__gt=0), due - got)
            reversed_now = sum(p for _l, p in taken)
            shortfall = due - reversed_now
            if shortfall and pol.debt_policy == DebtPolicy.DEBT:
                debt = shortfall
            elif shortfall:
                cash = quantize(shortfall * pol.value_per_point)
            entry = _write(account, kind=EntryKind.RETURN_REVERSAL, points=-reversed_now, debt=debt, business_date=on, store=store,
                           sale=sale_return, detail={"owed": due, "shortfall": shortfall, "policy": pol.debt_policy,
                                                     "cash_deduction": str(cash)})
            _record_uses(entry, taken)
    return ReverseOutcome(reversed_now, refunded, debt, shortfall, cash)


# ---- manual adjustments (reason + approval) -------------------------------------------------

@transaction.atomic
def points_adjust(*, actor, member, points: int, reason: str, store=None) -> PointsAdjustment:
    """Ask for a manual adjustment; nothing moves until someone else at HQ approves it."""
    from vipdesk.members.services import member_for_actor

    _require_role(actor, Role.HQ_ADMIN, Role.STORE_MANAGER)
    member = member_for_actor(actor, member.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give a reason for the adjustment."), fields={"reason": _("Required.")})
    if not isinstance(points, int) or points == 0:
        raise ValidationFailed(_("Points must be a whole number other than zero."), fields={"points": _("Not zero.")})
    account, _c = PointsAccount.objects.get_or_create(member=member)
    return PointsAdjustment.objects.create(account=account, points=points, reason=reason[:200], store=store, requested_by=_staff(actor))


@transaction.atomic
def points_adjust_decide(*, actor, adjustment: PointsAdjustment, approve: bool) -> PointsAdjustment:
    _require_role(actor, Role.HQ_ADMIN)
    adj = PointsAdjustment.objects.select_for_update().get(pk=adjustment.pk)
    if adj.status != AdjustmentStatus.REQUESTED:
        raise DomainError(_("This adjustment has already been decided."), code="already_decided", status=409)
    if actor is not None and adj.requested_by_id == getattr(actor, "pk", None):
        raise PermissionDenied(_("An adjustment must be approved by someone other than the requester."), code="four_eyes")
    adj.status = AdjustmentStatus.APPROVED if approve else AdjustmentStatus.REJECTED
    adj.decided_by, adj.decided_at = _staff(actor), timezone.now()
    adj.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    if approve:
        account = _locked_account(adj.account.member_id)
        on = clock.today(adj.store)
        source = {"adjustment": adj, "note": adj.reason, "actor": _staff(actor)}
        if adj.points > 0:
            _credit(account, kind=EntryKind.ADJUST, points=adj.points, store=adj.store, on=on, **source)
        else:
            _refuse_short(account, -adj.points, on, same_day_ok=True)
            entry = _write(account, kind=EntryKind.ADJUST, points=adj.points, business_date=on, store=adj.store, **source)
            _record_uses(entry, _take(_usable(account, on), -adj.points))
    adjustment.status = adj.status
    return adj


# ---- redemption (R5.4) -------------------------------------------------------------------------

def _period_start(period: str, on: dt.date) -> dt.date | None:
    return {LimitPeriod.DAY: on, LimitPeriod.MONTH: on.replace(day=1), LimitPeriod.YEAR: on.replace(month=1, day=1)}.get(period)


def _check_card(card, *, member, actor, store):
    """A card shown for a redemption must be usable (R2.4) and the member's own."""
    if card is None:
        return None
    from vipdesk.members.cards import CardInvalid, card_present

    presented = card_present(number=card if isinstance(card, str) else card.number, actor=actor, store=store)
    if presented.member_id != member.pk:
        raise CardInvalid(_("This card belongs to another member."))
    return presented


def _require_till(actor, store) -> None:
    """A redemption is made at a till: staff must work at that store. The member may belong to any
    store of the chain — redeeming at one franchisee points earned at another is what clearing
    (R5.5) settles — so the member is not scoped by home store; he identified himself at the till."""
    from vipdesk.accounts.roles import Role

    if getattr(actor, "is_superuser", False):
        return
    role = getattr(actor, "role", None)
    if role == Role.AUDITOR:
        raise PermissionDenied(_("Your role may not redeem points."))
    if role in Role.STORE_ROLES | {Role.ACCOUNT_MANAGER} and store.pk not in actor.store_ids:
        raise PermissionDenied(_("You may only redeem at your own stores."), code="store_out_of_scope")


def points_redeem(*, actor, member, item_code: str, store, quantity: int = 1, card=None, at: dt.datetime | None = None,
                  reference: str = "") -> Redemption:
    """Redeem points for a catalogue item at a store. Refusals: card_invalid, outside_window,
    limit_reached, out_of_stock, same_day_points, insufficient_points.

    `reference` is the till's id for this request: asking again with the same reference at the same
    store returns the first redemption (with `replayed` set) instead of redeeming twice; the same
    reference for another member, item or quantity is `reference_conflict`."""
    if actor is not None:
        _require_till(actor, store)
    reference = (reference or "").strip()[:60]
    first = _redeemed_before(store, reference, member=member, item_code=item_code, quantity=quantity)
    if first is not None:
        return first
    # outside the transaction: the confiscation flag of an invalid card must survive the refusal
    card = _check_card(card, member=member, actor=actor, store=store)
    if quantity < 1:
        raise ValidationFailed(_("Quantity must be at least 1."), fields={"quantity": _("At least 1.")})
    try:
        with discreet_refusals(actor, member):  # another store's till: "not enough points", without the balance
            redemption = _redeem(actor=actor, member=member, item_code=item_code, store=store, quantity=quantity, card=card,
                                 today=clock.business_date(at, store), reference=reference)
    except IntegrityError:
        # a twin request with the same reference committed first (the unique index stopped this one)
        twin = _redeemed_before(store, reference, member=member, item_code=item_code, quantity=quantity)
        if twin is None:
            raise
        return twin
    redemption.replayed = False
    return redemption


def _reference_conflict(reference: str) -> Conflict:
    return Conflict(_("Reference %(ref)s was already used at this store for another redemption.") % {"ref": reference},
                    code="reference_conflict")


def redemption_reference_check(*, store, reference: str) -> None:
    """For a redemption whose member is not found: a reference this store already used is a
    conflict (the first redemption was a member's), answered as to anyone — "no such member" there
    would tell the till whether the mobile belongs to a member."""
    reference = (reference or "").strip()[:60]
    if reference and Redemption.objects.filter(store=store, reference=reference).exists():
        raise _reference_conflict(reference)


def _redeemed_before(store, reference: str, *, member, item_code: str, quantity: int) -> Redemption | None:
    if not reference:
        return None
    first = Redemption.objects.filter(store=store, reference=reference).select_related("item", "account", "store").first()
    if first is None:
        return None
    if (first.account.member_id, first.item.code, first.quantity) != (member.pk, item_code, quantity):
        raise _reference_conflict(reference)
    first.replayed = True
    return first


def _catalogue_item(item_code: str, today: dt.date) -> RedemptionItem:
    item = RedemptionItem.objects.filter(code=item_code, active=True).first()
    if item is None:
        raise NotFound(_("No such item in the catalogue."), code="item_not_found")
    if item.months and today.month not in item.months:
        raise PointsError(_("This item can only be redeemed in months %(months)s.") % {"months": ", ".join(map(str, item.months))},
                          code="outside_window")
    return item


def redemption_check(*, actor, item_code: str, store, quantity: int = 1, at: dt.datetime | None = None) -> RedemptionItem:
    """What a redemption asks that does not depend on the member: a till that may redeem here, a
    quantity, a gift in the catalogue, in its months and in stock at the store. Tills call it before
    they identify the member, so a request refused for itself reads the same for a member and a
    stranger (issue 13 §12); the redemption checks it all again, the stock under its row lock."""
    if actor is not None:
        _require_till(actor, store)
    if quantity < 1:
        raise ValidationFailed(_("Quantity must be at least 1."), fields={"quantity": _("At least 1.")})
    item = _catalogue_item(item_code, clock.business_date(at, store))
    if item.tracks_stock and not ItemStock.objects.filter(item=item, store=store, on_hand__gte=quantity).exists():
        raise PointsError(_("Out of stock at this store."), code="out_of_stock")
    return item


@transaction.atomic
def _redeem(*, actor, member, item_code, store, quantity, card, today, reference="") -> Redemption:
    item = _catalogue_item(item_code, today)
    pol = policy()
    account = _locked_account(member.pk)
    if item.limit_per_member:
        had = Redemption.objects.filter(account=account, item=item, status=RedemptionStatus.DONE)
        start = _period_start(item.limit_period, today)
        if start is not None:
            had = had.filter(business_date__gte=start)
        if int(had.aggregate(s=Sum("quantity"))["s"] or 0) + quantity > item.limit_per_member:
            raise PointsError(_("The limit of %(n)s for this item has been reached.") % {"n": item.limit_per_member}, code="limit_reached")
    stock = None
    if item.tracks_stock:
        stock = ItemStock.objects.select_for_update().filter(item=item, store=store).first()
        if stock is None or stock.on_hand < quantity:
            raise PointsError(_("Out of stock at this store."), code="out_of_stock")
    points, value = item.points * quantity, quantize(item.value * quantity)
    _refuse_short(account, points, today, same_day_ok=pol.same_day_redeemable)
    redemption = Redemption.objects.create(account=account, item=item, store=store, card=card, quantity=quantity, points=points,
                                           value=value, business_date=today, actor=_staff(actor), reference=reference)
    entry = _write(account, kind=EntryKind.REDEEM, points=-points, business_date=today, store=store, redemption=redemption,
                   actor=_staff(actor))
    _record_uses(entry, _take(_usable(account, today, same_day_ok=pol.same_day_redeemable), points), value=value, store=store)
    if stock is not None:
        ItemStock.objects.filter(pk=stock.pk).update(on_hand=F("on_hand") - quantity)
        StockMovement.objects.create(item=item, kind=StockMove.REDEMPTION, store=store, quantity=quantity, redemption=redemption,
                                     actor=_staff(actor))
    if item.fulfilment or item.kind == ItemKind.VIRTUAL:
        redemption.fulfilment_code = fulfil(item.fulfilment or "voucher", item=item, member=member, quantity=quantity,
                                            redemption=redemption)[:100]
        redemption.save(update_fields=["fulfilment_code", "updated_at"])
    return redemption


@transaction.atomic
def points_redemption_cancel(*, actor, redemption: Redemption, reason: str) -> Redemption:
    """Undo a redemption (gift handed back): the points return to their lots, the gift to stock."""
    _require_role(actor, Role.HQ_ADMIN, Role.STORE_MANAGER)
    red = Redemption.objects.select_related("account").get(pk=redemption.pk)
    account = _locked_account(red.account.member_id)
    red = Redemption.objects.select_for_update().get(pk=red.pk)
    if red.status != RedemptionStatus.DONE:
        raise DomainError(_("This redemption is already cancelled."), code="already_cancelled", status=409)
    on = clock.today(red.store)
    source = PointsEntry.objects.get(redemption=red, kind=EntryKind.REDEEM)
    plan = _restore_plan(source, red.points)
    entry = _write(account, kind=EntryKind.REDEEM_CANCEL, points=sum(g for _u, g in plan), business_date=on, store=red.store,
                   redemption=red, note=(reason or "")[:200], actor=_staff(actor))
    _restore(entry, plan)
    if red.item.tracks_stock:
        stock, _c = ItemStock.objects.get_or_create(item=red.item, store=red.store)
        ItemStock.objects.filter(pk=stock.pk).update(on_hand=F("on_hand") + red.quantity)
        StockMovement.objects.create(item=red.item, kind=StockMove.RETURN, store=red.store, quantity=red.quantity,
                                     redemption=red, note=(reason or "")[:200], actor=_staff(actor))
    red.status = RedemptionStatus.CANCELLED
    red.save(update_fields=["status", "updated_at"])
    return red


# ---- gift stock life cycle: purchase → stock-in → allocation → receipt → redemption ------------

_STOCK_STEPS = {
    # kind: (where, {column: sign}) — "hq" is the warehouse row, "store" the store's row
    StockMove.PURCHASE: [("hq", "on_order", +1)],
    StockMove.STOCK_IN: [("hq", "on_order", -1), ("hq", "on_hand", +1)],
    StockMove.ALLOCATION: [("hq", "on_hand", -1), ("store", "in_transit", +1)],
    StockMove.RECEIPT: [("store", "in_transit", -1), ("store", "on_hand", +1)],
}


@transaction.atomic
def stock_move(*, actor, item: RedemptionItem, kind: str, quantity: int, store=None, note: str = "") -> StockMovement:
    _require_role(actor, Role.HQ_ADMIN, Role.STORE_MANAGER)
    if kind not in _STOCK_STEPS:
        raise ValidationFailed(_("Unknown stock movement."), fields={"kind": _("Choose purchase, stock-in, allocation or receipt.")})
    if quantity < 1:
        raise ValidationFailed(_("Quantity must be at least 1."), fields={"quantity": _("At least 1.")})
    needs_store = any(where == "store" for where, _c, _s in _STOCK_STEPS[kind])
    if needs_store and store is None:
        raise ValidationFailed(_("Choose the store."), fields={"store": _("Required.")})
    rows = {}
    for where in sorted({w for w, _c, _s in _STOCK_STEPS[kind]}):  # lock in a fixed order: "hq" before "store"
        at = None if where == "hq" else store
        ItemStock.objects.get_or_create(item=item, store=at)
        rows[where] = ItemStock.objects.select_for_update().get(item=item, store=at)
    for where, column, sign in _STOCK_STEPS[kind]:
        row = rows[where]
        if sign < 0 and getattr(row, column) < quantity:
            raise DomainError(_("Not enough stock for this movement."), code="out_of_stock", status=422)
        setattr(row, column, getattr(row, column) + sign * quantity)
    for row in rows.values():
        row.save(update_fields=["on_order", "on_hand", "in_transit"])
    return StockMovement.objects.create(item=item, kind=kind, store=store if needs_store else None, quantity=quantity,
                                        note=note[:200], actor=_staff(actor))


# ---- daily job ---------------------------------------------------------------------------------

@transaction.atomic
def points_run_daily(*, on: dt.date) -> dict:
    """Expire what expired before `on` and unlock pending points usable from `on`. Set-based:
    a handful of statements whatever the number of members; a second run finds nothing to do."""
    due = PointsLot.objects.filter(remaining__gt=0, expires_on__lt=on)
    account_ids = list(PointsAccount.objects.select_for_update().filter(pk__in=due.values("account_id"))
                       .order_by("pk").values_list("pk", flat=True))
    expired_points = int(due.aggregate(s=Sum("remaining"))["s"] or 0)
    expired_lots = 0
    if account_ids:
        lot, entry = PointsLot._meta.db_table, PointsEntry._meta.db_table
        detail = "CAST('{}' AS jsonb)" if connection.vendor == "postgresql" else "'{}'"
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {entry} (account_id, kind, points, debt, business_date, created_at, store_id, lot_id, action, note, detail) "
                f"SELECT account_id, %s, -remaining, 0, %s, %s, store_id, id, '', '', {detail} FROM {lot} "
                f"WHERE remaining > 0 AND expires_on < %s",
                [EntryKind.EXPIRE, on, timezone.now(), on],
            )
            expired_lots = cur.rowcount
        owed = due.filter(account=OuterRef("pk")).values("account").annotate(s=Sum("remaining")).values("s")
        PointsAccount.objects.filter(pk__in=account_ids).update(balance=F("balance") - Subquery(owed), updated_at=timezone.now())
        due.update(remaining=0)
    unlocked = PointsLot.objects.filter(pending=True, available_on__lte=on).update(pending=False)
    return {"expired_lots": expired_lots, "expired_points": expired_points, "accounts": len(account_ids), "unlocked_lots": unlocked}


# ---- reads used by postings and screens --------------------------------------------------------

def points_summary(member, on: dt.date | None = None) -> dict:
    on = on or clock.today()
    account = PointsAccount.objects.filter(member_id=member.pk).first()
    if account is None:
        return {"balance": 0, "available": 0, "redeemable_today": 0, "pending": 0, "debt": 0, "lots": [], "next_expiry": None}
    lots = list(PointsLot.objects.filter(account=account, remaining__gt=0).select_related("store")
                .order_by(F("expires_on").asc(nulls_last=True), "earned_on", "id"))
    live = [lot for lot in lots if lot.expires_on is None or lot.expires_on >= on]
    available = sum(lot.remaining for lot in live if lot.available_on <= on)
    pending = sum(lot.remaining for lot in live if lot.available_on > on)
    # What a redemption may take today: without same-day redemption, today's points wait until tomorrow (R5.4).
    redeemable = available if policy().same_day_redeemable else sum(
        lot.remaining for lot in live if lot.available_on <= on and lot.earned_on < on)
    expiring = next((lot for lot in live if lot.expires_on is not None), None)
    return {
        "balance": account.balance, "available": available, "redeemable_today": redeemable, "pending": pending,
        "debt": account.debt,
        "next_expiry": {"date": expiring.expires_on.isoformat(),
                        "points": sum(lot.remaining for lot in live if lot.expires_on == expiring.expires_on)} if expiring else None,
        "lots": [{"id": lot.pk, "store": lot.store.code if lot.store else None, "earned_on": lot.earned_on.isoformat(),
                  "available_on": lot.available_on.isoformat(), "expires_on": lot.expires_on.isoformat() if lot.expires_on else None,
                  "original": lot.original, "remaining": lot.remaining, "pending": lot.available_on > on} for lot in live],
    }


def points_recompute(*, member, fix: bool = False) -> dict:
    """The balance and debt from the entries alone, against the cached figures; `fix` rewrites the cache."""
    with transaction.atomic():
        account = PointsAccount.objects.select_for_update().filter(member_id=member.pk).first()
        if account is None:
            return {"balance": 0, "debt": 0, "cached_balance": 0, "cached_debt": 0, "ok": True}
        sums = PointsEntry.objects.filter(account=account).aggregate(p=Sum("points"), d=Sum("debt"))
        balance, debt = int(sums["p"] or 0), int(sums["d"] or 0)
        lots = _sum(PointsLot.objects.filter(account=account))
        ok = balance == account.balance and debt == account.debt and lots == balance
        if fix and not ok:
            PointsAccount.objects.filter(pk=account.pk).update(balance=balance, debt=debt)
        return {"balance": balance, "debt": debt, "lots": lots, "cached_balance": account.balance, "cached_debt": account.debt, "ok": ok}


# ---- set-up ------------------------------------------------------------------------------------

def earn_rule_install_default(*, yuan_per_point=1) -> EarnRule:
    """The chain-wide base rate (used by `vipdesk init`): 1 point per `yuan_per_point` yuan."""
    policy()
    rule = EarnRule.objects.filter(kind=RuleKind.BASE, store__isnull=True, active=True).first()
    if rule is None:
        rule = EarnRule.objects.create(kind=RuleKind.BASE, name=_("Base rate"), yuan_per_point=Decimal(str(yuan_per_point)))
    return rule


# The seed's table (002): 500 points → goods worth 300 yuan, 1000 → 800, 2000 → 1800, 3000 → 3000;
# and the cash offset of 003 篇6: 100 points = 10 yuan.
DEFAULT_CATALOGUE = [
    ("CASH-100", "积分抵现 100 分抵 10 元", ItemKind.CASH_OFFSET, 100, "10.00"),
    ("GOODS-500", "500 积分兑换 300 元商品", ItemKind.GOODS_VOUCHER, 500, "300.00"),
    ("GOODS-1000", "1000 积分兑换 800 元商品", ItemKind.GOODS_VOUCHER, 1000, "800.00"),
    ("GOODS-2000", "2000 积分兑换 1800 元商品", ItemKind.GOODS_VOUCHER, 2000, "1800.00"),
    ("GOODS-3000", "3000 积分兑换 3000 元商品", ItemKind.GOODS_VOUCHER, 3000, "3000.00"),
]


def catalogue_install_default(*, months: list[int] | None = None) -> list[RedemptionItem]:
    items = []
    for code, name, kind, points, value in DEFAULT_CATALOGUE:
        item, _c = RedemptionItem.objects.get_or_create(code=code, defaults={
            "name": name, "kind": kind, "points": points, "value": Decimal(value), "tracks_stock": False,
            "fulfilment": "voucher", "months": list(months or []),
        })
        items.append(item)
    return items


# ---- HQ configuration: earn rules, the points policy, the catalogue (issue 3 §6) ------------------
#
# Raw input from any entry point (console form, JSON) is read with core.parsing; every refusal is a
# ValidationFailed with per-field messages and writes nothing. Each change records an audit event.

def _require_config(actor) -> None:
    if actor is None or not can(actor, Action.LOYALTY_CONFIG):
        raise PermissionDenied(_("Only HQ may change the points configuration."))


def _plain(value):
    """Audit payloads are JSON: Decimals and dates as strings."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (Decimal, dt.date)):
        return str(value)
    return value


MAX_MULTIPLIER = Decimal("100")

# Which inputs each kind of earn rule uses; the others are cleared so a rule never shows a setting
# that does nothing.
_RULE_FIELDS = {
    RuleKind.BASE: {"yuan_per_point"},
    RuleKind.TIER: {"multiplier", "level_code"},
    RuleKind.CATEGORY: {"multiplier", "category"},
    RuleKind.BRAND: {"multiplier", "brand"},
    RuleKind.EXCLUSION: {"category", "brand"},
    RuleKind.CAMPAIGN: {"multiplier"},
    RuleKind.BONUS: {"action", "bonus_points"},
}


def _store_ref(value, key: str, problems: parsing.Problems):
    from vipdesk.org.models import Store

    if value is None or value == "":
        return None
    if isinstance(value, Store):
        return value
    code = parsing.text(value, key, problems, limit=20)
    store = Store.objects.filter(code=code).first() if code else None
    if code and store is None:
        problems.add(key, _("No store with code %(code)s.") % {"code": code})
    return store


def _overlaps(a_start, a_end, b_start, b_end) -> bool:
    return (a_start or dt.date.min) <= (b_end or dt.date.max) and (b_start or dt.date.min) <= (a_end or dt.date.max)


@transaction.atomic
def earn_rule_save(*, actor, data: dict) -> EarnRule:
    """Create an earn rule (R5.1) from raw input: {"kind", "name", "store" (code), "starts_on",
    "ends_on", and per kind "yuan_per_point" | "multiplier" with "level_code" / "category" / "brand" |
    "action" with "bonus_points"}. Rules are not edited in place: deactivate one and create another,
    so the rule a past receipt earned under stays as it was."""
    from vipdesk.tiers.models import Level

    _require_config(actor)
    problems = parsing.Problems()
    kind = parsing.choice(data.get("kind"), "kind", problems, RuleKind)
    uses = _RULE_FIELDS.get(kind, set())
    clean = {
        "kind": kind,
        "name": parsing.text(data.get("name"), "name", problems, limit=60),
        "store": _store_ref(data.get("store"), "store", problems),
        "starts_on": parsing.day(data.get("starts_on"), "starts_on", problems, required=kind == RuleKind.CAMPAIGN),
        "ends_on": parsing.day(data.get("ends_on"), "ends_on", problems, required=kind == RuleKind.CAMPAIGN),
        "yuan_per_point": None, "multiplier": Decimal("1.00"), "level_code": "", "category": "", "brand": "",
        "action": "", "bonus_points": 0,
    }
    if "yuan_per_point" in uses:
        clean["yuan_per_point"] = parsing.decimal(data.get("yuan_per_point"), "yuan_per_point", problems, places=2,
                                                  positive=True, maximum=Decimal("100000"))
    if "multiplier" in uses:
        clean["multiplier"] = parsing.decimal(data.get("multiplier"), "multiplier", problems, places=2, positive=True,
                                              maximum=MAX_MULTIPLIER)
    if "level_code" in uses:
        clean["level_code"] = parsing.text(data.get("level_code"), "level_code", problems, limit=20, required=True)
        if clean["level_code"] and not Level.objects.filter(programme__active=True, code=clean["level_code"]).exists():
            problems.add("level_code", _("No level with this code in the active tier programme."))
    for key in ("category", "brand"):
        if key in uses:
            clean[key] = parsing.text(data.get(key), key, problems, limit=60, required=kind == key)
    if kind == RuleKind.EXCLUSION and not (clean["category"] or clean["brand"]) and not problems.fields.get("category"):
        problems.add("category", _("Name the category or the brand of the excluded goods."))
    if "action" in uses:
        clean["action"] = parsing.choice(data.get("action"), "action", problems, BonusAction)
        clean["bonus_points"] = parsing.whole(data.get("bonus_points"), "bonus_points", problems, minimum=1, maximum=1_000_000)
    if clean["starts_on"] and clean["ends_on"] and clean["ends_on"] < clean["starts_on"]:
        problems.add("ends_on", _("The end date cannot be before the start date."))
    problems.raise_if_any()
    if kind == RuleKind.BASE:
        # Only one base rate may apply to a store on a date, or which one earns would be arbitrary.
        clash = [r for r in EarnRule.objects.select_for_update().filter(kind=RuleKind.BASE, active=True, store=clean["store"])
                 if _overlaps(r.starts_on, r.ends_on, clean["starts_on"], clean["ends_on"])]
        if clash:
            problems.add("kind", _("An active base rate already applies to this store and period (%(rule)s); deactivate it first.")
                         % {"rule": clash[0]})
            problems.raise_if_any()
    rule = EarnRule.objects.create(**clean)
    event_record(actor=actor, verb="points.earn_rule_create", obj=rule,
                 payload=_plain({**clean, "store": getattr(clean["store"], "code", None)}))
    return rule


@transaction.atomic
def earn_rule_set_active(*, actor, rule: EarnRule, active: bool) -> EarnRule:
    """Switch an earn rule off (or on again); past receipts keep what they earned."""
    _require_config(actor)
    rule = EarnRule.objects.select_for_update().get(pk=rule.pk)
    if rule.active == active:
        return rule
    if active and rule.kind == RuleKind.BASE:
        clash = [r for r in EarnRule.objects.filter(kind=RuleKind.BASE, active=True, store_id=rule.store_id).exclude(pk=rule.pk)
                 if _overlaps(r.starts_on, r.ends_on, rule.starts_on, rule.ends_on)]
        if clash:
            raise ValidationFailed(_("An active base rate already applies to this store and period (%(rule)s); deactivate it first.")
                                   % {"rule": clash[0]}, fields={"kind": _("Deactivate the other base rate first.")})
    rule.active = active
    rule.save(update_fields=["active", "updated_at"])
    event_record(actor=actor, verb="points.earn_rule_activate" if active else "points.earn_rule_deactivate", obj=rule,
                 payload={"kind": rule.kind, "name": rule.name})
    return rule


POLICY_FIELDS = ("expiry_kind", "expiry_n", "clearing_month", "clearing_day", "clearing_years_after", "pending_days",
                 "same_day_redeemable", "debt_policy", "value_per_point", "earn_on_points_paid")


@transaction.atomic
def points_policy_save(*, actor, data: dict) -> PointsPolicy:
    """Change the points policy (R5.2–R5.4). New expiry settings apply to points earned from now on;
    lots already earned keep the expiry date they were given."""
    _require_config(actor)
    policy()  # the row exists
    pol = PointsPolicy.objects.select_for_update().get(code="default")
    problems = parsing.Problems()
    kind = parsing.choice(data.get("expiry_kind"), "expiry_kind", problems, ExpiryKind)
    clean = {k: getattr(pol, k) for k in POLICY_FIELDS}
    clean["expiry_kind"] = kind or pol.expiry_kind
    if kind == ExpiryKind.ROLLING_DAYS:
        clean["expiry_n"] = parsing.whole(data.get("expiry_n"), "expiry_n", problems, minimum=1, maximum=3650)
    elif kind == ExpiryKind.ROLLING_MONTHS:
        clean["expiry_n"] = parsing.whole(data.get("expiry_n"), "expiry_n", problems, minimum=1, maximum=120)
    elif kind == ExpiryKind.CALENDAR:
        month = parsing.whole(data.get("clearing_month"), "clearing_month", problems, minimum=1, maximum=12)
        last = calendar.monthrange(2024, month)[1] if month else 31  # a leap year: 29 February is a valid day
        clean["clearing_month"] = month
        clean["clearing_day"] = parsing.whole(data.get("clearing_day"), "clearing_day", problems, minimum=1, maximum=last)
        clean["clearing_years_after"] = parsing.whole(data.get("clearing_years_after"), "clearing_years_after", problems,
                                                      minimum=0, maximum=10)
    clean["pending_days"] = parsing.whole(data.get("pending_days") if data.get("pending_days") not in (None, "") else 0,
                                          "pending_days", problems, minimum=0, maximum=365)
    clean["same_day_redeemable"] = parsing.flag(data.get("same_day_redeemable"))
    clean["debt_policy"] = parsing.choice(data.get("debt_policy"), "debt_policy", problems, DebtPolicy)
    clean["value_per_point"] = parsing.decimal(data.get("value_per_point"), "value_per_point", problems, places=4, positive=True,
                                               maximum=Decimal("1000"))
    clean["earn_on_points_paid"] = parsing.flag(data.get("earn_on_points_paid"))
    problems.raise_if_any()
    before = {k: getattr(pol, k) for k in POLICY_FIELDS}
    for key, value in clean.items():
        setattr(pol, key, value)
    pol.save(update_fields=[*POLICY_FIELDS, "updated_at"])
    event_record(actor=actor, verb="points.policy_update", obj=pol, payload=_plain({"before": before, "after": clean}))
    return pol


_ITEM_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,29}$")
_NO_STOCK = (ItemKind.VIRTUAL, ItemKind.CASH_OFFSET)


def _months(value, problems: parsing.Problems) -> list[int]:
    """[3, 8] from [3, "8"] or "3,8" / "3、8"; empty means every month."""
    return parsing.months(value, "months", problems)


@transaction.atomic
def redemption_item_save(*, actor, data: dict, item: RedemptionItem | None = None) -> RedemptionItem:
    """Create a catalogue item (item=None) or change one (R5.4): {"code", "name", "kind", "points",
    "value", "months", "limit_per_member", "limit_period", "tracks_stock", "fulfilment"}. The code is
    what tills send, so it is fixed once created. Past redemptions keep their own points and value."""
    from .fulfilment import ADAPTERS

    _require_config(actor)
    problems = parsing.Problems()
    if item is None:
        code = parsing.text(data.get("code"), "code", problems, limit=30, required=True)
        if code and not _ITEM_CODE.match(code):
            problems.add("code", _("Letters, digits, - and _ only."))
        elif code and RedemptionItem.objects.filter(code=code).exists():
            problems.add("code", _("An item with this code already exists."))
    else:
        item = RedemptionItem.objects.select_for_update().get(pk=item.pk)
        code = item.code
    kind = parsing.choice(data.get("kind"), "kind", problems, ItemKind)
    clean = {
        "name": parsing.text(data.get("name"), "name", problems, limit=100, required=True),
        "kind": kind,
        "points": parsing.whole(data.get("points"), "points", problems, minimum=1, maximum=10_000_000),
        "value": parsing.money(data.get("value"), "value", problems),
        "months": _months(data.get("months"), problems),
        "limit_per_member": parsing.whole(data.get("limit_per_member"), "limit_per_member", problems, minimum=1,
                                          maximum=100_000, required=False),
        "limit_period": parsing.choice(data.get("limit_period") or LimitPeriod.EVER, "limit_period", problems, LimitPeriod),
        "tracks_stock": parsing.flag(data.get("tracks_stock")),
        "fulfilment": parsing.choice(data.get("fulfilment"), "fulfilment", problems, sorted(ADAPTERS), required=False),
    }
    if kind in _NO_STOCK and clean["tracks_stock"]:
        problems.add("tracks_stock", _("Virtual goods and cash offsets have no stock to keep."))
    problems.raise_if_any()
    if item is None:
        item = RedemptionItem.objects.create(code=code, **clean)
        event_record(actor=actor, verb="points.item_create", obj=item, payload=_plain({"code": code, **clean}))
    else:
        before = {k: getattr(item, k) for k in clean}
        for key, value in clean.items():
            setattr(item, key, value)
        item.save(update_fields=[*clean, "updated_at"])
        event_record(actor=actor, verb="points.item_update", obj=item, payload=_plain({"code": code, "before": before, "after": clean}))
    return item


@transaction.atomic
def redemption_item_set_active(*, actor, item: RedemptionItem, active: bool) -> RedemptionItem:
    """Take an item out of the catalogue (or back in); its stock and history stay."""
    _require_config(actor)
    item = RedemptionItem.objects.select_for_update().get(pk=item.pk)
    if item.active != active:
        item.active = active
        item.save(update_fields=["active", "updated_at"])
        event_record(actor=actor, verb="points.item_activate" if active else "points.item_deactivate", obj=item,
                     payload={"code": item.code})
    return item
