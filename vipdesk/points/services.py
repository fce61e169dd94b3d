"""Points services (R5): every change of a points balance goes through here: earning, spending
and returns, adjustments, gift stock, the daily job. Redemption is in redemption.py, HQ
configuration in config.py, the ledger's plumbing (policy, account lock, entries, lots) in
ledger.py; the public functions of all three are re-exported here.

Dates are business dates at the store (vipdesk.core.clock): a lot whose `expires_on` is
2026-12-31 can be spent until 23:59:59 Shanghai time that day and not a second later, whether
or not the daily job has run yet.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Role
from vipdesk.core import clock, confcache
from vipdesk.core.errors import DomainError, PermissionDenied, ValidationFailed
from vipdesk.core.money import format_money, format_number, quantize
from vipdesk.sales.models import Sale, SaleLine
from vipdesk.members.services import member_for_actor

from . import rules
from .choices import AdjustmentStatus, DebtPolicy, EntryKind, ItemKind, RuleKind, StockMove
from .ledger import (
    ZERO, PointsError, _credit, _locked_account, _record_uses, _refuse_short, _require_role, _restore, _restore_plan, _staff, _sum,
    _take, _usable, _write, policy,
)
from .models import (
    EarnRule, ItemStock, PointsAccount, PointsAdjustment, PointsEntry, PointsLot, PointsPolicy, RedemptionItem, StockMovement,
)
from .signals import points_expired

ONE = Decimal(1)  # no extra factor on the earning (a member day passes its own)


@dataclass(frozen=True)
class EarnOutcome:
    points: int
    pending: bool
    balance: int | None = None  # the account after the award, as locked and written (None: no member)
    debt: int | None = None


@dataclass(frozen=True)
class ReverseOutcome:
    points_reversed: int        # earned points taken back from the balance by this return
    points_refunded: int        # points that paid for the returned goods, given back
    debt: int                   # points owed (debt policy) because the earned points were already spent
    shortfall: int = 0          # points that could not be taken back (debt or cash)
    cash_deduction: Decimal = ZERO  # yuan to keep back from the refund (cash policy)


# ---- earning -------------------------------------------------------------------------------

def _active_rules() -> list[EarnRule]:
    # kept per process until a rule is written anywhere (core.confcache); a new list each time
    return list(confcache.cached("points", "earn_rules", lambda: list(EarnRule.objects.filter(active=True))))


def tenders_paid(sale, *, stored_value_bonus: Decimal = ZERO) -> dict[str, Decimal]:
    """What the sale was paid with, in the ways the points policy decides on (rules.TENDER_POLICY).
    The stored-value tender is split into principal and bonus as the wallet took them
    (`stored_value_bonus`: the bonus part, from the payment's wallet entry; a tender the wallet did
    not debit, e.g. a sale attached to a member later, is all principal)."""
    paid = {"stored_value_principal": ZERO, "stored_value_bonus": ZERO, "coupon": ZERO, "points": ZERO}
    for p in sale.payments.all():
        if p.method == "stored_value":
            paid["stored_value_principal"] += p.amount
        elif p.method in paid:
            paid[p.method] += p.amount
    bonus = min(max(stored_value_bonus, ZERO), paid["stored_value_principal"])
    paid["stored_value_principal"] -= bonus
    paid["stored_value_bonus"] = bonus
    return {k: v for k, v in paid.items() if v}


def _sale_input(sale, level, share: Decimal, extra_factor: Decimal) -> rules.SaleIn:
    lines = tuple(rules.LineIn(key=ln.pk, amount=ln.amount, category=ln.category, brand=ln.brand) for ln in sale.lines.all())
    if not lines:
        lines = (rules.LineIn(key=0, amount=sale.amount),)
    level_code = getattr(level, "code", None)
    return rules.SaleIn(store_id=sale.store_id, business_date=sale.business_date, level_code=level_code, lines=lines, base_share=share,
                        extra_factor=extra_factor)


def points_quote_for_sale(*, sale, level=None, stored_value_bonus: Decimal = ZERO, extra_factor: Decimal = ONE) -> rules.EarnResult:
    """What a sale earns under the current rules, without writing anything. `extra_factor` multiplies
    the earning (a member day's, decided by the pricing app and passed in by the till)."""
    share, _not_earning = rules.earning_share(sale.amount, tenders_paid(sale, stored_value_bonus=stored_value_bonus), policy())
    return rules.earn(_active_rules(), _sale_input(sale, level, share, extra_factor))


@transaction.atomic(savepoint=False)  # inside the posting's transaction: a failure fails the posting
def points_earn_for_sale(*, sale, level=None, stored_value_bonus: Decimal = ZERO, extra_factor: Decimal = ONE,
                         new_sale: bool = False) -> EarnOutcome:
    """Award the points of a posted sale (called by the sales service inside its transaction, after
    the stored-value payment, whose bonus part it passes as `stored_value_bonus`). `new_sale`: the
    sale row was inserted in this transaction, so no earlier award of it can exist (not looked for).
    The outcome carries the account's balance and debt after the award."""
    if sale.member_id is None:
        return EarnOutcome(0, False)
    pol = policy()
    account = _locked_account(sale.member_id)
    done = None if new_sale else PointsEntry.objects.filter(sale=sale, kind=EntryKind.EARN).select_related("lot").first()
    if done is not None:  # a replay: the first award stands
        return EarnOutcome(done.points, bool(done.lot and done.lot.available_on > sale.business_date), account.balance, account.debt)
    paid = tenders_paid(sale, stored_value_bonus=stored_value_bonus)
    share, not_earning = rules.earning_share(sale.amount, paid, pol)
    result = rules.earn(_active_rules(), _sale_input(sale, level, share, extra_factor))
    if result.points <= 0:
        return EarnOutcome(0, False, account.balance, account.debt)
    # How the points were reached, for the auditor; "paid" and "not_earning": the tenders the policy
    # decides on, and the yuan of them that did not earn under the policy of the day.
    detail = {"rate": str(result.yuan_per_point), "sale_factor": str(result.sale_factor),
              "weights": {str(k): str(v) for k, v in result.weights.items()}, "rules": result.applied,
              "level": getattr(level, "code", None), "paid": {k: str(v) for k, v in paid.items()},
              "not_earning": str(quantize(not_earning))}
    _entry, lot = _credit(account, kind=EntryKind.EARN, points=result.points, store=sale.store, on=sale.business_date,
                          sale=sale, pol=pol, detail=detail)
    return EarnOutcome(result.points, lot.available_on > sale.business_date, account.balance, account.debt)


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



# ---- spending at the till and returns ------------------------------------------------------

def points_offset_check(points: int, amount: Decimal, pol: PointsPolicy | None = None) -> None:
    """`amount` yuan paid with `points`: at most what the points are worth (the policy's value per
    point). The till's posting checks it before it identifies the member, and the spending again."""
    most = quantize(points * (pol or policy()).value_per_point)
    if amount > most:
        raise PointsError(_("%(points)s points pay at most %(max)s.") % {"points": format_number(points), "max": format_money(most)},
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
    """Ask for a manual adjustment; nothing moves until someone else approves it (points_adjust_decide)."""
    _require_role(actor, Role.HQ_ADMIN, Role.STORE_MANAGER)
    member = member_for_actor(actor, member.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give a reason for the adjustment."), fields={"reason": _("Required.")})
    if not isinstance(points, int) or points == 0:
        raise ValidationFailed(_("Points must be a whole number other than zero."), fields={"points": _("Not zero.")})
    account, _c = PointsAccount.objects.get_or_create(member=member)
    return PointsAdjustment.objects.create(account=account, points=points, reason=reason[:200], store=store, requested_by=_staff(actor))


def _may_decide(actor, adj: PointsAdjustment) -> None:
    """HQ decides any adjustment; a store manager those of his own stores (the adjustment's store,
    else the member's home store); nobody else."""
    _require_role(actor, Role.HQ_ADMIN, Role.STORE_MANAGER)
    if actor is None or getattr(actor, "is_superuser", False) or getattr(actor, "role", None) == Role.HQ_ADMIN:
        return
    store_id = adj.store_id or adj.account.member.home_store_id
    if store_id not in actor.store_ids:
        raise PermissionDenied(_("You may only decide adjustments of your own stores."), code="store_out_of_scope")


@transaction.atomic
def points_adjust_decide(*, actor, adjustment: PointsAdjustment, approve: bool) -> PointsAdjustment:
    """Approve or reject a requested adjustment: by someone other than the requester (four eyes),
    HQ for any store, a store manager for his own; the points move only on approval."""
    adj = PointsAdjustment.objects.select_for_update().select_related("account__member").get(pk=adjustment.pk)
    _may_decide(actor, adj)
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
        points_expired.send(sender=PointsEntry, on=on, account_ids=account_ids)  # webhooks: points.expired
    unlocked = PointsLot.objects.filter(pending=True, available_on__lte=on).update(pending=False)
    return {"expired_lots": expired_lots, "expired_points": expired_points, "accounts": len(account_ids), "unlocked_lots": unlocked}


# ---- reads used by postings and screens --------------------------------------------------------

def points_redeemable_today(member_id: int, *, on: dt.date) -> int:
    """`points_summary(member, on)["redeemable_today"]` with one aggregate over the member's lots (the
    quote needs only this figure: no account read, no lot comes to Python)."""
    lots = PointsLot.objects.filter(account__member_id=member_id, remaining__gt=0, available_on__lte=on).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=on))
    if not policy().same_day_redeemable:  # without same-day redemption, today's points wait until tomorrow (R5.4)
        lots = lots.filter(earned_on__lt=on)
    return int(lots.aggregate(n=Sum("remaining"))["n"] or 0)


def points_summary(member, on: dt.date | None = None) -> dict:
    on = on or clock.today()
    account = PointsAccount.objects.filter(member_id=member.pk).first()
    if account is None:
        return {"balance": 0, "available": 0, "redeemable_today": 0, "earned_today": 0, "pending": 0, "debt": 0, "lots": [],
                "next_expiry": None}
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
        # Earned today and usable only from tomorrow (when the policy has no same-day redemption).
        "earned_today": available - redeemable,
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


def catalogue_install_default(*, months: list[int] | None = None, goods_points_scale: int = 1) -> list[RedemptionItem]:
    """The seeds' catalogue. Seed 002's goods table counts points earned at 1 per 10 yuan; a chain
    earning 1 point per yuan installs it with `goods_points_scale=10` (5,000 points → goods worth 300
    yuan), so a point costs about what the liability report values it at (¥0.10, the cash offset)."""
    items = []
    for code, name, kind, points, value in DEFAULT_CATALOGUE:
        if kind == ItemKind.GOODS_VOUCHER and goods_points_scale != 1:
            points *= goods_points_scale
            code, name = f"GOODS-{points}", f"{points} 积分兑换 {int(Decimal(value))} 元商品"
        item, _c = RedemptionItem.objects.get_or_create(code=code, defaults={
            "name": name, "kind": kind, "points": points, "value": Decimal(value), "tracks_stock": False,
            "fulfilment": "voucher", "months": list(months or []),
        })
        items.append(item)
    return items
