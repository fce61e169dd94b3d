"""Setting up member prices, member specials, member days, promotions and the pricing policy (HQ).

Raw input from any entry point (console form, API, scripts) is parsed here with core.parsing, so all
are refused with the same per-field words; every change needs Action.PRICING_CONFIG and is recorded
with event_record. A row may be changed or switched off; it is never deleted (quotes and the specials'
takes refer to what applied when they were made).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, require
from vipdesk.audit.services import event_record
from vipdesk.core import parsing
# The campaigns' readers of code lists ("SA01, SB01" or a JSON list) and their existence checks:
# one way to type a list of stores or levels across the HQ screens.
from vipdesk.coupons.campaigns import _levels, _stores, _words

from .models import MemberDay, MemberPrice, PricingPolicy, Promotion, Special
from .selectors import policy

ZHE_MAX = Decimal("9.99")


def require_config(actor) -> None:
    require(actor, Action.PRICING_CONFIG, _("Only HQ may set up member prices, specials, member days and promotions."))


def _str(value):
    return str(value) if isinstance(value, Decimal) else value


def _plain(value):
    if isinstance(value, (Decimal, dt.date)):
        return str(value)
    return value


def _flag(data: dict, key: str, default: bool) -> bool:
    return parsing.flag(data[key]) if key in data and data[key] is not None else default


def _zhe(value, key: str, problems: parsing.Problems, *, required: bool = False) -> Decimal | None:
    """折 as the customer reads it: 8.5 = pay 85 %; more than 0, less than 10."""
    return parsing.decimal(_str(value), key, problems, places=2, positive=True, required=required, maximum=ZHE_MAX)


def _window(data: dict, problems: parsing.Problems) -> dict:
    get = data.get
    clean = {
        "starts_on": parsing.day(get("starts_on"), "starts_on", problems),
        "ends_on": parsing.day(get("ends_on"), "ends_on", problems),
        "store_codes": _words(get("store_codes"), "store_codes", problems, limit=20),
        "level_codes": _words(get("level_codes"), "level_codes", problems, limit=20),
        "active": _flag(data, "active", True),
    }
    _stores(clean["store_codes"], "store_codes", problems)
    _levels(clean["level_codes"], "level_codes", problems)
    if clean["starts_on"] and clean["ends_on"] and clean["ends_on"] < clean["starts_on"]:
        problems.add("ends_on", _("The end date cannot be before the start date."))
    return clean


def _days(value, key: str, problems: parsing.Problems, *, top: int) -> list[int]:
    """Weekdays (1–7) or days of the month (1–31), from a list or "3, 13, 23"."""
    out = []
    for word in _words(value, key, problems, limit=2):
        number = parsing.whole(word, key, problems, minimum=1, maximum=top)
        if number is not None and number not in out:
            out.append(number)
    return sorted(out)


def _save(model, *, actor, clean: dict, row, noun: str):
    if row is None:
        row = model.objects.create(**clean)
        verb = f"pricing.{noun}_create"
    else:
        row = model.objects.select_for_update().get(pk=row.pk)
        for key, value in clean.items():
            setattr(row, key, value)
        row.save()
        verb = f"pricing.{noun}_change"
    event_record(actor=actor, verb=verb, obj=row, payload={k: _plain(v) for k, v in clean.items()})
    return row


# ---- member prices (会员价) --------------------------------------------------------------------

@transaction.atomic
def member_price_save(*, actor, data: dict, row: MemberPrice | None = None) -> MemberPrice:
    """{"sku", "price", "level_codes", "store_codes", "starts_on", "ends_on", "active"}."""
    require_config(actor)
    problems = parsing.Problems()
    clean = {
        "sku": parsing.text(data.get("sku"), "sku", problems, limit=40, required=True),
        "price": parsing.money(_str(data.get("price")), "price", problems, positive=True),
        **_window(data, problems),
    }
    problems.raise_if_any()
    return _save(MemberPrice, actor=actor, clean=clean, row=row, noun="member_price")


# ---- member specials (会员特价) -----------------------------------------------------------------

@transaction.atomic
def special_save(*, actor, data: dict, row: Special | None = None) -> Special:
    """{"code", "name", "sku", "price", "per_card" (1), "per_day" (100), window…}. A change of
    `per_day` counts from the next day: a day already started keeps the cap it started with."""
    require_config(actor)
    problems = parsing.Problems()
    clean = {
        "code": parsing.text(data.get("code"), "code", problems, limit=30, required=True),
        "name": parsing.text(data.get("name"), "name", problems, limit=60, required=True),
        "sku": parsing.text(data.get("sku"), "sku", problems, limit=40, required=True),
        "price": parsing.money(_str(data.get("price")), "price", problems, positive=True),
        "per_card": parsing.whole(data.get("per_card") or 1, "per_card", problems, minimum=1, maximum=1_000_000),
        "per_day": parsing.whole(data.get("per_day") or 100, "per_day", problems, minimum=1, maximum=10_000_000),
        **_window(data, problems),
    }
    if clean["code"] and Special.objects.filter(code=clean["code"]).exclude(pk=getattr(row, "pk", None)).exists():
        problems.add("code", _("Another special has this code."))
    problems.raise_if_any()
    return _save(Special, actor=actor, clean=clean, row=row, noun="special")


# ---- member days (会员日) -----------------------------------------------------------------------

@transaction.atomic
def member_day_save(*, actor, data: dict, row: MemberDay | None = None) -> MemberDay:
    """{"name", "weekdays" (1 = Monday), "month_days", "discount_zhe", "points_multiplier", window…}:
    every Wednesday is weekdays [3]; 逢3 (3, 13, 23) is month_days [3, 13, 23]."""
    require_config(actor)
    problems = parsing.Problems()
    multiplier = parsing.decimal(_str(data.get("points_multiplier")), "points_multiplier", problems, places=2, required=False,
                                 maximum=Decimal("99.99"))
    if multiplier is not None and multiplier < 1:
        problems.add("points_multiplier", _("A points multiplier is at least 1 (2 = double points)."))
    clean = {
        "name": parsing.text(data.get("name"), "name", problems, limit=60, required=True),
        "weekdays": _days(data.get("weekdays"), "weekdays", problems, top=7),
        "month_days": _days(data.get("month_days"), "month_days", problems, top=31),
        "discount_zhe": _zhe(data.get("discount_zhe"), "discount_zhe", problems),
        "points_multiplier": multiplier,
        **_window(data, problems),
    }
    if not problems and not (clean["weekdays"] or clean["month_days"]):
        problems.add("weekdays", _("Give the weekdays or the days of the month it falls on."))
    if not problems and clean["discount_zhe"] is None and clean["points_multiplier"] is None:
        problems.add("discount_zhe", _("Give a discount (折), a points multiplier, or both."))
    problems.raise_if_any()
    return _save(MemberDay, actor=actor, clean=clean, row=row, noun="member_day")


# ---- promotions (促销活动) ----------------------------------------------------------------------

@transaction.atomic
def promotion_save(*, actor, data: dict, row: Promotion | None = None) -> Promotion:
    """{"name", "suspend_level_discount" (true), window…}. 003 篇9: during the event the VIP card's
    discount stops while points keep accruing; a promotion needs its dates."""
    require_config(actor)
    problems = parsing.Problems()
    clean = {
        "name": parsing.text(data.get("name"), "name", problems, limit=60, required=True),
        "suspend_level_discount": _flag(data, "suspend_level_discount", True),
        **_window(data, problems),
    }
    if clean["starts_on"] is None and "starts_on" not in problems.fields:
        problems.add("starts_on", _("Give the first day of the promotion."))
    if clean["ends_on"] is None and "ends_on" not in problems.fields:
        problems.add("ends_on", _("Give the last day of the promotion."))
    problems.raise_if_any()
    return _save(Promotion, actor=actor, clean=clean, row=row, noun="promotion")


# ---- on / off ---------------------------------------------------------------------------------

NOUNS = {MemberPrice: "member_price", Special: "special", MemberDay: "member_day", Promotion: "promotion"}


@transaction.atomic
def pricing_set_active(*, actor, row, active: bool):
    """Switch a member price, special, member day or promotion on or off."""
    require_config(actor)
    model = type(row)
    row = model.objects.select_for_update().get(pk=row.pk)
    if row.active != active:
        row.active = active
        row.save(update_fields=["active"])
        event_record(actor=actor, verb=f"pricing.{NOUNS[model]}_{'activate' if active else 'deactivate'}", obj=row, payload={})
    return row


# ---- the pricing policy (价格政策) ---------------------------------------------------------------

POLICY_FIELDS = ("birthday_discount_zhe", "points_offset_order_cap", "points_offset_max_share", "points_offset_min_order",
                 "quote_minutes")


@transaction.atomic
def pricing_policy_save(*, actor, data: dict) -> PricingPolicy:
    """Change the pricing policy; keys not given keep their value. An empty birthday discount or
    order cap means none."""
    require_config(actor)
    policy()
    pol = PricingPolicy.objects.select_for_update().get(code="default")
    problems = parsing.Problems()
    before = {k: getattr(pol, k) for k in POLICY_FIELDS}
    clean = dict(before)
    if "birthday_discount_zhe" in data:
        clean["birthday_discount_zhe"] = _zhe(data["birthday_discount_zhe"], "birthday_discount_zhe", problems)
    if "points_offset_order_cap" in data:
        clean["points_offset_order_cap"] = parsing.money(_str(data["points_offset_order_cap"]), "points_offset_order_cap", problems,
                                                         required=False)
    if "points_offset_max_share" in data:
        clean["points_offset_max_share"] = parsing.decimal(_str(data["points_offset_max_share"]), "points_offset_max_share",
                                                           problems, places=2, maximum=Decimal("100"))
    if "points_offset_min_order" in data:
        clean["points_offset_min_order"] = parsing.money(_str(data["points_offset_min_order"]), "points_offset_min_order", problems)
    if "quote_minutes" in data:
        clean["quote_minutes"] = parsing.whole(data["quote_minutes"], "quote_minutes", problems, minimum=1, maximum=24 * 60)
    problems.raise_if_any()
    for key, value in clean.items():
        setattr(pol, key, value)
    pol.save(update_fields=[*POLICY_FIELDS, "updated_at"])
    event_record(actor=actor, verb="pricing.policy_update", obj=pol,
                 payload={"before": {k: _plain(v) for k, v in before.items()}, "after": {k: _plain(v) for k, v in clean.items()}})
    return pol
