"""HQ configuration of the points programme (issue 3 §6): earn rules, the points policy (expiry,
what earns), the redemption catalogue. Re-exported by points.services.

Raw input from any entry point (console form, JSON) is read with core.parsing; every refusal is a
ValidationFailed with per-field messages and writes nothing. Each change records an audit event.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, require
from vipdesk.audit.services import event_record
from vipdesk.core import parsing
from vipdesk.core.errors import ValidationFailed
from vipdesk.org.models import Store
from vipdesk.tiers.models import Level

from .choices import BonusAction, DebtPolicy, ExpiryKind, ItemKind, LimitPeriod, RuleKind
from .ledger import policy
from .models import EarnRule, PointsPolicy, RedemptionItem
from .fulfilment import ADAPTERS


def _require_config(actor) -> None:
    require(actor, Action.LOYALTY_CONFIG, _("Only HQ may change the points configuration."), system=False)


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
        # A partner's spend may earn by its amount (yuan per point) instead of a fixed bonus (points.bonuses).
        rate = None
        if clean["action"] == BonusAction.PARTNER:
            rate = parsing.decimal(data.get("yuan_per_point"), "yuan_per_point", problems, places=2, positive=True,
                                   required=False, maximum=Decimal("100000"))
            clean["yuan_per_point"] = rate
        clean["bonus_points"] = parsing.whole(data.get("bonus_points"), "bonus_points", problems, minimum=1, maximum=1_000_000,
                                              required=rate is None) or 0
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


# What earns besides money paid at the till (rules.TENDER_POLICY), in the order the console lists them.
EARNING_FIELDS = ("earn_on_stored_value_principal", "earn_on_stored_value_bonus", "earn_on_coupon_paid", "earn_on_points_paid")
POLICY_FIELDS = ("expiry_kind", "expiry_n", "clearing_month", "clearing_day", "clearing_years_after", "pending_days",
                 "same_day_redeemable", "debt_policy", "value_per_point", *EARNING_FIELDS)


@transaction.atomic
def points_policy_save(*, actor, data: dict) -> PointsPolicy:
    """Change the points policy (R5.2–R5.4). New expiry settings apply to points earned from now on;
    lots already earned keep the expiry date they were given. What earns (EARNING_FIELDS) applies to
    sales posted from now on; a return takes back what its receipt earned when it was posted."""
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
    for key in EARNING_FIELDS:  # a caller that does not mention one leaves it as it is
        if key in data:
            clean[key] = parsing.flag(data.get(key))
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
