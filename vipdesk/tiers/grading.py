"""Levels set from outside the spending rules: the multi-factor grading run (vipdesk.grading) hands
its decisions here, so a graded level change is kept like every other — the member-tier row under
its lock, one TierHistory row per change, the `tier_changed` signal (webhooks, care's tier tasks).

Set-based: one call takes every decision of a run, locks the rows in chunks and writes them with
one UPDATE per level reached and one bulk insert of history per chunk.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction

from vipdesk.core.errors import NotFound

from .choices import ChangeReason
from .models import Level, MemberTier, TierHistory
from .programme import _rank, active_programme, load
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
    An HQ override still running keeps its level (the grading leaves it alone until it ends).

    Per chunk of CHUNK members: the rows are locked and read as plain values (no model instances),
    the changes are written with one UPDATE per level reached (every changed row gets the same
    dates), the history rows with one bulk insert."""
    programme = active_programme()
    if programme is None:
        raise NotFound("no active tier programme")
    loaded = load(programme)
    by_id = {lv.pk: lv for lv in loaded.levels.values()}
    result = {"upgraded": 0, "downgraded": 0, "unchanged": 0, "kept_by_override": 0}
    ids = sorted(decisions)
    for start in range(0, len(ids), CHUNK):
        part = ids[start:start + CHUNK]
        with transaction.atomic():
            locked = MemberTier.objects.select_for_update(of=("self",)).filter(pk__in=part)
            rows = {pk: rest for pk, *rest in locked.values_list("pk", "programme_id", "level_id", "override_until")}
            missing = [pk for pk in part if pk not in rows]
            if missing:
                MemberTier.objects.bulk_create([MemberTier(member_id=pk, programme=programme) for pk in missing],
                                               ignore_conflicts=True, batch_size=2000)
                rows.update({pk: rest for pk, *rest in MemberTier.objects.select_for_update(of=("self",)).filter(pk__in=missing)
                             .values_list("pk", "programme_id", "level_id", "override_until")})
            # a level of an older programme is carried over by its code (as the tier services do)
            foreign = {level_id for programme_id, level_id, _u in rows.values() if level_id and level_id not in by_id}
            old_codes = dict(Level.objects.filter(pk__in=foreign).values_list("pk", "code")) if foreign else {}
            moves: dict[int | None, list[int]] = defaultdict(list)
            history = []
            for pk in part:
                programme_id, level_id, override_until = rows[pk]
                if programme_id == programme.pk:
                    current = by_id.get(level_id) if level_id else None
                else:
                    current = loaded.levels.get(old_codes.get(level_id) or by_id[level_id].code) if level_id else None
                if override_until is not None and override_until >= on:
                    result["kept_by_override"] += 1
                    continue
                target = loaded.levels.get(decisions[pk]) if decisions[pk] else None
                if target == current:
                    result["unchanged"] += 1
                    continue
                result["upgraded" if _rank(target) > _rank(current) else "downgraded"] += 1
                moves[target.pk if target else None].append(pk)
                history.append(TierHistory(member_id=pk, programme_id=programme.pk, from_level=current, to_level=target,
                                           reason=ChangeReason.GRADING, on=on, note=note[:200]))
            for level_id, members in moves.items():
                MemberTier.objects.filter(pk__in=members).update(programme=programme, level_id=level_id, reached_on=on,
                                                                 last_qualified_on=on, evaluated_on=on)
            TierHistory.objects.bulk_create(history, batch_size=2000)
            if history:
                tier_changed.send(sender=TierHistory, rows=history)
    return result
