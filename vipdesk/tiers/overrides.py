"""HQ's hand on a member's tier: an override until a date (the daily run ends it), and the decision
on a level that waits for manual approval.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, require
from vipdesk.audit.services import event_record
from vipdesk.core.clock import today
from vipdesk.core.errors import Conflict, NotFound, ValidationFailed
from vipdesk.members.models import Member

from . import engine
from .choices import ApprovalStatus, ChangeReason
from .metrics import one_member_metrics
from .models import Level, MemberTier, TierApproval, TierHistory
from .programme import _history, _locked_tier, _rank, _staff, active_programme, load
from .signals import tier_changed


def _require_hq(actor) -> None:
    require(actor, Action.TIER_OVERRIDE, _("Only HQ may change a member's tier by hand."), system=False)


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
        history = _history(row, before=before, after=level, reason=ChangeReason.OVERRIDE, on=on, actor=actor,
                           note=f"{reason.strip()} → {until.isoformat()}")
        history.save()
        tier_changed.send(sender=TierHistory, rows=[history])
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
                history = _history(row, before=before, after=target, reason=ChangeReason.APPROVAL, on=on, actor=actor, note=note)
                history.save()
                tier_changed.send(sender=TierHistory, rows=[history])
        event_record(actor=actor, verb="tier.approval", obj=approval.member,
                     payload={"level": approval.level.code, "approved": approve, "note": note})
    return approval


def tier_approvals_pending(actor):
    """Upgrades held back by a level's approval gate (R4.1, 紫金钻石卡), of the members in the actor's
    scope (a store manager sees his stores' and HQ decides; HQ sees all), oldest first."""
    return (TierApproval.objects.filter(status=ApprovalStatus.PENDING, member__in=Member.objects.restrict(actor, Action.VIEW))
            .select_related("member__home_store", "level", "sale__store").order_by("requested_on", "id"))


def tier_approval_for_actor(actor, pk) -> TierApproval:
    """One pending-or-decided request within the actor's scope; outside it, not found (404)."""
    approval = TierApproval.objects.filter(
        pk=pk, member__in=Member.objects.restrict(actor, Action.VIEW)).select_related("member", "level").first()
    if approval is None:
        raise NotFound(_("No such upgrade request."))
    return approval
