"""Points paid to attend a VIP event (R5.6, seed 003 篇6: 组织相应的活动之后再扣除VIP客户的相应积分;
issue 18 §2). vipdesk.events calls these inside its own transaction and links the entries from its
invitation row (one deduction and at most one refund each: its OneToOne columns).

The deduction is a "spend" entry with action "event", taking the soonest-expiring lots first like
any spending; the refund is a "redeem_cancel" entry with action "event" that puts the points back
into the lots they came from (the longest-lived first), never more than was taken.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from vipdesk.core.errors import ValidationFailed

from .choices import EntryKind
from .ledger import _locked_account, _record_uses, _refuse_short, _restore, _restore_plan, _staff, _take, _usable, _write, policy
from .models import PointsEntry

ACTION = "event"


def points_usable_check(*, member, points: int, on: dt.date) -> None:
    """Refuse (insufficient_points, 422) when the member has fewer usable points than `points`."""
    if points > 0:
        pol = policy()
        _refuse_short(_locked_account(member.pk), points, on, same_day_ok=pol.same_day_redeemable)


@transaction.atomic(savepoint=False)
def points_spend_for_event(*, member, points: int, reference: str, on: dt.date, store=None, actor=None) -> PointsEntry:
    if not isinstance(points, int) or isinstance(points, bool) or points <= 0:
        raise ValidationFailed(_("Points must be a whole number above 0."), fields={"points": _("Points must be a whole number above 0.")})
    pol = policy()
    account = _locked_account(member.pk)
    _refuse_short(account, points, on, same_day_ok=pol.same_day_redeemable)
    entry = _write(account, kind=EntryKind.SPEND, points=-points, business_date=on, store=store, action=ACTION,
                   note=reference[:200], detail={"event": reference}, actor=_staff(actor))
    _record_uses(entry, _take(_usable(account, on, same_day_ok=pol.same_day_redeemable), points))
    return entry


@transaction.atomic(savepoint=False)
def points_refund_event(*, spend: PointsEntry, on: dt.date, note: str = "", actor=None) -> PointsEntry:
    """Give back what `spend` took (the caller makes it once)."""
    account = _locked_account(spend.account.member_id)
    plan = _restore_plan(spend, -spend.points)
    entry = _write(account, kind=EntryKind.REDEEM_CANCEL, points=sum(g for _u, g in plan), business_date=on, store=spend.store,
                   action=ACTION, note=(note or spend.note)[:200], detail={"refund_of": spend.pk}, actor=_staff(actor))
    _restore(entry, plan)
    return entry
