"""Care after many sales at once (the set-based sales import, salesimport/bulk.py): what
`care_after_sale` does after each posting — the same-day 1311 call and the tier-change task, then
the merge of a member's calls of a day — run once per business date for all the members who
bought that day. The generator is already set-based (one INSERT … SELECT per rule, keys that make a
second run create nothing), so a date's members go through it together."""
from __future__ import annotations

import datetime as dt

from vipdesk.members.models import Member

from .choices import RuleKind
from .generation import Crews, generate, merge_calls
from .models import CareRule


def after_sale_rules() -> list[CareRule]:
    """The rules a posting runs at once (care_after_sale's): same-day follow-ups and tier changes."""
    return [r for r in CareRule.objects.filter(active=True, kind__in=[RuleKind.AFTER_PURCHASE, RuleKind.TIER_CHANGED])
            if r.kind == RuleKind.TIER_CHANGED or not (r.parameters.get("after_days") or r.parameters.get("after_months"))]


def care_after_members(on: dt.date, member_ids, rules: list[CareRule] | None = None) -> dict[str, int]:
    """`care_after_sale` for the sales of business date `on` of many members at once, each credited
    at posting: the same rules, keys, owners and scripts (the generator works on a set of members
    anyway), then the merge of their calls of the day. {rule code: tasks created}."""
    rules = after_sale_rules() if rules is None else rules
    if not rules or not member_ids:
        return {}
    members = Member.objects.filter(pk__in=sorted(member_ids))
    people = list(members.values_list("home_store_id", "owner_id"))
    crews = Crews(store_ids=sorted({s for s, _o in people}), staff_ids=sorted({o for _s, o in people if o}))
    made = generate(on=on, rules=rules, members=members, crews=crews)
    merge_calls(on=on, members=members)
    return made
