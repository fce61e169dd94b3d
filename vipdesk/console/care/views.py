"""Care in the console (issue 6): the guide's daily work list, completing a task with its outcome,
the manager's team view with completion rates, the ownership tools, a contact logged from the
member's 360° page; and the HQ care rules (§2): the list with what each rule made in the last 30
days, a rule's settings and parameters, a new rule, switching one off.

Every write goes through vipdesk.care services (care_rule_create / care_rule_update: parameters
checked by rules.clean_parameters, scripts by check_script — no advertising in a greeting); reads
through its selectors. A refused rule form shows the per-field Chinese messages and changes nothing.
"""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _, gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Action, Role, can
from vipdesk.care import ownership
from vipdesk.care.choices import NO_ADVERTISING, OUTCOMES_OF_KIND, ContactKind, Outcome, RuleKind, TaskStatus
from vipdesk.care.models import CareRule, CareTask, OwnershipChange, StaffPair
from vipdesk.care.rules import PARAMETERS, PLACEHOLDERS, greeting_blocked_words
from vipdesk.care.selectors import shown_script, tasks_for, team_view, timeline, work_list
from vipdesk.care.services import care_rule_create, care_rule_update, care_task_complete, care_task_skip, contact_log
from vipdesk.core import clock
from vipdesk.core.errors import DomainError
from vipdesk.members.models import Member
from vipdesk.org.models import Store
from vipdesk.org.scoping import stores_worked_at

from ..mixins import CapabilityMixin, ScopedMemberMixin, SwitchActiveView, domain_error_message, redirect_back
from ..service_form import ServiceFormView
from .forms import CareRuleForm, parameter_summary


def _outcomes(kind: str) -> list[tuple[str, str]]:
    return [(o, Outcome(o).label) for o in OUTCOMES_OF_KIND[kind]]


class CareTodayView(CapabilityMixin, TemplateView):
    capability = Action.CARE_WORK
    template_name = "console/care/today.html"

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
    template_name = "console/care/team.html"

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


class OwnershipView(CapabilityMixin, TemplateView):
    """Spread a store's members over its guides, pair shifts, reassign a leaver's book."""

    capability = Action.OWNERSHIP
    template_name = "console/care/ownership.html"

    def store(self):
        stores = stores_worked_at(self.request.user)
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
        return super().get_context_data(stores=stores_worked_at(self.request.user), store=store, staff=staff, pairs=pairs,
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
    if not can(user, Action.CARE_WORK):
        return {"care_visible": False, "care_timeline": timeline(member, 20) if can(user, Action.VIEW) else []}
    tasks = list(tasks_for(user).filter(member=member, status__in=["open", "escalated"]).order_by("due_on")[:20])
    for task in tasks:
        task.outcomes = _outcomes(task.kind)
        task.shown_script = shown_script(task, user)
    return {"care_visible": True, "care_tasks": tasks, "care_timeline": timeline(member, 50),
            "contact_kinds": ContactKind.choices, "contact_outcomes": Outcome.choices}


# ---- care rules (HQ) ------------------------------------------------------------------------

RECENT_DAYS = 30


class CareConfigMixin(CapabilityMixin):
    capability = Action.CARE_CONFIG


def recent_counts(days: int = RECENT_DAYS) -> dict[int, dict]:
    """Per rule: tasks it created in the last `days` days, and how many of them are done (one GROUP BY)."""
    since = timezone.now() - dt.timedelta(days=days)
    rows = (CareTask.objects.filter(created_at__gte=since, rule__isnull=False).values("rule_id")
            .annotate(made=Count("id"), done=Count("id", filter=Q(status=TaskStatus.DONE))).order_by())
    return {row["rule_id"]: row for row in rows}


class CareRuleListView(CareConfigMixin, TemplateView):
    template_name = "console/care/rules.html"

    def get_context_data(self, **kwargs):
        counts = recent_counts()
        rules = list(CareRule.objects.select_related("store"))
        for rule in rules:
            row = counts.get(rule.pk, {})
            rule.recent, rule.recent_done = row.get("made", 0), row.get("done", 0)
            rule.summary = parameter_summary(rule)
        rules.sort(key=lambda r: not r.active)
        return super().get_context_data(rules=rules, days=RECENT_DAYS, **kwargs)


class CareRuleEditView(CareConfigMixin, ServiceFormView):
    """A new rule (no pk) or one rule's settings."""

    template_name = "console/care/rule.html"
    form_class = CareRuleForm
    success_message = gettext_lazy("Care rule “%(rule)s” saved.")

    @cached_property
    def rule(self) -> CareRule | None:
        pk = self.kwargs.get("pk")
        return get_object_or_404(CareRule, pk=pk) if pk else None

    def get_initial(self):
        if self.rule is not None:
            return CareRuleForm.initial_for(self.rule)
        initial = {"active": True, "kind": RuleKind.BIRTHDAY, "task_kind": "message", "channel": "sms", "lead_days": 0,
                   "due_time": dt.time(10, 0), "audience": "all"}
        for kind in PARAMETERS:
            initial.update(CareRuleForm.parameter_initial(kind))
        return initial

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.rule is not None:
            kwargs["kind"] = self.rule.kind
        return kwargs

    def call_service(self, form):
        if self.rule is None:
            return care_rule_create(actor=self.request.user, code=form.cleaned_data["code"], data=form.rule_data())
        return care_rule_update(actor=self.request.user, rule=self.rule, data=form.rule_data())

    def success_message_data(self, form, saved):
        return {"rule": saved.name}

    def get_success_url(self):
        return f"{reverse('console:care_rules')}#rule-{self.result.code}"

    def get_context_data(self, **kwargs):
        rule = self.rule
        greeting = rule is None or rule.kind in NO_ADVERTISING
        return super().get_context_data(
            rule=rule, placeholders=sorted(PLACEHOLDERS), blocked_words=greeting_blocked_words() if greeting else [],
            greeting_kinds=" ".join(sorted(NO_ADVERTISING)), plain_kinds=" ".join(k for k, spec in PARAMETERS.items() if not spec),
            recent=recent_counts().get(rule.pk, {}) if rule else {},
            days=RECENT_DAYS, **kwargs)


class CareRuleActiveView(SwitchActiveView):
    capability = Action.CARE_CONFIG
    model = CareRule
    on_message = gettext_lazy("Care rule “%(rule)s” is in force again.")
    off_message = gettext_lazy("Care rule “%(rule)s” was switched off: it makes no new tasks.")

    def switch(self, row, active):
        care_rule_update(actor=self.request.user, rule=row, data={"active": active})

    def back(self, row):
        return redirect("console:care_rules")
