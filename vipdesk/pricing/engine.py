"""The quote as a pure function: a basket and a context in, priced lines and payments out, every
adjustment explained. No database here: services.py loads the context, so the same computation runs
in the API, in the benchmark's plain call and in tests, and gives the same answer every time.

Order (R7.4), per unit so that every line stays unit price × quantity, to the fen:
1. member price (会员价) for the member's level, when lower than the till's price;
2. member special (会员特价) for the pieces the card's quota and the day's cap still allow (a line
   splits: n pieces at the special price, the rest as before);
3. one member discount on goods without a member price or special — the best of the level discount
   (unless a promotion suspends it), the member-day discount and the birthday discount;
4. coupons: those given (refused with a code when they break a stacking rule), or the best allowed
   combination of the member's coupons (coupons.stacking), each coupon left out said why;
5. points offset, within the policy's limits (minimum order, share of the order, cap per order);
6. stored value; when it pays all that is left, the stored-value discount (003 篇6) is taken first.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext as _

from vipdesk.coupons import stacking, terms
from vipdesk.core.money import quantize

ZERO = Decimal("0.00")
TEN = Decimal(10)


@dataclass(frozen=True)
class BasketLine:
    sku: str
    unit_price: Decimal
    quantity: int
    name: str = ""
    brand: str = ""
    category: str = ""


@dataclass(frozen=True)
class Offer:
    """A member special for this card today: `left` pieces may still go at `price`."""

    code: str
    name: str
    price: Decimal
    left: int


@dataclass
class Context:
    on: dt.date
    store_code: str
    member_id: int | None = None
    level_code: str | None = None
    level_name: str = ""
    level_zhe: Decimal | None = None
    member_prices: dict = field(default_factory=dict)  # sku -> price
    specials: dict = field(default_factory=dict)  # sku -> Offer
    member_day: tuple | None = None  # (name, zhe or None, multiplier or None)
    promotion: str | None = None  # name of a promotion suspending level discounts
    birthday_zhe: Decimal | None = None
    coupons: list = field(default_factory=list)  # Coupon rows (with campaign) to consider
    best_coupons: bool = False
    coupons_refused: list = field(default_factory=list)  # [(coupon, code, message)]: the member's, unusable here today
    coupon_policy: stacking.Policy = field(default_factory=stacking.Policy)
    points_available: int = 0
    points_wanted: int | None = None  # None: as many as allowed
    value_per_point: Decimal = Decimal("0.1")
    points_order_cap: Decimal | None = None
    points_max_share: Decimal = Decimal("50")
    points_min_order: Decimal = ZERO
    wallet_balance: Decimal = ZERO
    wallet_wanted: Decimal | None = None  # None: not asked; Decimal: at most this much
    wallet_discount_percent: Decimal = ZERO


@dataclass
class Priced:
    line_no: int  # the basket line it comes from
    item: BasketLine
    quantity: int
    unit: Decimal
    steps: list = field(default_factory=list)
    special: str | None = None  # special code, when these pieces are at a special price
    member_priced: bool = False

    @property
    def amount(self) -> Decimal:
        return self.unit * self.quantity

    def step(self, kind: str, new_unit: Decimal, rule: str, why: str) -> None:
        new_unit = quantize(new_unit)
        if new_unit >= self.unit:
            return
        self.steps.append({"kind": kind, "rule": rule, "unit_before": str(self.unit), "unit_after": str(new_unit),
                           "amount": str(-(self.unit - new_unit) * self.quantity), "why": why})
        self.unit = new_unit


def _zhe(unit: Decimal, zhe: Decimal) -> Decimal:
    return unit * zhe / TEN


def price_lines(basket: list[BasketLine], ctx: Context) -> list[Priced]:
    out: list[Priced] = []
    special_left = {sku: offer.left for sku, offer in ctx.specials.items()}
    for n, item in enumerate(basket, start=1):
        parts = [Priced(n, item, item.quantity, item.unit_price)]
        member_price = ctx.member_prices.get(item.sku)
        if member_price is not None and member_price < item.unit_price:
            parts[0].step("member_price", member_price, item.sku, _("Member price for %(level)s.") % {"level": ctx.level_name or _("members")})
            parts[0].member_priced = True
        offer = ctx.specials.get(item.sku)
        if offer is not None and special_left.get(item.sku, 0) > 0 and offer.price < parts[0].unit:
            take = min(item.quantity, special_left[item.sku])
            special_left[item.sku] -= take
            rest = item.quantity - take
            special = Priced(n, item, take, parts[0].unit, list(parts[0].steps), offer.code, parts[0].member_priced)
            special.step("special", offer.price, offer.code,
                         _("Member special %(name)s: %(n)d at %(price)s (quota per card and day).")
                         % {"name": offer.name, "n": take, "price": offer.price})
            parts = [special] + ([replace(parts[0], quantity=rest, steps=list(parts[0].steps))] if rest else [])
        for part in parts:
            if part.special is None and not part.member_priced:
                _member_discount(part, ctx)
        out += parts
    return out


def _member_discount(part: Priced, ctx: Context) -> None:
    """The best single member discount; they do not multiply."""
    offers = []
    if ctx.level_zhe is not None:
        if ctx.promotion:
            part.steps.append({"kind": "level_discount_suspended", "rule": ctx.promotion, "amount": "0.00",
                               "why": _("Level discount suspended during %(promotion)s; points still accrue.") % {"promotion": ctx.promotion}})
        else:
            offers.append((ctx.level_zhe, "level_discount", ctx.level_code or "",
                           _("%(level)s discount %(zhe)s折.") % {"level": ctx.level_name, "zhe": _num(ctx.level_zhe)}))
    if ctx.member_day and ctx.member_day[1] is not None:
        offers.append((ctx.member_day[1], "member_day", ctx.member_day[0],
                       _("Member day %(name)s: %(zhe)s折.") % {"name": ctx.member_day[0], "zhe": _num(ctx.member_day[1])}))
    if ctx.birthday_zhe is not None:
        offers.append((ctx.birthday_zhe, "birthday", "birthday", _("Birthday discount %(zhe)s折.") % {"zhe": _num(ctx.birthday_zhe)}))
    if offers:
        zhe, kind, rule, why = min(offers, key=lambda o: (o[0], o[1]))
        part.step(kind, _zhe(part.unit, zhe), rule, why)


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _terms_lines(lines: list[Priced]) -> list[terms.Line]:
    return [terms.Line(p.item.sku, p.item.brand, p.item.category, p.unit, p.quantity, p.amount) for p in lines]


def _coupons(lines: list[Priced], ctx: Context, total: Decimal) -> tuple[list[dict], list[dict], dict]:
    """The coupons that pay, the ones left out (by campaign and reason, each code listed) and how the search went."""
    tl = _terms_lines(lines)
    if ctx.best_coupons:
        choice = stacking.best(ctx.coupons, tl, total=total, policy=ctx.coupon_policy, refused=ctx.coupons_refused)
    else:
        choice = stacking.given(ctx.coupons, tl, total=total, policy=ctx.coupon_policy)
    out = []
    for coupon, amount in choice.used:
        allowed = choice.allowances[coupon.code]
        if coupon.code in choice.capped:
            share = _num(ctx.coupon_policy.max_share_percent)
            why = (_("%(name)s: %(amount)s of its %(allowed)s; coupons pay at most %(share)s%% of the order.")
                   % {"name": coupon.campaign.name, "amount": amount, "allowed": allowed, "share": share})
        else:
            why = _("%(name)s: up to %(allowed)s on the goods it covers.") % {"name": coupon.campaign.name, "allowed": allowed}
        out.append({"code": terms._shown(coupon.code), "raw": coupon.code, "campaign": coupon.campaign.code,
                    "name": coupon.campaign.name, "amount": str(amount), "why": why})
    groups: dict = {}
    for coupon, reason, why in choice.left_out:
        key = (coupon.campaign.code, reason, why)
        if key not in groups:
            groups[key] = {"campaign": coupon.campaign.code, "name": coupon.campaign.name, "reason": reason, "why": why, "codes": []}
        groups[key]["codes"].append(terms._shown(coupon.code))
    left_out = sorted(groups.values(), key=lambda g: (g["campaign"], g["reason"], g["why"]))
    return out, left_out, {"steps": choice.steps, "exact": choice.exact}


def _points(ctx: Context, total: Decimal, due: Decimal) -> dict | None:
    if ctx.points_wanted == 0 or ctx.points_available <= 0 or due <= 0:
        return None
    if total < ctx.points_min_order:
        return {"points": 0, "amount": "0.00", "why": _("Points pay only from an order of %(min)s.") % {"min": ctx.points_min_order}}
    cap = min(due, quantize(total * ctx.points_max_share / 100, ROUND_DOWN))
    if ctx.points_order_cap is not None:
        cap = min(cap, ctx.points_order_cap)
    most = int(cap / ctx.value_per_point)
    points = min(ctx.points_available, most, ctx.points_wanted if ctx.points_wanted is not None else most)
    amount = quantize(points * ctx.value_per_point, ROUND_DOWN)
    return {"points": points, "amount": str(amount),
            "why": _("%(points)d points at %(value)s yuan each; at most %(share)s%% of the order%(cap)s.")
            % {"points": points, "value": _num(ctx.value_per_point), "share": _num(ctx.points_max_share),
               "cap": (_(", at most %(cap)s per order") % {"cap": ctx.points_order_cap}) if ctx.points_order_cap is not None else ""}}


def _settle(lines: list[Priced], ctx: Context) -> tuple[tuple, dict | None, Decimal]:
    total = sum((p.amount for p in lines), ZERO)
    coupons = _coupons(lines, ctx, total)
    due = total - sum((Decimal(c["amount"]) for c in coupons[0]), ZERO)
    points = _points(ctx, total, due)
    if points:
        due -= Decimal(points["amount"])
    return coupons, points, due


def quote(basket: list[BasketLine], ctx: Context) -> dict:
    lines = price_lines(basket, ctx)
    coupons, points, due = _settle(lines, ctx)
    wallet = None
    if ctx.wallet_wanted is not None and ctx.member_id is not None and due > 0:
        pct = ctx.wallet_discount_percent
        if pct > 0:
            discounted = [replace(p, steps=list(p.steps)) for p in lines]
            for p in discounted:
                p.step("stored_value_discount", p.unit * (100 - pct) / 100, "stored_value",
                       _("Paying all by stored value: %(pct)s%% off.") % {"pct": _num(pct)})
            d_coupons, d_points, d_due = _settle(discounted, ctx)
            if d_due <= min(ctx.wallet_balance, ctx.wallet_wanted):
                lines, coupons, points, due = discounted, d_coupons, d_points, d_due
        pay = min(due, ctx.wallet_balance, ctx.wallet_wanted)
        if pay > 0:
            wallet = {"amount": str(pay), "balance_after": str(ctx.wallet_balance - pay)}
            due -= pay
    total_list = sum((b.unit_price * b.quantity for b in basket), ZERO)
    total = sum((p.amount for p in lines), ZERO)
    return {
        "lines": [{"line_no": i, "basket_line": p.line_no, "sku": p.item.sku, "name": p.item.name, "brand": p.item.brand,
                   "category": p.item.category, "quantity": p.quantity, "list_unit_price": str(p.item.unit_price),
                   "unit_price": str(p.unit), "amount": str(p.amount), "special": p.special, "adjustments": p.steps}
                  for i, p in enumerate(lines, start=1)],
        "total_list": str(total_list), "discounts": str(total - total_list), "total": str(total),
        "coupons": [{k: v for k, v in c.items() if k != "raw"} for c in coupons[0]], "coupons_left_out": coupons[1],
        "points": points, "stored_value": wallet, "to_pay": str(due),
        "points_multiplier": str(ctx.member_day[2]) if ctx.member_day and ctx.member_day[2] is not None else None,
        "_coupon_codes": [c["raw"] for c in coupons[0]], "_coupon_search": coupons[2],
    }
