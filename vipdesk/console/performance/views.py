"""The monthly performance page of a store (commission table, KPIs, export) and days-worked entry
(R10.3, R10.4). Figures come from vipdesk.performance; writes go through its services."""
from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from vipdesk.accounts.roles import Action, can
from vipdesk.core.errors import DomainError, ValidationFailed
from vipdesk.performance.commission import store_commission
from vipdesk.performance.exporting import performance_xlsx
from vipdesk.performance.kpis import staff_kpis, store_kpis
from vipdesk.performance.models import DaysWorked
from vipdesk.performance.period import current_month, parse_month
from vipdesk.performance.roster import roster_import
from vipdesk.performance.services import days_worked_set, staff_of, store_for, stores_for

from ..mixins import CapabilityMixin, domain_error_message

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class MonthStoreMixin(CapabilityMixin):
    @cached_property
    def month(self):
        try:
            return parse_month(self.request.GET.get("month")) if self.request.GET.get("month") else current_month()
        except ValidationFailed:
            return current_month()

    @cached_property
    def store(self):
        stores = stores_for(self.request.user)
        code = self.request.GET.get("store") or (stores.first().code if stores.exists() else None)
        try:
            return store_for(self.request.user, code) if code else None
        except DomainError:
            return None

    def context(self, **kwargs):
        return {"month": self.month, "store": self.store, "stores": stores_for(self.request.user), **kwargs}


class PerformanceView(MonthStoreMixin, TemplateView):
    capability = Action.PERFORMANCE_VIEW
    template_name = "console/performance/month.html"

    def get_context_data(self, **kwargs):
        extra = {}
        if self.store is not None:
            extra = {"groups": store_commission(self.store, self.month), "rows": staff_kpis(list(staff_of(self.store)), self.month),
                     "total": store_kpis(self.store, self.month)}
        return super().get_context_data(**self.context(may_edit=can(self.request.user, Action.ROSTER_EDIT), **extra), **kwargs)


class PerformanceExportView(MonthStoreMixin, View):
    capability = Action.PERFORMANCE_VIEW

    def get(self, request):
        if self.store is None:
            return HttpResponse(_("Choose a store."), status=400, content_type="text/plain; charset=utf-8")
        response = HttpResponse(performance_xlsx(actor=request.user, store=self.store, month=self.month), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="performance-{self.store.code}-{self.month.label}.xlsx"'
        response["Cache-Control"] = "no-store"
        return response


class DaysWorkedView(MonthStoreMixin, TemplateView):
    """One input per person of the store; a roster file may fill them all at once."""

    capability = Action.ROSTER_EDIT
    template_name = "console/performance/days_worked.html"

    def get_context_data(self, **kwargs):
        people = list(staff_of(self.store)) if self.store else []
        entered = {r.staff_id: r for r in DaysWorked.objects.filter(staff__in=people, month=self.month.first)}
        for person in people:
            person.entry = entered.get(person.pk)
        return super().get_context_data(**self.context(people=people), **kwargs)

    def post(self, request):
        back = f"{request.path}?store={getattr(self.store, 'code', '')}&month={self.month.label}"
        if self.store is None:
            messages.error(request, _("Choose a store."))
            return redirect(back)
        upload = request.FILES.get("roster")
        try:
            if upload is not None:
                report = roster_import(actor=request.user, data=upload.read(), filename=upload.name or "", month=self.month)
                if report["errors"]:
                    messages.error(request, _("The roster has errors; nothing was written."))
                    for e in report["errors"][:50]:
                        messages.error(request, _("Row %(row)s: %(message)s") % e)
                else:
                    messages.success(request, _("%(n)d days-worked figures imported.") % {"n": report["written"]})
                return redirect(back)
            saved = 0
            for person in staff_of(self.store):
                value = (request.POST.get(f"days-{person.pk}") or "").strip()
                if value:
                    days_worked_set(actor=request.user, staff=person, month=self.month, days=value)
                    saved += 1
            messages.success(request, _("%(n)d days-worked figures saved.") % {"n": saved})
        except DomainError as exc:
            domain_error_message(request, exc)
        return redirect(back)


