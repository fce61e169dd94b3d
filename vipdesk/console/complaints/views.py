"""Complaints in the console (R9.4): list, file, and one complaint with its log and moves.
Everything goes through vipdesk.feedback.services; the list is scoped by feedback.selectors."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Action, Role, can
from vipdesk.core import clock
from vipdesk.core.errors import DomainError, NotFound
from vipdesk.feedback.choices import COMPLAINT_TRANSITIONS, UNRESOLVED, Channel, ComplaintStatus
from vipdesk.feedback.models import ComplaintCategory
from vipdesk.feedback.selectors import complaints_for
from vipdesk.feedback.requests import complaint_reply
from vipdesk.feedback.services import complaint_assign, complaint_create, complaint_for_actor, complaint_move
from vipdesk.performance.services import stores_for

from ..mixins import CapabilityMixin, domain_error_message


class ComplaintListView(CapabilityMixin, TemplateView):
    capability = Action.FEEDBACK_VIEW
    template_name = "console/complaints/list.html"

    def get_context_data(self, **kwargs):
        status = self.request.GET.get("status", "")
        qs = complaints_for(self.request.user)
        if status == "overdue":
            qs = qs.filter(status__in=UNRESOLVED, deadline__lt=clock.today())
        elif status in ComplaintStatus.values:
            qs = qs.filter(status=status)
        elif not status:
            qs = qs.filter(status__in=UNRESOLVED)
        rows = list(qs[:200])
        today = clock.today()
        for c in rows:
            c.overdue = c.status in UNRESOLVED and c.deadline < today
        return super().get_context_data(rows=rows, status=status, statuses=ComplaintStatus.choices,
                                        may_file=can(self.request.user, Action.FEEDBACK), **kwargs)


class ComplaintCreateView(CapabilityMixin, TemplateView):
    capability = Action.FEEDBACK
    template_name = "console/complaints/form.html"

    def get_context_data(self, **kwargs):
        categories = ComplaintCategory.objects.filter(active=True).select_related("parent").order_by("code")
        return super().get_context_data(categories=categories, stores=stores_for(self.request.user), channels=Channel.choices,
                                        data=self.request.POST or {}, **kwargs)

    def post(self, request):
        data = request.POST
        store = stores_for(request.user).filter(pk=data.get("store") or 0).first() if str(data.get("store", "")).isdigit() else None
        category = ComplaintCategory.objects.filter(pk=data.get("category")).first() if str(data.get("category", "")).isdigit() else None
        member = data.get("member") or None
        try:
            if store is None:
                raise NotFound(_("Choose a store."))
            complaint = complaint_create(actor=request.user, store=store, category=category, description=data.get("description", ""),
                                         member=int(member) if member and member.isdigit() else None,
                                         channel=data.get("channel") or Channel.IN_STORE)
        except DomainError as exc:
            domain_error_message(request, exc)
            return self.render_to_response(self.get_context_data())
        messages.success(request, _("Complaint %(no)s filed; resolve it by %(day)s.") % {"no": complaint.number, "day": complaint.deadline})
        return redirect("console:complaint_detail", pk=complaint.pk)


class ComplaintDetailView(CapabilityMixin, TemplateView):
    capability = Action.FEEDBACK_VIEW
    template_name = "console/complaints/detail.html"

    @cached_property
    def complaint(self):
        try:
            return complaint_for_actor(self.request.user, self.kwargs["pk"])
        except NotFound:
            raise Http404

    def get_context_data(self, **kwargs):
        c = self.complaint
        user = self.request.user
        manager = can(user, Action.COMPLAINT_MANAGE)
        owner = c.owner_id == user.pk and can(user, Action.FEEDBACK)
        moves = [(to, ComplaintStatus(to).label) for to in sorted(COMPLAINT_TRANSITIONS[c.status])
                 if manager or (owner and to != ComplaintStatus.CLOSED)]
        staff = Staff.objects.filter(is_active=True, stores=c.store).exclude(role=Role.AUDITOR).order_by("username") if manager else []
        c.overdue = c.status in UNRESOLVED and c.deadline < clock.today(c.store)
        return super().get_context_data(complaint=c, events=c.events.select_related("actor", "api_client"), moves=moves,
                                        staff=staff, may_assign=manager and c.status != ComplaintStatus.CLOSED,
                                        may_reply=c.member_id is not None and c.status != ComplaintStatus.CLOSED
                                        and can(user, Action.FEEDBACK), **kwargs)

    def post(self, request, pk):
        data = request.POST
        try:
            if data.get("action") == "assign":
                owner = Staff.objects.filter(pk=data.get("owner")).first() if str(data.get("owner", "")).isdigit() else None
                complaint_assign(actor=request.user, complaint=self.complaint, owner=owner, note=data.get("note", ""))
                messages.success(request, _("Owner changed."))
            elif data.get("action") == "reply":
                complaint_reply(actor=request.user, complaint=self.complaint, text=data.get("reply", ""))
                messages.success(request, _("Reply sent; the member sees it in the member centre."))
            else:
                complaint_move(actor=request.user, complaint=self.complaint, to=data.get("to", ""), note=data.get("note", ""),
                               remedy=data.get("remedy", ""), closure_note=data.get("closure_note", ""))
                messages.success(request, _("Complaint updated."))
        except DomainError as exc:
            domain_error_message(request, exc)
        return redirect("console:complaint_detail", pk=pk)
