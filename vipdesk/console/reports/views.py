"""The report page (R8.4, R8.6): a period and a scope, each section as a chart and a table, and the
same figures as XLSX and PDF. Figures come from vipdesk.reports; the user's scoping decides which
stores a report may cover."""
from __future__ import annotations

from django.http import HttpResponse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from vipdesk.accounts.roles import Action
from vipdesk.campaigns.report import campaigns_started
from vipdesk.core.errors import ValidationFailed
from vipdesk.events.results import events_held
from vipdesk.reports import charts
from vipdesk.reports.exporting import report_pdf, report_xlsx
from vipdesk.reports.figures import report
from vipdesk.servicedesk.selectors import sla_figures
from vipdesk.reports.periods import HALF, MONTH, QUARTER, YEAR, last_full_month, parse_period, parse_scope, period_choices, scope_choices

from ..mixins import CapabilityMixin

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportMixin(CapabilityMixin):
    capability = Action.REPORT_VIEW

    @cached_property
    def problems(self) -> list[str]:
        return []

    @cached_property
    def period(self):
        try:
            return parse_period(self.request.GET["period"]) if self.request.GET.get("period") else last_full_month()
        except ValidationFailed as exc:
            self.problems.append(exc.message)
            return last_full_month()

    @cached_property
    def scope(self):
        try:
            return parse_scope(self.request.user, self.request.GET.get("scope"))
        except ValidationFailed as exc:
            self.problems.append(exc.message)
            return parse_scope(self.request.user, "all")

    def filename(self, ext: str) -> str:
        return f"report-{self.period.label}-{self.scope.key.replace(':', '-')}.{ext}"


class ReportView(ReportMixin, TemplateView):
    template_name = "console/reports/report.html"

    def get_context_data(self, **kwargs):
        figures = report(self.period, self.scope)
        kinds = [(MONTH, _("Monthly")), (QUARTER, _("Quarterly")), (HALF, _("Half-yearly")), (YEAR, _("Yearly"))]
        choices = [(label, period_choices(kind, count={MONTH: 24, QUARTER: 8, HALF: 4, YEAR: 3}[kind])) for kind, label in kinds]
        if all(self.period not in periods for _l, periods in choices):
            choices[0][1].insert(0, self.period)
        return super().get_context_data(
            report=figures, charts=charts.all_charts(figures),
            tickets=sla_figures(self.request.user, start=self.period.start, end=self.period.end, store_ids=self.scope.store_ids),
            marketing=campaigns_started(self.period.start, self.period.end, store_ids=self.scope.store_ids),
            events=events_held(self.period.start, self.period.end, store_ids=self.scope.store_ids), period=self.period, scope=self.scope,
            period_groups=choices, scopes=scope_choices(self.request.user), problems=self.problems,
            query=f"period={self.period.label}&scope={self.scope.key}", **kwargs)


class ReportExportView(ReportMixin, View):
    def get(self, request, fmt: str):
        if fmt == "xlsx":
            body, content_type = report_xlsx(actor=request.user, period=self.period, scope=self.scope), XLSX
        else:
            body, content_type = report_pdf(actor=request.user, period=self.period, scope=self.scope), "application/pdf"
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{self.filename(fmt)}"'
        response["Cache-Control"] = "no-store"
        return response
