"""What a notice says about the member who came in, built for one viewer (masked per role)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, can
from vipdesk.care.calendar import is_leap
from vipdesk.care.choices import TaskKind, TaskStatus
from vipdesk.care.models import CareTask
from vipdesk.core import masking
from vipdesk.feedback.choices import ComplaintStatus
from vipdesk.feedback.models import Complaint
from vipdesk.members.choices import ConsentPurpose, Gender
from vipdesk.members.models import Consent, Member
from vipdesk.servicedesk.choices import TicketStatus
from vipdesk.servicedesk.models import Ticket
from vipdesk.tiers.models import MemberTier

from .choices import Outcome
from .models import Arrival

BIRTHDAY_SOON_DAYS = 7
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "令狐")
# Spend bands (lifetime spend, yuan): the notice says the band, never the figure.
SPEND_BANDS = ((Decimal("100000"), "100000+"), (Decimal("20000"), "20000–100000"), (Decimal("5000"), "5000–20000"),
               (Decimal("1000"), "1000–5000"), (Decimal("0"), "<1000"))


def salutation(member) -> str:
    """张女士 / 欧阳先生: the surname and a title, what a greeter says (seed 001: greet by name)."""
    name = member.name or ""
    surname = name[:2] if name[:2] in COMPOUND_SURNAMES else name[:1]
    if not surname:
        return ""
    title = {Gender.FEMALE: _("Ms"), Gender.MALE: _("Mr")}.get(member.gender, "")
    return f"{surname}{title}" if title else surname


def spend_band(total) -> str:
    total = Decimal(total or 0)
    for floor, label in SPEND_BANDS:
        if total >= floor:
            return label
    return SPEND_BANDS[-1][1]


def days_to_birthday(birthday: dt.date | None, today: dt.date) -> int | None:
    """Days until the next solar birthday (0 = today); 29 February is kept on 28 February in
    other years."""
    if birthday is None:
        return None
    for year in (today.year, today.year + 1):
        month, day = birthday.month, birthday.day
        if (month, day) == (2, 29) and not is_leap(year):
            day = 28
        kept = dt.date(year, month, day)
        if kept >= today:
            return (kept - today).days
    return None


def _count(qs) -> Coalesce:
    """A correlated count of `qs` (rows of one member: filtered on OuterRef("pk")), 0 when none."""
    return Coalesce(Subquery(qs.order_by().values("member").annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()), 0)


def member_facts(member_id: int, *, store, now: dt.datetime, repeat_since: dt.datetime, today: dt.date) -> dict:
    """Everything an arrival decides on and a notice says about the member, besides the member row,
    in ONE query (each part an indexed look-up by member): the latest recognition choice, whether
    she was announced at this store since `repeat_since`, her level, open complaints and tickets,
    the number of today's open care tasks and her last arrival before `now`.

    Run it after the member row is locked: a new statement sees the arrival a concurrent report of
    the same member committed while this one waited (READ COMMITTED), so she is announced once."""
    member = OuterRef("pk")
    return Member.objects.filter(pk=member_id).annotate(
        recognition=Subquery(Consent.objects.filter(member=member, purpose=ConsentPurpose.RECOGNITION)
                             .order_by("-at", "-id").values("granted")[:1]),
        announced_lately=Exists(Arrival.objects.filter(member=member, store=store, outcome=Outcome.ANNOUNCED, at__gte=repeat_since)),
        level_name=Subquery(MemberTier.objects.filter(member=member).values("level__name")[:1]),
        open_complaints=_count(Complaint.objects.filter(member=member, status__in=[ComplaintStatus.OPEN, ComplaintStatus.IN_PROGRESS])),
        open_tickets=_count(Ticket.objects.filter(member=member, status__in=[TicketStatus.OPEN, TicketStatus.ACCEPTED])),
        tasks_today=_count(CareTask.objects.filter(member=member, due_on=today, status=TaskStatus.OPEN)),
        last_arrival=Subquery(Arrival.objects.filter(member=member, outcome__in=[Outcome.ANNOUNCED, Outcome.REPEAT], at__lt=now)
                              .order_by("-at").values("at")[:1]),
    ).values("recognition", "announced_lately", "level_name", "open_complaints", "open_tickets", "tasks_today", "last_arrival").get()


def care_tasks_today(member, today: dt.date, facts: dict) -> list[str]:
    if not facts["tasks_today"]:
        return []  # most members: no second query
    return [str(TaskKind(kind).label) for kind in CareTask.objects.filter(member=member, due_on=today, status=TaskStatus.OPEN)
            .order_by("due_at", "id").values_list("kind", flat=True)]


def last_visit(member, facts: dict):
    dates = [d for d in (facts["last_arrival"], member.last_purchase_at) if d is not None]
    return max(dates) if dates else None


def build(member, arrival, viewer, *, audience: str, today: dt.date, facts: dict, tasks: list[str]) -> dict:
    """The notice for `viewer`; `facts` from member_facts, `tasks` from care_tasks_today (shared by
    every recipient of the arrival)."""
    full = can(viewer, Action.SEE_FULL)
    complaints = facts["open_complaints"]
    seen = last_visit(member, facts)
    birthday_in = days_to_birthday(member.birthday, today)
    preferred = [x for x in (member.get_preferred_contact_display() if member.preferred_contact else "",
                             member.style_preferences, member.consumption_habits) if x]
    return {
        "id": None,  # the notice's id, set once stored
        "arrival": arrival.pk,
        "member": member.pk,
        "member_url": reverse("console:member_detail", args=[member.pk]),
        "salutation": salutation(member),
        "name": member.name if full else masking.mask_name(member.name),
        "member_no": member.member_no,
        "level": facts["level_name"] or "",
        "owner": str(member.owner) if member.owner else "",
        "audience": audience,
        "last_visit": timezone.localtime(seen).strftime("%Y-%m-%d") if seen else "",
        "spend_band": spend_band(member.total_spend),
        "birthday_in": birthday_in if birthday_in is not None and birthday_in <= BIRTHDAY_SOON_DAYS else None,
        "complaints": complaints,
        "tickets": facts["open_tickets"],
        "care_tasks": tasks,
        "preferred": "；".join(preferred),
        "avoid": member.notes[:160] if member.notes else "",  # the file's notes: what to mind (no drinks, no calls at work …)
        "store": arrival.store.name,
        "point": arrival.get_point_display(),
        "at": timezone.localtime(arrival.at).strftime("%H:%M"),
        "at_iso": arrival.at.isoformat(),
    }
