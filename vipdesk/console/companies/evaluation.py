"""The annual evaluation in the console (issue 20 §2, HQ): the schemes with their criteria and the
years; one year's page — enter the figures (XLSX), evaluate, review, approve (a second HQ person),
the ranking with the disqualification reasons and the awards, the results XLSX and the certificates."""
from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from vipdesk.accounts.roles import Action
from vipdesk.companies.documents import certificate_pdf, results_xlsx
from vipdesk.companies.evaluation import year_approve, year_evaluate, year_for, year_open, year_review
from vipdesk.companies.measurements import measurements_import
from vipdesk.companies.models import EvaluationYear, Scheme, Source, YearState
from vipdesk.core import clock
from vipdesk.core.errors import DomainError

from ..mixins import CapabilityMixin


class EvaluationListView(CapabilityMixin, TemplateView):
    capability = Action.EVALUATION
    template_name = "console/evaluation/list.html"

    def get_context_data(self, **kwargs):
        schemes = list(Scheme.objects.prefetch_related("criteria", "awards"))
        years = list(EvaluationYear.objects.select_related("scheme", "approved_by", "reviewed_by"))
        return super().get_context_data(schemes=schemes, years=years, this_year=clock.today().year - 1, **kwargs)

    def post(self, request, *args, **kwargs):
        scheme = Scheme.objects.filter(pk=request.POST.get("scheme") or 0).first() if str(request.POST.get("scheme", "")).isdigit() else None
        year = request.POST.get("year", "")
        if scheme is None or not year.isdigit():
            errors = {"scheme": [_("Choose a scheme.")]} if scheme is None else {"year": [_("Give a year such as 2026.")]}
            return self.render_to_response(self.get_context_data(errors=errors), status=400)
        try:
            found = year_open(actor=request.user, scheme=scheme, year=int(year))
        except DomainError as exc:
            return self.render_to_response(self.get_context_data(errors=exc.fields or {"year": [exc.message]}), status=400)
        return redirect("console:evaluation", pk=found.pk)


class EvaluationYearView(CapabilityMixin, TemplateView):
    capability = Action.EVALUATION
    template_name = "console/evaluation/year.html"

    def get_context_data(self, **kwargs):
        year = year_for(self.request.user, self.kwargs["pk"])
        criteria = list(year.scheme.criteria.all())
        results = list(year.results.select_related("company"))
        for r in results:
            r.cells = [r.values.get(c.code) for c in criteria]
        steps = [(s, label, s == year.state) for s, label in YearState.choices]
        order = [s for s, _l in YearState.choices]
        return super().get_context_data(
            year=year, criteria=criteria, entered=[c for c in criteria if c.source == Source.ENTERED], results=results,
            steps=[(label, current, order.index(s) < order.index(year.state)) for s, label, current in steps],
            ranked=sum(1 for r in results if r.rank), disqualified=sum(1 for r in results if r.disqualified),
            awards=list(year.scheme.awards.all()), frozen=year.state == YearState.APPROVED, **kwargs)

    def post(self, request, *args, **kwargs):
        year = year_for(request.user, self.kwargs["pk"])
        act = request.POST.get("act", "")
        try:
            if act == "evaluate":
                results = year_evaluate(actor=request.user, year=year)
                messages.success(request, _("Evaluated: %(n)s companies.") % {"n": len(results)})
            elif act == "review":
                year_review(actor=request.user, year=year)
                messages.success(request, _("Marked as reviewed. Another HQ person approves it."))
            elif act == "approve":
                year_approve(actor=request.user, year=year)
                messages.success(request, _("Approved: the awards are paid and the year is frozen."))
            elif act == "figures":
                upload = request.FILES.get("file")
                if upload is None:
                    raise DomainError(_("Choose a file."), fields={"file": _("Choose a file.")})
                outcome = measurements_import(actor=request.user, year=year, data=upload.read(), filename=upload.name)
                if outcome["report"]:
                    return self.render_to_response(self.get_context_data(figures_report=outcome), status=400)
                messages.success(request, _("%(n)s figures saved. Evaluate the year again.") % {"n": outcome["written"]})
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("console:evaluation", pk=year.pk)


class EvaluationXlsxView(CapabilityMixin, View):
    capability = Action.EVALUATION

    def get(self, request, pk):
        year = year_for(request.user, pk)
        response = HttpResponse(results_xlsx(year), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="evaluation-{year.year}.xlsx"'
        return response


class CertificateView(CapabilityMixin, View):
    capability = Action.EVALUATION

    def get(self, request, pk, company):
        year = year_for(request.user, pk)
        try:
            pdf = certificate_pdf(year, company)
        except DomainError as exc:
            return HttpResponse(exc.message, status=exc.status if exc.status in (404, 409) else 400, content_type="text/plain; charset=utf-8")
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="certificate-{year.year}-{company}.pdf"'
        return response
