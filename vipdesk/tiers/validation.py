"""Checks on a programme's configuration, before it is saved or installed (messages in Chinese)."""
from __future__ import annotations

from collections import defaultdict
from typing import Sequence

from django.utils.translation import gettext as _

from vipdesk.core.errors import ValidationFailed

from . import engine
from .choices import AMOUNTED, WINDOWED, ConditionKind as K, RetentionPolicy


def programme_problems(levels: Sequence[engine.LevelRule], *, retention_policy: str, grace_months: int) -> dict[str, list[str]]:
    """{field: [message]} — empty when the configuration is sound."""
    problems: dict[str, list[str]] = defaultdict(list)
    if not levels:
        problems["levels"].append(_("A programme needs at least one level."))
    codes = [lv.code for lv in levels]
    if len(set(codes)) != len(codes):
        problems["levels"].append(_("Level codes must be unique."))
    ranks = [lv.rank for lv in levels]
    if len(set(ranks)) != len(ranks):
        problems["levels"].append(_("Level ranks must be unique."))
    if retention_policy not in RetentionPolicy.values:
        problems["retention_policy"].append(_("Unknown retention policy."))
    if grace_months < 0:
        problems["grace_months"].append(_("Grace months cannot be negative."))
    # the lowest threshold each level sets per (kind, window): it must rise with the level
    floors: list[tuple[engine.LevelRule, dict[tuple, object]]] = []
    for lv in sorted(levels, key=lambda lv: lv.rank):
        field = f"levels.{lv.code}"
        if not any(g.conditions for g in lv.groups):
            problems[field].append(_("Level “%(name)s” has no qualification condition.") % {"name": lv.name or lv.code})
        per_key: dict[tuple, object] = {}
        for g in lv.groups:
            for c in g.conditions:
                if c.kind not in K.values:
                    problems[field].append(_("Unknown condition “%(kind)s”.") % {"kind": c.kind})
                    continue
                if c.kind in WINDOWED and (c.months is None or c.months <= 0):
                    problems[field].append(_("Level “%(name)s”: the window must be a positive number of months.") % {"name": lv.name or lv.code})
                    continue
                if c.kind in AMOUNTED and (c.amount is None or c.amount <= 0):
                    problems[field].append(_("Level “%(name)s”: the amount must be greater than zero.") % {"name": lv.name or lv.code})
                    continue
                if c.kind == K.VISITS and (c.count is None or c.count <= 0):
                    problems[field].append(_("Level “%(name)s”: the number of visits must be greater than zero.") % {"name": lv.name or lv.code})
                    continue
                if c.kind in (K.MANUAL_APPROVAL, K.GRADED):
                    continue
                key = (c.kind, c.months if c.kind in WINDOWED else None)
                value = c.count if c.kind == K.VISITS else c.amount
                per_key[key] = min(per_key[key], value) if key in per_key else value
        floors.append((lv, per_key))
    for (lower, low_keys), (higher, high_keys) in zip(floors, floors[1:]):
        for (kind, months), high in high_keys.items():
            for (low_kind, low_months), low in low_keys.items():
                # A figure over a longer window is at least the same figure over a shorter one, so a
                # higher level asking no more over a window at least as long is no harder to reach.
                same = low_kind == kind and (months == low_months or (months is not None and low_months is not None
                                                                       and months >= low_months))
                if same and high <= low:
                    problems["levels"].append(_(
                        "Thresholds must rise with the level: “%(higher)s” asks %(high)s (%(what_high)s), "
                        "no more than “%(lower)s” asks (%(low)s, %(what_low)s).") % {
                        "higher": higher.name or higher.code, "high": _figure(kind, high), "what_high": _what(kind, months),
                        "lower": lower.name or lower.code, "low": _figure(kind, low), "what_low": _what(kind, low_months)})
    return dict(problems)


def _figure(kind: str, value) -> str:
    return f"¥{value:,.2f}" if kind in AMOUNTED else str(value)


def _what(kind: str, months: int | None) -> str:
    label = str(K(kind).label)
    return label.replace("N", str(months)) if months and "N" in label else (f"{label} ({months})" if months else label)


def programme_check(levels, *, retention_policy: str, grace_months: int) -> None:
    problems = programme_problems(levels, retention_policy=retention_policy, grace_months=grace_months)
    if problems:
        first = next(iter(problems.values()))[0]
        raise ValidationFailed(first, fields=problems)
