"""The VIP hotline in the console (issue 19 §3): the duty roster of seats and desks with their
presence (from kamailio's reports) and agents' status, the duty officers, the missed calls to call
back, and the call log (route taken, who answered, wait). Staff see their stores only."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from vipdesk.accounts.roles import Action, can
from vipdesk.accounts.scoping import store_ids_in_scope
from vipdesk.core import clock, parsing
from vipdesk.core.errors import DomainError, NotFound
from vipdesk.core.masking import mask_mobile
from vipdesk.hotline import services
from vipdesk.hotline.choices import AgentStatus, CallOutcome, SeatKind, StepKind
from vipdesk.hotline.models import Call, MissedCall, Seat, StoreDuty
from vipdesk.hotline.routing import seat_free
from vipdesk.performance.services import stores_for

from ..mixins import CapabilityMixin, domain_error_message
from .forms import CallFilterForm

WHY = {"not_registered": gettext_lazy("not registered"), "away": gettext_lazy("away"), "busy": gettext_lazy("on a call")}


def _scoped(qs, stores, field="store_id"):
    return qs if stores is None else qs.filter(**{f"{field}__in": stores})


def _filtered(calls, form: CallFilterForm):
    """The call log by store dates (from, to) and store; a date that cannot be read is said beside its input."""
    if not form.is_bound or not form.is_valid():
        return calls
    problems = parsing.Problems()
    start = parsing.day(form.cleaned_data["start"], "start", problems)
    end = parsing.day(form.cleaned_data["end"], "end", problems)
    if start and end and end < start:
        problems.add("end", _("The end is before the start."))
    for key, texts in problems.fields.items():
        for text in texts:
            form.add_error(key, text)
    if problems:
        return calls
    tz = clock.store_tz(None)
    if start:
        calls = calls.filter(started_at__gte=dt.datetime.combine(start, dt.time(0), tzinfo=tz))
    if end:
        calls = calls.filter(started_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=tz))
    if form.cleaned_data["store"]:
        calls = calls.filter(store__code=form.cleaned_data["store"])
    return calls


class HotlineView(CapabilityMixin, TemplateView):
    capability = Action.HOTLINE
    template_name = "console/hotline/page.html"

    def get_context_data(self, **kwargs):
        user, now = self.request.user, timezone.now()
        stores = store_ids_in_scope(user)
        seats = list(_scoped(Seat.objects.select_related("store", "user"), stores))
        for seat in seats:
            why = seat_free(seat, now)
            seat.state = _("idle") if not why else WHY[why]
            seat.state_class = "badge-ok" if not why else ("badge-warn" if why == "busy" else "badge-bad")
            seat.mine = seat.user_id == user.pk
        log = CallFilterForm(self.request.GET or None, stores=stores_for(user))
        calls = list(_filtered(_scoped(Call.objects.select_related("member", "store", "line"), stores), log)[:200])
        full = can(user, Action.SEE_FULL)
        kinds = dict(StepKind.choices)
        for call in calls:
            call.caller_shown = call.caller if full or not call.caller.isdigit() else mask_mobile(call.caller)
            call.route = [f"{kinds.get(step['kind'], '')}：{step['label']}" for step in call.plan]
        missed = list(_scoped(MissedCall.objects.select_related("assignee", "call"), stores)
                      .filter(called_back_at__isnull=True).order_by("callback_due")[:50])
        for item in missed:
            item.caller_shown = item.call.caller if full else mask_mobile(item.call.caller)
            item.overdue = item.callback_due < now
        duties = list(_scoped(StoreDuty.objects.select_related("store", "officer"), stores, "store_id"))
        may_manage = can(user, Action.HOTLINE_MANAGE)
        roster = self._roster(seats, duties) if may_manage else []
        return super().get_context_data(seats=seats, calls=calls, missed=missed, duties=duties, now=now, roster=roster,
                                        outcomes=dict(CallOutcome.choices), statuses=AgentStatus.choices, log=log,
                                        may_manage=may_manage, **kwargs)

    def _roster(self, seats, duties) -> list[dict]:
        """For a manager: per store with a desk, its staff to put on each desk and to name duty officer."""
        officers = {d.store_id: d.officer_id for d in duties}
        stores: dict[int, dict] = {}
        for seat in seats:
            if seat.kind != SeatKind.DESK:
                continue
            row = stores.setdefault(seat.store_id, {"store": seat.store, "desks": [], "officer": officers.get(seat.store_id),
                                                    "staff": list(services.staff_of_store(seat.store_id))})
            row["desks"].append(seat)
        return list(stores.values())

    def post(self, request, *args, **kwargs):
        act = request.POST.get("act", "")
        try:
            pk = int(request.POST.get("pk", "0") or 0)
            if act == "status":
                seat = services.set_agent_status(request.user, pk, request.POST.get("status", ""))
                messages.success(request, _("%(seat)s is now %(status)s.") % {"seat": seat.label, "status": seat.get_agent_status_display()})
            elif act == "staff":
                seat = services.seat_staff(request.user, pk, int(request.POST.get("user") or 0) or None)
                who = seat.user.display_name or seat.user.username if seat.user else _("nobody")
                messages.success(request, _("%(seat)s is now staffed by %(who)s.") % {"seat": seat.label, "who": who})
            elif act == "duty":
                officer = services.staff_of_store(pk).filter(pk=int(request.POST.get("officer") or 0)).first()
                services.set_duty_officer(request.user, pk, officer)
                messages.success(request, _("Duty officer saved."))
            elif act == "called_back":
                services.mark_called_back(request.user, pk)
                messages.success(request, _("Marked as called back."))
            else:
                messages.error(request, _("Nothing to do."))
        except (ValueError, NotFound):
            messages.error(request, _("No such seat or missed call."))
        except DomainError as exc:
            domain_error_message(request, exc)
        return redirect("console:hotline")
