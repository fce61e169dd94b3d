"""The active tier programme as every tier service uses it: its levels and rules loaded once per
process (and loaded again when HQ edits it), a member's current level, and the plumbing every tier
write shares (the member-tier lock, history rows, the staff actor).
"""
from __future__ import annotations

from dataclasses import dataclass

from vipdesk.core import confcache
from vipdesk.core.models import locked_row
from vipdesk.accounts.models import Staff

from . import engine
from .models import Level, MemberTier, Programme, TierHistory


@dataclass(frozen=True)
class Loaded:
    programme: Programme
    levels: dict[str, Level]            # code → Level
    rules: list[engine.LevelRule]

    def rule(self, level: Level | None) -> engine.LevelRule | None:
        return None if level is None else next(r for r in self.rules if r.code == level.code)

    def level(self, rule: engine.LevelRule | None) -> Level | None:
        return None if rule is None else self.levels[rule.code]


def active_programme() -> Programme | None:
    return Programme.objects.filter(active=True).first()


def level_rule(level: Level) -> engine.LevelRule:
    groups = tuple(
        engine.Group(mode=g.mode, conditions=tuple(engine.Cond(c.kind, c.amount, c.months, c.count) for c in g.conditions.all()))
        for g in level.groups.all())
    return engine.LevelRule(code=level.code, rank=level.rank, groups=groups, mode=level.mode,
                            retention_exempt=level.retention_exempt, name=level.name)


def load(programme: Programme) -> Loaded:
    """The programme's levels, rules and benefits, kept per process between postings.

    Every posting needs them and they change only when HQ edits the programme: they are kept under
    the tiers group's version (core.confcache), which a database trigger changes on every write of a
    programme, level, rule group, condition or benefit — by a service, the console, a bulk UPDATE or
    SQL, in any process — so the next call after such a write loads again.
    """
    def fresh() -> Loaded:
        levels = list(programme.levels.prefetch_related("groups__conditions", "benefits").order_by("rank"))
        return Loaded(programme, {lv.code: lv for lv in levels}, [level_rule(lv) for lv in levels])

    return confcache.cached("tiers", f"programme:{programme.pk}", fresh)


def loaded_active() -> Loaded | None:
    """The active programme loaded (`load`), or None — kept per process under the tiers group's
    version (core.confcache): a posting reads no programme row, while any write of a programme,
    level, rule group, condition or benefit (in any process, by any path) makes the next call load again."""
    def fresh() -> Loaded | None:
        programme = active_programme()
        return None if programme is None else load(programme)

    return confcache.cached("tiers", "active", fresh)


def _touch(programme: Programme) -> None:
    """Mark the programme as changed (its `updated_at`; the write itself gives the tiers group a new version)."""
    programme.save(update_fields=["updated_at"])


def level_dict(level: Level | None) -> dict | None:
    if level is None:
        return None
    return {"code": level.code, "name": level.name, "rank": level.rank, "is_vip": level.is_vip}


def benefits_of(level: Level | None) -> list[dict]:
    if level is None:
        return []
    return [{"code": b.code, "name": b.name, "value": None if b.value is None else str(b.value), "unit": b.unit,
             "quota": b.quota, "period": b.period} for b in level.benefits.all()]


def tier_of(member) -> Level | None:
    row = MemberTier.objects.filter(pk=member.pk, programme__active=True).select_related("level").first()
    return row.level if row else None


def _rank(level) -> int:
    return level.rank if level is not None else 0


def tier_row_state(row: MemberTier) -> tuple:
    """The row's columns, to tell whether it needs writing back (`_locked_tier` keeps them as read)."""
    return tuple(getattr(row, f.attname) for f in MemberTier._meta.concrete_fields)


def _locked_tier(member, loaded: Loaded) -> MemberTier:
    row = locked_row(MemberTier, member_id=member.pk, defaults={"programme": loaded.programme})
    row.state_as_read = tier_row_state(row)
    if row.level_id is not None and row.programme_id == loaded.programme.pk:
        # the level as loaded with the programme (its benefits prefetched), not read again
        known = next((lv for lv in loaded.levels.values() if lv.pk == row.level_id), None)
        if known is not None:
            row.level = known
    if row.programme_id != loaded.programme.pk:
        # A new programme replaced the old one: keep a level of the same code, else start again.
        row.programme = loaded.programme
        row.level = loaded.levels.get(row.level.code) if row.level_id else None
        row.override_until, row.override_from, row.override_reason = None, None, ""
    return row


def _history(row: MemberTier, *, before, after, reason, on, sale=None, actor=None, note="") -> TierHistory:
    return TierHistory(member_id=row.pk, programme_id=row.programme_id, from_level=before, to_level=after,
                       reason=reason, on=on, sale=sale, actor=_staff(actor),
                       note=note[:200])


def _staff(actor):
    """Only staff users go in the actor columns (an API client is recorded by the audit event)."""
    return actor if isinstance(actor, Staff) else None
