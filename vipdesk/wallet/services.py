"""Stored-value services (R6, issue 4 §1): every change of a stored-value balance goes through here.

Locking: a writer locks the member's WalletAccount row (select_for_update) before it reads the
balances it decides on; the entry and the cached principal/bonus are written in that one
transaction; the CheckConstraints (principal ≥ 0, bonus ≥ 0) are the backstop. Inside a posting
the member row is already locked by the sales service, so the order is always member → account.

Principal (本金) and bonus (赠送金) are kept apart in every movement:
- a top-up adds the amount paid to the principal and the rule's bonus to the bonus;
- a payment takes both, in the policy's order (proportional by default, to the fen, the bonus
  taking the rounding remainder), and records how much of each;
- a return gives back, over all returns of the receipt so far, the returned share of what the
  payment took, principal and bonus each in the proportion they were taken — never more, once —
  and pays out in money what the account's limit has no room for (returns.py);
- a refund pays back principal and forfeits the bonus in the same proportion (refunds.py);
- a withdrawal is refused while principal is left; the bonus left is forfeited (refunds.py).
Where: only at the stores of the party that issued the account (issuers.py).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, Role, can
from vipdesk.audit.services import actor_fields, event_record
from vipdesk.core import clock, parsing
from vipdesk.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from vipdesk.core.models import locked_row
from vipdesk.core.money import CENT
from vipdesk.members.disclosure import discreet_refusals, discreet_to_other_stores

from . import issuers
from .choices import EntryKind, SpendOrder, TopUpMethod
from .models import CardSpendLimit, TopUp, TopUpRule, WalletAccount, WalletEntry, WalletLimitChange, WalletPolicy

ZERO = Decimal("0.00")
MAX_TOPUP = Decimal("10000000.00")
STORED_VALUE = "stored_value"  # sales.choices.PaymentMethod.STORED_VALUE


class WalletError(DomainError):
    status = 422


@dataclass(frozen=True)
class Split:
    principal: Decimal
    bonus: Decimal

    @property
    def total(self) -> Decimal:
        return self.principal + self.bonus


# ---- plumbing --------------------------------------------------------------------------------

def policy() -> WalletPolicy:
    found = WalletPolicy.objects.filter(code="default").first()
    if found is None:
        found, _created = WalletPolicy.objects.get_or_create(code="default")
    return found


def _locked_account(member_id: int) -> WalletAccount:
    """The member's account, locked until the transaction ends; opened (issued by the home store's
    party, see issuers.py) when missing."""
    found = WalletAccount.objects.select_for_update().filter(member_id=member_id).first()
    if found is not None:
        return found
    return locked_row(WalletAccount, member_id=member_id, defaults={"issuer_id": issuers.home_issuer(member_id)})


def _write(account: WalletAccount, *, kind: str, principal: Decimal, bonus: Decimal, business_date: dt.date, **source) -> WalletEntry:
    """Append one entry and move the cached balances with it (the caller holds the account lock).

    The new balances are computed in Decimal from the row read under the lock, not as
    `F("principal") + x`: SQLite does that arithmetic in binary floating point (0.30 - 0.10 - 0.20
    is -2.8e-17 there, which the CHECK constraint refuses). The update is conditional on the row
    still holding what was read, so a writer that somehow did not hold the lock fails loudly
    instead of losing an update."""
    entry = WalletEntry.objects.create(account=account, kind=kind, principal=principal, bonus=bonus, business_date=business_date,
                                       **source)
    new_principal, new_bonus = account.principal + principal, account.bonus + bonus
    moved = WalletAccount.objects.filter(pk=account.pk, principal=account.principal, bonus=account.bonus).update(
        principal=new_principal, bonus=new_bonus, updated_at=timezone.now())
    if moved != 1:
        raise RuntimeError("stored-value account changed without its lock")
    account.principal, account.bonus = new_principal, new_bonus
    return entry


def _staff(actor):
    from vipdesk.accounts.models import Staff

    return actor if isinstance(actor, Staff) else None


def _require(actor, action: str, message) -> None:
    if actor is not None and not can(actor, action):
        raise PermissionDenied(message)


def _require_till(actor, store) -> None:
    """Store roles (and store-bound keys) work only at their own stores."""
    if actor is None or getattr(actor, "is_superuser", False):
        return
    if getattr(actor, "role", None) in Role.STORE_ROLES | {Role.ACCOUNT_MANAGER} and store.pk not in actor.store_ids:
        raise PermissionDenied(_("You may only work at your own stores."), code="store_out_of_scope")


def is_named(member) -> bool:
    """记名: the member file identifies the holder (mobile number or ID number), so the card can be
    reported lost and the money recovered. Otherwise the account counts as anonymous (不记名)."""
    return bool(member.mobile or member.id_number_hash)


def limit_for(account: WalletAccount, member, pol: WalletPolicy | None = None) -> Decimal:
    pol = pol or policy()
    if account.limit_override is not None:
        return account.limit_override
    return pol.named_limit if is_named(member) else pol.anonymous_limit


def split_payment(amount: Decimal, principal: Decimal, bonus: Decimal, order: str) -> Split:
    """How much of `amount` comes from principal and from bonus (amount ≤ principal + bonus).

    Proportional: the principal's share is rounded down to the fen and the bonus takes the
    remainder, so the parts always add up and neither exceeds what the account holds."""
    if order == SpendOrder.PRINCIPAL_FIRST:
        p = min(amount, principal)
        return Split(p, amount - p)
    if order == SpendOrder.BONUS_FIRST:
        b = min(amount, bonus)
        return Split(amount - b, b)
    total = principal + bonus
    if total <= 0:
        return Split(ZERO, ZERO)
    p = (amount * principal / total).quantize(CENT, rounding=ROUND_DOWN)
    return Split(p, amount - p)


def _hash(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def _amount(value, key: str, problems: parsing.Problems, *, required: bool = True, maximum: Decimal = MAX_TOPUP) -> Decimal | None:
    if isinstance(value, Decimal):
        value = str(value)
    return parsing.decimal(value, key, problems, places=2, positive=True, required=required, maximum=maximum)


def _fen(value) -> Decimal:
    """An aggregate back to the fen: SQLite sums decimals as binary floats (PostgreSQL's numeric is exact)."""
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def _money_out(value: Decimal) -> str:
    return str(Decimal(value).quantize(CENT))


def balance_dict(member_id: int) -> dict:
    """The cached balances, for posting results and receipts: {"principal", "bonus", "balance"} as strings."""
    row = WalletAccount.objects.filter(member_id=member_id).values("principal", "bonus").first() or {"principal": ZERO, "bonus": ZERO}
    return {"principal": _money_out(row["principal"]), "bonus": _money_out(row["bonus"]),
            "balance": _money_out(row["principal"] + row["bonus"])}


# ---- top-up bonus rules ------------------------------------------------------------------------

def bonus_for(amount: Decimal, *, level_code: str | None, on: dt.date) -> tuple[Decimal, TopUpRule | None]:
    """The bonus a top-up of `amount` earns: the applicable rule with the highest threshold reached."""
    rules = (TopUpRule.objects.filter(active=True, threshold__lte=amount)
             .filter(Q(starts_on__isnull=True) | Q(starts_on__lte=on)).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
             .filter(Q(level_code="") | Q(level_code=level_code or "")).order_by("-threshold", "-bonus", "id"))
    rule = rules.first()
    return (rule.bonus, rule) if rule is not None else (ZERO, None)


# The seed (003 篇8): 3000 → +1000, 5000 → +2000, 10000 → +5000, 30000 → +10000.
DEFAULT_RULES = [("3000.00", "1000.00"), ("5000.00", "2000.00"), ("10000.00", "5000.00"), ("30000.00", "10000.00")]


def topup_rules_install_default() -> list[TopUpRule]:
    out = []
    for threshold, bonus in DEFAULT_RULES:
        rule, _c = TopUpRule.objects.get_or_create(threshold=Decimal(threshold), bonus=Decimal(bonus), level_code="",
                                                   starts_on=None, ends_on=None,
                                                   defaults={"name": f"充{int(Decimal(threshold))}送{int(Decimal(bonus))}"})
        out.append(rule)
    return out


@transaction.atomic
def topup_rule_save(*, actor, data: dict) -> TopUpRule:
    """Create a top-up bonus rule from raw input {"name", "threshold", "bonus", "level_code",
    "starts_on", "ends_on"}. Rules are not edited: deactivate one and create another."""
    _require(actor, Action.WALLET_CONFIG, _("Only HQ may change the stored-value configuration."))
    problems = parsing.Problems()
    clean = {
        "name": parsing.text(data.get("name"), "name", problems, limit=60),
        "threshold": _amount(data.get("threshold"), "threshold", problems),
        "bonus": parsing.money(str(data["bonus"]) if isinstance(data.get("bonus"), Decimal) else data.get("bonus"), "bonus", problems),
        "level_code": parsing.text(data.get("level_code"), "level_code", problems, limit=20),
        "starts_on": parsing.day(data.get("starts_on"), "starts_on", problems),
        "ends_on": parsing.day(data.get("ends_on"), "ends_on", problems),
        "gift_points": parsing.whole(data.get("gift_points") or 0, "gift_points", problems, maximum=10_000_000),
        "gift_coupons": parsing.whole(data.get("gift_coupons") or 0, "gift_coupons", problems, maximum=20),
        "gift_campaign": None,
    }
    if not parsing.blank(data.get("gift_campaign")):
        from vipdesk.coupons.models import Campaign

        clean["gift_campaign"] = Campaign.objects.filter(code=str(data["gift_campaign"]).strip()).first()
        if clean["gift_campaign"] is None:
            problems.add("gift_campaign", _("No such coupon campaign."))
        elif not clean["gift_coupons"]:
            clean["gift_coupons"] = 1
    elif clean["gift_coupons"]:
        problems.add("gift_campaign", _("Name the coupon campaign of the gift coupons."))
    if clean["starts_on"] and clean["ends_on"] and clean["ends_on"] < clean["starts_on"]:
        problems.add("ends_on", _("The end date cannot be before the start date."))
    problems.raise_if_any()
    rule = TopUpRule.objects.create(**clean)
    event_record(actor=actor, verb="wallet.rule_create", obj=rule,
                 payload={k: (getattr(v, "code", None) or str(v)) if v is not None else None for k, v in clean.items()})
    return rule


@transaction.atomic
def topup_rule_set_active(*, actor, rule: TopUpRule, active: bool) -> TopUpRule:
    _require(actor, Action.WALLET_CONFIG, _("Only HQ may change the stored-value configuration."))
    rule = TopUpRule.objects.select_for_update().get(pk=rule.pk)
    if rule.active != active:
        rule.active = active
        rule.save(update_fields=["active", "updated_at"])
        event_record(actor=actor, verb="wallet.rule_activate" if active else "wallet.rule_deactivate", obj=rule,
                     payload={"threshold": str(rule.threshold), "bonus": str(rule.bonus)})
    return rule


POLICY_FIELDS = ("spend_order", "named_limit", "anonymous_limit", "limit_includes_bonus", "no_pin_limit", "extra_discount_percent")


@transaction.atomic
def wallet_policy_save(*, actor, data: dict) -> WalletPolicy:
    """Change the stored-value policy (HQ). Unknown or missing keys keep their current value."""
    _require(actor, Action.WALLET_CONFIG, _("Only HQ may change the stored-value configuration."))
    policy()
    pol = WalletPolicy.objects.select_for_update().get(code="default")
    problems = parsing.Problems()
    before = {k: getattr(pol, k) for k in POLICY_FIELDS}
    clean = dict(before)
    if "spend_order" in data:
        clean["spend_order"] = parsing.choice(data.get("spend_order"), "spend_order", problems, SpendOrder)
    for key in ("named_limit", "anonymous_limit", "no_pin_limit"):
        if key in data:
            raw = data[key]
            clean[key] = parsing.money(str(raw) if isinstance(raw, Decimal) else raw, key, problems)
    if "extra_discount_percent" in data:
        raw = data["extra_discount_percent"]
        clean["extra_discount_percent"] = parsing.decimal(str(raw) if isinstance(raw, Decimal) else raw, "extra_discount_percent",
                                                          problems, places=2, maximum=Decimal("99.99"))
    if "limit_includes_bonus" in data:
        clean["limit_includes_bonus"] = parsing.flag(data.get("limit_includes_bonus"))
    problems.raise_if_any()
    for key, value in clean.items():
        setattr(pol, key, value)
    pol.save(update_fields=[*POLICY_FIELDS, "updated_at"])
    event_record(actor=actor, verb="wallet.policy_update", obj=pol,
                 payload={"before": {k: str(v) for k, v in before.items()}, "after": {k: str(v) for k, v in clean.items()}})
    return pol


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
    from vipdesk.members.models import Member
    from vipdesk.tiers.programme import tier_of

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
            _("This top-up would bring the stored value to %(after)s yuan, above the account's limit of %(limit)s yuan "
              "(at most %(room)s yuan more can be taken).") % {"after": held, "limit": limit, "room": room},
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
        raise WalletError(_("This card may pay at most %(max)s yuan by stored value at a time.") % {"max": limit.per_payment},
                          code="card_spend_limit")
    if limit.per_day is not None:
        spent = WalletEntry.objects.filter(card=card, kind=EntryKind.PAY, business_date=on).aggregate(
            p=Sum("principal"), b=Sum("bonus"))
        today_spent = -(_fen(spent["p"]) + _fen(spent["b"]))
        if today_spent + amount > limit.per_day:
            raise WalletError(_("This card may pay at most %(max)s yuan by stored value a day; %(left)s yuan is left today.")
                              % {"max": limit.per_day, "left": max(limit.per_day - today_spent, ZERO)}, code="card_spend_limit")


def _check_pin(account: WalletAccount, amount: Decimal, pin: str | None, pol: WalletPolicy) -> None:
    if not account.pin_hash or amount <= pol.no_pin_limit:
        return
    if not pin:
        raise WalletError(_("Payments above %(limit)s yuan need the member's stored-value PIN.") % {"limit": pol.no_pin_limit},
                          code="pin_required")
    tries, minutes = _pin_limits()
    key = f"vipdesk:wallet:pin-fail:{account.pk}"
    if (cache.get(key) or 0) >= tries:
        raise WalletError(_("Too many wrong PINs: stored-value payments above %(limit)s yuan are locked for %(minutes)d minutes.")
                          % {"limit": pol.no_pin_limit, "minutes": minutes}, code="pin_locked")
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
    from vipdesk.members.choices import CardKind
    from vipdesk.sales.choices import IdentifiedBy

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
        raise WalletError(_("Not enough stored value: %(needed)s yuan needed, %(balance)s yuan in the account.")
                          % {"needed": amount, "balance": account.balance}, code="insufficient_stored_value")
    part = split_payment(amount, account.principal, account.bonus, pol.spend_order)
    return _write(account, kind=EntryKind.PAY, principal=-part.principal, bonus=-part.bonus, business_date=sale.business_date,
                  store=sale.store, sale=sale, card=card, detail={"order": pol.spend_order})


# ---- limits, PIN, supplementary cards ------------------------------------------------------------

@transaction.atomic
def wallet_raise_limit(*, actor, member, limit, reason: str) -> WalletLimitChange:
    """HQ sets one member's limit above (or back to, with limit=None) the policy's. Recorded with the
    reason and the actor, and as an audit event."""
    _require(actor, Action.WALLET_CONFIG, _("Only HQ may change a member's stored-value limit."))
    if actor is None:
        raise PermissionDenied(_("Only HQ may change a member's stored-value limit."))
    problems = parsing.Problems()
    limit = None if limit in (None, "") else parsing.money(str(limit) if isinstance(limit, Decimal) else limit, "limit", problems)
    reason = parsing.text(reason, "reason", problems, limit=200, required=True)
    problems.raise_if_any()
    account = _locked_account(member.pk)
    change = WalletLimitChange.objects.create(account=account, before=account.limit_override, after=limit, reason=reason,
                                              **actor_fields(actor))
    WalletAccount.objects.filter(pk=account.pk).update(limit_override=limit, updated_at=timezone.now())
    event_record(actor=actor, verb="wallet.limit_change", obj=account,
                 payload={"member": member.pk, "before": str(account.limit_override) if account.limit_override is not None else None,
                          "after": str(limit) if limit is not None else None, "reason": reason})
    account.limit_override = limit
    return change


@transaction.atomic
def wallet_set_pin(*, actor, member, pin: str | None) -> None:
    """Set (6 digits) or clear (None) the member's stored-value payment PIN; only its hash is kept."""
    _require(actor, Action.WALLET_TOPUP, _("Your role may not change a stored-value PIN."))
    if pin is not None and not (isinstance(pin, str) and len(pin) == 6 and pin.isdigit()):
        raise ValidationFailed(_("The PIN is 6 digits."), fields={"pin": _("The PIN is 6 digits.")})
    account = _locked_account(member.pk)
    WalletAccount.objects.filter(pk=account.pk).update(pin_hash=make_password(pin) if pin else "", updated_at=timezone.now())
    event_record(actor=actor, verb="wallet.pin_set" if pin else "wallet.pin_clear", obj=account, payload={"member": member.pk})


@transaction.atomic
def wallet_card_limit_set(*, actor, card, per_payment=None, per_day=None) -> CardSpendLimit:
    """What a supplementary card may spend from the holder's account (None: no limit of that kind)."""
    from vipdesk.members.choices import CardKind
    from vipdesk.members.services import member_for_actor

    _require(actor, Action.CARD_ISSUE, _("Your role may not do this."))
    if actor is not None:
        member_for_actor(actor, card.member_id, action=Action.CARD_ISSUE)
    if card.kind != CardKind.SUPPLEMENTARY:
        raise ValidationFailed(_("Spending limits are set on supplementary cards."), fields={"card": _("Not a supplementary card.")})
    problems = parsing.Problems()
    clean = {key: None if value in (None, "") else parsing.money(str(value), key, problems)
             for key, value in (("per_payment", per_payment), ("per_day", per_day))}
    problems.raise_if_any()
    row, _c = CardSpendLimit.objects.update_or_create(card=card, defaults=clean)
    event_record(actor=actor, verb="wallet.card_limit", obj=card, payload={k: str(v) if v is not None else None for k, v in clean.items()})
    return row


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
