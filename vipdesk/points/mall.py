"""The points mall (积分商城, R5.4, seed 003 篇12): what a member may redeem today from the portal,
her orders, and the hand-over of a gift at the store she chose.

An order is a redemption (redemption.py) made with `channel="portal"`: the same checks and refusals
as at the till (window months, same-day points, limit per member, stock at the store, enough
points). A gift is reserved at once — points and the store's stock are taken when the member
orders — and waits at the store (`collection="to_collect"`) until staff hand it over
(`redemption_collect`, the member identified by card, e-card, mobile or member number) or the order
is cancelled (`points_redemption_cancel`, which gives back points and stock). A virtual item (an
e-voucher, a coupon, stored value) is fulfilled at once, at the member's home store.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Role
from vipdesk.accounts.scoping import store_ids_in_scope
from vipdesk.audit.services import event_record
from vipdesk.core import clock
from vipdesk.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from vipdesk.org.models import Store

from .choices import Collection, ItemKind, LimitPeriod, RedemptionChannel, RedemptionStatus
from .ledger import _staff
from .models import ItemStock, Redemption, RedemptionItem
from .redemption import _period_start, points_redeem, points_redemption_cancel
from .services import points_summary

ORDER_STATUS_LABELS = {
    Collection.TO_COLLECT: Collection.TO_COLLECT.label,
    Collection.COLLECTED: Collection.COLLECTED.label,
    RedemptionStatus.CANCELLED: RedemptionStatus.CANCELLED.label,
    RedemptionStatus.DONE: RedemptionStatus.DONE.label,
}


def order_status_label(redemption: Redemption) -> str:
    return str(ORDER_STATUS_LABELS[redemption.order_status])


def is_virtual(item: RedemptionItem) -> bool:
    return bool(item.fulfilment) or item.kind == ItemKind.VIRTUAL


@dataclass
class MallItem:
    item: RedemptionItem
    virtual: bool
    in_window: bool
    affordable: bool
    limit_left: int | None
    stores: list = field(default_factory=list)  # [(store, on hand)] where a gift can be collected

    @property
    def orderable(self) -> bool:
        return (self.in_window and self.affordable and (self.limit_left is None or self.limit_left > 0)
                and (self.virtual or not self.item.tracks_stock or bool(self.stores)))


def _limit_left(item: RedemptionItem, member, today: dt.date) -> int | None:
    if not item.limit_per_member:
        return None
    had = Redemption.objects.filter(account__member_id=member.pk, item=item, status=RedemptionStatus.DONE)
    start = _period_start(item.limit_period or LimitPeriod.EVER, today)
    if start is not None:
        had = had.filter(business_date__gte=start)
    return max(item.limit_per_member - int(had.aggregate(s=Sum("quantity"))["s"] or 0), 0)


def mall_items(member, *, on: dt.date | None = None) -> tuple[list[MallItem], dict]:
    """The active catalogue for `member` on `on` (the business date at her home store): each item with
    whether its months include today, whether her points redeemable today cover it (points earned
    today wait until tomorrow unless the policy says otherwise), her limit left, and the stores where a
    gift is in stock. Also returns her points summary."""
    on = on or clock.today(member.home_store)
    summary = points_summary(member, on=on)
    redeemable = summary["redeemable_today"]
    items = list(RedemptionItem.objects.filter(active=True).order_by("points", "code"))
    stock: dict[int, list] = {}
    for row in (ItemStock.objects.filter(item__in=[i for i in items if i.tracks_stock], store__isnull=False, on_hand__gt=0,
                                         store__active=True).select_related("store").order_by("store__code")):
        stock.setdefault(row.item_id, []).append((row.store, row.on_hand))
    out = []
    for item in items:
        out.append(MallItem(item=item, virtual=is_virtual(item), in_window=not item.months or on.month in item.months,
                            affordable=redeemable >= item.points, limit_left=_limit_left(item, member, on),
                            stores=stock.get(item.pk, [])))
    return out, summary


def _store_for(item: RedemptionItem, member, store) -> Store:
    if is_virtual(item) or not item.tracks_stock and store is None:
        return store or member.home_store
    if store is None:
        raise ValidationFailed(_("Choose the store where you will collect the gift."), fields={"store": _("Choose a store.")})
    if not store.active:
        raise ValidationFailed(_("This store is closed."), fields={"store": _("Choose another store.")})
    return store


def mall_order(*, member, item_code: str, store=None, quantity: int = 1, at: dt.datetime | None = None,
               reference: str = "") -> Redemption:
    """The member orders an item in the points mall (no staff: actor None). A gift needs the store
    where she will collect it; a virtual item is fulfilled at once at her home store. Refusals as at
    the till: outside_window, same_day_points, limit_reached, out_of_stock, insufficient_points."""
    if member.is_withdrawn:
        raise Conflict(_("The membership is closed."), code="member_withdrawn")
    item = RedemptionItem.objects.filter(code=item_code, active=True).first()
    if item is None:
        raise NotFound(_("No such item in the catalogue."), code="item_not_found")
    store = _store_for(item, member, store)
    redemption = points_redeem(actor=None, member=member, item_code=item_code, store=store, quantity=quantity, at=at,
                               reference=reference, channel=RedemptionChannel.PORTAL)
    if not getattr(redemption, "replayed", False):
        event_record(actor=None, verb="points.mall_order", obj=redemption,
                     payload={"member": member.pk, "item": item.code, "store": store.code, "points": redemption.points,
                              "collection": redemption.collection})
    return redemption


def mall_order_cancel(*, member, redemption: Redemption) -> Redemption:
    """The member cancels her own order while it waits to be collected: points and stock come back."""
    red = points_redemption_cancel(actor=None, redemption=redemption, member=member, reason=_("Cancelled by the member"))
    event_record(actor=None, verb="points.mall_order_cancelled", obj=red, payload={"member": member.pk, "by": "member"})
    return red


def _require_store_staff(actor, store) -> None:
    """Handing over is done by staff of the store the gift waits at (HQ anywhere); an auditor reads only."""
    if actor is None or getattr(actor, "is_superuser", False):
        return
    role = getattr(actor, "role", None)
    if role not in (Role.HQ_ADMIN, Role.STORE_MANAGER, Role.GUIDE, Role.CASHIER):
        raise PermissionDenied(_("Your role may not hand over gifts."))
    ids = store_ids_in_scope(actor)
    if ids is not None and store.pk not in ids:
        raise NotFound(_("No such order at your stores."), code="not_found")


@transaction.atomic
def redemption_collect(*, actor, redemption: Redemption, member) -> Redemption:
    """Hand a points-mall gift over at its store. `member` is whom the till identified (card, e-card,
    mobile, member number): the order must be hers, still to collect, and not cancelled."""
    red = Redemption.objects.select_for_update().select_related("account", "store", "item").get(pk=redemption.pk)
    _require_store_staff(actor, red.store)
    if member is None or red.account.member_id != member.pk:
        raise DomainError(_("This order belongs to another member: check the card or mobile shown."), code="wrong_member",
                          status=422)
    if red.status == RedemptionStatus.CANCELLED:
        raise Conflict(_("This order was cancelled."), code="order_cancelled")
    if red.collection == Collection.COLLECTED:
        raise Conflict(_("This gift was already handed over."), code="already_collected")
    if red.collection != Collection.TO_COLLECT:
        raise Conflict(_("This redemption has nothing to collect."), code="nothing_to_collect")
    red.collection = Collection.COLLECTED
    red.collected_at = timezone.now()
    red.collected_by = _staff(actor)
    red.save(update_fields=["collection", "collected_at", "collected_by", "updated_at"])
    event_record(actor=actor, verb="points.order_collected", obj=red,
                 payload={"member": member.pk, "item": red.item.code, "store": red.store.code})
    return red


# ---- reads ---------------------------------------------------------------------------------------

def member_orders(member, *, limit: int = 100):
    """The member's redemptions (mall orders and the till's), newest first."""
    return (Redemption.objects.filter(account__member_id=member.pk).select_related("item", "store")
            .order_by("-created_at", "-id")[:limit])


def member_order(member, pk) -> Redemption:
    """One of the member's own orders; another member's reads as not found."""
    if not str(pk).isdigit() or int(pk) > 2**63 - 1:
        raise NotFound(_("No such order."))
    red = Redemption.objects.filter(pk=pk, account__member_id=member.pk).select_related("item", "store").first()
    if red is None:
        raise NotFound(_("No such order."))
    return red


def orders_for_staff(actor, *, status: str = Collection.TO_COLLECT, store=None, q: str = ""):
    """Points-mall orders of the stores the actor works in (HQ and auditors: all), by order status."""
    qs = (Redemption.objects.filter(channel=RedemptionChannel.PORTAL).select_related("item", "store", "account__member")
          .order_by("created_at", "id"))
    ids = store_ids_in_scope(actor)
    if ids is not None:
        qs = qs.filter(store_id__in=ids)
    if store is not None:
        qs = qs.filter(store=store)
    if status == RedemptionStatus.CANCELLED:
        qs = qs.filter(status=RedemptionStatus.CANCELLED)
    elif status:
        qs = qs.filter(status=RedemptionStatus.DONE, collection=status)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(account__member__member_no=q) | Q(item__code__iexact=q) | Q(item__name__icontains=q))
    return qs


def order_for_staff(actor, pk) -> Redemption:
    if not str(pk).isdigit() or int(pk) > 2**63 - 1:
        raise NotFound(_("No such order."))
    red = orders_for_staff(actor, status="").filter(pk=pk).first()
    if red is None:
        raise NotFound(_("No such order."))
    return red


def cancel_waiting_orders(sender, member, actor=None, **kwargs) -> None:
    """members.signals.member_withdrawing: gifts still waiting to be collected go back to stock (their
    points come back to the account and are then lost with it); inside the withdrawal's transaction."""
    waiting = Redemption.objects.filter(account__member_id=member.pk, status=RedemptionStatus.DONE, collection=Collection.TO_COLLECT)
    for red in waiting.order_by("pk"):
        points_redemption_cancel(actor=None, redemption=red, reason=_("Membership closed"))
