"""Service tickets in the console (R12.3): the board per desk (tickets and the store's complaints,
due first), a new ticket, one ticket with its log and moves. Writes go through
vipdesk.servicedesk.services; the rows are scoped by servicedesk.selectors."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Action, Role, can
from vipdesk.core.errors import DomainError, NotFound, ValidationFailed
from vipdesk.performance.services import stores_for
from vipdesk.servicedesk.api.views import act
from vipdesk.servicedesk.choices import MOVES, UNRESOLVED, Source, TicketStatus
from vipdesk.servicedesk.models import TicketKind
from vipdesk.servicedesk.selectors import board, desks_for, ticket_for_actor
from vipdesk.servicedesk.services import is_worker, kinds_install_default, ticket_open

from ..mixins import CapabilityMixin, domain_error_message
from .forms import MoveForm, TicketForm

MOVE_FORMS = ("reply", "resolve", "close", "reopen", "handover")  # the moves with inputs of their own


class BoardView(CapabilityMixin, TemplateView):
    capability = Action.FEEDBACK_VIEW
    template_name = "console/tickets/board.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        desks = list(desks_for(user))
        code = self.request.GET.get("desk", "")
        mine = code == "mine"
        desk = next((d for d in desks if d.code == code), None)
        rows = board(user, desk=desk, mine=mine)
        return super().get_context_data(rows=rows, desks=desks, desk=desk, mine=mine, selected=code,
                                        may_open=can(user, Action.FEEDBACK), **kwargs)


class TicketCreateView(CapabilityMixin, TemplateView):
    """A new ticket: the form checks the shape, ticket_open decides; a refusal is shown beside its input."""

    capability = Action.FEEDBACK
    template_name = "console/tickets/form.html"

    def make_form(self, data=None) -> TicketForm:
        if not TicketKind.objects.exists():
            kinds_install_default()
        user = self.request.user
        return TicketForm(data, initial={"desk": self.request.GET.get("desk", "")}, kinds=TicketKind.objects.filter(active=True),
                          stores=stores_for(user), desks=desks_for(user).select_related("store"))

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.make_form())
        return super().get_context_data(**kwargs)

    def post(self, request):
        form = self.make_form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data, user = form.cleaned_data, request.user
        store = stores_for(user).filter(pk=data["store"]).first()
        desk = desks_for(user).filter(code=data["desk"]).first() if data["desk"] else None
        kind = TicketKind.objects.filter(pk=data["kind"]).first()
        try:
            try:
                ticket = ticket_open(actor=user, kind_code=kind.code if kind else "", store=store, desk=desk, member=data["member"],
                                     description=data["description"], source=Source.CONSOLE)
            except NotFound as exc:
                if data["member"] is not None and exc.code == "not_found":
                    raise NotFound(exc.message, fields={"member": [_("No member with this id in your stores.")]}) from exc
                raise
        except DomainError as exc:
            form.add_service_errors(exc)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, _("Ticket %(no)s opened; due %(due)s.")
                         % {"no": ticket.number, "due": timezone.localtime(ticket.due_at).strftime("%Y-%m-%d %H:%M")})
        return redirect("console:ticket_detail", pk=ticket.pk)


VERB_LABELS = {
    "opened": gettext_lazy("opened"), "accepted": gettext_lazy("accepted"), "replied": gettext_lazy("replied to the member"), "handed_over": gettext_lazy("handed over"),
    "resolved": gettext_lazy("resolved"), "reopened": gettext_lazy("reopened"), "closed": gettext_lazy("closed"), "escalated": gettext_lazy("escalated to the manager"),
}


class TicketDetailView(CapabilityMixin, TemplateView):
    capability = Action.FEEDBACK_VIEW
    template_name = "console/tickets/detail.html"

    @cached_property
    def ticket(self):
        try:
            return ticket_for_actor(self.request.user, self.kwargs["pk"])
        except NotFound:
            raise Http404

    def get_context_data(self, **kwargs):
        t, user = self.ticket, self.request.user
        move = kwargs.pop("move", None)  # the refused move's form: its errors beside its inputs
        writer = can(user, Action.FEEDBACK)
        worker = writer and is_worker(user, t)
        allowed = {verb for verb, (starts, _to) in MOVES.items() if t.status in starts}
        may = {verb: worker and verb in allowed for verb in MOVES}
        may["reply"] = writer and "reply" in allowed and t.member_id is not None
        staff = (Staff.objects.filter(is_active=True, stores=t.store).exclude(role=Role.AUDITOR).order_by("username")
                 if may["handover"] else [])
        events = list(t.events.select_related("actor", "api_client"))
        for e in events:
            e.label = VERB_LABELS.get(e.verb, e.verb)
        t.overdue = t.status in UNRESOLVED and t.due_at < timezone.now()
        forms = {verb: move if move is not None and move.data.get("action") == verb else MoveForm(initial={"action": verb})
                 for verb in MOVE_FORMS}
        return super().get_context_data(ticket=t, events=events, may=may, staff=staff,
                                        desks=desks_for(user).filter(store=t.store) if may["handover"] else [],
                                        closed=t.status == TicketStatus.CLOSED, forms=forms, **kwargs)

    def post(self, request, pk):
        form = MoveForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationFailed(_("Choose what to do."), fields={k: v for k, v in form.errors.items()})
            act(request.user, self.ticket, form.cleaned_data)
        except DomainError as exc:
            if not exc.fields or form.data.get("action") not in MOVE_FORMS:
                domain_error_message(request, exc)  # a refusal of the move itself (not now, not yours)
                return redirect("console:ticket_detail", pk=pk)
            if form.is_valid():
                form.add_service_errors(exc)
            for text in form.non_field_errors():
                messages.error(request, text)
            return self.render_to_response(self.get_context_data(move=form))
        messages.success(request, _("Ticket updated."))
        return redirect("console:ticket_detail", pk=pk)
