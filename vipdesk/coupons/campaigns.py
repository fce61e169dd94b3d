"""Setting up coupon campaigns and issuance rules (HQ). Raw input from any entry point — console
form, API, `init`, the demo — is parsed here, so all are refused with the same words."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, require
from vipdesk.audit.services import event_record
from vipdesk.core import confcache, parsing
from vipdesk.org.models import Store
from vipdesk.tiers.models import Level
from vipdesk.sales.choices import PaymentMethod
from vipdesk.accounts.models import Staff

from .choices import MAX_COUPONS_PER_ORDER, MONEY_METHODS, CombinesWith, CouponKind, GoodsScope, Trigger, UsedCouponOnReturn
from .models import Campaign, CouponPolicy, IssuanceRule

MAX_LIST = 500
# A B券 with no goods per coupon given needs five times its face value (003 篇9: one ¥60 per ¥300).
GIFT_GOODS_PER_FACE = 5


def require_config(actor) -> None:
    require(actor, Action.COUPON_CONFIG, _("Only HQ may set up coupon campaigns."))


def _words(value, key: str, problems: parsing.Problems, *, limit: int = 60) -> list[str]:
    """A list of short codes from a list or a comma/newline separated text (console textarea)."""
    if parsing.blank(value):
        return []
    if isinstance(value, str):
        value = [v for part in value.replace("，", ",").splitlines() for v in part.split(",")]
    if not isinstance(value, (list, tuple)):
        problems.add(key, _("Give a list."))
        return []
    out = []
    for item in value:
        word = str(item).strip()
        if not word:
            continue
        if len(word) > limit:
            problems.add(key, _("At most %(n)d characters each.") % {"n": limit})
            return []
        if word not in out:
            out.append(word)
    if len(out) > MAX_LIST:
        problems.add(key, _("At most %(n)d entries.") % {"n": MAX_LIST})
    return out


def _dates(value, key: str, problems: parsing.Problems) -> list[str]:
    out = []
    for word in _words(value, key, problems, limit=10):
        day = parsing.day(word, key, problems)
        if day is not None:
            out.append(day.isoformat())
    return sorted(out)


def _stores(codes: list[str], key: str, problems: parsing.Problems) -> list[str]:
    known = set(Store.objects.filter(code__in=codes).values_list("code", flat=True))
    for code in codes:
        if code not in known:
            problems.add(key, _("No store with code %(code)s.") % {"code": code})
    return codes


def _levels(codes: list[str], key: str, problems: parsing.Problems) -> list[str]:
    known = set(Level.objects.filter(code__in=codes).values_list("code", flat=True))
    for code in codes:
        if code not in known:
            problems.add(key, _("No tier level with code %(code)s.") % {"code": code})
    return codes


def _flag(data: dict, key: str, default: bool) -> bool:
    return parsing.flag(data[key]) if key in data and data[key] is not None else default


# The keys a campaign and a rule take (clean_campaign, clean_rule read no others); the API refuses any other
# key with 400 unknown_field (issue 13 §8), so a new setting must be added here as well.
CAMPAIGN_KEYS = ("code", "name", "kind", "face_value", "discount_zhe", "max_discount", "threshold", "exchange_sku",
                 "goods_scope", "scope_skus", "scope_brands", "scope_categories", "store_codes", "level_codes",
                 "valid_from", "valid_until", "valid_days", "blackout_dates", "per_member_limit", "total_limit",
                 "stackable", "combines_with", "max_per_order", "spend_per_coupon", "mall_share_percent", "active")
RULE_KEYS = ("campaign", "name", "trigger", "step_amount", "coupons_per_step", "accumulate_daily", "paid_methods",
             "excluded_categories", "excluded_brands", "store_codes", "level_codes", "days_before", "starts_on",
             "ends_on", "used_on_return", "active")


def clean_campaign(data: dict, *, current: Campaign | None = None) -> dict:
    problems = parsing.Problems()
    get = data.get
    kind = parsing.choice(get("kind"), "kind", problems, CouponKind)
    clean = {
        "code": parsing.text(get("code"), "code", problems, limit=30, required=True),
        "name": parsing.text(get("name"), "name", problems, limit=60, required=True),
        "kind": kind,
        "face_value": parsing.money(_str(get("face_value")), "face_value", problems, positive=True, required=False),
        "discount_zhe": parsing.decimal(_str(get("discount_zhe")), "discount_zhe", problems, places=2, positive=True,
                                        required=False, maximum=Decimal("9.99")),
        "max_discount": parsing.money(_str(get("max_discount")), "max_discount", problems, positive=True, required=False),
        "threshold": parsing.money(_str(get("threshold")), "threshold", problems, required=False) or Decimal("0.00"),
        "exchange_sku": parsing.text(get("exchange_sku"), "exchange_sku", problems, limit=40),
        "goods_scope": parsing.choice(get("goods_scope") or GoodsScope.ALL, "goods_scope", problems, GoodsScope),
        "scope_skus": _words(get("scope_skus"), "scope_skus", problems, limit=40),
        "scope_brands": _words(get("scope_brands"), "scope_brands", problems),
        "scope_categories": _words(get("scope_categories"), "scope_categories", problems),
        "store_codes": _words(get("store_codes"), "store_codes", problems, limit=20),
        "level_codes": _words(get("level_codes"), "level_codes", problems, limit=20),
        "valid_from": parsing.day(get("valid_from"), "valid_from", problems),
        "valid_until": parsing.day(get("valid_until"), "valid_until", problems),
        "valid_days": parsing.whole(get("valid_days"), "valid_days", problems, minimum=1, maximum=3660, required=False),
        "blackout_dates": _dates(get("blackout_dates"), "blackout_dates", problems),
        "per_member_limit": parsing.whole(get("per_member_limit"), "per_member_limit", problems, minimum=1, required=False),
        "total_limit": parsing.whole(get("total_limit"), "total_limit", problems, minimum=1, required=False),
        "combines_with": parsing.choice(_combines(data), "combines_with", problems, CombinesWith),
        "max_per_order": parsing.whole(1 if parsing.blank(get("max_per_order")) else get("max_per_order"), "max_per_order", problems,
                                       minimum=1, maximum=MAX_COUPONS_PER_ORDER),
        "spend_per_coupon": parsing.money(_str(get("spend_per_coupon")), "spend_per_coupon", problems, required=False),
        "mall_share_percent": parsing.decimal(_str(get("mall_share_percent")), "mall_share_percent", problems, places=2,
                                              required=False, maximum=Decimal("100")),
        "active": _flag(data, "active", True),
    }
    if clean["mall_share_percent"] is None:
        clean["mall_share_percent"] = Decimal("50.00") if kind == CouponKind.GIFT else Decimal("100.00")
    if clean["spend_per_coupon"] is None and "spend_per_coupon" not in problems.fields:
        face = clean["face_value"]
        clean["spend_per_coupon"] = face * GIFT_GOODS_PER_FACE if kind == CouponKind.GIFT and face else Decimal("0.00")
    if clean["combines_with"] == CombinesWith.NONE and (clean["max_per_order"] or 1) > 1:
        problems.add("max_per_order", _("A coupon that cannot be combined with other coupons goes alone: one per order."))
    if kind in (CouponKind.DISCOUNT, CouponKind.EXCHANGE) and (clean["max_per_order"] or 1) > 1:
        problems.add("max_per_order", _("A discount or exchange coupon is used one per order."))
    _stores(clean["store_codes"], "store_codes", problems)
    _levels(clean["level_codes"], "level_codes", problems)
    # what each kind needs, and nothing it cannot use
    if kind in (CouponKind.VOUCHER, CouponKind.GIFT, CouponKind.THRESHOLD) and clean["face_value"] is None:
        problems.add("face_value", _("A voucher or a spend-and-save coupon needs its face value."))
    if kind == CouponKind.THRESHOLD:
        if not clean["threshold"]:
            problems.add("threshold", _("A spend-and-save coupon needs the amount to reach (满多少)."))
        elif clean["face_value"] is not None and clean["face_value"] >= clean["threshold"]:
            problems.add("face_value", _("The reduction must be less than the amount to reach."))
    if kind == CouponKind.DISCOUNT and clean["discount_zhe"] is None and parsing.blank(get("discount_zhe")):
        problems.add("discount_zhe", _("A discount coupon needs its 折, e.g. 8.5 to pay 85 percent of the price."))
    if kind != CouponKind.DISCOUNT and clean["discount_zhe"] is not None:
        problems.add("discount_zhe", _("Only a discount coupon takes a 折."))
    if kind == CouponKind.EXCHANGE and not clean["exchange_sku"]:
        problems.add("exchange_sku", _("An exchange coupon needs the SKU of the item it gives."))
    if clean["goods_scope"] != GoodsScope.ALL and not (clean["scope_skus"] or clean["scope_brands"] or clean["scope_categories"]):
        problems.add("goods_scope", _("List the SKUs, brands or categories the scope refers to."))
    if clean["valid_until"] is None and clean["valid_days"] is None and parsing.blank(get("valid_days")) and parsing.blank(get("valid_until")):
        problems.add("valid_until", _("Give an end date or a number of days after issue."))
    if clean["valid_until"] is not None and clean["valid_days"] is not None:
        problems.add("valid_days", _("Give an end date or a number of days after issue, not both."))
    if clean["valid_from"] and clean["valid_until"] and clean["valid_until"] < clean["valid_from"]:
        problems.add("valid_until", _("The end date cannot be before the start date."))
    if current is not None and clean["total_limit"] is not None and clean["total_limit"] < current.issued_count:
        problems.add("total_limit", _("%(n)d coupons were already issued.") % {"n": current.issued_count})
    if Campaign.objects.filter(code=clean["code"]).exclude(pk=getattr(current, "pk", None)).exists():
        problems.add("code", _("Another campaign has this code."))
    problems.raise_if_any()
    return clean


def _str(value):
    return str(value) if isinstance(value, Decimal) else value


def _combines(data: dict):
    """`combines_with`; the former yes/no `stackable` still reads (yes: any coupon, no: none)."""
    if parsing.blank(data.get("combines_with")) and data.get("stackable") is not None:
        return CombinesWith.ANY if parsing.flag(data["stackable"]) else CombinesWith.NONE
    return CombinesWith.NONE if parsing.blank(data.get("combines_with")) else data["combines_with"]


@transaction.atomic
def campaign_save(*, actor, data: dict, campaign: Campaign | None = None) -> Campaign:
    """Create a campaign, or change one. A campaign with coupons out keeps its kind and values:
    coupons already issued carry their own face value and dates, but their meaning must not change."""
    require_config(actor)
    current = Campaign.objects.select_for_update().get(pk=campaign.pk) if campaign is not None else None
    clean = clean_campaign(data, current=current)
    if current is not None and current.issued_count:
        for key in ("kind", "face_value", "discount_zhe", "exchange_sku"):
            if clean[key] != getattr(current, key):
                parsing_problems = parsing.Problems()
                parsing_problems.add(key, _("Coupons of this campaign are out; create a new campaign instead."))
                parsing_problems.raise_if_any()
    if current is None:
        current = Campaign.objects.create(created_by=_staff(actor), **clean)
        verb = "coupon.campaign_create"
    else:
        for key, value in clean.items():
            setattr(current, key, value)
        current.save()
        verb = "coupon.campaign_change"
    event_record(actor=actor, verb=verb, obj=current, payload={k: _plain(v) for k, v in clean.items()})
    return current


# ---- the order's limits on coupons (用券规则) ------------------------------------------------------

COUPON_POLICY_FIELDS = ("max_coupons_per_order", "max_share_percent")


def coupon_policy() -> CouponPolicy:
    """The policy in force; before HQ first saves one, the defaults (an unsaved row: reading writes nothing)."""
    kept = confcache.cached("coupons", "policy", lambda: CouponPolicy.objects.filter(code="default").first() or CouponPolicy(code="default"))
    return confcache.fresh_copy(kept)


@transaction.atomic
def coupon_policy_save(*, actor, data: dict) -> CouponPolicy:
    """{"max_coupons_per_order" (1–20), "max_share_percent" (more than 0, at most 100)}; keys not
    given keep their value. HQ only, recorded with the values before and after."""
    require_config(actor)
    CouponPolicy.objects.get_or_create(code="default")
    pol = CouponPolicy.objects.select_for_update().get(code="default")
    problems = parsing.Problems()
    before = {k: getattr(pol, k) for k in COUPON_POLICY_FIELDS}
    clean = dict(before)
    if "max_coupons_per_order" in data:
        clean["max_coupons_per_order"] = parsing.whole(data["max_coupons_per_order"], "max_coupons_per_order", problems, minimum=1,
                                                       maximum=MAX_COUPONS_PER_ORDER)
    if "max_share_percent" in data:
        clean["max_share_percent"] = parsing.decimal(_str(data["max_share_percent"]), "max_share_percent", problems, places=2,
                                                     positive=True, maximum=Decimal("100"))
    problems.raise_if_any()
    for key, value in clean.items():
        setattr(pol, key, value)
    pol.save(update_fields=[*COUPON_POLICY_FIELDS, "updated_at"])
    event_record(actor=actor, verb="coupon.policy_update", obj=pol,
                 payload={"before": {k: _plain(v) for k, v in before.items()}, "after": {k: _plain(v) for k, v in clean.items()}})
    return pol


def clean_rule(data: dict) -> dict:
    problems = parsing.Problems()
    get = data.get
    campaign = None
    if parsing.blank(get("campaign")):
        problems.add("campaign", _("This field is required."))
    else:
        key = "pk" if str(get("campaign")).isascii() and str(get("campaign")).isdigit() else "code"
        campaign = Campaign.objects.filter(**{key: get("campaign")}).first()
        if campaign is None:
            problems.add("campaign", _("No such campaign."))
    trigger = parsing.choice(get("trigger"), "trigger", problems, Trigger)
    clean = {
        "campaign": campaign,
        "name": parsing.text(get("name"), "name", problems, limit=60),
        "trigger": trigger,
        "step_amount": parsing.money(_str(get("step_amount")), "step_amount", problems, positive=True, required=trigger == Trigger.SALE),
        "coupons_per_step": parsing.whole(get("coupons_per_step") or 1, "coupons_per_step", problems, minimum=1, maximum=100),
        "accumulate_daily": _flag(data, "accumulate_daily", True),
        "paid_methods": _words(get("paid_methods"), "paid_methods", problems, limit=20) or list(MONEY_METHODS),
        "excluded_categories": _words(get("excluded_categories"), "excluded_categories", problems),
        "excluded_brands": _words(get("excluded_brands"), "excluded_brands", problems),
        "store_codes": _words(get("store_codes"), "store_codes", problems, limit=20),
        "level_codes": _words(get("level_codes"), "level_codes", problems, limit=20),
        "days_before": parsing.whole(get("days_before") or 0, "days_before", problems, maximum=60),
        "starts_on": parsing.day(get("starts_on"), "starts_on", problems),
        "ends_on": parsing.day(get("ends_on"), "ends_on", problems),
        "used_on_return": parsing.choice(get("used_on_return") or UsedCouponOnReturn.CHARGE_BACK, "used_on_return", problems,
                                         UsedCouponOnReturn),
        "active": _flag(data, "active", True),
    }

    for method in clean["paid_methods"]:
        if method not in PaymentMethod.values or method in ("coupon", "points"):
            problems.add("paid_methods", _("%(m)s cannot count as paid.") % {"m": method})
    _stores(clean["store_codes"], "store_codes", problems)
    _levels(clean["level_codes"], "level_codes", problems)
    if trigger != Trigger.SALE and clean["step_amount"] is not None:
        problems.add("step_amount", _("Only a rule on sales counts the amount paid."))
    if clean["starts_on"] and clean["ends_on"] and clean["ends_on"] < clean["starts_on"]:
        problems.add("ends_on", _("The end date cannot be before the start date."))
    problems.raise_if_any()
    return clean


@transaction.atomic
def rule_save(*, actor, data: dict) -> IssuanceRule:
    """Create an issuance rule. Rules are not edited: deactivate one and create another, so the
    coupons a rule gave keep pointing at the terms they were given under."""
    require_config(actor)
    clean = clean_rule(data)
    rule = IssuanceRule.objects.create(**clean)
    event_record(actor=actor, verb="coupon.rule_create", obj=rule,
                 payload={k: _plain(v) for k, v in clean.items() if k != "campaign"} | {"campaign": rule.campaign.code})
    return rule


@transaction.atomic
def rule_set_active(*, actor, rule: IssuanceRule, active: bool) -> IssuanceRule:
    require_config(actor)
    rule = IssuanceRule.objects.select_for_update().get(pk=rule.pk)
    if rule.active != active:
        rule.active = active
        rule.save(update_fields=["active", "updated_at"])
        event_record(actor=actor, verb="coupon.rule_activate" if active else "coupon.rule_deactivate", obj=rule, payload={})
    return rule


def _staff(actor):
    return actor if isinstance(actor, Staff) else None


def _plain(value):
    if isinstance(value, (Decimal, dt.date)):
        return str(value)
    return value


# The department store's campaign of 003 篇9 (活动2 购物送券): every 300 yuan of cash paid in a day
# → a 60-yuan B券 (cost shared 50/50 with the brand); every 500 → a 50-yuan A券, gold, platinum,
# watches, cosmetics, furs and specials excluded (注2). Used as they were given: one B券 per 300 of
# goods (up to 10 on an order), one A券 per order; A券 and B券 together.
SEED_CAMPAIGNS = [
    ({"code": "B60", "name": "60元礼品券(B券)", "kind": CouponKind.GIFT, "face_value": "60.00", "valid_days": 30,
      "mall_share_percent": "50.00", "combines_with": CombinesWith.ANY, "max_per_order": 10, "spend_per_coupon": "300.00"},
     {"name": "当日累计满300元(现金部分)送60元B券", "trigger": Trigger.SALE, "step_amount": "300.00"}),
    ({"code": "A50", "name": "50元全场十足抵用券(A券)", "kind": CouponKind.VOUCHER, "face_value": "50.00", "valid_days": 30,
      "combines_with": CombinesWith.ANY, "max_per_order": 1},
     {"name": "当日累计满500元(现金部分)送50元A券", "trigger": Trigger.SALE, "step_amount": "500.00",
      "excluded_categories": ["足金", "铂金", "名表", "化妆品", "裘皮", "特卖"]}),
]


def campaigns_install_default() -> list[Campaign]:
    """The seed's campaigns and their rules, once (init and the demo)."""
    out = []
    for campaign_data, rule_data in SEED_CAMPAIGNS:
        campaign = Campaign.objects.filter(code=campaign_data["code"]).first()
        if campaign is None:
            campaign = campaign_save(actor=None, data=campaign_data)
            rule_save(actor=None, data={**rule_data, "campaign": campaign.code})
        out.append(campaign)
    return out
