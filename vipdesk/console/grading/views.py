"""Grading pages (issue 20 §3): the grading rules (measures, weights, bands, hold period, shared-customer
rule), balance imports with their row report, and each relationship manager's credited figures
(业绩认定). Writes go through vipdesk.grading's services."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _, gettext_lazy
from django.views.generic import TemplateView

from vipdesk.accounts.models import Staff
from vipdesk.accounts.roles import Action, Role
from vipdesk.core.errors import ValidationFailed
from vipdesk.grading.choices import AumMeasure, Frequency, MeasureKind, ShareRule
from vipdesk.grading.imports import FIELDS, balance_import
from vipdesk.grading.models import BalanceImport, GradingRun, ManagerCredit, Scheme
from vipdesk.grading.services import scheme_update
from vipdesk.performance.period import current_month, parse_month
from vipdesk.tiers.models import Level

from ..forms import ServiceErrorsMixin
from ..mixins import CapabilityMixin
from ..service_form import ServiceFormView


def _levels():
    return list(Level.objects.filter(programme__active=True).order_by("rank"))


class SchemeForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the grading"), max_length=60)
    aum_measure = forms.ChoiceField(label=gettext_lazy("AUM measured as"), choices=AumMeasure.choices)
    downgrade_after_months = forms.IntegerField(label=gettext_lazy("Downgrade after months below"), min_value=1, max_value=366)
    maturity_lead_days = forms.IntegerField(label=gettext_lazy("Maturity reminder days ahead"), min_value=0, max_value=366)
    share_rule = forms.ChoiceField(label=gettext_lazy("Shared customers"), choices=ShareRule.choices)

    def __init__(self, *args, levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in MeasureKind.choices:
            self.fields[f"measure_{kind}"] = forms.DecimalField(label=label, required=False, min_value=0, max_digits=14,
                                                                decimal_places=4)
        self.levels = list(levels)
        for level in self.levels:
            self.fields[f"band_{level.code}"] = forms.DecimalField(label=level.name, required=False, min_value=0, max_digits=18,
                                                                   decimal_places=2)
            self.fields[f"hold_{level.code}"] = forms.IntegerField(
                label=gettext_lazy("%(level)s: months below before downgrade") % {"level": level.name}, required=False,
                min_value=1, max_value=366, help_text=gettext_lazy("Empty: as set above."))

    def measure_fields(self):
        return [self[f"measure_{k}"] for k in MeasureKind.values]

    def band_fields(self):
        return [self[f"band_{lv.code}"] for lv in self.levels]

    def band_rows(self):
        """(level, its score-from input, its hold-period input) for the bands table."""
        return [(lv, self[f"band_{lv.code}"], self[f"hold_{lv.code}"]) for lv in self.levels]


class GradingRulesView(CapabilityMixin, ServiceFormView):
    capability = Action.LOYALTY_CONFIG
    template_name = "console/grading/rules.html"
    form_class = SchemeForm
    service = scheme_update
    success_message = gettext_lazy("The grading rules were saved; the next grading run uses them.")
    success_url = "console:grading_rules"

    @cached_property
    def scheme(self):
        return Scheme.objects.filter(active=True).prefetch_related("measures", "bands").first()

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["levels"] = _levels()
        if self.scheme is not None:
            initial = {"name": self.scheme.name, "aum_measure": self.scheme.aum_measure, "downgrade_after_months": self.scheme.downgrade_after_months,
                       "maturity_lead_days": self.scheme.maturity_lead_days, "share_rule": self.scheme.share_rule}
            initial.update({f"measure_{m.kind}": m.weight.normalize() for m in self.scheme.measures.all()})
            initial.update({f"band_{b.level_code}": b.min_score for b in self.scheme.bands.all()})
            initial.update({f"hold_{b.level_code}": b.hold_months for b in self.scheme.bands.all()})
            kwargs["initial"] = initial
        return kwargs

    def post(self, request, *args, **kwargs):
        if self.scheme is None:
            messages.error(request, _("No grading scheme yet: set one up as the operations guide (section 13) says; the bank set-up makes one."))
            return redirect("console:grading_rules")
        return super().post(request, *args, **kwargs)

    def service_data(self, form):
        data = {k: form.cleaned_data[k] for k in ("name", "aum_measure", "downgrade_after_months", "maturity_lead_days", "share_rule")}
        data["measures"] = {k: form.cleaned_data[f"measure_{k}"] for k in MeasureKind.values if form.cleaned_data[f"measure_{k}"]}
        data["bands"] = [{"level_code": lv.code, "min_score": form.cleaned_data[f"band_{lv.code}"],
                          "hold_months": form.cleaned_data[f"hold_{lv.code}"]}
                         for lv in form.levels if form.cleaned_data[f"band_{lv.code}"] is not None]
        return data

    def service_kwargs(self, form):
        return {"scheme": self.scheme}

    def get_context_data(self, **kwargs):
        runs = GradingRun.objects.filter(scheme=self.scheme).order_by("-month")[:6] if self.scheme else []
        return super().get_context_data(scheme=self.scheme, runs=runs, **kwargs)


class BalanceImportForm(ServiceErrorsMixin, forms.Form):
    file = forms.FileField(label=gettext_lazy("Balance file (CSV or XLSX)"))
    frequency = forms.ChoiceField(label=gettext_lazy("The file holds"), choices=Frequency.choices, initial=Frequency.MONTHLY)
    ERROR_FIELD = {"bad_mapping": "file", "mapping_incomplete": "file"}


class BalanceImportView(CapabilityMixin, ServiceFormView):
    capability = Action.LOYALTY_CONFIG
    template_name = "console/grading/imports.html"
    form_class = BalanceImportForm

    def call_service(self, form):
        upload = form.cleaned_data["file"]
        return balance_import(actor=self.request.user, data=upload.read(), filename=upload.name or "",
                              frequency=form.cleaned_data["frequency"])

    def done(self, form, job):
        if getattr(job, "duplicate", False):
            messages.info(self.request, _("This file was imported before (%(when)s); nothing was changed.")
                          % {"when": timezone.localtime(job.created_at).strftime("%Y-%m-%d %H:%M")})
        elif job.status == "committed":
            messages.success(self.request, _("%(n)d rows imported: %(new)d new, %(updated)d corrected, %(same)d unchanged.")
                             % {"n": job.total_rows, "new": job.new_rows, "updated": job.updated_rows, "same": job.unchanged_rows})
        else:
            messages.error(self.request, _("The file has errors; nothing was written. See the report below."))
        return redirect(f"{reverse('console:grading_imports')}?job={job.pk}")

    def get_context_data(self, **kwargs):
        jobs = BalanceImport.objects.select_related("created_by").order_by("-id")[:20]
        shown = None
        if (self.request.GET.get("job") or "").isdigit():
            shown = BalanceImport.objects.filter(pk=int(self.request.GET["job"])).first()
        labels = {k: str(v[0]) for k, v in FIELDS.items()}
        report = [{**e, "label": labels.get(e.get("field"), "")} for e in (shown.report if shown else [])][:200]
        columns = [{"label": str(label), "required": required} for label, required in FIELDS.values()]
        return super().get_context_data(jobs=jobs, shown=shown, report=report, columns=columns, **kwargs)


class ManagerPerformanceView(CapabilityMixin, TemplateView):
    """业绩认定: each manager's credited balance, new products and customers for a month. A store
    manager sees the managers of his stores; HQ and auditors see all."""

    capability = Action.PERFORMANCE_VIEW
    template_name = "console/grading/managers.html"

    def get_context_data(self, **kwargs):
        try:
            month = parse_month(self.request.GET["month"]) if self.request.GET.get("month") else None
        except ValidationFailed:
            month = None
        if month is None:
            latest = ManagerCredit.objects.order_by("-month").values_list("month", flat=True).first()
            month = parse_month(latest) if latest else current_month()
        rows = ManagerCredit.objects.filter(month=month.first).select_related("staff")
        user = self.request.user
        if not (user.is_superuser or user.role in (Role.HQ_ADMIN, Role.AUDITOR)):
            rows = rows.filter(staff__in=Staff.objects.filter(stores__in=user.store_ids).distinct())
        rows = list(rows.order_by("-credited_balance", "staff__username"))
        scheme = Scheme.objects.filter(active=True).first()
        total = {"customers": sum(r.customers for r in rows), "balance": sum((r.credited_balance for r in rows), 0),
                 "new": sum((r.new_products for r in rows), 0)}
        months = [parse_month(m) for m in ManagerCredit.objects.order_by("-month").values_list("month", flat=True).distinct()[:12]]
        return super().get_context_data(month=month, rows=rows, total=total, scheme=scheme, months=months, **kwargs)
