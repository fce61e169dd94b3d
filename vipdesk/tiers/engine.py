"""The pure tier engine: rules + metrics → level. No database, no clock: every date is passed in.

Windows: "the last N months" as of day D are the business dates D − N months + 1 day … D, so a
purchase on 2025-03-01 counts in a 12-month window up to and including 2026-02-28.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Mapping, Sequence

from vipdesk.core.dates import add_months

from .choices import Combine, ConditionKind as K

ZERO = Decimal("0")


def window_start(as_of: dt.date, months: int) -> dt.date:
    return add_months(as_of, -months) + dt.timedelta(days=1)


def quarter_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = dt.date(day.year, first_month, 1)
    return start, add_months(start, 3) - dt.timedelta(days=1)


@dataclass(frozen=True)
class Cond:
    kind: str
    amount: Decimal | None = None
    months: int | None = None
    count: int | None = None


@dataclass(frozen=True)
class Group:
    conditions: tuple[Cond, ...]
    mode: str = Combine.ALL


@dataclass(frozen=True)
class LevelRule:
    code: str
    rank: int
    groups: tuple[Group, ...]
    mode: str = Combine.ANY
    retention_exempt: bool = False
    name: str = ""


@dataclass(frozen=True)
class Metrics:
    """What the rules look at, for one member as of one business date. Amounts are net of returns."""

    first_purchase: Decimal | None = None
    spend: Mapping[int, Decimal] = field(default_factory=dict)          # months → spend in window
    single: Mapping[int, Decimal] = field(default_factory=dict)         # months → largest single sale
    visits: Mapping[int, int] = field(default_factory=dict)             # months → days with a purchase
    window_first: Mapping[int, dt.date | None] = field(default_factory=dict)  # months → earliest sale in window
    quarter: Decimal = ZERO
    year: Decimal = ZERO
    approved: frozenset[str] = frozenset()                              # level codes approved by hand


@dataclass(frozen=True)
class Needs:
    """Which windows a programme's rules look at (so the metrics query computes only those)."""

    spend: frozenset[int] = frozenset()
    single: frozenset[int] = frozenset()
    visits: frozenset[int] = frozenset()
    first_purchase: bool = False


def needs(levels: Sequence[LevelRule]) -> Needs:
    spend, single, visits, first = set(), set(), set(), False
    for level in levels:
        for group in level.groups:
            for c in group.conditions:
                if c.kind == K.ROLLING_SPEND:
                    spend.add(c.months)
                elif c.kind == K.SINGLE_PURCHASE:
                    single.add(c.months)
                elif c.kind == K.VISITS:
                    visits.add(c.months)
                elif c.kind == K.FIRST_PURCHASE:
                    first = True
    return Needs(frozenset(spend), frozenset(single), frozenset(visits), first)


def measured(c: Cond, m: Metrics, level_code: str):
    """The member's figure for a condition (Decimal, int or bool for the approval gate)."""
    if c.kind == K.FIRST_PURCHASE:
        return m.first_purchase if m.first_purchase is not None else ZERO
    if c.kind == K.SINGLE_PURCHASE:
        return m.single.get(c.months, ZERO)
    if c.kind == K.ROLLING_SPEND:
        return m.spend.get(c.months, ZERO)
    if c.kind == K.QUARTER_SPEND:
        return m.quarter
    if c.kind == K.YEAR_SPEND:
        return m.year
    if c.kind == K.VISITS:
        return m.visits.get(c.months, 0)
    if c.kind == K.MANUAL_APPROVAL:
        return level_code in m.approved
    if c.kind == K.GRADED:
        return False  # the grading run sets the level (tiers.grading); spending never does
    raise ValueError(f"unknown condition kind {c.kind!r}")


def met(c: Cond, m: Metrics, level_code: str, *, assume_approved: bool = False) -> bool:
    if c.kind == K.MANUAL_APPROVAL:
        return assume_approved or measured(c, m, level_code)
    if c.kind == K.GRADED or c.kind == K.FIRST_PURCHASE and m.first_purchase is None:
        return False
    target = c.count if c.kind == K.VISITS else c.amount
    return measured(c, m, level_code) >= target


def _combine(mode: str, results) -> bool:
    return all(results) if mode == Combine.ALL else any(results)


def satisfied(level: LevelRule, m: Metrics, *, assume_approved: bool = False) -> bool:
    if not level.groups:
        return False  # a level without rules is never reached automatically
    return _combine(level.mode, (
        _combine(g.mode, [met(c, m, level.code, assume_approved=assume_approved) for c in g.conditions]) and bool(g.conditions)
        for g in level.groups))


@dataclass(frozen=True)
class Qualification:
    level: LevelRule | None                 # highest level the member qualifies for now
    awaiting_approval: LevelRule | None     # a higher level met by spending, held back by its approval gate


def qualify(levels: Sequence[LevelRule], m: Metrics) -> Qualification:
    ordered = sorted(levels, key=lambda lv: lv.rank, reverse=True)
    best = next((lv for lv in ordered if satisfied(lv, m)), None)
    gated = next((lv for lv in ordered if satisfied(lv, m, assume_approved=True)), None)
    if gated is not None and (best is None or gated.rank > best.rank):
        return Qualification(best, gated)
    return Qualification(best, None)


def rank_of(level) -> int:
    return level.rank if level is not None else 0


def downgrade_target(levels: Sequence[LevelRule], *, current: LevelRule | None, qualified: LevelRule | None,
                     one_step: bool) -> LevelRule | None:
    """Where the retention policy puts a member who holds `current` and qualifies for `qualified`.
    Never raises a member (upgrades happen at posting); exempt levels below `current` are a floor."""
    if current is None or rank_of(qualified) >= current.rank:
        return current
    ordered = sorted(levels, key=lambda lv: lv.rank)
    below = [lv for lv in ordered if lv.rank < current.rank]
    floor = max((lv for lv in below if lv.retention_exempt), key=lambda lv: lv.rank, default=None)
    target = qualified if rank_of(qualified) >= rank_of(floor) else floor
    if one_step and below and rank_of(target) < below[-1].rank:
        target = below[-1]
    return target


@dataclass(frozen=True)
class Gap:
    kind: str
    months: int | None
    target: Decimal | int | None
    current: Decimal | int | bool
    short: Decimal | int       # 0 when met


def gaps(level: LevelRule, m: Metrics) -> list[list[Gap]]:
    """Per group, what is missing for each condition (the progress page's raw material)."""
    out = []
    for g in level.groups:
        row = []
        for c in g.conditions:
            have = measured(c, m, level.code)
            if c.kind == K.MANUAL_APPROVAL:
                row.append(Gap(c.kind, None, None, have, 0 if have else 1))
                continue
            target = c.count if c.kind == K.VISITS else c.amount
            if c.kind == K.FIRST_PURCHASE and m.first_purchase is not None:
                short = 0 if have >= target else None  # the first purchase is history: cannot be made up
            else:
                short = max(target - have, 0)
            row.append(Gap(c.kind, c.months, target, have, short))
        out.append(row)
    return out
