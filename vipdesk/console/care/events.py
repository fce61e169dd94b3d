"""VIP events in the console (issue 15 §3): the list (upcoming first, with the day the notice rules
call or write, and how many notice tasks they made) and the create/edit form. Store managers plan
their stores' events, HQ any store's or one for every store; care.events.care_event_save decides."""
from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from vipdesk.accounts.roles import Action, can
from vipdesk.care.events import care_event_for_actor, care_event_save, care_events_for, may_edit, notice_rules, notice_tasks
from vipdesk.core.errors import DomainError
from vipdesk.org.scoping import stores_worked_at
from vipdesk.tiers.programme import active_programme

from ..mixins import CapabilityMixin
from ..service_form import ServiceFormView
from .forms import CareEventForm

PAST_DAYS = 60


class CareEventsMixin(CapabilityMixin):
    capability = Action.CARE_MANAGE


def _notice_days(event, rules) -> list[dict]:
    today = timezone.localdate()
    start = timezone.localtime(event.starts_at).date()
    out = []
    for rule in rules:
        day = start - dt.timedelta(days=rule.lead_days)
        out.append({"rule": rule, "day": day, "missed": day < today and start >= today})
    return out


class CareEventListView(CareEventsMixin, TemplateView):
    template_name = "console/care/events.html"

    def get_context_data(self, **kwargs):
        since = timezone.now() - dt.timedelta(days=PAST_DAYS)
        events = list(care_events_for(self.request.user).filter(starts_at__gte=since)[:200])
        rules = notice_rules()
        now = timezone.now()
        for event in events:
            event.upcoming = event.starts_at >= now
            event.notices = _notice_days(event, rules)
            event.tasks = notice_tasks(event)
            event.editable = may_edit(self.request.user, event) and event.upcoming
        upcoming = sorted((e for e in events if e.upcoming), key=lambda e: e.starts_at)
        past = [e for e in events if not e.upcoming]
        levels = {lv.code: lv.name for lv in active_programme().levels.all()} if active_programme() else {}
        for event in events:
            event.level_names = [levels.get(code, code) for code in event.levels]
        return super().get_context_data(tab="events", upcoming=upcoming, past=past, rules=rules, past_days=PAST_DAYS, **kwargs)


class CareEventEditView(CareEventsMixin, ServiceFormView):
    template_name = "console/care/event.html"
    form_class = CareEventForm
    success_message = gettext_lazy("Event “%(event)s” saved.")

    @cached_property
    def event(self):
        pk = self.kwargs.get("pk")
        if pk is None:
            return None
        try:
            return care_event_for_actor(self.request.user, pk)
        except DomainError:
            raise Http404

    def dispatch(self, request, *args, **kwargs):
        if (request.user.is_authenticated and can(request.user, self.capability)  # the role first: 403 before any 404
                and self.event is not None and not may_edit(request.user, self.event)):
            return redirect("console:care_events")  # another store's or the chain's event: read-only in the list
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        user = self.request.user
        programme = active_programme()
        return {**super().get_form_kwargs(), "stores": list(stores_worked_at(user)),
                "levels": list(programme.levels.order_by("rank")) if programme else [],
                "every_store": user.role == "hq_admin" or user.is_superuser}

    def get_initial(self):
        return CareEventForm.initial_for(self.event) if self.event is not None else {"time": dt.time(19, 0)}

    def call_service(self, form):
        return care_event_save(actor=self.request.user, data=form.event_data(), event=self.event)

    def success_message_data(self, form, saved):
        return {"event": saved.name}

    def get_success_url(self):
        return f"{reverse('console:care_events')}#event-{self.result.pk}"

    def get_context_data(self, **kwargs):
        rules = notice_rules()
        return super().get_context_data(tab="events", event=self.event, rules=rules, **kwargs)
