"""The daily tier run (保级): the retention policy evaluated for the members it is due for on a
business date, and HQ overrides that have ended handed back to the rules.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from . import engine
from .choices import ChangeReason, RetentionPolicy
from .metrics import member_metrics
from .models import MemberTier, Programme, TierHistory
from .programme import Loaded, _history, _rank, active_programme, load
from .signals import tier_changed

CHUNK = 5000


def _policy_due(programme: Programme, on: dt.date) -> Q | None:
    """Which member tiers the retention policy evaluates on this business date (None: nobody)."""
    policy = programme.retention_policy
    if policy == RetentionPolicy.NEVER:
        return None
    if policy == RetentionPolicy.YEAR_END:
        return Q() if (on.month, on.day) == (12, 31) else None
    if policy == RetentionPolicy.ANNIVERSARY:
        due = Q(reached_on__month=on.month, reached_on__day=on.day)
        if (on.month, on.day) == (2, 28) and not _leap(on.year):
            due |= Q(reached_on__month=2, reached_on__day=29)  # a 29 February tier is due on the 28th
        return due & Q(reached_on__lt=on)
    return Q()  # rolling: everybody, every day


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _chunks(qs):
    """Primary keys in keyset-paginated chunks (no OFFSET, no giant IN list)."""
    last = None
    while True:
        page = qs.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        ids = list(page.values_list("pk", flat=True)[:CHUNK])
        if not ids:
            return
        yield ids
        last = ids[-1]


def tier_run_daily(*, on: dt.date) -> dict:
    """Retention (保级) and ended overrides for business date `on`. Set-based: per chunk of
    members a constant number of queries (lock, one aggregate over sales, approvals, writes).
    Idempotent: each member tier is evaluated at most once per date (`evaluated_on`)."""
    programme = active_programme()
    result = {"date": on.isoformat(), "evaluated": 0, "downgraded": 0, "kept_in_grace": 0, "overrides_ended": 0}
    if programme is None:
        return result
    loaded = load(programme)
    not_yet = Q(evaluated_on__isnull=True) | Q(evaluated_on__lt=on)
    base = MemberTier.objects.filter(programme=programme)
    ended = base.filter(override_until__lt=on)
    for ids in _chunks(ended):
        _run_chunk(loaded, ids, on, ended_override=True, result=result)
    due = _policy_due(programme, on)
    if due is not None:
        candidates = base.filter(due, not_yet, level__isnull=False).filter(Q(override_until__isnull=True) | Q(override_until__lt=on))
        for ids in _chunks(candidates):
            _run_chunk(loaded, ids, on, ended_override=False, result=result)
    return result


def _run_chunk(loaded: Loaded, ids: list[int], on: dt.date, *, ended_override: bool, result: dict) -> None:
    programme = loaded.programme
    with transaction.atomic():
        rows = list(MemberTier.objects.select_for_update(of=("self",)).filter(pk__in=ids).select_related("level", "override_from"))
        metrics = member_metrics(ids, as_of=on, levels=loaded.rules)
        changed, history, still_qualified = [], [], []
        for row in rows:
            # re-checked under the lock: a concurrent run of the same date may have been first
            if (row.override_until is None or row.override_until >= on) if ended_override else (row.evaluated_on or dt.date.min) >= on:
                continue
            current = row.level
            q = engine.qualify(loaded.rules, metrics[row.pk])
            if ended_override:
                target = max([loaded.level(q.level), row.override_from], key=_rank)
                note = _("Override ended (%(reason)s)") % {"reason": row.override_reason}
                row.override_until, row.override_from, row.override_reason = None, None, ""
                reason = ChangeReason.OVERRIDE_END
                result["overrides_ended"] += 1
            else:
                result["evaluated"] += 1
                if _rank(q.level) >= _rank(current):
                    still_qualified.append(row.pk)
                    continue
                if programme.retention_policy == RetentionPolicy.ROLLING and programme.grace_months:
                    since = row.last_qualified_on or row.reached_on
                    if since is not None and engine.add_months(since, programme.grace_months) >= on:
                        result["kept_in_grace"] += 1
                        continue
                target = loaded.level(engine.downgrade_target(
                    loaded.rules, current=loaded.rule(current), qualified=q.level,
                    one_step=programme.one_level_per_evaluation))
                note = RetentionPolicy(programme.retention_policy).label
                reason = ChangeReason.DOWNGRADE
            row.evaluated_on = on
            if target != current:
                row.level, row.reached_on, row.last_qualified_on = target, on, on
                history.append(_history(row, before=current, after=target, reason=reason, on=on, note=str(note)))
                if reason == ChangeReason.DOWNGRADE:
                    result["downgraded"] += 1
            changed.append(row)
        MemberTier.objects.bulk_update(changed, ["level", "reached_on", "last_qualified_on", "evaluated_on",
                                                 "override_until", "override_from", "override_reason"], batch_size=1000)
        TierHistory.objects.bulk_create(history, batch_size=1000)
        tier_changed.send(sender=TierHistory, rows=history)  # webhooks: tier.changed
        if still_qualified and programme.retention_policy == RetentionPolicy.ROLLING:
            MemberTier.objects.filter(pk__in=still_qualified).update(last_qualified_on=on)
        MemberTier.objects.filter(pk__in=ids).filter(Q(evaluated_on__isnull=True) | Q(evaluated_on__lt=on)).update(evaluated_on=on)
