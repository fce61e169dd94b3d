"""Changing the classification settings (ClassificationPolicy, R8.1, R8.2, R4.7) — HQ only.

Raw input from any entry point (the console's 分类规则 page, scripts) is read here with core.parsing,
so every caller is refused with the same per-field words; a refused change changes nothing. Every
change needs Action.CLASSIFY_CONFIG and is recorded with event_record (before and after). The
settings take effect from the next snapshot (classify.snapshot_take); past snapshots stay as taken.

Besides each field's own range, the settings must make sense together (the database's CHECK
constraints say the same for the money and share orders):
- ABC: the A thresholds are not below the B ones (A buys at least as often and as much);
- pyramid: platinum ≤ gold ≤ iron ≤ 100 % (cumulative shares of members);
- A/B/C/D: X ≥ X1 ≥ X2;
- life cycle: about to churn < dormant (settings DORMANT_MONTHS, shared with dormant cards) < churned,
  so that each stage can occur.
"""
from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, require
from vipdesk.audit.services import event_record
from vipdesk.core import parsing

from .choices import SplitRule
from .classify import dormant_months, policy
from .models import ClassificationPolicy

HUNDRED = Decimal("100")
# field → ("whole", minimum, maximum) | ("money",) | ("pct",) | ("choice", choices)
POLICY_FIELDS = {
    "rfm_window_months": ("whole", 1, 120),
    "rfm_bins": ("whole", 2, 10),
    "rfm_split": ("choice", SplitRule),
    "abc_a_visits": ("whole", 1, 366 * 10),
    "abc_a_spend": ("money",),
    "abc_b_visits": ("whole", 1, 366 * 10),
    "abc_b_spend": ("money",),
    "pyramid_platinum_pct": ("pct",),
    "pyramid_gold_pct": ("pct",),
    "pyramid_iron_pct": ("pct",),
    "spend_class_years": ("whole", 1, 10),
    "spend_a": ("money",),
    "spend_b": ("money",),
    "spend_c": ("money",),
    "svip_pct": ("pct",),
    "about_to_churn_months": ("whole", 1, 240),
    "churned_months": ("whole", 1, 240),
    "snapshot_daily_days": ("whole", 1, 366),
}


def require_config(actor) -> None:
    require(actor, Action.CLASSIFY_CONFIG, _("Only HQ may change the classification settings."), system=False)


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value


def _read(key: str, raw, problems: parsing.Problems):
    kind, *args = POLICY_FIELDS[key]
    if kind == "whole":
        return parsing.whole(raw, key, problems, minimum=args[0], maximum=args[1])
    if kind == "money":
        return parsing.money(_plain(raw), key, problems)
    if kind == "pct":
        return parsing.decimal(_plain(raw), key, problems, places=2, maximum=HUNDRED)
    return parsing.choice(raw, key, problems, args[0]) or None


def _together(clean: dict, problems: parsing.Problems) -> None:
    """The cross-field rules of the module doc; only checked where both sides were read."""
    def known(*keys):
        return all(clean.get(k) is not None and not problems.fields.get(k) for k in keys)

    if known("abc_a_visits", "abc_b_visits") and clean["abc_a_visits"] < clean["abc_b_visits"]:
        problems.add("abc_a_visits", _("Class A cannot need fewer purchase days than class B."))
    if known("abc_a_spend", "abc_b_spend") and clean["abc_a_spend"] < clean["abc_b_spend"]:
        problems.add("abc_a_spend", _("Class A cannot need less spend than class B."))
    if known("pyramid_platinum_pct", "pyramid_gold_pct") and clean["pyramid_platinum_pct"] > clean["pyramid_gold_pct"]:
        problems.add("pyramid_gold_pct", _("The gold share includes the platinum members: it cannot be smaller."))
    if known("pyramid_gold_pct", "pyramid_iron_pct") and clean["pyramid_gold_pct"] > clean["pyramid_iron_pct"]:
        problems.add("pyramid_iron_pct", _("The iron share includes the gold members: it cannot be smaller."))
    if known("spend_a", "spend_b") and clean["spend_a"] < clean["spend_b"]:
        problems.add("spend_b", _("X1 cannot be above X."))
    if known("spend_b", "spend_c") and clean["spend_b"] < clean["spend_c"]:
        problems.add("spend_c", _("X2 cannot be above X1."))
    dormant = dormant_months()
    if known("about_to_churn_months") and clean["about_to_churn_months"] >= dormant:
        problems.add("about_to_churn_months", _("Must be fewer than the %(n)d months after which a member is dormant.")
                     % {"n": dormant})
    if known("churned_months") and clean["churned_months"] <= dormant:
        problems.add("churned_months", _("Must be more than the %(n)d months after which a member is dormant.") % {"n": dormant})


@transaction.atomic
def classification_policy_save(*, actor, data: dict) -> ClassificationPolicy:
    """Change the classification settings; keys not given keep their value. All or nothing."""
    require_config(actor)
    policy()  # created on first use
    pol = ClassificationPolicy.objects.select_for_update().get(code="default")
    problems = parsing.Problems()
    for key in sorted(set(data) - set(POLICY_FIELDS)):
        problems.add(key, _("Unknown setting %(key)s.") % {"key": key})
    before = {k: getattr(pol, k) for k in POLICY_FIELDS}
    clean = dict(before)
    for key in POLICY_FIELDS:
        if key in data:
            clean[key] = _read(key, data[key], problems)
    _together(clean, problems)
    problems.raise_if_any()
    changed = {k: v for k, v in clean.items() if v != before[k]}
    for key, value in changed.items():
        setattr(pol, key, value)
    pol.save(update_fields=[*POLICY_FIELDS, "updated_at"])
    event_record(actor=actor, verb="analytics.policy_update", obj=pol,
                 payload={"before": {k: _plain(before[k]) for k in changed}, "after": {k: _plain(v) for k, v in changed.items()}})
    return pol
