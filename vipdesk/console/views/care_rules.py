"""Care rules in the console (issue 6 §2, HQ): the list with what each rule made in the last 30
days, a rule's settings and parameters, a new rule, switching one off.

Every write goes through vipdesk.care.services (care_rule_create / care_rule_update: parameters
checked by rules.clean_parameters, scripts by check_script — no advertising in a greeting); their
per-field Chinese messages are shown next to the inputs and a refused form changes nothing.
"""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy
from django.views.generic import TemplateView

from vipdesk.accounts.roles import Action
from vipdesk.care.choices import NO_ADVERTISING, RuleKind, TaskStatus
from vipdesk.care.models import CareRule, CareTask
from vipdesk.care.rules import PARAMETERS, PLACEHOLDERS, greeting_blocked_words
from vipdesk.care.services import care_rule_create, care_rule_update
from vipdesk.core.errors import DomainError

from ..care_forms import CareRuleForm, parameter_summary
from ..mixins import CapabilityMixin, SwitchActiveView

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
    template_name = "console/care_rules.html"

    def get_context_data(self, **kwargs):
        counts = recent_counts()
        rules = list(CareRule.objects.select_related("store"))
        for rule in rules:
            row = counts.get(rule.pk, {})
            rule.recent, rule.recent_done = row.get("made", 0), row.get("done", 0)
            rule.summary = parameter_summary(rule)
        rules.sort(key=lambda r: not r.active)
        return super().get_context_data(rules=rules, days=RECENT_DAYS, **kwargs)


class CareRuleEditView(CareConfigMixin, TemplateView):
    """A new rule (no pk) or one rule's settings."""

    template_name = "console/care_rule.html"

    def rule(self) -> CareRule | None:
        pk = self.kwargs.get("pk")
        return get_object_or_404(CareRule, pk=pk) if pk else None

    def form(self, rule: CareRule | None, data=None) -> CareRuleForm:
        if rule is not None:
            return CareRuleForm(data, kind=rule.kind, initial=CareRuleForm.initial_for(rule))
        initial = {"active": True, "kind": RuleKind.BIRTHDAY, "task_kind": "message", "channel": "sms", "lead_days": 0,
                   "due_time": dt.time(10, 0), "audience": "all"}
        for kind in PARAMETERS:
            initial.update(CareRuleForm.parameter_initial(kind))
        return CareRuleForm(data, initial=initial)

    def get_context_data(self, **kwargs):
        rule = kwargs.pop("rule", None) if "rule" in kwargs else self.rule()
        kwargs.setdefault("form", self.form(rule))
        greeting = rule is None or rule.kind in NO_ADVERTISING
        return super().get_context_data(
            rule=rule, placeholders=sorted(PLACEHOLDERS), blocked_words=greeting_blocked_words() if greeting else [],
            greeting_kinds=" ".join(sorted(NO_ADVERTISING)), plain_kinds=" ".join(k for k, spec in PARAMETERS.items() if not spec),
            recent=recent_counts().get(rule.pk, {}) if rule else {},
            days=RECENT_DAYS, **kwargs)

    def post(self, request, *args, **kwargs):
        rule = self.rule()
        form = self.form(rule, request.POST)
        if form.is_valid():
            try:
                if rule is None:
                    saved = care_rule_create(actor=request.user, code=form.cleaned_data["code"], data=form.rule_data())
                else:
                    saved = care_rule_update(actor=request.user, rule=rule, data=form.rule_data())
            except DomainError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Care rule “%(rule)s” saved.") % {"rule": saved.name})
                return redirect(f"{reverse('console:care_rules')}#rule-{saved.code}")
        return self.render_to_response(self.get_context_data(rule=rule, form=form))


class CareRuleActiveView(SwitchActiveView):
    capability = Action.CARE_CONFIG
    model = CareRule
    on_message = gettext_lazy("Care rule “%(rule)s” is in force again.")
    off_message = gettext_lazy("Care rule “%(rule)s” was switched off: it makes no new tasks.")

    def switch(self, row, active):
        care_rule_update(actor=self.request.user, rule=row, data={"active": active})

    def back(self, row):
        return redirect("console:care_rules")
