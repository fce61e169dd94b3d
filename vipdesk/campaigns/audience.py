"""Who a campaign is for: a saved segment (analytics' selector, evaluated by the system — every
member in it, withdrawn members never), the members holding a level in the programme in force, or
an uploaded list of member numbers and mobiles (an unknown entry is counted, not an error)."""
from __future__ import annotations

import re

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from vipdesk.analytics.selectors import segment_members
from vipdesk.core import parsing
from vipdesk.members.choices import MemberStatus
from vipdesk.members.models import Member

from .choices import Audience

MAX_LIST = 200_000
_SPLIT = re.compile(r"[\s,;，；、]+")


def list_clean(raw, problems: parsing.Problems, key: str = "member_list") -> list[str]:
    """Member numbers / mobiles from pasted text or a list: split on blanks, commas, semicolons;
    duplicates dropped, order kept."""
    items = _SPLIT.split(raw) if isinstance(raw, str) else raw if isinstance(raw, (list, tuple)) else None
    if items is None:
        problems.add(key, _("Give member numbers or mobiles, one per line."))
        return []
    out, seen = [], set()
    for item in items:
        item = str(item).strip()
        if not item:
            continue
        if len(item) > 32 or "\x00" in item:
            problems.add(key, _("Not a member number or mobile: %(v)s") % {"v": item[:32]})
            return []
        if item not in seen:
            seen.add(item)
            out.append(item)
    if not out:
        problems.add(key, _("The list is empty."))
    elif len(out) > MAX_LIST:
        problems.add(key, _("At most %(n)d entries.") % {"n": MAX_LIST})
    return out


def audience_members(campaign) -> QuerySet:
    """The active members the campaign's audience names (unordered)."""
    if campaign.audience == Audience.SEGMENT:
        return segment_members(campaign.segment)
    active = Member.objects.filter(status=MemberStatus.ACTIVE)
    if campaign.audience == Audience.LEVEL:
        return active.filter(tier__level=campaign.level, tier__programme__active=True)
    entries = list(campaign.member_list or [])
    return active.filter(Q(member_no__in=entries) | Q(mobile__in=[e for e in entries if e.isdigit()]))


def unmatched(campaign) -> int:
    """Entries of an uploaded list that name no active member."""
    if campaign.audience != Audience.LIST:
        return 0
    found = set()
    for no, mobile in audience_members(campaign).values_list("member_no", "mobile").iterator(chunk_size=5000):
        found.update((no, mobile))
    return sum(1 for e in campaign.member_list or [] if e not in found)
