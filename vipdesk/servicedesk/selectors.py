"""Reads of the service desk: scoped tickets, a desk's board (tickets and the store's unresolved
complaints, due first) and the SLA figures per store, desk and month."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from vipdesk.accounts.roles import Action, Role, can
from vipdesk.accounts.scoping import store_ids_in_scope
from vipdesk.core import clock
from vipdesk.core.errors import NotFound
from vipdesk.feedback.choices import UNRESOLVED as COMPLAINT_UNRESOLVED
from vipdesk.feedback.selectors import complaints_for
from vipdesk.org.models import ApiClient

from .choices import UNRESOLVED
from .models import Desk, Ticket


def tickets_for(principal) -> QuerySet:
    """Tickets of the principal's stores (all for HQ and the system); an account manager also sees
    his own members' tickets wherever they were opened."""
    qs = Ticket.objects.select_related("kind", "store", "desk", "assignee", "member", "escalated_to")
    if principal is None:
        return qs
    if not can(principal, Action.FEEDBACK_VIEW):
        return qs.none()
    ids = store_ids_in_scope(principal)
    if ids is None:
        return qs
    if getattr(principal, "role", None) == Role.ACCOUNT_MANAGER and not isinstance(principal, ApiClient):
        return qs.filter(Q(store_id__in=ids) | Q(member__owner_id=principal.pk))
    return qs.filter(store_id__in=ids)


def ticket_for_actor(principal, pk) -> Ticket:
    if not str(pk).isdigit() or int(pk) > 2**63 - 1:
        raise NotFound(_("No such ticket."))
    found = tickets_for(principal).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No such ticket."))
    return found


def desks_for(principal) -> QuerySet:
    qs = Desk.objects.filter(active=True).select_related("store", "manager")
    ids = store_ids_in_scope(principal) if principal is not None else None
    return qs if ids is None else qs.filter(store_id__in=ids)


@dataclass
class BoardRow:
    """One line of a board: a ticket or a complaint, with its due moment."""

    kind: str  # "ticket" or "complaint"
    obj: object
    due: dt.datetime
    overdue: bool
    label: str


def board(principal, *, desk: Desk | None = None, mine: bool = False, now: dt.datetime | None = None, limit: int = 200) -> list[BoardRow]:
    """Unresolved tickets of the desk (or of every desk in scope; `mine`: the principal's own),
    and the unresolved complaints of the desk's store, sorted by what is due first. A complaint is
    due at the end of its deadline day, at the store."""
    now = now or timezone.now()
    tickets = tickets_for(principal).filter(status__in=UNRESOLVED)
    complaints = complaints_for(principal).filter(status__in=COMPLAINT_UNRESOLVED)
    if desk is not None:
        tickets = tickets.filter(desk=desk)
        complaints = complaints.filter(store_id=desk.store_id)
    if mine:
        tickets = tickets.filter(assignee_id=principal.pk)
        complaints = complaints.filter(owner_id=principal.pk)
    rows = [BoardRow("ticket", t, t.due_at, t.due_at < now, t.kind.name) for t in tickets.order_by("due_at", "pk")[:limit]]
    for c in complaints.order_by("deadline", "pk")[:limit]:
        end = dt.datetime.combine(c.deadline + dt.timedelta(days=1), dt.time(0), tzinfo=clock.store_tz(c.store))
        rows.append(BoardRow("complaint", c, end, end < now, str(c.category)))
    rows.sort(key=lambda r: (r.due, r.kind, r.obj.pk))
    return rows[:limit]


def sla_figures(principal, *, start: dt.date, end: dt.date, store_ids=None) -> list[dict]:
    """Per store, desk and month of opening (store dates by the server zone): tickets opened,
    resolved, resolved on time, still open past due, escalated, mean satisfaction."""
    tz = clock.store_tz(None)
    lo = dt.datetime.combine(start, dt.time(0), tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    now = timezone.now()
    qs = tickets_for(principal).filter(opened_at__gte=lo, opened_at__lt=hi)
    if store_ids is not None:
        qs = qs.filter(store_id__in=store_ids)
    qs = (qs
          .annotate(month=TruncMonth("opened_at", tzinfo=tz))
          .values("month", "store__code", "store__name", "desk__name")
          .annotate(opened=Count("id"), resolved=Count("id", filter=Q(resolved_at__isnull=False)),
                    on_time=Count("id", filter=Q(resolved_at__isnull=False, resolved_at__lte=F("due_at"))),
                    overdue=Count("id", filter=Q(status__in=UNRESOLVED, due_at__lt=now)),
                    escalated=Count("id", filter=Q(escalated_at__isnull=False)),
                    satisfaction=Avg("satisfaction"))
          .order_by("month", "store__code", "desk__name"))
    out = []
    for row in qs:
        month = row["month"]
        out.append({"month": month.strftime("%Y-%m") if hasattr(month, "strftime") else str(month)[:7],
                    "store": row["store__code"], "store_name": row["store__name"], "desk": row["desk__name"] or "",
                    "opened": row["opened"], "resolved": row["resolved"], "on_time": row["on_time"], "overdue": row["overdue"],
                    "escalated": row["escalated"],
                    "on_time_percent": round(100 * row["on_time"] / row["resolved"], 1) if row["resolved"] else None,
                    "satisfaction": round(float(row["satisfaction"]), 2) if row["satisfaction"] is not None else None})
    return out


# ---- the member's own tickets (the portal) ------------------------------------------------------

MEMBER_VERBS = ("opened", "accepted", "replied", "handed_over", "resolved", "reopened", "closed")


def member_tickets(member, *, limit: int = 100):
    return Ticket.objects.filter(member_id=member.pk).select_related("kind", "store").order_by("-opened_at", "-id")[:limit]


def member_ticket(member, pk) -> Ticket:
    if not str(pk).isdigit() or int(pk) > 2**63 - 1:
        raise NotFound(_("No such request."))
    found = Ticket.objects.filter(pk=pk, member_id=member.pk).select_related("kind", "store").first()
    if found is None:
        raise NotFound(_("No such request."))
    return found


def member_ticket_events(ticket: Ticket) -> list[dict]:
    """The log as the member reads it: what she was told, never internal notes or who did it."""
    out = []
    for e in ticket.events.filter(verb__in=MEMBER_VERBS).order_by("at", "id"):
        if e.verb == "opened":
            out.append({"at": e.at, "kind": "filed"})
        elif e.to_member:
            out.append({"at": e.at, "kind": "reply", "text": e.note, "status": e.to_status})
        else:
            out.append({"at": e.at, "kind": "status", "status": e.to_status})
    return out
