"""Service requests in the member portal (issue 16, R12.3): after-sales, alteration, delivery,
reservation… open a service ticket (vipdesk.servicedesk, issue 19: the kinds the member may ask for
are data); a complaint or a change of name / ID number lands in the staff console's complaint list
(vipdesk.feedback.requests). The member sees the status and the replies meant for her."""
from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from vipdesk.core import parsing
from vipdesk.core.errors import DomainError, NotFound
from vipdesk.feedback.requests import KIND_LABELS, STATUS_LABELS, kind_of, member_request, member_request_create, member_requests, member_visible_events
from vipdesk.org.models import Store
from vipdesk.servicedesk.choices import Source, TicketStatus
from vipdesk.servicedesk.models import TicketKind
from vipdesk.servicedesk.selectors import member_ticket, member_ticket_events, member_tickets
from vipdesk.servicedesk.services import kinds_install_default, ticket_open

from .auth import MemberView


# A ticket's status in the words the member reads for every request.
TICKET_STATUS = {TicketStatus.OPEN: "open", TicketStatus.ACCEPTED: "in_progress", TicketStatus.RESOLVED: "resolved",
                 TicketStatus.CLOSED: "closed"}
COMPLAINT_KINDS = ("profile_change", "complaint")  # what stays a complaint; the rest are ticket kinds


def _row(c):
    c.kind_label = KIND_LABELS[kind_of(c)]
    c.status_label = STATUS_LABELS[c.status]
    c.url = reverse("portal:request", args=[c.pk])
    return c


def _ticket_row(t):
    t.kind_label = t.kind.name
    t.status_label = STATUS_LABELS[TICKET_STATUS[t.status]]
    t.received_at = t.opened_at
    t.url = reverse("portal:ticket", args=[t.pk])
    return t


def ticket_kinds():
    if not TicketKind.objects.exists():
        kinds_install_default()
    return {k.code: k for k in TicketKind.objects.filter(active=True, member_visible=True).order_by("pk")}


class RequestsView(MemberView):
    template_name = "portal/requests.html"
    tab = "me"

    def get_context_data(self, **kwargs):
        kinds = [(code, k.name) for code, k in ticket_kinds().items()] + [(k, KIND_LABELS[k]) for k in COMPLAINT_KINDS]
        stores = Store.objects.filter(active=True).order_by("code")
        rows = [_row(c) for c in member_requests(self.member)] + [_ticket_row(t) for t in member_tickets(self.member)]
        rows.sort(key=lambda r: r.received_at, reverse=True)
        return super().get_context_data(rows=rows, kinds=kinds, stores=stores,
                                        data=self.request.POST or {"kind": self.request.GET.get("kind", ""),
                                                                   "store": str(self.member.home_store_id)}, **kwargs)

    def post(self, request):
        data = request.POST
        store_id = data.get("store") or ""
        store = Store.objects.filter(pk=store_id, active=True).first() if store_id.isdigit() else None
        day = None
        if data.get("preferred_date"):
            try:
                day = dt.date.fromisoformat(data["preferred_date"])
            except ValueError:
                return self.render_to_response(self.get_context_data(error=_("Enter the date as YYYY-MM-DD.")))
        kind = data.get("kind", "")
        try:
            if kind in ticket_kinds():
                problems = parsing.Problems()  # the same refusal as a complaint's: she says what she needs
                text = parsing.text(data.get("description"), "description", problems, limit=2000, required=True)
                problems.raise_if_any()
                if day is not None:
                    text = f"{text}\n{_('Preferred date')}: {day.isoformat()}"
                ticket = ticket_open(kind_code=kind, member=self.member, store=store, source=Source.PORTAL, description=text)
                return redirect(f"{reverse('portal:ticket', args=[ticket.pk])}?new=1")
            req = member_request_create(member=self.member, kind=kind, description=data.get("description", ""),
                                        store=store, preferred_date=day)
        except DomainError as exc:
            return self.render_to_response(self.get_context_data(error=exc.message))
        return redirect(f"{reverse('portal:request', args=[req.pk])}?new=1")


class RequestView(MemberView):
    template_name = "portal/request.html"
    tab = "me"

    def get_context_data(self, **kwargs):
        try:
            req = _row(member_request(self.member, self.kwargs["pk"]))
        except NotFound:
            raise Http404
        if self.request.GET.get("new"):
            kwargs.setdefault("notice", _("Your request is sent to the store."))
        return super().get_context_data(req=req, events=member_visible_events(req), **kwargs)


class TicketView(MemberView):
    """One of her service tickets: status, deadline and what the store told her."""

    template_name = "portal/request.html"  # the same page as a request; a ticket has a due time, not a day
    tab = "me"

    def get_context_data(self, **kwargs):
        try:
            req = _ticket_row(member_ticket(self.member, self.kwargs["pk"]))
        except NotFound:
            raise Http404
        if self.request.GET.get("new"):
            kwargs.setdefault("notice", _("Your request is sent to the store."))
        events = member_ticket_events(req)
        for e in events:
            if e.get("status"):
                e["status"] = STATUS_LABELS[TICKET_STATUS[e["status"]]]
        return super().get_context_data(req=req, events=events, **kwargs)
