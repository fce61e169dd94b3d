"""A member's progress (R4.6): what is left to spend, and by when, to reach the next level and to
keep the current one, with the recent tier history.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from vipdesk.core.clock import today

from . import engine
from .choices import AMOUNTED, ChangeReason, ConditionKind as K, RetentionPolicy
from .metrics import one_member_metrics
from .models import MemberTier, TierHistory
from .programme import _rank, active_programme, level_dict, load


def _next_anniversary(reached: dt.date, on: dt.date) -> dt.date:
    years = max(on.year - reached.year, 1)
    day = engine.add_months(reached, 12 * years)
    return day if day >= on else engine.add_months(reached, 12 * (years + 1))


def _figure(kind: str, value):
    """Money as "1234.00", counts as "3", the approval gate as true/false (the API's conventions)."""
    if value is None or isinstance(value, bool):
        return value
    return f"{Decimal(value):.2f}" if kind in AMOUNTED else str(int(value))


def _gap_rows(rule, metrics, *, by_default: dt.date | None, as_of: dt.date) -> list[list[dict]]:
    out = []
    for group in engine.gaps(rule, metrics):
        row = []
        for gap in group:
            by = by_default
            if by is None:
                if gap.kind == K.ROLLING_SPEND and metrics.window_first.get(gap.months):
                    # spend before the oldest purchase in the window drops out of it
                    by = engine.add_months(metrics.window_first[gap.months], gap.months) - dt.timedelta(days=1)
                elif gap.kind == K.QUARTER_SPEND:
                    by = engine.quarter_bounds(as_of)[1]
                elif gap.kind == K.YEAR_SPEND:
                    by = dt.date(as_of.year, 12, 31)
            row.append({"kind": gap.kind, "label": str(K(gap.kind).label), "months": gap.months,
                        "target": _figure(gap.kind, gap.target), "current": _figure(gap.kind, gap.current),
                        "short": None if gap.kind == K.MANUAL_APPROVAL else _figure(gap.kind, gap.short), "met": gap.short == 0,
                        "by": by.isoformat() if by else None})
        out.append(row)
    return out


def tier_progress(member, on: dt.date | None = None) -> dict:
    """What the member must spend, by when, to reach the next level and to keep this one."""
    programme = active_programme()
    if programme is None:
        return {"programme": None, "current": None, "next": None, "keep": None}
    on = on or today()
    loaded = load(programme)
    row = MemberTier.objects.filter(pk=member.pk, programme=programme).select_related("level").first()
    current = row.level if row else None
    metrics = one_member_metrics(member.pk, as_of=on, levels=loaded.rules)
    higher = [r for r in loaded.rules if r.rank > _rank(current)]
    nxt = None
    if higher:
        rule = min(higher, key=lambda r: r.rank)
        nxt = {"level": level_dict(loaded.level(rule)), "mode": rule.mode,
               "options": _gap_rows(rule, metrics, by_default=None, as_of=on)}
    keep = None
    if current is not None:
        rule = loaded.rule(current)
        policy = programme.retention_policy
        keep = {"policy": policy, "policy_label": str(RetentionPolicy(policy).label), "guaranteed": False,
                "evaluated_on": None, "override_until": None, "options": []}
        if row.override_active(on):
            keep.update(guaranteed=True, override_until=row.override_until.isoformat())
        elif policy == RetentionPolicy.NEVER or rule.retention_exempt:
            keep["guaranteed"] = True
        else:
            if policy == RetentionPolicy.ANNIVERSARY:
                when = _next_anniversary(row.reached_on or on, on)
            elif policy == RetentionPolicy.YEAR_END:
                when = dt.date(on.year, 12, 31)
            else:  # rolling: judged every day; the grace period is how long a lapse is forgiven
                since = row.last_qualified_on or row.reached_on or on
                when = max(on, engine.add_months(since, programme.grace_months))
            keep["evaluated_on"] = when.isoformat()
            at_eval = one_member_metrics(member.pk, as_of=when, levels=loaded.rules) if when != on else metrics
            keep["mode"] = rule.mode
            keep["options"] = _gap_rows(rule, at_eval, by_default=when, as_of=when)
    return {"programme": programme.code, "current": level_dict(current),
            "reached_on": row.reached_on.isoformat() if row and row.reached_on else None,
            "next": nxt, "keep": keep,
            "history": [{"on": h.on.isoformat(), "from": getattr(h.from_level, "name", None), "to": getattr(h.to_level, "name", None),
                         "reason": h.reason, "reason_label": str(ChangeReason(h.reason).label), "note": h.note,
                         "receipt": h.sale.receipt_no if h.sale_id else None}
                        for h in TierHistory.objects.filter(member_id=member.pk).select_related("from_level", "to_level", "sale")[:20]]}
