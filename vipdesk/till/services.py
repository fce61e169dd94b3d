"""Posting sales and returns (R3), and attaching a member to an anonymous sale later.

Idempotency: a receipt number is unique per store (database constraint). A second post of the
same receipt with the same canonical content answers the first result again (`replayed`); with
other content it is refused as `receipt_conflict`. Racing twins are settled by the constraint:
the loser's insert fails, its transaction rolls back, and it re-reads the winner's answer — so a
receipt awards points exactly once however many times and however concurrently it is sent.

Loyalty (points, tiers) runs inside the posting's transaction, after the sale is written, in the
order fixed by the interface: spend points paid, evaluate the tier, earn at the level reached.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.audit.services import event_record
from vipdesk.core import confcache, limits, parsing
from vipdesk.core.clock import business_date, today
from vipdesk.core.sql import model_table
from vipdesk.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from vipdesk.coupons.services import (
    coupon_dict, coupons_apply_return, coupons_check_given, coupons_issue_for_event, coupons_issue_for_sale, coupons_return_preview,
    coupons_use_for_sale, format_code,
)
from vipdesk.coupons.terms import Line as CouponLine
from vipdesk.members.disclosure import discreet_refusals
from vipdesk.members.choices import IdentifiedBy
from vipdesk.members.identification import identify_member, member_ref
from vipdesk.members.models import Member
from vipdesk.org.scoping import posting_store
from vipdesk.points.models import PointsAccount
from vipdesk.points.services import points_earn_for_sale, points_offset_check, points_reverse_for_return, points_spend_for_sale
from vipdesk.tiers.programme import level_dict
from vipdesk.tiers.services import TierOutcome, tier_evaluate_posting, tier_evaluate_return
from vipdesk.wallet.returns import NOTHING as NO_STORED_VALUE, ReturnCredit, wallet_reverse_for_return
from vipdesk.wallet.ledger import balance_dict
from vipdesk.wallet.services import stored_value_pin, wallet_pay_for_sale

from vipdesk.pricing.selectors import member_day_multiplier
from vipdesk.sales.choices import PaymentMethod, SaleKind
from vipdesk.sales.models import Sale, SaleLine, SalePayment
from vipdesk.sales.signals import sale_credited, sale_returned
from vipdesk.wallet.models import WalletEntry

from .validation import CleanPosting, clean_return, clean_sale


class ReceiptConflict(Conflict):
    code = "receipt_conflict"


class ReturnExceedsSale(DomainError):
    code = "return_exceeds_sale"
    status = 409


@dataclass(frozen=True)
class PostingResult:
    sale: Sale
    result: dict
    replayed: bool = False

    @property
    def data(self) -> dict:
        return {**self.result, "replayed": self.replayed}


def attach_days() -> int:
    return int(settings.VIPDESK.get("ATTACH_SALE_DAYS", 7))


# ---- replays ---------------------------------------------------------------------------------

def _replay(posting: CleanPosting) -> PostingResult | None:
    # Almost every receipt is new: one plain statement on the (store, receipt) constraint's index,
    # the row itself read only when it is there (an ORM query's compilation cost more than its run).
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {model_table(Sale)} WHERE store_id = %s AND receipt_no = %s",
                       [posting.store.pk, posting.receipt_no])
        found = cursor.fetchone()
    if found is None:
        return None
    first = Sale.objects.get(pk=found[0])
    if first.content_hash != posting.content_hash:
        raise ReceiptConflict(
            _("Receipt %(no)s of this store was already posted with different content.") % {"no": posting.receipt_no})
    return PostingResult(first, first.result, replayed=True)


def _post_once(posting: CleanPosting, write) -> PostingResult:
    """Run `write()` in a transaction; if a twin won the race for the receipt, answer its result."""
    try:
        with transaction.atomic():
            return write()
    except IntegrityError:
        with transaction.atomic():
            winner = _replay(posting)
        if winner is None:
            raise
        return winner


def _known(sale: Sale, **related: list) -> None:
    """Hand the rows just written to `sale.lines.all()` / `sale.payments.all()`, as a
    prefetch_related would, so points and tiers do not read them back (bench/posting.py)."""
    for name, rows in related.items():
        qs = getattr(sale, name).all()
        qs._result_cache, qs._prefetch_done = list(rows), True
        sale.__dict__.setdefault("_prefetched_objects_cache", {})[name] = qs


def _actor_columns(actor) -> dict:
    if getattr(actor, "is_api_client", False):
        return {"api_client": actor}
    if actor is not None and getattr(actor, "is_authenticated", False):
        return {"actor": actor}
    return {}


def _member_spent(member_id: int, amount: Decimal, at: dt.datetime | None) -> None:
    """Keep Member.total_spend and last_purchase_at current with one UPDATE (no read-modify-write).
    The cached sum stops at its column's largest value rather than failing a sale (core/limits.py)."""
    if at is not None:
        Member.objects.filter(pk=member_id).update(
            total_spend=Least(F("total_spend") + amount, Value(limits.TOTAL_SPEND_MAX)),
            last_purchase_at=Greatest(Coalesce(F("last_purchase_at"), Value(at)), Value(at)),
        )
    else:  # a return: spend goes down, never below zero
        Member.objects.filter(pk=member_id).update(total_spend=Greatest(F("total_spend") - amount, Value(Decimal("0.00"))))


def _balance(member_id: int, earn=None) -> dict:
    # The cached balance row, not points_summary: a posting must stay cheap (bench/posting.py). A
    # sale's earning hands back the account as it locked and wrote it (nothing later in the
    # posting moves points): no second read.
    if earn is not None and earn.balance is not None:
        return {"balance": int(earn.balance), "points_debt": int(earn.debt)}
    account = PointsAccount.objects.filter(member_id=member_id).values("balance", "debt").first() or {"balance": 0, "debt": 0}
    return {"balance": int(account["balance"]), "points_debt": int(account["debt"])}


def _tier(outcome: TierOutcome) -> tuple[dict, list]:
    tier = {"before": level_dict(outcome.before), "after": level_dict(outcome.after), "changed": bool(outcome.changed)}
    if getattr(outcome, "awaiting_approval", None) is not None:
        tier["awaiting_approval"] = level_dict(outcome.awaiting_approval)
    return tier, list(outcome.benefits or [])


# ---- loyalty (the interface of issue 3), inside the posting's transaction ---------------------

def _apply_loyalty(sale: Sale) -> dict:
    """Points paid are spent first, then the tier is evaluated, then the sale earns at the level reached."""
    spent = sum(p.points for p in sale.payments.all() if p.method == PaymentMethod.POINTS)
    if spent:
        points_spend_for_sale(sale=sale)
    paid = wallet_pay_for_sale(sale=sale)
    outcome = tier_evaluate_posting(member=sale.member, sale=sale)
    # The bonus part of the stored value paid earns only if the points policy says so.
    bonus_paid = -paid.bonus if paid is not None else Decimal("0.00")
    level_code = getattr(outcome.after, "code", None)
    earn = points_earn_for_sale(sale=sale, level=outcome.after, stored_value_bonus=bonus_paid,  # 会员日: more points
                                extra_factor=member_day_multiplier(store=sale.store, on=sale.business_date, level_code=level_code),
                                new_sale=getattr(sale, "posted_now", False))
    tier, benefits = _tier(outcome)
    level_code = outcome.after.code if outcome.after is not None else None
    earned = coupons_issue_for_sale(sale=sale, level_code=level_code)
    if outcome.changed and outcome.after is not None and _rank(outcome.after) > _rank(outcome.before):
        earned += coupons_issue_for_event(member=sale.member, trigger="upgrade", on=sale.business_date, level_code=level_code,
                                          key=f"upgrade:{level_code}:{sale.business_date.isoformat()}", store_code=sale.store.code)
    return {
        "points": {"earned": int(earn.points), "pending": bool(earn.pending), "spent": int(spent), **_balance(sale.member_id, earn)},
        "tier": tier, "benefits": benefits, "stored_value": balance_dict(sale.member_id),
        "coupons_earned": [coupon_dict(c) for c in earned],
    }


def _rank(level) -> int:
    return level.rank if level is not None else 0


def _apply_return_loyalty(sale_return: Sale) -> dict:
    """Earned points come back in proportion (and points paid are refunded), stored value paid comes
    back (what the account's limit has no room for in money: `sale_return.stored_value_credit`),
    then the tier is re-evaluated."""
    reverse = points_reverse_for_return(sale_return=sale_return)
    sale_return.stored_value_credit = wallet_reverse_for_return(sale_return=sale_return)
    outcome = tier_evaluate_return(member=sale_return.member, sale_return=sale_return)
    tier, benefits = _tier(outcome)
    points = {"reversed": int(reverse.points_reversed), "refunded": int(reverse.points_refunded), "debt": int(reverse.debt),
              **_balance(sale_return.member_id)}
    if getattr(reverse, "cash_deduction", 0):
        points["cash_deduction"] = str(reverse.cash_deduction)  # yuan the till keeps back from the refund (cash policy)
    return {"points": points, "tier": tier, "benefits": benefits, "stored_value": balance_dict(sale_return.member_id)}


_NO_LOYALTY = {"points": None, "tier": None, "benefits": [], "coupons_earned": []}


def _result(sale: Sale, loyalty: dict, **extra) -> dict:
    return {
        "id": sale.pk, "kind": sale.kind, "store": sale.store.code, "receipt_no": sale.receipt_no,
        "business_date": sale.business_date.isoformat(), "amount": str(sale.amount), "amount_paid": str(sale.amount_paid),
        "member": {"id": sale.member_id, "member_no": sale.member.member_no} if sale.member_id else None,
        **extra, **loyalty,
    }


# ---- sales -----------------------------------------------------------------------------------

def _check_request(posting: CleanPosting) -> None:
    """What a posting asks that does not depend on the member — its coupons, what its points pay —
    checked before the member is identified, so a request refused for itself reads the same for a
    member and a stranger (issue 13 §12). The write checks it all again."""
    coupons = [p for p in posting.payments if p["method"] == PaymentMethod.COUPON]
    if coupons:
        lines = [CouponLine(ln["sku"], ln["brand"], ln["category"], ln["unit_price"], ln["quantity"], ln["amount"]) for ln in posting.lines]
        coupons_check_given([p["reference"] or "" for p in coupons], store_code=posting.store.code,
                            on=business_date(posting.occurred_at, posting.store), lines=lines, amounts=[p["amount"] for p in coupons])
    paid = [p for p in posting.payments if p["method"] == PaymentMethod.POINTS]
    if paid and posting.member_ref:
        points_offset_check(sum(p["points"] or 0 for p in paid), sum((p["amount"] for p in paid), Decimal("0.00")))


@confcache.snapshot()  # the configuration's versions read once for the posting
def sale_post(*, actor, data: dict) -> PostingResult:
    posting = clean_sale(actor=actor, data=data)
    first = _replay(posting)
    if first is not None:
        return first
    _check_request(posting)
    member, card, how = identify_member(posting.member_ref, actor=actor, store=posting.store)

    def write() -> PostingResult:
        # The sale row goes in first: a racing twin of this receipt fails right here, before
        # touching the member, points or tiers.
        sale = Sale.objects.create(
            kind=SaleKind.SALE, store=posting.store, terminal=posting.terminal, receipt_no=posting.receipt_no,
            occurred_at=posting.occurred_at, business_date=business_date(posting.occurred_at, posting.store),
            member=member, card=card, identified_by=how, guide=posting.guide, amount=posting.amount,
            amount_paid=posting.amount_paid, content_hash=posting.content_hash, **_actor_columns(actor),
        )
        lines = SaleLine.objects.bulk_create([SaleLine(sale=sale, **line) for line in posting.lines])
        payments = SalePayment.objects.bulk_create([SalePayment(sale=sale, **pay) for pay in posting.payments])
        _known(sale, lines=lines, payments=payments)
        used = coupons_use_for_sale(sale=sale)
        sale.stored_value_pin = stored_value_pin(data)  # transient, for wallet_pay_for_sale; never stored
        sale.posted_now = True  # transient: inserted by this transaction, so nothing was earned on it yet
        loyalty = _NO_LOYALTY
        if member is not None:
            _member_spent(member.pk, sale.amount, sale.occurred_at)
            loyalty = _apply_loyalty(sale)
            sale_credited.send(sender=Sale, sale=sale, on=None)  # care: the same-day 1311 call, a tier-change call
        sale.result = _result(sale, loyalty, coupons_used=[format_code(c.code) for c in used])
        Sale.objects.filter(pk=sale.pk).update(result=sale.result)
        return PostingResult(sale, sale.result)

    with discreet_refusals(actor, member):  # another store's till: "not enough points", without the balance
        return _post_once(posting, write)


def _check_attachable(sale: Sale) -> None:
    if sale.member_id is not None:
        raise Conflict(_("This sale is already credited to a member."), code="already_attached")
    if sale.returns.exists():
        raise Conflict(_("Goods of this sale were returned; it can no longer be credited."), code="sale_has_returns")


class _Preview(Exception):
    """Raised inside the attach transaction to roll it back and hand out what it would have done."""

    def __init__(self, answer: dict):
        super().__init__()
        self.answer = answer


def attach_find_sale(*, actor, store=None, receipt_no: str) -> Sale:
    """The anonymous sale a receipt number names, in a store the actor may post for, still open to
    be credited (not credited yet, no return, within the attach window) — else the refusal."""
    store = posting_store(actor, getattr(store, "code", store))
    if store is None:
        raise DomainError(_("Give the store of the receipt."), code="validation_error")
    receipt_no = str(receipt_no or "").strip()
    if not receipt_no:
        raise ValidationFailed(_("Enter the receipt number."), fields={"receipt_no": _("Enter the receipt number.")})
    sale = Sale.objects.filter(store=store, receipt_no=receipt_no, kind=SaleKind.SALE).select_related("store").first()
    if sale is None:
        raise NotFound(_("No sale with this receipt number in this store."), code="sale_not_found")
    if (today(store) - sale.business_date).days > attach_days():
        raise DomainError(_("A sale can be credited to a member within %(days)d days only.") % {"days": attach_days()},
                          code="attach_too_late", status=409)
    _check_attachable(sale)
    return sale


def attachable_sales(*, actor, store, on: dt.date, limit: int = 100) -> list[Sale]:
    """The anonymous sales of one business date of a store that may still be credited to a member
    (none on a date outside the attach window), for a cashier who knows the day but not the receipt."""
    store = posting_store(actor, getattr(store, "code", store))
    if store is None or on is None or not 0 <= (today(store) - on).days <= attach_days():
        return []
    return list(Sale.objects.filter(store=store, kind=SaleKind.SALE, member__isnull=True, business_date=on, returns__isnull=True)
                .select_related("store").prefetch_related("lines").order_by("occurred_at", "id")[:limit])


@confcache.snapshot()
def sale_attach_member(*, actor, store=None, receipt_no: str, member: dict, preview: bool = False) -> dict:
    """Credit an anonymous sale to a member afterwards (the customer shows the card later), within
    VIPDESK["ATTACH_SALE_DAYS"] days of the sale's business date; it then earns as if identified.

    `preview=True` does all of it in a transaction that is rolled back, and answers what the
    member would get (points, tier): the console shows it before the cashier confirms."""
    store = posting_store(actor, getattr(store, "code", store))
    if store is None:
        raise DomainError(_("Give the store of the receipt."), code="validation_error")
    errors = parsing.Problems()
    ref = member_ref(member, errors)
    errors.raise_if_any()
    if not ref:
        raise DomainError(_("Identify the member by exactly one of: card, ecard, mobile, member_no."), code="validation_error")
    sale = attach_find_sale(actor=actor, store=store, receipt_no=receipt_no)  # the receipt before the member (issue 13 §12)
    found, card, _how = identify_member(ref, actor=actor, store=store)
    try:
        with transaction.atomic():
            sale = Sale.objects.select_for_update(of=("self",)).select_related("store").get(pk=sale.pk)
            _check_attachable(sale)
            sale.member, sale.card, sale.identified_by = found, card, IdentifiedBy.ATTACHED
            sale.save(update_fields=["member", "card", "identified_by", "updated_at"])
            _member_spent(found.pk, sale.amount, sale.occurred_at)
            answer = _result(sale, _apply_loyalty(sale))
            if preview:
                raise _Preview(answer)  # everything above is rolled back
            sale_credited.send(sender=Sale, sale=sale, on=today(store))  # care: the 1311 call, as if identified at the till
            event_record(actor=actor, verb="sale.member_attached", obj=sale, payload={"member": found.pk, "by": next(iter(ref))})
    except _Preview as done:
        return done.answer
    return answer


# ---- returns ---------------------------------------------------------------------------------

def _return_plan(original: Sale, posting: CleanPosting) -> tuple[Decimal, list[tuple[SaleLine, int, Decimal]]]:
    """What this return takes back: (amount, [(original line, quantity, amount)]). Refuses more
    than is left, per line and in total; a line the receipt does not have is a wrong input (400)."""
    left = original.amount - original.returned_amount
    lines = {line.line_no: line for line in original.lines.all()}
    if posting.return_amount is not None:  # by amount: no goods named, only money
        if posting.return_amount > left:
            raise ReturnExceedsSale(_("Only %(left)s of this receipt is left to return.") % {"left": left},
                                    fields={"amount": _("At most %(left)s.") % {"left": left}})
        return posting.return_amount, []
    wanted = posting.return_lines
    lines_cover_money = sum((l.returned_amount for l in lines.values()), Decimal("0")) == original.returned_amount
    if not wanted:
        if not lines_cover_money:
            # Part of the receipt was refunded by amount: a "full" return refunds what money is left
            # and takes back every piece still out, the money already refunded shared over them.
            if left <= 0:
                raise ReturnExceedsSale(_("Everything on this receipt was already returned."))
            return left, _rest_of_receipt(list(lines.values()), left)
        wanted = [{"line_no": n, "quantity": l.quantity - l.returned_quantity} for n, l in lines.items()
                  if l.quantity > l.returned_quantity]
        if not wanted:
            raise ReturnExceedsSale(_("Everything on this receipt was already returned."))
    missing = {f"lines.{i}.line_no": [_("The original receipt has no line %(n)s.") % {"n": want["line_no"]}]
               for i, want in enumerate(wanted) if want["line_no"] not in lines}
    if missing:
        raise ValidationFailed(next(iter(missing.values()))[0], fields=missing)
    plan, fields = [], {}
    for i, want in enumerate(wanted):
        line = lines[want["line_no"]]
        remaining = line.quantity - line.returned_quantity
        if want["quantity"] > remaining:
            fields[f"lines.{i}.quantity"] = [_("Only %(n)d of this line can still be returned.") % {"n": remaining}]
            continue
        if want["quantity"] == remaining:
            amount = line.amount - line.returned_amount  # the last pieces take the rounding residue
        else:
            amount = (line.amount * want["quantity"] / line.quantity).quantize(Decimal("0.01"))
        plan.append((line, want["quantity"], amount))
    if fields:
        raise ReturnExceedsSale(next(iter(fields.values()))[0], fields=fields)
    total = sum((a for _l, _q, a in plan), Decimal("0.00"))
    if total > left:
        raise ReturnExceedsSale(_("Only %(left)s of this receipt is left to return.") % {"left": left})
    return total, plan


def _rest_of_receipt(lines: list[SaleLine], left: Decimal) -> list[tuple[SaleLine, int, Decimal]]:
    """Every piece still out, for the money `left` on the receipt. Each line's money not yet refunded
    is reduced by its share of what was refunded by amount (without naming goods), in proportion,
    to the fen, no line below zero; the shares add up exactly, so the plan totals `left`."""
    out = [line for line in lines if line.quantity > line.returned_quantity]
    open_money = {line.pk: line.amount - line.returned_amount for line in out}
    total_open = sum(open_money.values(), Decimal("0.00"))
    unnamed = total_open - left  # refunded by amount, not yet set against any line
    shares = {pk: (unnamed * money / total_open).quantize(Decimal("0.01"), rounding=ROUND_DOWN) if total_open else Decimal("0.00")
              for pk, money in open_money.items()}
    rest = unnamed - sum(shares.values(), Decimal("0.00"))
    for line in out:  # the fen left over by rounding down, to the first lines with room
        extra = min(rest, open_money[line.pk] - shares[line.pk])
        shares[line.pk] += extra
        rest -= extra
    return [(line, line.quantity - line.returned_quantity, open_money[line.pk] - shares[line.pk]) for line in out]


def _tender_share(original: Sale, amount: Decimal, method: str) -> Decimal:
    """The part of `amount` (returned now) that one tender of the original paid for, in yuan: the
    tender in proportion to what has been returned, cumulatively, so the parts of a receipt
    returned bit by bit add up to exactly the tender. Points and stored value come back by
    themselves (points_reverse_for_return, wallet_reverse_for_return, same proportion), so the
    till pays back in money only the rest."""
    tender = sum((p.amount for p in original.payments.all() if p.method == method), Decimal("0.00"))
    if not tender or not original.amount:
        return Decimal("0.00")
    before = original.returned_amount

    def share(returned: Decimal) -> Decimal:
        return (tender * returned / original.amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    return share(before + amount) - share(before)


def _wallet_paid(original: Sale) -> bool:
    return original.member_id is not None and WalletEntry.objects.filter(sale=original, kind="pay").exists()


def _check_refund_tenders(posting: CleanPosting, money: Decimal) -> None:
    """The refund tenders the till listed (if any) add up to the money it pays back."""
    paid = sum((p["amount"] for p in posting.payments), Decimal("0.00"))
    if posting.payments and paid != money:
        raise DomainError(_("The refunds add up to %(paid)s, not the %(amount)s to pay back.") % {"paid": paid, "amount": money},
                          code="validation_error", fields={"payments": _("Must add up to %(amount)s.") % {"amount": money}})


@confcache.snapshot()
def return_post(*, actor, data: dict) -> PostingResult:
    posting = clean_return(actor=actor, data=data)
    first = _replay(posting)
    if first is not None:
        return first

    def write() -> PostingResult:
        # Every return of a receipt locks the original first, so returns of one receipt queue up.
        original = (Sale.objects.select_for_update(of=("self",)).select_related("member", "store")
                    .filter(store=posting.original_store, receipt_no=posting.original_receipt_no, kind=SaleKind.SALE).first())
        if original is None:
            raise NotFound(_("No sale with receipt %(no)s in store %(store)s.")
                           % {"no": posting.original_receipt_no, "store": posting.original_store.code}, code="original_not_found")
        twin = _replay(posting)  # a twin of this return may have committed while we waited for the lock
        if twin is not None:
            return twin
        if posting.occurred_at < original.occurred_at:
            raise DomainError(_("A return cannot happen before the sale."), code="validation_error",
                              fields={"occurred_at": _("Before the original sale.")})
        amount, plan = _return_plan(original, posting)
        by_points = _tender_share(original, amount, PaymentMethod.POINTS)
        by_wallet = _tender_share(original, amount, PaymentMethod.STORED_VALUE) if _wallet_paid(original) else Decimal("0.00")
        if by_wallet and any(p["method"] == PaymentMethod.STORED_VALUE for p in posting.payments):
            raise DomainError(_("The stored value paid goes back to the member's account by itself; do not list it as a refund."),
                              code="validation_error", fields={"payments": _("No stored-value refund tender.")})
        # A coupon's share is never paid back in money: the coupons come back when the whole receipt does.
        by_coupon = _tender_share(original, amount, PaymentMethod.COUPON)
        coupons = coupons_return_preview(original=original, amount=amount, plan=plan, on=business_date(posting.occurred_at, posting.store),
                                         money_left=amount - by_points - by_wallet - by_coupon)
        # what the till pays back; the rest goes back as points and stored value, less coupons charged back
        money = amount - by_points - by_wallet - by_coupon - coupons.charge_back
        if not by_wallet:  # else checked below, once the stored value paid out in money is known
            _check_refund_tenders(posting, money)
        ret = Sale.objects.create(
            kind=SaleKind.RETURN, original=original, store=posting.store, terminal=posting.terminal, receipt_no=posting.receipt_no,
            occurred_at=posting.occurred_at, business_date=business_date(posting.occurred_at, posting.store),
            member=original.member, card=original.card, identified_by=original.identified_by, amount=amount, amount_paid=amount,
            content_hash=posting.content_hash, **_actor_columns(actor),
        )
        SaleLine.objects.bulk_create([
            SaleLine(sale=ret, line_no=n, sku=line.sku, name=line.name, brand=line.brand, category=line.category,
                     style_no=line.style_no, size=line.size, colour=line.colour, unit_price=line.unit_price,
                     quantity=qty, amount=line_amount, original_line=line)
            for n, (line, qty, line_amount) in enumerate(plan, start=1)
        ])
        SalePayment.objects.bulk_create([SalePayment(sale=ret, **pay) for pay in posting.payments])
        for line, qty, line_amount in plan:
            # New totals computed in Decimal from the rows read under the original's lock (every
            # return of the receipt holds it), not F() + x: SQLite adds decimals as binary floats,
            # and 0.10 + 0.20 would then exceed 0.30 in the CHECK constraints. A line whose last
            # pieces come back is returned in full (money refunded by amount before is set against it).
            all_back = line.returned_quantity + qty == line.quantity
            SaleLine.objects.filter(pk=line.pk).update(returned_quantity=line.returned_quantity + qty,
                                                       returned_amount=line.amount if all_back else line.returned_amount + line_amount)
        Sale.objects.filter(pk=original.pk).update(returned_amount=original.returned_amount + amount, updated_at=timezone.now())
        original.returned_amount += amount
        loyalty = _NO_LOYALTY
        if original.member_id is not None:
            _member_spent(original.member_id, amount, None)
            loyalty = _apply_return_loyalty(ret)
        credit: ReturnCredit = getattr(ret, "stored_value_credit", NO_STORED_VALUE)
        if by_wallet:
            # Stored value the account's limit has no room for goes back in money (wallet.returns);
            # a refusal here rolls the whole return back.
            money += credit.paid_out
            _check_refund_tenders(posting, money)
        coupon_effects = coupons_apply_return(sale_return=ret, plan=coupons)
        refund = {"money": str(money), "by_points": str(by_points), "by_stored_value": str(by_wallet)}
        if by_wallet:  # where the stored value went: the account, money at the till (above the limit), forfeited
            refund.update(stored_value_to_account=str(credit.to_account), stored_value_paid_out=str(credit.paid_out),
                          stored_value_bonus_forfeited=str(credit.forfeited))
        refund.update(by_coupon=str(by_coupon), coupon_charge_back=str(coupons.charge_back))
        ret.result = _result(ret, loyalty, coupons=coupon_effects, refund=refund,
                             original={"id": original.pk, "store": original.store.code,
                                                     "receipt_no": original.receipt_no,
                                                     "returned_amount": str(original.returned_amount)})
        Sale.objects.filter(pk=ret.pk).update(result=ret.result)
        sale_returned.send(sender=Sale, sale_return=ret)  # webhooks: return.posted
        return PostingResult(ret, ret.result)

    return _post_once(posting, write)
