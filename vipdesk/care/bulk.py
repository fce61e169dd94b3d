"""Care after many sales at once (the set-based sales import, salesimport/bulk.py): what
`care_after_sale` does after each posting — the same-day 1311 call and the tier-change task, then
the merge of a member's calls of a day — for many members at once. The generator is set-based (one
INSERT … SELECT per rule, keys that make a second run create nothing), so the members go through it
together: `care_after_member_days` takes each member on her own business date, every date in the
same statements (generation.generate_on_days); `care_after_members` the members of one date."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from vipdesk.members.models import Member

from .choices import RuleKind
from .generation import Crews, day_members, generate, generate_on_days, install_days, merge_calls, merge_calls_on_days
from .models import CareRule
from .rules import takes_days


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


def care_after_member_days(days: dict[int, dt.date], rules: list[CareRule] | None = None) -> dict[str, int]:
    """`care_after_members(day, <members of that day>)` for each business date of `days` ({member id: her
    date}: each member once), in date order — done for all the dates at once: one statement per rule,
    the merge of calls found by one query. The same tasks, merges and events (in the same order) as date
    by date; a rule that needs its own date (a follow-up days later) makes it go date by date."""
    rules = after_sale_rules() if rules is None else rules
    if not rules or not days:
        return {}
    if not all(takes_days(rule) for rule in rules):
        made, dates = {}, defaultdict(list)
        for member_id, day in days.items():
            dates[day].append(member_id)
        for day in sorted(dates):
            made.update(care_after_members(day, dates[day], rules))
        return made
    install_days(days)
    people = list(day_members().values_list("home_store_id", "owner_id").distinct())
    crews = Crews(store_ids=sorted({s for s, _o in people}), staff_ids=sorted({o for _s, o in people if o}))
    made = generate_on_days(days=days, rules=rules, crews=crews)
    merge_calls_on_days()
    return made
