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
    thresholds: dict[tuple, list[tuple[int, str, object]]] = defaultdict(list)
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
                if c.kind == K.MANUAL_APPROVAL:
                    continue
                key = (c.kind, c.months if c.kind in WINDOWED else None)
                value = c.count if c.kind == K.VISITS else c.amount
                per_key[key] = min(per_key[key], value) if key in per_key else value
        for key, value in per_key.items():
            thresholds[key].append((lv.rank, lv.name or lv.code, value))
    for key, rows in thresholds.items():
        for (_r1, lower, low), (_r2, higher, high) in zip(rows, rows[1:]):
            if high <= low:
                problems["levels"].append(
                    _("Thresholds must rise with the level: “%(higher)s” asks %(high)s, not more than “%(lower)s” (%(low)s).")
                    % {"higher": higher, "high": high, "lower": lower, "low": low})
    return dict(problems)


def programme_check(levels, *, retention_policy: str, grace_months: int) -> None:
    problems = programme_problems(levels, retention_policy=retention_policy, grace_months=grace_months)
    if problems:
        first = next(iter(problems.values()))[0]
        raise ValidationFailed(first, fields=problems)
