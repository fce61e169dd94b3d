"""Tier services: upgrade at posting, re-evaluation on returns, the daily retention job, HQ
overrides and approvals, progress, benefits with quotas. Every change writes a TierHistory row.

Called inside the posting's transaction by vipdesk.sales (interface of issue 3):
  tier_evaluate_posting(member=, sale=) and tier_evaluate_return(member=, sale_return=).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, can
from vipdesk.audit.services import event_record
from vipdesk.core import parsing
from vipdesk.core.clock import today
from vipdesk.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from vipdesk.core.models import locked_row

from . import engine
from .choices import (
    AMOUNTED, WINDOWED, ApprovalStatus, BenefitPeriod, ChangeReason, Combine, ConditionKind as K, RetentionPolicy, ReturnPolicy,
)
from .metrics import member_metrics, one_member_metrics
from .models import Benefit, BenefitUsage, Condition, Level, MemberTier, Programme, RuleGroup, TierApproval, TierHistory
from .validation import programme_check

CHUNK = 5000


@dataclass(frozen=True)
class TierOutcome:
    before: Level | None
    after: Level | None
    changed: bool
    benefits: list[dict]
    awaiting_approval: Level | None = None


# ---- loading a programme ---------------------------------------------------------------------

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


_loaded: dict[tuple, Loaded] = {}


def load(programme: Programme) -> Loaded:
    """The programme's levels, rules and benefits, kept per process between postings.

    Every posting needs them and they change only when HQ edits the programme, so the key is the
    programme row's id and `updated_at`, which the configuration services touch on every edit
    (`_touch`) — another worker sees the new row and loads again. Saving a level, group,
    condition or benefit in this process also empties the cache (signals below).
    """
    key = (programme.pk, programme.updated_at)
    found = _loaded.get(key)
    if found is None:
        levels = list(programme.levels.prefetch_related("groups__conditions", "benefits").order_by("rank"))
        found = Loaded(programme, {lv.code: lv for lv in levels}, [level_rule(lv) for lv in levels])
        _loaded.clear()  # one programme is active at a time: keep only the newest
        _loaded[key] = found
    return found


def _touch(programme: Programme) -> None:
    """Mark the programme as changed so every process reloads it (see `load`)."""
    programme.save(update_fields=["updated_at"])


@receiver([post_save, post_delete], sender=Programme)
@receiver([post_save, post_delete], sender=Level)
@receiver([post_save, post_delete], sender=RuleGroup)
@receiver([post_save, post_delete], sender=Condition)
@receiver([post_save, post_delete], sender=Benefit)
def _forget_loaded(**kwargs) -> None:
    _loaded.clear()


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


def _locked_tier(member, loaded: Loaded) -> MemberTier:
    row = locked_row(MemberTier, member_id=member.pk, defaults={"programme": loaded.programme})
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
    from vipdesk.accounts.models import Staff

    return actor if isinstance(actor, Staff) else None


def _unchanged(level) -> TierOutcome:
    return TierOutcome(level, level, False, benefits_of(level))


# ---- postings ------------------------------------------------------------------------------------

def tier_evaluate_posting(*, member, sale) -> TierOutcome:
    """Upgrade as soon as the posting qualifies (never lowers: lowering is the policy's job)."""
    programme = active_programme()
    if programme is None or member is None:
        return TierOutcome(None, None, False, [])
    loaded = load(programme)
    with transaction.atomic(savepoint=False):  # a failure fails the whole posting: no savepoint needed
        row = _locked_tier(member, loaded)
        before, on = row.level, sale.business_date
        metrics = one_member_metrics(member.pk, as_of=on, levels=loaded.rules)
        q = engine.qualify(loaded.rules, metrics)
        after = before
        if _rank(q.level) > _rank(before):
            after = loaded.level(q.level)
            row.level, row.reached_on, row.last_qualified_on = after, on, on
            row.override_until, row.override_from, row.override_reason = None, None, ""  # earned beyond any override
            _history(row, before=before, after=after, reason=ChangeReason.UPGRADE, on=on, sale=sale).save()
        elif before is not None and _rank(q.level) >= _rank(before):
            row.last_qualified_on = max(filter(None, [row.last_qualified_on, on]))
        row.save()
        gated = loaded.level(q.awaiting_approval)
        if gated is not None and _rank(gated) > _rank(after):
            TierApproval.objects.get_or_create(member_id=member.pk, level=gated, status=ApprovalStatus.PENDING,
                                               defaults={"sale": sale, "requested_on": on})
    return TierOutcome(before, after, after != before, benefits_of(after), gated)


def tier_evaluate_return(*, member, sale_return) -> TierOutcome:
    """Under ReturnPolicy.REVOKE a return takes back an upgrade that the returned sale (or a later
    one) paid for, down to what the member still qualifies for but never below the level held
    before that upgrade. Under WAIT, the retention policy decides later."""
    programme = active_programme()
    if programme is None or member is None:
        return TierOutcome(None, None, False, [])
    loaded = load(programme)
    with transaction.atomic(savepoint=False):  # a failure fails the whole posting: no savepoint needed
        row = _locked_tier(member, loaded)
        before, on = row.level, sale_return.business_date
        if programme.return_policy == ReturnPolicy.WAIT or before is None or row.override_active(on):
            row.save()
            return _unchanged(before)
        original = sale_return.original
        bought = (TierHistory.objects.filter(member_id=member.pk, programme=programme, reason=ChangeReason.UPGRADE)
                  .filter(Q(sale=original) | Q(sale__occurred_at__gte=original.occurred_at))
                  .select_related("from_level").order_by("at", "id").first())
        if bought is None:
            row.save()
            return _unchanged(before)
        metrics = one_member_metrics(member.pk, as_of=on, levels=loaded.rules)
        qualified = loaded.level(engine.qualify(loaded.rules, metrics).level)
        target = max([qualified, bought.from_level], key=_rank)
        if _rank(target) >= _rank(before):
            row.save()
            return _unchanged(before)
        row.level, row.reached_on = target, (row.reached_on if target is None else on)
        row.save()
        _history(row, before=before, after=target, reason=ChangeReason.RETURN, on=on, sale=sale_return,
                 note=_("Return of receipt %(receipt)s") % {"receipt": original.receipt_no}).save()
    return TierOutcome(before, target, True, benefits_of(target))


# ---- the daily job -------------------------------------------------------------------------------

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
        if still_qualified and programme.retention_policy == RetentionPolicy.ROLLING:
            MemberTier.objects.filter(pk__in=still_qualified).update(last_qualified_on=on)
        MemberTier.objects.filter(pk__in=ids).filter(Q(evaluated_on__isnull=True) | Q(evaluated_on__lt=on)).update(evaluated_on=on)


# ---- HQ: override and approval ---------------------------------------------------------------------

def _require_hq(actor) -> None:
    if actor is None or not can(actor, Action.TIER_OVERRIDE):
        raise PermissionDenied(_("Only HQ may change a member's tier by hand."))


def tier_override(*, actor, member, level: Level | str | None, reason: str, until: dt.date) -> MemberTier:
    """HQ sets a member's tier by hand until `until` (inclusive); the daily job ends it after."""
    _require_hq(actor)
    programme = active_programme()
    if programme is None:
        raise NotFound(_("No active tier programme."))
    loaded = load(programme)
    if isinstance(level, str):
        level = loaded.levels.get(level)
        if level is None:
            raise ValidationFailed(_("No such level in the programme."), fields={"level": _("No such level in the programme.")})
    fields = {}
    if not (reason or "").strip():
        fields["reason"] = _("Give the reason for the override.")
    on = today()
    if until is None or until < on:
        fields["until"] = _("The end date must be today or later.")
    if fields:
        raise ValidationFailed(next(iter(fields.values())), fields=fields)
    with transaction.atomic():
        row = _locked_tier(member, loaded)
        before = row.level
        if not row.override_active(on):
            row.override_from = before
        row.level, row.override_until, row.override_reason = level, until, reason.strip()[:200]
        row.reached_on = on
        row.save()
        _history(row, before=before, after=level, reason=ChangeReason.OVERRIDE, on=on, actor=actor,
                 note=f"{reason.strip()} → {until.isoformat()}").save()
        event_record(actor=actor, verb="tier.override", obj=member,
                     payload={"from": getattr(before, "code", None), "to": getattr(level, "code", None),
                              "until": until.isoformat(), "reason": reason.strip()})
    return row


def tier_approve(*, actor, approval: TierApproval, approve: bool, note: str = "") -> TierApproval:
    """Decide a manual-approval request; an approved member whose spending qualifies moves up now."""
    _require_hq(actor)
    with transaction.atomic():
        approval = TierApproval.objects.select_for_update().select_related("level__programme").get(pk=approval.pk)
        if approval.status != ApprovalStatus.PENDING:
            raise Conflict(_("This request has already been decided."))
        approval.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
        approval.decided_at, approval.decided_by, approval.note = timezone.now(), _staff(actor), note[:200]
        approval.save()
        programme = approval.level.programme
        if approve and programme.active:
            loaded = load(programme)
            row = _locked_tier(approval.member, loaded)
            on = today()
            q = engine.qualify(loaded.rules, one_member_metrics(row.pk, as_of=on, levels=loaded.rules))
            target = loaded.level(q.level)
            if _rank(target) > _rank(row.level):
                before = row.level
                row.level, row.reached_on, row.last_qualified_on = target, on, on
                row.save()
                _history(row, before=before, after=target, reason=ChangeReason.APPROVAL, on=on, actor=actor, note=note).save()
        event_record(actor=actor, verb="tier.approval", obj=approval.member,
                     payload={"level": approval.level.code, "approved": approve, "note": note})
    return approval


# ---- progress (R4.6) -------------------------------------------------------------------------------

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


# ---- benefits -----------------------------------------------------------------------------------

def _period_start(period: str, on: dt.date) -> dt.date:
    if period == BenefitPeriod.DAY:
        return on
    if period == BenefitPeriod.MONTH:
        return on.replace(day=1)
    return on.replace(month=1, day=1)


def benefit_summary(member, on: dt.date | None = None) -> list[dict]:
    on = on or today()
    level = tier_of(member)
    out = []
    for item, benefit in zip(benefits_of(level), level.benefits.all() if level else []):
        used = None
        if benefit.quota is not None:
            used = _used(member, benefit, on)
        out.append({**item, "used": used, "remaining": None if used is None else max(benefit.quota - used, 0)})
    return out


def _used(member, benefit: Benefit, on: dt.date) -> int:
    # counted by code across the programme's levels: an upgrade at noon does not refill the day's parking
    return (BenefitUsage.objects.filter(member_id=member.pk, benefit__code=benefit.code,
                                        benefit__level__programme_id=benefit.level.programme_id,
                                        used_on__gte=_period_start(benefit.period, on), used_on__lte=on)
            .aggregate(n=Sum("quantity"))["n"] or 0)


def benefit_use(*, actor, member, code: str, quantity: int = 1, on: dt.date | None = None, store=None, note: str = "") -> BenefitUsage:
    """Record the use of a benefit of the member's current level, within its quota."""
    if quantity <= 0:
        raise ValidationFailed(_("Quantity must be at least 1."), fields={"quantity": _("Quantity must be at least 1.")})
    programme = active_programme()
    if programme is None:
        raise NotFound(_("No active tier programme."))
    on = on or today(store)
    with transaction.atomic():
        row = _locked_tier(member, load(programme))  # serialises uses by the same member
        row.save()
        benefit = Benefit.objects.filter(level=row.level, code=code).select_related("level").first() if row.level_id else None
        if benefit is None:
            raise DomainError(_("This benefit is not part of the member's tier."), code="benefit_not_available", status=409)
        if benefit.quota is not None and _used(member, benefit, on) + quantity > benefit.quota:
            raise DomainError(_("The benefit's quota for this period is used up."), code="benefit_quota_exceeded", status=409)
        usage = BenefitUsage.objects.create(member_id=member.pk, benefit=benefit, used_on=on, quantity=quantity, store=store,
                                            actor=_staff(actor), note=note[:200])
    return usage


# ---- configuration --------------------------------------------------------------------------------

def _spec_rules(spec: dict) -> list[engine.LevelRule]:
    return [engine.LevelRule(
        code=lv["code"], rank=i, name=lv["name"], mode=lv.get("mode", "any"), retention_exempt=lv.get("retention_exempt", False),
        groups=tuple(engine.Group(mode=g.get("mode", "all"), conditions=tuple(
            engine.Cond(c["kind"], None if c.get("amount") is None else Decimal(str(c["amount"])), c.get("months"), c.get("count"))
            for c in g["conditions"])) for g in lv.get("groups", [])))
        for i, lv in enumerate(spec["levels"], start=1)]


def programme_validate(*, programme: Programme) -> None:
    """Raise ValidationFailed (Chinese messages) unless the saved programme's rules are sound."""
    loaded = load(programme)
    programme_check(loaded.rules, retention_policy=programme.retention_policy, grace_months=programme.grace_months)


def programme_install(*, spec: dict, activate: bool = True) -> Programme:
    """Create a programme with its levels, rules and benefits from a spec (a preset), validated first."""
    programme_check(_spec_rules(spec), retention_policy=spec.get("retention_policy", RetentionPolicy.ANNIVERSARY),
                    grace_months=spec.get("grace_months", 0))
    with transaction.atomic():
        if activate:
            Programme.objects.filter(active=True).update(active=False)
        programme = Programme.objects.create(
            code=spec["code"], name=spec["name"], active=activate, preset=spec.get("preset", ""), notes=spec.get("notes", ""),
            retention_policy=spec.get("retention_policy", RetentionPolicy.ANNIVERSARY), grace_months=spec.get("grace_months", 0),
            one_level_per_evaluation=spec.get("one_level_per_evaluation", False),
            return_policy=spec.get("return_policy", ReturnPolicy.REVOKE))
        for rank, lv in enumerate(spec["levels"], start=1):
            level = Level.objects.create(programme=programme, rank=rank, code=lv["code"], name=lv["name"],
                                         is_vip=lv.get("is_vip", False), mode=lv.get("mode", "any"),
                                         retention_exempt=lv.get("retention_exempt", False))
            for pos, g in enumerate(lv.get("groups", []), start=1):
                group = RuleGroup.objects.create(level=level, position=pos, mode=g.get("mode", "all"))
                Condition.objects.bulk_create([Condition(group=group, kind=c["kind"], amount=c.get("amount"), months=c.get("months"),
                                                         count=c.get("count")) for c in g["conditions"]])
            Benefit.objects.bulk_create([Benefit(level=level, code=b["code"], name=b["name"], value=b.get("value"), unit=b.get("unit", ""),
                                                 quota=b.get("quota"), period=b.get("period", "")) for b in lv.get("benefits", [])])
    return programme


# ---- HQ configuration: a level's rules, the programme's retention policy ---------------------------
#
# Raw input (a console form, JSON) is read by core.parsing, then the whole programme with the change
# applied goes through validation.programme_check — the same check programme_install makes — so a
# rule that would be refused at installation is refused here too, and nothing is written.

def _require_config(actor) -> None:
    if actor is None or not can(actor, Action.LOYALTY_CONFIG):
        raise PermissionDenied(_("Only HQ may change the tier programme."))


def _parse_groups(raw, problems: parsing.Problems) -> list[dict]:
    """[{"mode", "conditions": [{"kind", "amount", "months", "count"}]}] from raw input. Rows left
    entirely blank are dropped, and so are groups left without a condition."""
    if raw is None:
        raw = []
    if not isinstance(raw, (list, tuple)):
        problems.add("groups", _("Must be a list."))
        return []
    groups = []
    for gi, group in enumerate(raw):
        where = f"groups.{gi}"
        if not isinstance(group, dict):
            problems.add(where, _("Must be an object."))
            continue
        mode = parsing.choice(group.get("mode") or Combine.ALL, f"{where}.mode", problems, Combine)
        rows = group.get("conditions") or []
        if not isinstance(rows, (list, tuple)):
            problems.add(f"{where}.conditions", _("Must be a list."))
            continue
        conditions = []
        for ci, row in enumerate(rows):
            at = f"{where}.conditions.{ci}"
            if not isinstance(row, dict):
                problems.add(at, _("Must be an object."))
                continue
            if all(parsing.blank(row.get(k)) for k in ("kind", "amount", "months", "count")):
                continue
            kind = parsing.choice(row.get("kind"), f"{at}.kind", problems, K)
            if not kind:
                continue
            amount = months = count = None
            if kind in AMOUNTED:
                amount = parsing.money(row.get("amount"), f"{at}.amount", problems)
            if kind in WINDOWED:
                months = parsing.whole(row.get("months"), f"{at}.months", problems, minimum=1, maximum=120)
            if kind == K.VISITS:
                count = parsing.whole(row.get("count"), f"{at}.count", problems, minimum=1, maximum=100_000)
            conditions.append({"kind": kind, "amount": amount, "months": months, "count": count})
        if conditions:
            groups.append({"mode": mode, "conditions": conditions})
    return groups


def _rule_of(*, code: str, rank: int, name: str, mode: str, retention_exempt: bool, groups: list[dict]) -> engine.LevelRule:
    return engine.LevelRule(code=code, rank=rank, name=name, mode=mode, retention_exempt=retention_exempt, groups=tuple(
        engine.Group(mode=g["mode"], conditions=tuple(engine.Cond(c["kind"], c["amount"], c["months"], c["count"])
                                                      for c in g["conditions"])) for g in groups))


def level_spec(level: Level) -> dict:
    """A level as plain data (amounts as strings): the shape level_update takes, and audit payloads."""
    return {"code": level.code, "name": level.name, "is_vip": level.is_vip, "mode": level.mode,
            "retention_exempt": level.retention_exempt,
            "groups": [{"mode": g.mode, "conditions": [
                {"kind": c.kind, "amount": None if c.amount is None else str(c.amount), "months": c.months, "count": c.count}
                for c in g.conditions.all()]} for g in level.groups.all()]}


def level_update(*, actor, level: Level, data: dict) -> Level:
    """Replace a level's name, VIP flag, retention exemption and qualification rules.

    `data`: {"name", "is_vip", "retention_exempt", "mode" (how groups combine), "groups": [{"mode",
    "conditions": [{"kind", "amount", "months", "count"}]}]}. The programme with the new rules must pass
    the same checks as at installation (thresholds rising with the level, positive windows…);
    otherwise ValidationFailed and nothing changes. Members' tiers follow the new rules at their next
    posting and at the retention evaluation."""
    _require_config(actor)
    problems = parsing.Problems()
    name = parsing.text(data.get("name"), "name", problems, limit=30, required=True)
    mode = parsing.choice(data.get("mode") or Combine.ANY, "mode", problems, Combine)
    is_vip, exempt = parsing.flag(data.get("is_vip")), parsing.flag(data.get("retention_exempt"))
    groups = _parse_groups(data.get("groups"), problems)
    problems.raise_if_any()
    with transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=level.programme_id)  # one configuration change at a time
        loaded = load(programme)
        current = loaded.levels.get(level.code)
        if current is None or current.pk != level.pk:
            raise NotFound(_("No such level in the programme."))
        rule = _rule_of(code=level.code, rank=current.rank, name=name, mode=mode, retention_exempt=exempt, groups=groups)
        programme_check([rule if r.code == level.code else r for r in loaded.rules],
                        retention_policy=programme.retention_policy, grace_months=programme.grace_months)
        before = level_spec(current)
        current.name, current.mode, current.is_vip, current.retention_exempt = name, mode, is_vip, exempt
        current.save(update_fields=["name", "mode", "is_vip", "retention_exempt"])
        RuleGroup.objects.filter(level=current).delete()  # conditions go with their groups
        for position, g in enumerate(groups, start=1):
            group = RuleGroup.objects.create(level=current, position=position, mode=g["mode"])
            Condition.objects.bulk_create([Condition(group=group, kind=c["kind"], amount=c["amount"], months=c["months"],
                                                     count=c["count"]) for c in g["conditions"]])
        after = level_spec(Level.objects.prefetch_related("groups__conditions").get(pk=current.pk))
        _touch(programme)
        event_record(actor=actor, verb="tier.level_update", obj=current,
                     payload={"programme": programme.code, "level": current.code, "before": before, "after": after})
    return current


POLICY_FIELDS = ("name", "retention_policy", "grace_months", "one_level_per_evaluation", "return_policy", "notes")


def programme_policy_update(*, actor, programme: Programme, data: dict) -> Programme:
    """Change a programme's name, notes and retention/downgrade policy (保级), checked with its rules."""
    _require_config(actor)
    problems = parsing.Problems()
    clean = {
        "name": parsing.text(data.get("name"), "name", problems, limit=60, required=True),
        "retention_policy": parsing.choice(data.get("retention_policy"), "retention_policy", problems, RetentionPolicy),
        "grace_months": parsing.whole(data.get("grace_months") if data.get("grace_months") not in (None, "") else 0,
                                      "grace_months", problems, minimum=0, maximum=120),
        "one_level_per_evaluation": parsing.flag(data.get("one_level_per_evaluation")),
        "return_policy": parsing.choice(data.get("return_policy"), "return_policy", problems, ReturnPolicy),
        "notes": parsing.text(data.get("notes"), "notes", problems, limit=2000),
    }
    problems.raise_if_any()
    with transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        programme_check(load(programme).rules, retention_policy=clean["retention_policy"], grace_months=clean["grace_months"])
        before = {k: getattr(programme, k) for k in POLICY_FIELDS}
        for key, value in clean.items():
            setattr(programme, key, value)
        programme.save(update_fields=[*POLICY_FIELDS, "updated_at"])
        event_record(actor=actor, verb="tier.programme_update", obj=programme,
                     payload={"programme": programme.code, "before": before, "after": clean})
    return programme
