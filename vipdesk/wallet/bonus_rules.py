"""Top-up bonus rules (充值赠送): which bonus a top-up earns, the seed's default rules, and HQ's
rules created and switched on or off. Rules are not edited: deactivate one and create another."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action
from vipdesk.audit.services import event_record
from vipdesk.core import parsing

from .ledger import ZERO, _amount, _require, policy
from .models import TopUpRule


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
    """The seed's rules; those a named account cannot reach under its limit (单用途卡 5,000 yuan: a
    10,000 or 30,000 top-up is refused) are installed switched off, for HQ to switch on where it
    raises an account's limit (docs/decisions.md)."""
    limit = policy().named_limit
    out = []
    for threshold, bonus in DEFAULT_RULES:
        rule, _c = TopUpRule.objects.get_or_create(threshold=Decimal(threshold), bonus=Decimal(bonus), level_code="",
                                                   starts_on=None, ends_on=None,
                                                   defaults={"name": f"充{int(Decimal(threshold))}送{int(Decimal(bonus))}",
                                                             "active": Decimal(threshold) <= limit})
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
