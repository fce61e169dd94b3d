"""Redemption (R5.4): points for a catalogue item at a store's till, and its cancellation.

A redemption locks the member's points account first (ledger.py), then the lots, then the stock
row. The till's `reference` makes a retry answer the first redemption instead of redeeming twice:
the reference is looked up again under the account lock, so a retry sent while the first attempt
still runs waits for it and then finds it (as wallet refunds do), instead of being refused for the
points the first attempt just spent. A retry gets the first answer (`redemption_answer`), kept on
the row when the redemption was made — the balance right after it, not today's.
"""
from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Role
from vipdesk.core import clock
from vipdesk.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from vipdesk.core.money import quantize
from vipdesk.members.disclosure import discreet_refusals
from vipdesk.members.cards import CardInvalid, card_present

from .choices import Collection, EntryKind, ItemKind, LimitPeriod, RedemptionChannel, RedemptionStatus, StockMove
from .fulfilment import fulfil, unfulfil
from .ledger import (
    PointsError, _locked_account, _record_uses, _refuse_short, _require_role, _restore, _restore_plan, _staff, _take, _usable,
    _write, policy,
)
from .models import ItemStock, PointsEntry, Redemption, RedemptionItem, StockMovement
from .signals import redemption_created

# ---- redemption (R5.4) -------------------------------------------------------------------------

def _period_start(period: str, on: dt.date) -> dt.date | None:
    return {LimitPeriod.DAY: on, LimitPeriod.MONTH: on.replace(day=1), LimitPeriod.YEAR: on.replace(month=1, day=1)}.get(period)


def _check_card(card, *, member, actor, store):
    """A card shown for a redemption must be usable (R2.4) and the member's own."""
    if card is None:
        return None

    presented = card_present(number=card if isinstance(card, str) else card.number, actor=actor, store=store)
    if presented.member_id != member.pk:
        raise CardInvalid(_("This card belongs to another member."))
    return presented


def _require_till(actor, store) -> None:
    """A redemption is made at a till: staff must work at that store. The member may belong to any
    store of the chain — redeeming at one franchisee points earned at another is what clearing
    (R5.5) settles — so the member is not scoped by home store; he identified himself at the till."""
    if getattr(actor, "is_superuser", False):
        return
    role = getattr(actor, "role", None)
    if role == Role.AUDITOR:
        raise PermissionDenied(_("Your role may not redeem points."))
    if role in Role.STORE_ROLES | {Role.ACCOUNT_MANAGER} and store.pk not in actor.store_ids:
        raise PermissionDenied(_("You may only redeem at your own stores."), code="store_out_of_scope")


def points_redeem(*, actor, member, item_code: str, store, quantity: int = 1, card=None, at: dt.datetime | None = None,
                  reference: str = "", channel: str = RedemptionChannel.TILL) -> Redemption:
    """Redeem points for a catalogue item at a store. Refusals: card_invalid, outside_window,
    limit_reached, out_of_stock, same_day_points, insufficient_points.

    `reference` is the till's id for this request: asking again with the same reference at the same
    store returns the first redemption (with `replayed` set; its answer: `redemption_answer`) instead
    of redeeming twice, also while the first attempt is still running; the same reference for another
    member, item or quantity is `reference_conflict`.

    `channel` "portal" is an order of the points mall (mall.py): a gift is then reserved at `store`
    (stock and points taken now) and waits there to be collected; at the till it is handed over at once."""
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
                                 today=clock.business_date(at, store), reference=reference, channel=channel)
    except IntegrityError:
        # a twin request with the same reference committed first (the unique index stopped this one)
        twin = _redeemed_before(store, reference, member=member, item_code=item_code, quantity=quantity)
        if twin is None:
            raise
        return twin
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
def _redeem(*, actor, member, item_code, store, quantity, card, today, reference="", channel=RedemptionChannel.TILL) -> Redemption:
    account = _locked_account(member.pk)
    # Under the lock: a twin of this request that held it before us has committed by now.
    first = _redeemed_before(store, reference, member=member, item_code=item_code, quantity=quantity)
    if first is not None:
        return first
    item = _catalogue_item(item_code, today)
    pol = policy()
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
    virtual = bool(item.fulfilment) or item.kind == ItemKind.VIRTUAL
    collection = Collection.TO_COLLECT if channel == RedemptionChannel.PORTAL and not virtual else Collection.NONE
    redemption = Redemption.objects.create(account=account, item=item, store=store, card=card, quantity=quantity, points=points,
                                           value=value, business_date=today, actor=_staff(actor), reference=reference,
                                           channel=channel, collection=collection)
    entry = _write(account, kind=EntryKind.REDEEM, points=-points, business_date=today, store=store, redemption=redemption,
                   actor=_staff(actor))
    _record_uses(entry, _take(_usable(account, today, same_day_ok=pol.same_day_redeemable), points), value=value, store=store)
    if stock is not None:
        ItemStock.objects.filter(pk=stock.pk).update(on_hand=F("on_hand") - quantity)
        StockMovement.objects.create(item=item, kind=StockMove.REDEMPTION, store=store, quantity=quantity, redemption=redemption,
                                     actor=_staff(actor))
    if virtual:
        redemption.fulfilment_code = fulfil(item.fulfilment or "voucher", item=item, member=member, quantity=quantity,
                                            redemption=redemption)[:100]
    redemption.result = _answer(redemption, balance=account.balance)
    redemption.save(update_fields=["fulfilment_code", "result", "updated_at"])
    redemption.replayed = False
    redemption_created.send(sender=Redemption, redemption=redemption)  # webhooks: redemption.created
    return redemption


def _answer(redemption: Redemption, *, balance: int) -> dict:
    return {
        "id": redemption.pk, "item_code": redemption.item.code, "item_name": str(redemption.item.name),
        "store": redemption.store.code, "quantity": redemption.quantity, "points": redemption.points,
        "value": str(quantize(redemption.value)), "business_date": redemption.business_date.isoformat(),
        "status": RedemptionStatus.DONE.value, "fulfilment_code": redemption.fulfilment_code, "reference": redemption.reference,
        "balance": balance, **({"collection": redemption.collection} if redemption.collection else {}),
    }


def redemption_answer(redemption: Redemption) -> dict:
    """The answer the till was given when the redemption was made (status "done", the balance right
    after it), the same for every retry whatever happened since. A redemption made before answers
    were kept is answered from its row and the ledger: the balance is the sum of the account's
    entries up to its own (entries of one account are written one at a time, under its lock)."""
    if redemption.result:
        return dict(redemption.result)
    entry = PointsEntry.objects.filter(redemption=redemption, kind=EntryKind.REDEEM).values_list("pk", flat=True).first()
    balance = PointsEntry.objects.filter(account_id=redemption.account_id, pk__lte=entry or 0).aggregate(s=Sum("points"))["s"]
    return _answer(redemption, balance=int(balance or 0))


@transaction.atomic
def points_redemption_cancel(*, actor, redemption: Redemption, reason: str, member=None) -> Redemption:
    """Undo a redemption (gift handed back, or a mall order not collected): the points return to their
    lots, the gift to stock. `member`: the member cancelling her own points-mall order in the portal
    (actor None) — only her own, and only while it waits to be collected."""
    _require_role(actor, Role.HQ_ADMIN, Role.STORE_MANAGER)
    red = Redemption.objects.select_related("account").get(pk=redemption.pk)
    if member is not None and red.account.member_id != member.pk:
        raise NotFound(_("No such order."), code="not_found")
    account = _locked_account(red.account.member_id)
    red = Redemption.objects.select_for_update().get(pk=red.pk)
    if red.status != RedemptionStatus.DONE:
        raise DomainError(_("This redemption is already cancelled."), code="already_cancelled", status=409)
    if member is not None and red.collection != Collection.TO_COLLECT:
        raise DomainError(_("Only an order still waiting to be collected can be cancelled here; ask at the store."),
                          code="not_cancellable", status=409)
    if red.fulfilment_code and red.item.fulfilment:  # a coupon issued for it is voided (refused if already used)
        unfulfil(red.item.fulfilment, redemption=red, actor=actor, reason=reason)
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
