"""Service requests in the member portal (issue 16, R12.3): alteration, delivery, reservation, a
complaint, or a change of name / ID number for the store to make. They land in the staff console's
complaint list (vipdesk.feedback.requests); the member sees the status and the replies meant for her."""
from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from vipdesk.core.errors import DomainError, NotFound
from vipdesk.feedback.requests import KIND_LABELS, STATUS_LABELS, kind_of, member_request, member_request_create, member_requests, member_visible_events
from vipdesk.org.models import Store

from .auth import MemberView


def _row(c):
    c.kind_label = KIND_LABELS[kind_of(c)]
    c.status_label = STATUS_LABELS[c.status]
    return c


class RequestsView(MemberView):
    template_name = "portal/requests.html"
    tab = "me"

    def get_context_data(self, **kwargs):
        kinds = list(KIND_LABELS.items())
        stores = Store.objects.filter(active=True).order_by("code")
        return super().get_context_data(rows=[_row(c) for c in member_requests(self.member)], kinds=kinds, stores=stores,
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
        try:
            req = member_request_create(member=self.member, kind=data.get("kind", ""), description=data.get("description", ""),
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
