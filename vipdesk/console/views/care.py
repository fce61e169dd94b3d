"""Care in the console (issue 6): the guide's daily work list, completing a task with its outcome,
the manager's team view with completion rates, the ownership tools, a contact logged from the
member's 360° page. Every write goes through vipdesk.care services; reads through its selectors."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Action, Role
from vipdesk.care import ownership
from vipdesk.care.choices import OUTCOMES_OF_KIND, ContactKind, Outcome
from vipdesk.care.models import OwnershipChange, StaffPair
from vipdesk.care.selectors import shown_script, tasks_for, team_view, timeline, work_list
from vipdesk.care.services import care_task_complete, care_task_skip, contact_log
from vipdesk.core import clock
from vipdesk.core.errors import DomainError
from vipdesk.members.models import Member
from vipdesk.org.models import Store

from ..mixins import CapabilityMixin, ScopedMemberMixin, domain_error_message, redirect_back


def _outcomes(kind: str) -> list[tuple[str, str]]:
    return [(o, Outcome(o).label) for o in OUTCOMES_OF_KIND[kind]]


class CareTodayView(CapabilityMixin, TemplateView):
    capability = Action.CARE_WORK
    template_name = "console/care_today.html"

    def get_context_data(self, **kwargs):
        on = clock.today()
        work = work_list(self.request.user, on)
        for task in work["pending"]:
            task.outcomes = _outcomes(task.kind)
            task.shown_script = shown_script(task, self.request.user)
        return super().get_context_data(on=on, **work, **kwargs)


class CareTaskActView(CapabilityMixin, View):
    """POST: complete (with an outcome and a note) or skip (with a reason) one task."""

    capability = Action.CARE_WORK

    def post(self, request, pk):
        act = request.POST.get("act", "complete")
        note = (request.POST.get("note") or "").strip()
        try:
            if act == "skip":
                care_task_skip(actor=request.user, task=pk, note=note)
                messages.success(request, _("Task skipped."))
            else:
                task = care_task_complete(actor=request.user, task=pk, outcome=request.POST.get("outcome", ""), note=note)
                messages.success(request, _("Done: %(outcome)s.") % {"outcome": task.get_outcome_display()})
        except DomainError as exc:
            domain_error_message(request, exc)
        return redirect_back(request, "console:care_today")


class CareTeamView(CapabilityMixin, TemplateView):
    capability = Action.CARE_MANAGE
    template_name = "console/care_team.html"

    def _day(self, key: str, default: dt.date) -> dt.date:
        try:
            return dt.date.fromisoformat(self.request.GET.get(key, ""))
        except ValueError:
            return default

    def get_context_data(self, **kwargs):
        today = clock.today()
        end = self._day("end", today)
        start = min(self._day("start", end - dt.timedelta(days=6)), end)
        rows = team_view(self.request.user, start=start, end=end)
        due = sum(r["due"] for r in rows)
        done = sum(r["done"] for r in rows)
        escalated = (tasks_for(self.request.user, Action.CARE_MANAGE).filter(status="escalated")
                     .order_by("due_on", "id")[:100])
        return super().get_context_data(start=start, end=end, rows=rows, due=due, done=done,
                                        rate=round(100 * done / due) if due else None, escalated=escalated, **kwargs)


def _stores_of(user):
    qs = Store.objects.filter(active=True)
    if user.is_superuser or user.role == Role.HQ_ADMIN:
        return qs
    return qs.filter(pk__in=user.store_ids)


class OwnershipView(CapabilityMixin, TemplateView):
    """Spread a store's members over its guides, pair shifts, reassign a leaver's book."""

    capability = Action.OWNERSHIP
    template_name = "console/care_ownership.html"

    def store(self):
        stores = _stores_of(self.request.user)
        code = self.request.GET.get("store") or self.request.POST.get("store")
        return stores.filter(code=code).first() if code else stores.first()

    def get_context_data(self, **kwargs):
        store = self.store()
        staff = []
        pairs = []
        if store is not None:
            staff = list(Staff.objects.filter(stores=store, role__in=[Role.GUIDE, Role.ACCOUNT_MANAGER, Role.STORE_MANAGER])
                         .annotate(book=Count("owned_members", filter=Q(owned_members__status="active")),
                                   spend=Sum("owned_members__total_spend", filter=Q(owned_members__status="active")))
                         .order_by("-is_active", "role", "username"))
            pairs = StaffPair.objects.filter(store=store, active=True).select_related("shift_a", "shift_b")
        unowned = Member.objects.filter(home_store=store, status="active", owner__isnull=True).count() if store else 0
        recent = (OwnershipChange.objects.filter(member__home_store=store).exclude(reason="enrolment")
                  .select_related("member", "from_staff", "to_staff", "actor")[:20]) if store else []
        return super().get_context_data(stores=_stores_of(self.request.user), store=store, staff=staff, pairs=pairs,
                                        unowned=unowned, recent=recent, **kwargs)

    def _people(self, store, ids) -> list[Staff]:
        wanted = [int(i) for i in ids if str(i).isdigit()]
        found = {s.pk: s for s in Staff.objects.filter(pk__in=wanted, stores=store)}
        return [found[i] for i in wanted if i in found]

    def post(self, request):
        store = self.store()
        if store is None:
            messages.error(request, _("Choose a store."))
            return redirect("console:care_ownership")
        act = request.POST.get("act")
        try:
            if act == "distribute":
                out = ownership.distribute_store_book(actor=request.user, store=store, by=request.POST.get("by", "count"),
                                                      guides=self._people(store, request.POST.getlist("guides")))
                messages.success(request, _("%(n)d members changed owner.") % {"n": out["moved"]})
            elif act == "reassign":
                leaver = self._people(store, [request.POST.get("from_staff", "")])
                to = self._people(store, [request.POST.get("to_staff", "")])
                spread = self._people(store, request.POST.getlist("spread"))
                if not leaver:
                    raise DomainError(_("Choose the staff member who leaves."), code="validation_error")
                out = ownership.reassign_book(actor=request.user, from_staff=leaver[0], to_staff=to[0] if to else None,
                                              guides=None if to else spread, by=request.POST.get("by", "count"),
                                              note=(request.POST.get("note") or "")[:200])
                messages.success(request, _("%(n)d members changed owner.") % {"n": out["moved"]})
            elif act == "pair":
                pairs = ownership.pair_shifts(actor=request.user, store=store,
                                              shift_a=self._people(store, request.POST.getlist("shift_a")),
                                              shift_b=self._people(store, request.POST.getlist("shift_b")))
                messages.success(request, _("%(n)d pairs set.") % {"n": len(pairs)})
        except DomainError as exc:
            domain_error_message(request, exc)
        return redirect(f"{request.path}?store={store.code}")


class ContactLogView(ScopedMemberMixin, View):
    """POST from the 360° page: a contact made outside any task."""

    capability = Action.CARE_WORK

    def post(self, request, pk):
        try:
            contact_log(actor=request.user, member=self.member, kind=request.POST.get("kind", ""),
                        channel=request.POST.get("channel", ""), outcome=request.POST.get("outcome", ""),
                        note=(request.POST.get("note") or "").strip())
            messages.success(request, _("Contact logged."))
        except DomainError as exc:
            domain_error_message(request, exc)
        return redirect(f"/members/{self.member.pk}/#pane-care")


def care_pane(member, user) -> dict:
    """Context of the 360° page's care pane: open tasks within the user's scope, the contact log."""
    from vipdesk.accounts.roles import can

    if not can(user, Action.CARE_WORK):
        return {"care_visible": False, "care_timeline": timeline(member, 20) if can(user, Action.VIEW) else []}
    tasks = list(tasks_for(user).filter(member=member, status__in=["open", "escalated"]).order_by("due_on")[:20])
    for task in tasks:
        task.outcomes = _outcomes(task.kind)
        task.shown_script = shown_script(task, user)
    return {"care_visible": True, "care_tasks": tasks, "care_timeline": timeline(member, 50),
            "contact_kinds": ContactKind.choices, "contact_outcomes": Outcome.choices}

