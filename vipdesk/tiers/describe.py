"""A level's qualification rules and a programme's retention policy in words (Chinese by default),
for staff screens: "近6个月累计消费满 3,000 元 或 近12个月累计消费满 5,000 元"."""
from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .choices import Combine, ConditionKind as K, RetentionPolicy, ReturnPolicy


def amount_text(amount) -> str:
    """1500 → "1,500"; 99.5 → "99.50" (yuan)."""
    if amount is None:
        return "—"
    amount = Decimal(amount)
    return f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"


def condition_text(kind: str, amount=None, months=None, count=None) -> str:
    values = {"amount": amount_text(amount), "months": months, "count": count}
    if kind == K.FIRST_PURCHASE:
        return _("first purchase of at least %(amount)s yuan") % values
    if kind == K.SINGLE_PURCHASE:
        return _("a single purchase of at least %(amount)s yuan within the last %(months)s months") % values
    if kind == K.ROLLING_SPEND:
        return _("at least %(amount)s yuan spent over the last %(months)s months") % values
    if kind == K.QUARTER_SPEND:
        return _("at least %(amount)s yuan spent in the calendar quarter") % values
    if kind == K.YEAR_SPEND:
        return _("at least %(amount)s yuan spent in the calendar year") % values
    if kind == K.VISITS:
        return _("at least %(count)s visits over the last %(months)s months") % values
    if kind == K.MANUAL_APPROVAL:
        return _("approved by HQ")
    return kind


def _joiner(mode: str) -> str:
    return " %s " % (pgettext("tier rule", "and") if mode == Combine.ALL else pgettext("tier rule", "or"))


def level_rules_text(level) -> str:
    """The qualification of a Level (prefetched groups__conditions) as one sentence."""
    groups = []
    for group in level.groups.all():
        parts = [condition_text(c.kind, c.amount, c.months, c.count) for c in group.conditions.all()]
        if parts:
            groups.append((group.mode, parts))
    if not groups:
        return _("no qualification rule")
    several = len(groups) > 1
    texts = []
    for mode, parts in groups:
        text = _joiner(mode).join(parts)
        texts.append(f"（{text}）" if several and len(parts) > 1 else text)
    return _joiner(level.mode).join(texts)


def policy_text(programme) -> list[str]:
    """The retention (保级) and return policy of a programme, one sentence each."""
    lines = [str(RetentionPolicy(programme.retention_policy).label)]
    if programme.retention_policy == RetentionPolicy.ROLLING:
        lines.append(_("A member who no longer qualifies keeps the tier for %(n)s grace months.") % {"n": programme.grace_months})
    if programme.retention_policy != RetentionPolicy.NEVER:
        lines.append(_("At most one level down per evaluation.") if programme.one_level_per_evaluation
                     else _("A downgrade goes straight to the level the member still qualifies for."))
    lines.append(str(ReturnPolicy(programme.return_policy).label))
    return lines
