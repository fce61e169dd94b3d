"""Levels set from outside the spending rules: the multi-factor grading run (vipdesk.grading) hands
its decisions here, so a graded level change is kept like every other — the member-tier row under
its lock, one TierHistory row per change, the `tier_changed` signal (webhooks, care's tier tasks).

Set-based: one call takes every decision of a run, locks the rows in chunks and writes them with
bulk updates.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction

from vipdesk.core.errors import NotFound

from .choices import ChangeReason
from .models import MemberTier, TierHistory
from .programme import _history, _rank, active_programme, load
from .signals import tier_changed

CHUNK = 5000


def tier_levels_of(member_ids=None) -> dict[int, str | None]:
    """member id → current level code in the active programme (members without a row are absent)."""
    qs = MemberTier.objects.filter(programme__active=True)
    if member_ids is not None:
        qs = qs.filter(pk__in=member_ids)
    return {pk: code for pk, code in qs.values_list("pk", "level__code")}


def tier_grade(*, decisions: dict[int, str | None], on: dt.date, note: str = "") -> dict:
    """Apply graded levels: member id → level code (None: no level). Returns counts of what changed.
    An HQ override still running keeps its level (the grading leaves it alone until it ends)."""
    programme = active_programme()
    if programme is None:
        raise NotFound("no active tier programme")
    loaded = load(programme)
    result = {"upgraded": 0, "downgraded": 0, "unchanged": 0, "kept_by_override": 0}
    ids = sorted(decisions)
    for start in range(0, len(ids), CHUNK):
        part = ids[start:start + CHUNK]
        with transaction.atomic():
            rows = {r.pk: r for r in MemberTier.objects.select_for_update(of=("self",)).filter(pk__in=part).select_related("level")}
            missing = [pk for pk in part if pk not in rows]
            if missing:
                MemberTier.objects.bulk_create([MemberTier(member_id=pk, programme=programme) for pk in missing],
                                               ignore_conflicts=True, batch_size=2000)
                rows.update({r.pk: r for r in MemberTier.objects.select_for_update(of=("self",))
                             .filter(pk__in=missing).select_related("level")})
            changed, history = [], []
            for pk in part:
                row = rows[pk]
                if row.programme_id != programme.pk:
                    row.programme = programme
                    row.level = loaded.levels.get(row.level.code) if row.level_id else None
                if row.override_active(on):
                    result["kept_by_override"] += 1
                    continue
                target = loaded.levels.get(decisions[pk]) if decisions[pk] else None
                current = row.level
                if target == current:
                    result["unchanged"] += 1
                    continue
                result["upgraded" if _rank(target) > _rank(current) else "downgraded"] += 1
                row.level, row.reached_on, row.last_qualified_on, row.evaluated_on = target, on, on, on
                history.append(_history(row, before=current, after=target, reason=ChangeReason.GRADING, on=on, note=note))
                changed.append(row)
            MemberTier.objects.bulk_update(changed, ["programme", "level", "reached_on", "last_qualified_on", "evaluated_on"],
                                           batch_size=1000)
            TierHistory.objects.bulk_create(history, batch_size=1000)
            if history:
                tier_changed.send(sender=TierHistory, rows=history)
    return result
