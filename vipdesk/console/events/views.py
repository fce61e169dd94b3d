"""VIP events in the console (issue 18 §2): the list, the create/edit form (errors beside the
fields), one event's page (counts, invitations and the waiting list, replies by staff, open /
cancel / finish, invitations sent through a campaign), the door page for a tablet (1024×768) and
the results with their XLSX. Every write goes through vipdesk.events' services."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from vipdesk.accounts.roles import Action, can
from vipdesk.analytics.models import Segment
from vipdesk.core.errors import DomainError, NotFound
from vipdesk.events import services
from vipdesk.events.choices import Audience, CostKind, EventKind, EventStatus, InvitationStatus
from vipdesk.events.door import check_in, check_in_undo, door_search
from vipdesk.events.invite import event_invite_send
from vipdesk.events.links import RSVP_PLACEHOLDER
from vipdesk.events.models import CheckIn, Invitation
from vipdesk.events.places import places_taken
from vipdesk.events.results import event_results, results_xlsx
from vipdesk.events.rsvp import ANSWERS, rsvp_by_staff
from vipdesk.members.choices import ConsentPurpose
from vipdesk.members.models import Member
from vipdesk.messaging.choices import Channel
from vipdesk.messaging.models import MessageTemplate
from vipdesk.org.models import Store
from vipdesk.partners.models import Partner
from vipdesk.tiers.models import Level

from ..mixins import CapabilityMixin

SCALARS = ("name", "kind", "starts_at", "ends_at", "venue", "capacity", "guests_allowed", "audience", "segment", "member_list",
           "points", "results_days", *(f"budget_{k}" for k in CostKind.values), *(f"actual_{k}" for k in CostKind.values))
LISTS = ("stores", "levels", "sponsors")
ACTS = {"open": services.event_open, "cancel": services.event_cancel, "finish": services.event_finish}


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""


class _Manage(CapabilityMixin, TemplateView):
    capability = Action.CARE_MANAGE


class _One:
    @cached_property
    def event(self):
        try:
            return services.event_get(self.request.user, self.kwargs["pk"])
        except NotFound:
            raise Http404 from None


class EventListView(CapabilityMixin, TemplateView):
    """Every event the user may see; those who plan them open the event's page, the others (guides at
    the door) the door page."""

    capability = Action.CARE_WORK
    template_name = "console/events/list.html"

    def get_context_data(self, **kwargs):
        events = list(services.events_for(self.request.user).prefetch_related("stores")[:200])
        for e in events:
            e.taken = places_taken(e)
        return super().get_context_data(events=events, may_manage=can(self.request.user, Action.CARE_MANAGE), **kwargs)


class EventEditView(_One, _Manage):
    """A new event (no pk) or an event changed; the form posts raw values to events.services.event_save."""

    template_name = "console/events/edit.html"

    def get_object(self):
        return self.event if "pk" in self.kwargs else None

    def _initial(self, event) -> dict:
        if event is None:
            start = (timezone.localtime() + dt.timedelta(days=14)).replace(hour=19, minute=0, second=0, microsecond=0)
            return {"kind": EventKind.CLOSED_STORE, "audience": Audience.LEVELS, "starts_at": _local(start),
                    "ends_at": _local(start + dt.timedelta(hours=3)), "guests_allowed": 0, "points": 0, "results_days": 7,
                    "stores": [], "levels": [], "sponsors": []}
        form = {k: getattr(event, k) for k in ("name", "kind", "venue", "capacity", "guests_allowed", "audience", "points", "results_days")}
        form.update(starts_at=_local(event.starts_at), ends_at=_local(event.ends_at), segment=event.segment_id or "",
                    member_list="\n".join(event.member_list or []), levels=event.levels,
                    stores=list(event.stores.values_list("code", flat=True)), sponsors=list(event.sponsors.values_list("code", flat=True)))
        for line in event.budget_lines.all():
            form[f"budget_{line.kind}"], form[f"actual_{line.kind}"] = line.budget, line.actual if line.actual is not None else ""
        return form

    def get_context_data(self, **kwargs):
        event = self.get_object()
        kwargs.setdefault("form", self._initial(event))
        return super().get_context_data(
            event=event, kinds=EventKind.choices, audiences=Audience.choices, costs=CostKind.choices,
            stores=Store.objects.filter(active=True).order_by("code"), levels=Level.objects.filter(programme__active=True).order_by("rank"),
            segments=Segment.objects.order_by("name"), partners=Partner.objects.filter(active=True).order_by("code"),
            audience_fixed=event is not None and event.status != EventStatus.DRAFT, **kwargs)

    def post(self, request, *args, **kwargs):
        event = self.get_object()
        data = {k: request.POST.get(k, "") for k in SCALARS}
        data.update({k: request.POST.getlist(k) for k in LISTS})
        try:
            saved = services.event_save(actor=request.user, data=data, event=event)
        except DomainError as exc:
            return self.render_to_response(self.get_context_data(form=data, errors=exc.fields, error=exc.message), status=400)
        messages.success(request, _("Event saved."))
        return redirect("console:event", pk=saved.pk)


class EventDetailView(_One, _Manage):
    template_name = "console/events/detail.html"

    def get_context_data(self, **kwargs):
        e = self.event
        status = self.request.GET.get("status", "")
        invitations = Invitation.objects.filter(event=e).select_related("member", "member__tier__level").order_by("id")
        if status in InvitationStatus.values:
            invitations = invitations.filter(status=status)
        page = Paginator(invitations, 50).get_page(self.request.GET.get("page"))
        waiting = list(Invitation.objects.filter(event=e, status=InvitationStatus.WAITLISTED).select_related("member")
                       .order_by("waitlist_position")[:100])
        counts = {s: 0 for s in InvitationStatus.values}
        for s in Invitation.objects.filter(event=e).values_list("status", flat=True):
            counts[s] += 1
        return super().get_context_data(
            event=e, page=page, waiting=waiting, counts=[(InvitationStatus(s).label, s, n) for s, n in counts.items()],
            taken=places_taken(e), status_filter=status, statuses=InvitationStatus.choices, editable=services.may_edit(self.request.user, e),
            may_send=can(self.request.user, Action.MESSAGE_CONFIG), channels=Channel.choices,
            templates=[t for t in MessageTemplate.objects.filter(active=True, purpose=ConsentPurpose.MARKETING).order_by("code")
                       if RSVP_PLACEHOLDER in (t.extra_placeholders or [])],
            level_names=list(Level.objects.filter(programme__active=True, code__in=e.levels).order_by("rank").values_list("name", flat=True)),
            lines=list(e.budget_lines.all()), starts=timezone.localtime(e.starts_at), ends=timezone.localtime(e.ends_at), **kwargs)

    def post(self, request, *args, **kwargs):
        act = request.POST.get("act", "")
        try:
            if act in ACTS:
                ACTS[act](actor=request.user, event=self.event)
                messages.success(request, _("Done."))
            elif act == "invite":
                campaign = event_invite_send(actor=request.user, event=self.event, template=request.POST.get("template", ""),
                                             channel=request.POST.get("channel", Channel.SMS))
                messages.success(request, _("The invitations go out through the campaign “%(name)s”.") % {"name": campaign.name})
            else:
                messages.error(request, _("Unknown action."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("console:event", pk=self.event.pk)


class EventReplyView(_One, CapabilityMixin, View):
    """A staff reply for a member (Action.CARE_WORK): from the event's page or the member's 360° page
    (back=member: the answer shown there)."""

    capability = Action.CARE_WORK

    def post(self, request, *args, **kwargs):
        ref = request.POST.get("member", "").strip()[:32]
        member = (Member.objects.filter(member_no=ref).first() or Member.objects.filter(mobile=ref).first()) if ref else None
        try:
            if member is None:
                raise NotFound(_("No member with this mobile or member number."))
            answer = request.POST.get("answer", "")
            if answer not in ANSWERS:
                raise NotFound(_("Unknown answer."))
            done = rsvp_by_staff(actor=request.user, event=self.event, member=member, answer=answer,
                                 guests=request.POST.get("guests", "0"))
            messages.success(request, _("%(name)s: %(status)s") % {"name": member.name, "status": done.invitation.get_status_display()})
        except DomainError as exc:
            messages.error(request, exc.message)
        if member is not None and request.POST.get("back") == "member":
            return redirect(reverse("console:member_detail", args=[member.pk]) + "#pane-events")
        if can(request.user, Action.CARE_MANAGE):
            return redirect("console:event", pk=self.event.pk)
        return redirect("console:event_door", pk=self.event.pk)


class EventDoorView(_One, CapabilityMixin, TemplateView):
    """The door (门口签到) on a tablet: scan or type, count guests, walk-ins; a second scan is harmless."""

    capability = Action.CARE_WORK
    template_name = "console/events/door.html"

    def get_context_data(self, **kwargs):
        e = self.event
        arrived = CheckIn.objects.filter(invitation__event=e)
        q = self.request.GET.get("q", "")
        return super().get_context_data(
            event=e, found=door_search(e, q) if q else [], q=q, arrived=arrived.count(),
            arrived_guests=sum(arrived.values_list("guests", flat=True)),
            expected=Invitation.objects.filter(event=e, status=InvitationStatus.ACCEPTED).count(), taken=places_taken(e),
            recent=list(arrived.select_related("invitation__member").order_by("-at", "-id")[:8]),
            guest_range=range(e.guests_allowed + 1), door_only=not can(self.request.user, Action.CARE_MANAGE), **kwargs)

    def post(self, request, *args, **kwargs):
        try:
            arrival = check_in(actor=request.user, event=self.event, code=request.POST.get("code", ""),
                               invitation_id=request.POST.get("invitation", ""), guests=request.POST.get("guests", ""),
                               walk_in=request.POST.get("walk_in") == "1", waive_points=request.POST.get("waive_points") == "1")
        except DomainError as exc:
            ctx = self.get_context_data(error=exc.message, error_code=exc.code, code=request.POST.get("code", ""),
                                        invitation=request.POST.get("invitation", ""))
            return self.render_to_response(ctx, status=409 if exc.status == 409 else 400)
        member = arrival.invitation.member
        if arrival.again:
            messages.info(request, _("%(name)s has already been checked in (scan %(n)d).") % {"name": member.name, "n": arrival.check_in.scans})
        else:
            messages.success(request, _("Welcome, %(name)s! Guests: %(guests)d.") % {"name": member.name, "guests": arrival.check_in.guests})
        return redirect("console:event_door", pk=self.event.pk)


class EventDoorUndoView(EventDoorView):
    """撤销签到: a check-in made by mistake taken back (reason required), the points given back
    (events.door.check_in_undo); a refusal shows on the door page."""

    def get(self, request, *args, **kwargs):
        return redirect("console:event_door", pk=self.event.pk)

    def post(self, request, *args, **kwargs):
        invitation = request.POST.get("invitation", "")
        try:
            undo = check_in_undo(actor=request.user, event=self.event, invitation_id=invitation, reason=request.POST.get("reason", ""))
        except DomainError as exc:
            ctx = self.get_context_data(undo_error=exc.message, undo_invitation=invitation)
            return self.render_to_response(ctx, status=409 if exc.status == 409 else 400)
        back = undo.refund_entry.points if undo.refund_entry_id else 0
        messages.success(request, _("Check-in of %(name)s undone; %(points)d points given back.") % {"name": undo.member.name,
                                                                                                    "points": back})
        return redirect("console:event_door", pk=self.event.pk)


class EventResultsView(_One, _Manage):
    template_name = "console/events/results.html"

    def get_context_data(self, **kwargs):
        r = event_results(self.event)
        roi = f"{r['roi'] * 100:.1f}%" if r["roi"] is not None else "-"
        return super().get_context_data(event=self.event, r=r, roi=roi, span=[timezone.localtime(t) for t in r["window"]], **kwargs)


class EventExportView(_One, CapabilityMixin, View):
    capability = Action.CARE_MANAGE

    def get(self, request, *args, **kwargs):
        response = HttpResponse(results_xlsx(self.event, event_results(self.event)),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="event-{self.event.pk}.xlsx"'
        return response
