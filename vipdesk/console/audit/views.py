"""The audit trail page (审计日志) for auditors and HQ: filters, paging and the XLSX export of the
filtered rows. The rows and the workbook come from vipdesk.reports.audit_trail; the export records itself."""
from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import TemplateView

from vipdesk.accounts.roles import Action
from vipdesk.reports.audit_trail import trail_index, trail_rows, trail_xlsx
from vipdesk.org.scoping import stores_in_scope

from ..mixins import CapabilityMixin
from .forms import TrailFilterForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TrailMixin(CapabilityMixin):
    capability = Action.AUDIT_VIEW

    @cached_property
    def filters(self) -> TrailFilterForm:
        form = TrailFilterForm(self.request.GET or None, stores=stores_in_scope(self.request.user))
        form.is_valid()
        return form


class AuditTrailView(TrailMixin, TemplateView):
    template_name = "console/audit/trail.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        paginator = Paginator(trail_index(self.filters.trail_filter()), self.paginate_by)
        page = paginator.get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(filters=self.filters, rows=trail_rows(page.object_list), page_obj=page,
                                        paginator=paginator, is_paginated=page.has_other_pages(), query=query.urlencode(),
                                        **kwargs)


class AuditTrailExportView(TrailMixin, View):
    def get(self, request):
        content, _count = trail_xlsx(actor=request.user, f=self.filters.trail_filter())
        response = HttpResponse(content, content_type=XLSX)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.xlsx"'
        response["Cache-Control"] = "no-store"
        return response
