"""The checkout quote (R7.4) and its commit, member specials under concurrent tills.

`quote_create` loads what applies to the member here and today, runs the pure engine and keeps the
answer (Quote) for `PricingPolicy.quote_minutes`. `till.quotes.quote_commit` turns it into a sale through the
sales service, in one transaction: special quotas taken, coupons used, points spent, stored value
debited, points earned, coupons issued — or, on any refusal, nothing at all.

Specials: the day's pieces are counted in SpecialDay (row lock + CHECK sold ≤ cap), the card's in
SpecialTake, read under the same lock; so 20 tills racing for a one-per-card special sell one.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.core import clock, confcache, limits, parsing
from vipdesk.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from vipdesk.core.models import locked_row
from vipdesk.core.sql import model_table
from vipdesk.core.money import format_money
from vipdesk.members.disclosure import member_in_scope
from vipdesk.members.identification import identify_member, member_ref
from vipdesk.org.scoping import posting_store
from vipdesk.tiers.models import Benefit, MemberTier
from vipdesk.tiers.programme import loaded_active
from vipdesk.coupons.models import Coupon
from vipdesk.coupons.services import coupons_check_given, normalise_code
from vipdesk.coupons.terms import CouponRefused, check_usable
from vipdesk.coupons.campaigns import coupon_policy
from vipdesk.coupons.stacking import Policy
from vipdesk.points.services import points_redeemable_today, policy as points_policy
from vipdesk.wallet.models import WalletAccount
from vipdesk.wallet.ledger import policy as wallet_policy

from . import engine, selectors
from .models import Quote, QuoteStatus, Special, SpecialDay, SpecialTake

MAX_LINES = limits.QUOTE_LINES_MAX
# The keys of a basket line (_basket reads no others; the API refuses any other key, issue 13 §8).
LINE_KEYS = ("sku", "name", "brand", "category", "unit_price", "quantity")


class QuoteError(DomainError):
    status = 409


# ---- specials --------------------------------------------------------------------------------

def _card_no(member, card) -> str:
    return card.number if card is not None else member.member_no


def special_left(special: Special, *, card_no: str, on: dt.date) -> int:
    day = SpecialDay.objects.filter(special=special, date=on).values_list("cap", "sold").first()
    day_left = (day[0] - day[1]) if day else special.per_day
    taken = SpecialTake.objects.filter(special=special, card_no=card_no).aggregate(n=Sum("quantity"))["n"] or 0
    return max(min(special.per_card - taken, day_left), 0)


def specials_left(specials: list[Special], *, card_no: str, on: dt.date) -> dict[int, int]:
    """`special_left` of several specials with one statement: {special id: pieces left for the card today}."""
    if not specials:
        return {}
    day, take = model_table(SpecialDay), model_table(SpecialTake)
    marks = ", ".join(["%s"] * len(specials))
    sql = (f"SELECT s.id, (SELECT d.cap - d.sold FROM {day} d WHERE d.special_id = s.id AND d.date = %s),"
           f" (SELECT SUM(t.quantity) FROM {take} t WHERE t.special_id = s.id AND t.card_no = %s)"
           f" FROM {model_table(Special)} s WHERE s.id IN ({marks})")
    with connection.cursor() as cursor:
        cursor.execute(sql, [on, card_no, *[s.pk for s in specials]])
        found = {pk: (day_left, taken or 0) for pk, day_left, taken in cursor.fetchall()}
    out = {}
    for s in specials:
        day_left, taken = found.get(s.pk, (None, 0))
        out[s.pk] = max(min(s.per_card - int(taken), s.per_day if day_left is None else int(day_left)), 0)
    return out


def special_take(*, special: Special, member, card_no: str, on: dt.date, quantity: int, sale) -> SpecialTake:
    """Take `quantity` pieces for a card (inside the sale's transaction). Refused when the card's
    quota or the day's cap is used up by then."""
    day = locked_row(SpecialDay, special=special, date=on, defaults={"cap": special.per_day})
    taken = SpecialTake.objects.filter(special=special, card_no=card_no).aggregate(n=Sum("quantity"))["n"] or 0
    if taken + quantity > special.per_card:
        raise QuoteError(_("%(name)s: at most %(n)d per card.") % {"name": special.name, "n": special.per_card}, code="special_card_quota")
    if day.sold + quantity > day.cap:
        raise QuoteError(_("%(name)s: today's %(n)d are sold out.") % {"name": special.name, "n": day.cap}, code="special_sold_out")
    SpecialDay.objects.filter(pk=day.pk, sold=day.sold).update(sold=day.sold + quantity)
    return SpecialTake.objects.create(special=special, member=member, card_no=card_no, business_date=on, quantity=quantity, sale=sale)


# ---- the quote -------------------------------------------------------------------------------

def _basket(data, problems: parsing.Problems) -> list[engine.BasketLine]:
    raw = data.get("lines")
    if not isinstance(raw, list) or not raw:
        problems.add("lines", _("Give at least one line."))
        return []
    if len(raw) > MAX_LINES:
        problems.add("lines", _("At most %(n)d lines.") % {"n": MAX_LINES})
        return []
    out = []
    for i, line in enumerate(raw):
        where = f"lines.{i}"
        if not isinstance(line, dict):
            problems.add(where, _("Must be an object."))
            continue
        price = parsing.money(_str(line.get("unit_price")), f"{where}.unit_price", problems)
        qty = parsing.whole(line.get("quantity"), f"{where}.quantity", problems, minimum=1, maximum=limits.LINE_QUANTITY_MAX)
        out.append(engine.BasketLine(
            sku=parsing.text(line.get("sku"), f"{where}.sku", problems, limit=40, required=True), unit_price=price or Decimal("0"),
            quantity=qty or 1, name=parsing.text(line.get("name"), f"{where}.name", problems, limit=100),
            brand=parsing.text(line.get("brand"), f"{where}.brand", problems, limit=60),
            category=parsing.text(line.get("category"), f"{where}.category", problems, limit=60)))
    if sum((b.unit_price * b.quantity for b in out), Decimal("0")) > limits.RECEIPT_AMOUNT_MAX:
        problems.add("lines", _("At most %(max)s per receipt.") % {"max": format_money(limits.RECEIPT_AMOUNT_MAX)})
    return out


def _str(value):
    return str(value) if isinstance(value, Decimal) else value


def _level(member):
    if member is None:
        return None, None
    loaded = loaded_active()  # the programme as kept per process (core.confcache): its levels and benefits, no read
    row = MemberTier.objects.filter(pk=member.pk).values_list("level_id", "programme_id").first()
    if row is None or row[0] is None:
        return None, None
    level = None
    if loaded is not None and row[1] == loaded.programme.pk:
        level = next((lv for lv in loaded.levels.values() if lv.pk == row[0]), None)
    if level is not None:
        discounts = [b for b in level.benefits.all() if b.code == "discount"]
        return level, (discounts[0].value if discounts else None)
    return _level_read(member)


def _level_read(member):
    """A member whose tier row is of another programme than the active one: her level read as it is."""
    from django.db.models import Prefetch

    row = (MemberTier.objects.select_related("level").filter(member=member)
           .prefetch_related(Prefetch("level__benefits", queryset=Benefit.objects.filter(code="discount"), to_attr="discounts")).first())
    level = row.level if row else None
    if level is None:
        return None, None
    return level, (level.discounts[0].value if level.discounts else None)


def _is_birthday(member, on: dt.date) -> bool:
    b = member.birthday
    if b is None:
        return False
    if (b.month, b.day) == (2, 29) and not _leap(on.year):
        return (on.month, on.day) == (2, 28)
    return (b.month, b.day) == (on.month, on.day)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _given_coupons(codes: list[str]) -> list:
    """The coupons given, in the order given, with one query."""
    wanted = [normalise_code(c) for c in codes]
    if len(set(wanted)) != len(wanted):
        raise CouponRefused(_("The same coupon is given twice."), code="coupon_duplicate")
    found = {c.code: c for c in Coupon.objects.select_related("campaign").filter(code__in=wanted)}
    for raw, code in zip(codes, wanted):
        if code not in found:
            raise CouponRefused(_("No coupon with code %(code)s.") % {"code": raw}, code="coupon_not_found")
    return [found[c] for c in wanted]


def build_context(*, store, member, card, basket, on: dt.date, coupons=None, points=None, stored_value=None,
                  policy=None, given=None) -> engine.Context:
    """What applies to the quote. `given`: the coupons of the list `coupons`, already read in that
    order by `coupons_check_given` (not read again)."""
    from vipdesk.coupons.models import Campaign, Coupon
    level, level_zhe = _level(member)
    level_code = level.code if level else None
    pol = policy or selectors.policy()
    skus = {b.sku for b in basket}
    ctx = engine.Context(on=on, store_code=store.code, member_id=member.pk if member else None, level_code=level_code,
                         level_name=level.name if level else "", level_zhe=level_zhe, coupon_policy=Policy.of(coupon_policy()))
    if member is None:
        if coupons not in (None, "best"):
            ctx.coupons = given if given is not None else _given_coupons(coupons)
            for c in ctx.coupons:
                check_usable(c, member_id=None, store_code=store.code, level_code=None, on=on)
        return ctx
    ctx.member_prices = selectors.member_prices(skus, store_code=store.code, on=on, level_code=level_code)
    card_no = _card_no(member, card)
    offered = selectors.specials(skus, store_code=store.code, on=on, level_code=level_code)
    left = specials_left(offered, card_no=card_no, on=on)
    ctx.specials = {s.sku: engine.Offer(s.code, s.name, s.price, left[s.pk]) for s in reversed(offered)}
    day = selectors.member_day(store_code=store.code, on=on, level_code=level_code)
    if day is not None:
        ctx.member_day = (day.name, day.discount_zhe, day.points_multiplier)
    promo = selectors.suspending_promotion(store_code=store.code, on=on, level_code=level_code)
    ctx.promotion = promo.name if promo else None
    if pol.birthday_discount_zhe is not None and _is_birthday(member, on):
        ctx.birthday_zhe = pol.birthday_discount_zhe
    if coupons == "best":
        ctx.best_coupons = True
        candidates, refused = [], []
        held = list(Coupon.objects.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on), member=member, status="issued")
                    .only("code", "campaign_id", "member_id", "status", "face_value", "valid_from", "valid_until").order_by("code"))
        # a member may hold hundreds of coupons of a few campaigns: each campaign is read once and shared
        campaigns = Campaign.objects.in_bulk({c.campaign_id for c in held})
        for c in held:
            c.campaign = campaigns[c.campaign_id]
            try:
                check_usable(c, member_id=member.pk, store_code=store.code, level_code=level_code, on=on)
            except DomainError as exc:
                refused.append((c, exc.code, exc.message))
                continue
            candidates.append(c)
        ctx.coupons, ctx.coupons_refused = candidates, refused
    elif coupons:
        ctx.coupons = given if given is not None else _given_coupons(coupons)
        for c in ctx.coupons:
            check_usable(c, member_id=member.pk, store_code=store.code, level_code=level_code, on=on)
    ppol = points_policy()
    ctx.value_per_point = ppol.value_per_point
    ctx.points_available = points_redeemable_today(member.pk, on=on) if points is not None else 0
    ctx.points_wanted = None if points == "max" else (points or 0)
    ctx.points_order_cap, ctx.points_max_share, ctx.points_min_order = (pol.points_offset_order_cap, pol.points_offset_max_share,
                                                                        pol.points_offset_min_order)
    if stored_value is not None:
        held = WalletAccount.objects.filter(member_id=member.pk).values_list("principal", "bonus").first() or (Decimal("0"), Decimal("0"))
        ctx.wallet_balance = held[0] + held[1]
        ctx.wallet_wanted = ctx.wallet_balance if stored_value == "max" else stored_value
        ctx.wallet_discount_percent = wallet_policy().extra_discount_percent
    return ctx


def _options(data, problems):
    coupons = data.get("coupons")
    if coupons not in (None, "best") and not (isinstance(coupons, list) and all(isinstance(c, str) for c in coupons)):
        problems.add("coupons", _('Give a list of coupon codes, or "best".'))
        coupons = None
    if isinstance(coupons, list) and len(coupons) > 10:
        problems.add("coupons", _("At most %(n)d coupons.") % {"n": 10})
    points = data.get("points")
    if points not in (None, "max"):
        points = parsing.whole(points, "points", problems, minimum=0, maximum=10**9)
    wallet = data.get("stored_value")
    if wallet not in (None, "max"):
        wallet = parsing.money(_str(wallet), "stored_value", problems, positive=True)
    return coupons, points, wallet


@confcache.snapshot()  # the configuration's versions read once for the quote
def quote_create(*, actor, data: dict) -> dict:
    if not isinstance(data, dict):
        raise ValidationFailed(_("Send a JSON object."))
    store = posting_store(actor, data.get("store"))
    if store is None:
        raise ValidationFailed(_("Give the store code."), fields={"store": _("Give the store code.")})
    problems = parsing.Problems()
    ref = member_ref(data.get("member"), problems) if data.get("member") else {}
    basket = _basket(data, problems)
    coupons, points, wallet = _options(data, problems)
    problems.raise_if_any()
    if (points or wallet) and not ref:
        raise ValidationFailed(_("Points and stored value need an identified member."), fields={"member": _("Identify the member.")})
    on = clock.today(store)
    given = None
    if isinstance(coupons, list) and coupons:
        # The request before the member (issue 13 §12): a coupon refused for itself reads the same for a member and a stranger.
        given = coupons_check_given(coupons, store_code=store.code, on=on)
    member, card, _how = identify_member(ref, actor=actor, store=store)
    pol = selectors.policy()
    ctx = build_context(store=store, member=member, card=card, basket=basket, on=on, coupons=coupons, points=points, stored_value=wallet,
                        policy=pol, given=given)
    result = engine.quote(basket, ctx)
    if result["stored_value"] and not member_in_scope(actor, member):
        # Another store's till is told what the stored value pays on this basket, not what is left.
        del result["stored_value"]["balance_after"]
    quote = Quote.objects.create(store=store, member=member, card_no=_card_no(member, card) if member else "", identified_by=ref,
                                 business_date=on, expires_at=timezone.now() + dt.timedelta(minutes=pol.quote_minutes), result=result)
    return quote_out(quote)


def quote_out(quote: Quote) -> dict:
    shown = {k: v for k, v in quote.result.items() if not k.startswith("_")}
    return {"id": str(quote.pk), "store": quote.store.code, "member": quote.member.member_no if quote.member_id else None,
            "business_date": quote.business_date.isoformat(), "expires_at": quote.expires_at.isoformat(), "status": quote.status,
            **shown}


def quote_id(raw: str):
    import uuid

    try:
        return uuid.UUID(raw)
    except ValueError:
        raise NotFound(_("No such quote."), code="quote_not_found") from None
