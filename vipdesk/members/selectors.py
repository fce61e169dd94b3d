"""Reads on the member file: search (R1.4) and completeness figures (R1.2)."""
from __future__ import annotations

import re

from django.db.models import Avg, Count, Prefetch, QuerySet

from vipdesk.accounts.roles import Action
from vipdesk.core.validators import luhn_valid

from .choices import CardStatus, MemberStatus
from .models import Card, CardEvent, Member

_DIGITS = re.compile(r"^[0-9]+$")


def member_search(qs: QuerySet, query: str) -> QuerySet:
    """Find members by full mobile, its last 4 digits, card number, member number or name fragment.

    `qs` is already scoped (`Member.objects.restrict(...)`); this only narrows it, so a hit outside
    the viewer's scope is never returned.
    """
    q = re.sub(r"[\s\-]", "", query or "")
    if not q:
        return qs.none()
    if q.upper().startswith("M") and _DIGITS.match(q[1:]):
        return qs.filter(member_no=q.upper())
    if _DIGITS.match(q):
        if len(q) == 4:
            return qs.filter(mobile_last4=q)
        if len(q) == 11 and q.startswith("1"):
            hit = qs.filter(mobile=q)
            return hit if hit.exists() else qs.filter(pk__in=Card.objects.filter(number=q).values("member_id"))
        return qs.filter(pk__in=Card.objects.filter(number=q).values("member_id")) if luhn_valid(q) or len(q) > 4 else qs.none()
    if q.startswith(("+86", "0086")):
        rest = q[3:] if q.startswith("+86") else q[4:]
        return member_search(qs, rest) if rest else qs.none()
    by_card = Card.objects.filter(token=q).values("member_id")
    return qs.filter(name__contains=q) | qs.filter(pk__in=by_card)


def completeness_by_owner(qs: QuerySet) -> QuerySet:
    return (qs.filter(status=MemberStatus.ACTIVE).values("owner_id", "owner__display_name", "owner__username")
            .annotate(members=Count("id"), average=Avg("completeness")).order_by("-average"))


def completeness_by_store(qs: QuerySet) -> QuerySet:
    return (qs.filter(status=MemberStatus.ACTIVE).values("home_store_id", "home_store__code", "home_store__name")
            .annotate(members=Count("id"), average=Avg("completeness")).order_by("home_store__code"))


def cards_awaiting_approval(actor) -> QuerySet:
    """Cards applied for and not yet approved, of the members in the actor's scope (a store manager:
    his stores; HQ: all), oldest first; each with its "applied" event (`applications`: who, when, note)."""
    applied = CardEvent.objects.filter(verb="applied").select_related("actor", "api_client").order_by("at", "id")
    return (Card.objects.filter(status=CardStatus.PENDING, member__in=Member.objects.restrict(actor, Action.VIEW))
            .select_related("member__home_store", "issue_store", "principal")
            .prefetch_related(Prefetch("events", queryset=applied, to_attr="applications"))
            .order_by("created_at", "id"))
