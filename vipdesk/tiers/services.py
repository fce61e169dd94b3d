"""Tier services at posting (R4): upgrade as soon as a sale qualifies, re-evaluation on returns.
Every change writes a TierHistory row.

Called inside the posting's transaction by vipdesk.sales (interface of issue 3):
  tier_evaluate_posting(member=, sale=) and tier_evaluate_return(member=, sale_return=).

The other tier services live along their own seams: programme.py (the active programme loaded,
a member's level, the plumbing shared by every tier write), retention.py (the daily run),
overrides.py (HQ's overrides and approvals), progress.py (what is left to reach or keep a level),
benefits.py (benefits and their quotas), config.py (installing and configuring a programme).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from . import engine
from .choices import ApprovalStatus, ChangeReason, ReturnPolicy
from .metrics import one_member_metrics
from .models import Level, TierApproval, TierHistory
from .signals import tier_changed
from .programme import _history, _locked_tier, _rank, benefits_of, loaded_active, tier_row_state


@dataclass(frozen=True)
class TierOutcome:
    before: Level | None
    after: Level | None
    changed: bool
    benefits: list[dict]
    awaiting_approval: Level | None = None


def _unchanged(level) -> TierOutcome:
    return TierOutcome(level, level, False, benefits_of(level))


# ---- postings ------------------------------------------------------------------------------------

def tier_evaluate_posting(*, member, sale) -> TierOutcome:
    """Upgrade as soon as the posting qualifies (never lowers: lowering is the policy's job)."""
    loaded = loaded_active() if member is not None else None
    if loaded is None:
        return TierOutcome(None, None, False, [])
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
            history = _history(row, before=before, after=after, reason=ChangeReason.UPGRADE, on=on, sale=sale)
            history.save()
            tier_changed.send(sender=TierHistory, rows=[history])
        elif before is not None and _rank(q.level) >= _rank(before):
            row.last_qualified_on = max(filter(None, [row.last_qualified_on, on]))
        if tier_row_state(row) != row.state_as_read:  # most postings change nothing here: no UPDATE then
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
    loaded = loaded_active() if member is not None else None
    if loaded is None:
        return TierOutcome(None, None, False, [])
    programme = loaded.programme
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
        history = _history(row, before=before, after=target, reason=ChangeReason.RETURN, on=on, sale=sale_return,
                           note=_("Return of receipt %(receipt)s") % {"receipt": original.receipt_no})
        history.save()
        tier_changed.send(sender=TierHistory, rows=[history])
    return TierOutcome(before, target, True, benefits_of(target))
