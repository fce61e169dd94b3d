"""Stored-value services (R6, issue 4 §1): top-up, payment at the till, the account's reads.

Principal (本金) and bonus (赠送金) are kept apart in every movement:
- a top-up adds the amount paid to the principal and the rule's bonus to the bonus (bonus_rules.py);
- a payment takes both, in the policy's order (proportional by default, to the fen, the bonus
  taking the rounding remainder), and records how much of each;
- a return gives back, over all returns of the receipt so far, the returned share of what the
  payment took, principal and bonus each in the proportion they were taken — never more, once —
  and pays out in money what the account's limit has no room for (returns.py);
- a refund pays back principal and forfeits the bonus in the same proportion (refunds.py);
- a withdrawal is refused while principal is left; the bonus left is forfeited (refunds.py).
Where: only at the stores of the party that issued the account (issuers.py).

The ledger's plumbing (policy, account lock, entries, limits, the split) is in ledger.py; the
policy and one account's limit, PIN and card limits are configured through config.py.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.hashers import check_password
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action
from vipdesk.audit.services import actor_fields
from vipdesk.core import clock, parsing
from vipdesk.core.errors import Conflict
from vipdesk.core.money import format_money
from vipdesk.members.disclosure import discreet_refusals
from vipdesk.members.models import Member
from vipdesk.tiers.programme import tier_of
from vipdesk.members.choices import CardKind, IdentifiedBy

from . import issuers
from .bonus_rules import bonus_for
from .choices import EntryKind, TopUpMethod
from .ledger import (
    STORED_VALUE, ZERO, WalletError, _amount, _fen, _hash, _locked_account, _money_out, _require, _require_till, _staff, _write,
    is_named, limit_for, policy, split_payment,
)
from .models import CardSpendLimit, TopUp, WalletAccount, WalletEntry, WalletPolicy


# ---- top-up ------------------------------------------------------------------------------------

def wallet_topup_check(*, actor, store, amount, reference, method=None) -> tuple[Decimal, str, str]:
    """(amount, reference, method) of a top-up, checked with the role and the store. Tills call it
    before they identify the member, so a request refused for itself reads the same for a member
    and a stranger (issue 13 §12); `wallet_topup` runs it again."""
    _require(actor, Action.WALLET_TOPUP, _("Your role may not take stored-value top-ups."))
    _require_till(actor, store)
    problems = parsing.Problems()
    amount = _amount(amount, "amount", problems)
    reference = parsing.text(reference, "reference", problems, limit=60, required=True)
    method = parsing.choice(method or TopUpMethod.CASH, "method", problems, TopUpMethod)
    problems.raise_if_any()
    return amount, reference, method


def _topup_conflict(reference: str) -> Conflict:
    return Conflict(_("Top-up %(ref)s of this store was already taken with different content.") % {"ref": reference},
                    code="topup_conflict")


def wallet_topup(*, actor, member, store, amount, reference: str, method: str = TopUpMethod.CASH,
                 at: dt.datetime | None = None) -> dict:
    """Take a top-up of `amount` yuan at `store` (R6.1): principal + the bonus of the rule reached.

    Idempotent by the till's `reference` (unique per store): the same reference with the same
    member, amount and method answers the first result again ("replayed": true); with other
    content it is refused (`topup_conflict`). Refusals: `stored_value_limit`, `member_withdrawn`,
    `stored_value_other_issuer` (a store of another party, issuers.py), `store_out_of_scope`,
    `permission_denied`, `validation_error`."""
    amount, reference, method = wallet_topup_check(actor=actor, store=store, amount=amount, reference=reference, method=method)
    content = _hash({"member": member.pk, "store": store.code, "amount": str(amount), "method": method})

    def replay() -> dict | None:
        first = TopUp.objects.filter(store=store, reference=reference).first()
        if first is None:
            return None
        if first.content_hash != content:
            raise _topup_conflict(reference)
        return {**first.result, "replayed": True}

    first = replay()
    if first is not None:
        return first
    try:
        with transaction.atomic(), discreet_refusals(actor, member):
            return _topup(actor=actor, member=member, store=store, amount=amount, reference=reference, method=method,
                          content=content, on=clock.business_date(at, store))
    except IntegrityError:
        with transaction.atomic():
            winner = replay()
        if winner is None:
            raise
        return winner


def _topup(*, actor, member, store, amount, reference, method, content, on) -> dict:
    # The top-up row goes in first: a racing twin of this reference fails here, before the account.
    topup = TopUp.objects.create(account=_account_row(member.pk), store=store, reference=reference, amount=amount,
                                 method=method, business_date=on, content_hash=content, **actor_fields(actor))
    # The account is locked before the member is read: a withdrawal holds this lock until it commits
    # (wallet.refunds.refuse_withdrawal_with_principal), so a top-up racing it sees the member withdrawn.
    account = _locked_account(member.pk)
    member = Member.objects.get(pk=member.pk)
    if member.is_withdrawn:
        raise Conflict(_("The member has withdrawn; no top-up can be taken."), code="member_withdrawn")
    issuers.check_topup(account, store)
    pol = policy()
    level = tier_of(member)
    bonus, rule = bonus_for(amount, level_code=getattr(level, "code", None), on=on)
    limit = limit_for(account, member, pol)
    held = account.principal + (account.bonus + bonus if pol.limit_includes_bonus else ZERO) + amount
    if held > limit:
        room = max(limit - account.principal - (account.bonus if pol.limit_includes_bonus else ZERO), ZERO)
        raise WalletError(
            _("This top-up would bring the stored value to %(after)s, above the account's limit of %(limit)s "
              "(at most %(room)s more can be taken).") % {"after": format_money(held), "limit": format_money(limit), "room": format_money(room)},
            code="stored_value_limit")
    entry = _write(account, kind=EntryKind.TOPUP, principal=amount, bonus=bonus, business_date=on, store=store, topup=topup,
                   actor=_staff(actor), detail={"rule": rule.pk if rule else None, "level": getattr(level, "code", None)})
    result = {
        "id": topup.pk, "reference": reference, "store": store.code, "member": {"id": member.pk, "member_no": member.member_no},
        "business_date": on.isoformat(), "method": method, "amount": _money_out(amount), "bonus": _money_out(bonus),
        "rule": str(rule) if rule else None, "entry": entry.pk,
        "stored_value": {"principal": _money_out(account.principal), "bonus": _money_out(account.bonus),
                         "balance": _money_out(account.balance)},
        "limit": _money_out(limit),
    }
    result["gifts"] = _topup_gifts(rule, member=member, store=store, topup=topup, on=on, actor=actor)
    TopUp.objects.filter(pk=topup.pk).update(bonus=bonus, rule=rule, result=result)
    return {**result, "replayed": False}


def _topup_gifts(rule, *, member, store, topup, on, actor) -> dict:
    """Points and coupons the rule gives with the top-up, once: the top-up row is unique per reference,
    and a replay answers the stored result without coming here."""
    gifts = {"points": 0, "coupons": []}
    if rule is None:
        return gifts
    if rule.gift_points:
        from vipdesk.points.services import points_credit_bonus

        points_credit_bonus(member=member, points=rule.gift_points, action="topup", store=store, actor=actor, on=on,
                            note=str(rule)[:200], detail={"topup": topup.pk})
        gifts["points"] = rule.gift_points
    if rule.gift_campaign_id and rule.gift_coupons:
        from vipdesk.coupons.services import coupons_give, format_code

        given = coupons_give(campaign=rule.gift_campaign, member_id=member.pk, count=rule.gift_coupons, on=on,
                             source_key=f"topup:{topup.pk}", note=str(rule)[:200])
        gifts["coupons"] = [format_code(c.code) for c in given]
    return gifts


def _account_row(member_id: int) -> WalletAccount:
    found = WalletAccount.objects.filter(member_id=member_id).first()
    if found is None:
        found, _c = WalletAccount.objects.get_or_create(member_id=member_id, defaults={"issuer_id": issuers.home_issuer(member_id)})
    return found


# ---- payments at the till and returns ----------------------------------------------------------

def stored_value_pin(data) -> str | None:
    """The PIN the till sent with a stored-value payment of a raw posting (`payments[i].pin`). It is
    never stored nor part of the receipt's content: a replay of the receipt needs no PIN."""
    for pay in (data.get("payments") or []) if isinstance(data, dict) else []:
        if isinstance(pay, dict) and pay.get("method") == STORED_VALUE and pay.get("pin") not in (None, ""):
            return str(pay["pin"])
    return None


def _check_card_limits(card, amount: Decimal, on: dt.date) -> None:
    limit = CardSpendLimit.objects.filter(card=card).first()
    if limit is None:
        return
    if limit.per_payment is not None and amount > limit.per_payment:
        raise WalletError(_("This card may pay at most %(max)s by stored value at a time.") % {"max": format_money(limit.per_payment)},
                          code="card_spend_limit")
    if limit.per_day is not None:
        spent = WalletEntry.objects.filter(card=card, kind=EntryKind.PAY, business_date=on).aggregate(
            p=Sum("principal"), b=Sum("bonus"))
        today_spent = -(_fen(spent["p"]) + _fen(spent["b"]))
        if today_spent + amount > limit.per_day:
            raise WalletError(_("This card may pay at most %(max)s by stored value a day; %(left)s is left today.")
                              % {"max": format_money(limit.per_day), "left": format_money(max(limit.per_day - today_spent, ZERO))}, code="card_spend_limit")


def _check_pin(account: WalletAccount, amount: Decimal, pin: str | None, pol: WalletPolicy) -> None:
    if not account.pin_hash or amount <= pol.no_pin_limit:
        return
    if not pin:
        raise WalletError(_("Payments above %(limit)s need the member's stored-value PIN.") % {"limit": format_money(pol.no_pin_limit)},
                          code="pin_required")
    tries, minutes = _pin_limits()
    key = f"vipdesk:wallet:pin-fail:{account.pk}"
    if (cache.get(key) or 0) >= tries:
        raise WalletError(_("Too many wrong PINs: stored-value payments above %(limit)s are locked for %(minutes)d minutes.")
                          % {"limit": format_money(pol.no_pin_limit), "minutes": minutes}, code="pin_locked")
    if not check_password(pin, account.pin_hash):
        # Counted in the cache, not in the account row: the refusal rolls the posting's transaction
        # back, and the count must survive it (Redis in production, shared by every worker).
        if not cache.add(key, 1, timeout=minutes * 60):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, timeout=minutes * 60)
        raise WalletError(_("The stored-value PIN is wrong."), code="pin_invalid")
    cache.delete(key)


def _pin_limits() -> tuple[int, int]:
    """(wrong PINs allowed, minutes locked after them): VIPDESK["PIN_MAX_TRIES"] (5), ["PIN_LOCK_MINUTES"] (30)."""
    from django.conf import settings

    conf = getattr(settings, "VIPDESK", {})
    return int(conf.get("PIN_MAX_TRIES", 5)), int(conf.get("PIN_LOCK_MINUTES", 30))


@transaction.atomic(savepoint=False)  # inside the posting's transaction: a failure fails the posting
def wallet_pay_for_sale(*, sale, pin: str | None = None) -> WalletEntry | None:
    """Debit the member's account for the sale's stored-value payments (called by the sales service).

    An anonymous sale's stored-value tender is only recorded, as before (the account is a member's);
    a sale credited to a member afterwards (attached) was not paid from this account either.
    Refusals: `stored_value_other_issuer` (a store of another party, issuers.py), `insufficient_stored_value`,
    `pin_required`, `pin_invalid`, `card_spend_limit`."""
    payments = [p for p in sale.payments.all() if p.method == STORED_VALUE]
    if not payments or sale.member_id is None or sale.identified_by == IdentifiedBy.ATTACHED:
        return None
    amount = sum((p.amount for p in payments), ZERO)
    pin = pin if pin is not None else getattr(sale, "stored_value_pin", None)
    pol = policy()
    account = _locked_account(sale.member_id)
    done = WalletEntry.objects.filter(sale=sale, kind=EntryKind.PAY).first()
    if done is not None:  # a replay: the first payment stands
        return done
    issuers.check_payment(account, sale.store)
    _check_pin(account, amount, pin, pol)
    card = sale.card if sale.card_id else None
    if card is not None and card.kind == CardKind.SUPPLEMENTARY:
        _check_card_limits(card, amount, sale.business_date)
    if amount > account.balance:
        raise WalletError(_("Not enough stored value: %(needed)s needed, %(balance)s in the account.")
                          % {"needed": format_money(amount), "balance": format_money(account.balance)}, code="insufficient_stored_value")
    part = split_payment(amount, account.principal, account.bonus, pol.spend_order)
    return _write(account, kind=EntryKind.PAY, principal=-part.principal, bonus=-part.bonus, business_date=sale.business_date,
                  store=sale.store, sale=sale, card=card, detail={"order": pol.spend_order})


# ---- reads ---------------------------------------------------------------------------------------

def wallet_recompute(*, member, fix: bool = False) -> dict:
    """The balances from the entries alone against the cached ones; `fix` rewrites the cache."""
    with transaction.atomic():
        account = WalletAccount.objects.select_for_update().filter(member_id=member.pk).first()
        if account is None:
            return {"principal": ZERO, "bonus": ZERO, "cached_principal": ZERO, "cached_bonus": ZERO, "ok": True}
        sums = WalletEntry.objects.filter(account=account).aggregate(p=Sum("principal"), b=Sum("bonus"))
        principal, bonus = _fen(sums["p"]), _fen(sums["b"])
        ok = principal == account.principal and bonus == account.bonus
        if fix and not ok:
            WalletAccount.objects.filter(pk=account.pk).update(principal=principal, bonus=bonus)
        return {"principal": principal, "bonus": bonus, "cached_principal": account.principal, "cached_bonus": account.bonus,
                "ok": ok}


def _entry_out(entry: WalletEntry) -> dict:
    source = None
    if entry.sale_id:
        source = {"sale": entry.sale.receipt_no, "store": entry.sale.store.code}
    elif entry.topup_id:
        source = {"topup": entry.topup.reference}
    elif entry.refund_id:
        source = {"refund": entry.refund_id}
    return {"id": entry.pk, "kind": entry.kind, "business_date": entry.business_date.isoformat(),
            "principal": _money_out(entry.principal), "bonus": _money_out(entry.bonus),
            "amount": _money_out(entry.principal + entry.bonus), "store": entry.store.code if entry.store_id else None,
            "source": source, "note": entry.note}


def wallet_summary(member, *, entries: int = 20) -> dict:
    """Balances, limit, settings a till shows, and the most recent entries."""
    pol = policy()
    account = WalletAccount.objects.filter(member_id=member.pk).first() or WalletAccount(member=member)
    recent = []
    if account.pk:
        recent = [_entry_out(e) for e in WalletEntry.objects.filter(account=account)
                  .select_related("sale__store", "topup", "store").order_by("-created_at", "-id")[:entries]]
    return {
        "principal": _money_out(account.principal), "bonus": _money_out(account.bonus), "balance": _money_out(account.balance),
        "limit": _money_out(limit_for(account, member, pol)), "named": is_named(member),
        "limit_raised": account.limit_override is not None, "pin_set": bool(account.pin_hash),
        "no_pin_limit": _money_out(pol.no_pin_limit), "extra_discount_percent": str(pol.extra_discount_percent),
        "spend_order": pol.spend_order, "entries": recent,
    }


# ---- an award credited as bonus (issue 20 §2) ----------------------------------------------------

def wallet_credit_award(*, member, amount, actor=None, note: str = "", detail: dict | None = None) -> WalletEntry:
    """Credit an award (the annual evaluation's prize, approved by two HQ people) to the member's
    stored value as bonus (赠送金: no money was paid in, so it is never refunded in cash). The
    account limit does not apply: the award is decided by HQ, not taken at a till. The caller runs
    this inside its transaction and keeps the returned entry's id (once-only is the caller's)."""
    amount = Decimal(str(amount)).quantize(Decimal("0.01"))
    if amount <= 0:
        raise WalletError(_("The amount must be greater than zero."), code="bad_amount")
    account = _locked_account(member.pk)
    return _write(account, kind=EntryKind.ADJUST, principal=ZERO, bonus=amount, business_date=clock.today(),
                  note=note[:200], detail=detail or {}, actor=_staff(actor))
