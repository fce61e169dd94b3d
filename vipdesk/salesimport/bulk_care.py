"""Care and the webhooks events of a chunk of sales (the set-based import, bulk.py), in the order the
till makes them.

After each posting the till runs care for the sale's member (care_after_sale: the same-day 1311
call, the tier-change task, the merge of her calls of the day) with her tier as it stands after
that sale, and the events go out in that order: tier.changed, coupon.issued, care_task.created, sale.posted. Care
only makes something new at a member's first sale of a business date or at a sale that changed
her tier — "care moments". So the chunk's sales are taken in waves: wave k holds the k-th care
moment of every member; before it the tier history up to that moment is written and each member's
tier row holds the level of that moment; the care generator (set-based, one INSERT … SELECT per
rule) then runs once for all its members, each on the business date of her moment (every date of the
wave in the same statements: care.bulk.care_after_member_days). The tasks, their scripts
and their merges are those of the till, for far fewer statements than receipts.
"""
from __future__ import annotations

from collections import defaultdict

from vipdesk.care.bulk import after_sale_rules, care_after_member_days
from vipdesk.sales.models import Sale
from vipdesk.tiers.models import MemberTier, TierHistory
from vipdesk.tiers.signals import tier_changed
from vipdesk.webhooks.choices import EventType
from vipdesk.webhooks.receivers import _listening, on_sale_credited

from .bulk_coupons import announce


def _moments(sales) -> dict[int, list[int]]:
    """Per member, the positions (in her list of sales) of her care moments."""
    out = {}
    for member_id, own in sales.items():
        seen, marks = set(), []
        for i, sale in enumerate(own):
            if sale.business_date not in seen or sale._history is not None:
                marks.append(i)
            seen.add(sale.business_date)
        out[member_id] = marks
    return out


class _Announcer:
    def __init__(self):
        self.sales = _listening(EventType.SALE_POSTED)

    def tier(self, sale) -> None:
        """What the till announces inside its loyalty step: tier.changed, then coupon.issued."""
        if sale._history is not None:
            tier_changed.send(sender=TierHistory, rows=[sale._history])  # webhooks: tier.changed
        announce(getattr(sale, "_coupons", None))

    def posted(self, sale) -> None:
        if self.sales:
            on_sale_credited(sender=Sale, sale=sale)  # webhooks: sale.posted, as the till's signal records it


def settle(sales: list, *, tiers: bool = True) -> None:
    """Tier history, care and events for the chunk's member sales (in file order), after their loyalty."""
    by_member = defaultdict(list)
    for sale in sales:
        by_member[sale.member_id].append(sale)
    rules = after_sale_rules()
    say = _Announcer()
    moments = _moments(by_member) if rules else {m: [] for m in by_member}
    done = {m: 0 for m in by_member}  # per member, how many of her sales are settled
    for wave in range(max((len(v) for v in moments.values()), default=0)):
        now = {m: marks[wave] for m, marks in moments.items() if wave < len(marks)}
        history, levels, days = [], defaultdict(list), {}
        for member_id, upto in now.items():
            own = by_member[member_id]
            history += [s._history for s in own[done[member_id]:upto + 1] if s._history is not None]
            moment = own[upto]
            levels[getattr(moment._level, "pk", None)].append(member_id)
            days[member_id] = moment.business_date
        if history:
            TierHistory.objects.bulk_create(history)
        for level_id, members in levels.items() if tiers else ():
            MemberTier.objects.filter(pk__in=members).update(level_id=level_id)
        for member_id, upto in now.items():
            own = by_member[member_id]
            for sale in own[done[member_id]:upto]:
                say.tier(sale)
                say.posted(sale)
            say.tier(own[upto])
        care_after_member_days(days, rules)  # every business date of the wave at once
        for member_id, upto in now.items():
            say.posted(by_member[member_id][upto])
            done[member_id] = upto + 1
    rest = [s._history for m, own in by_member.items() for s in own[done[m]:] if s._history is not None]
    if rest:
        TierHistory.objects.bulk_create(rest)
    for member_id, own in by_member.items():
        for sale in own[done[member_id]:]:
            say.tier(sale)
            say.posted(sale)
