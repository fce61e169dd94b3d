"""Who an event invites: members holding one of its levels in the programme in force, a saved
segment's members, or an uploaded list of member numbers / mobiles — active members only, and of
the event's stores when it names any (by home store)."""
from __future__ import annotations

from django.db.models import Q, QuerySet

from vipdesk.analytics.selectors import segment_members
from vipdesk.members.choices import MemberStatus
from vipdesk.members.models import Member

from .choices import Audience


def audience_members(event) -> QuerySet:
    active = Member.objects.filter(status=MemberStatus.ACTIVE)
    if event.audience == Audience.SEGMENT:
        qs = active.filter(pk__in=segment_members(event.segment).values("pk"))
    elif event.audience == Audience.LEVELS:
        qs = active.filter(tier__level__code__in=event.levels, tier__programme__active=True)
    else:
        entries = list(event.member_list or [])
        qs = active.filter(Q(member_no__in=entries) | Q(mobile__in=[e for e in entries if e.isdigit()]))
    stores = list(event.stores.values_list("pk", flat=True)) if event.pk else []
    return qs.filter(home_store_id__in=stores) if stores else qs
