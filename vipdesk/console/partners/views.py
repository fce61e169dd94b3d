"""Partner merchants in the console (issue 18 §3, HQ): the partners with their contracts, one
partner's page (contract, benefits per level with limits, the counter key, this month's uses), and
the monthly settlement statement (CSV/XLSX) — figures from vipdesk.partners.settlement."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from vipdesk.accounts.roles import Action
from vipdesk.core import clock
from vipdesk.core.errors import DomainError
from vipdesk.core.masking import mask_name
from vipdesk.partners.choices import BenefitKind, Category
from vipdesk.partners.models import BenefitUse, Partner, PartnerBenefit
from vipdesk.partners.services import (PARTNER_FIELDS, partner_benefit_save, partner_benefit_set_active, partner_benefits_from_levels,
                                       partner_key_issue, partner_save, partner_set_active)
from vipdesk.partners.settlement import settlement_statement, statement_csv, statement_xlsx
from vipdesk.tiers.models import Level
from vipdesk.tiers.programme import active_programme

from ..mixins import CapabilityMixin

BENEFIT_FIELDS = ("level", "code", "name", "kind", "discount", "per_month", "per_visit")


class _Base(CapabilityMixin, TemplateView):
    capability = Action.PARTNERS

    def get_context_data(self, **kwargs):
        return super().get_context_data(categories=Category.choices, kinds=BenefitKind.choices, today=clock.today(), **kwargs)


class PartnerListView(_Base):
    template_name = "console/partners/list.html"

    def get_context_data(self, **kwargs):
        partners = list(Partner.objects.prefetch_related("benefits__level").order_by("-active", "code"))
        period = clock.today().strftime("%Y-%m")
        for p in partners:
            p.month_uses = BenefitUse.objects.filter(partner=p, period=period).count()
        kwargs.setdefault("form", {"category": Category.DINING})
        return super().get_context_data(partners=partners, **kwargs)

    def post(self, request, *args, **kwargs):
        data = {k: request.POST.get(k, "") for k in PARTNER_FIELDS}
        try:
            partner = partner_save(actor=request.user, data=data)
        except DomainError as exc:
            return self.render_to_response(self.get_context_data(form=data, errors=exc.fields, error=exc.message), status=400)
        messages.success(request, _("Partner %(name)s added. Add its benefits per level and issue its counter key.") % {"name": partner.name})
        return redirect("console:partner", pk=partner.pk)


class PartnerDetailView(_Base):
    template_name = "console/partners/detail.html"

    @cached_property
    def partner(self) -> Partner:
        partner = Partner.objects.filter(pk=self.kwargs["pk"]).select_related("api_client").first()
        if partner is None:
            raise Http404
        return partner

    def get_context_data(self, **kwargs):
        p = self.partner
        programme = active_programme()
        levels = list(Level.objects.filter(programme=programme).order_by("rank")) if programme else []
        uses = list(BenefitUse.objects.filter(partner=p).select_related("benefit__level", "member")[:30])
        for use in uses:
            use.member_masked = mask_name(use.member.name)
        kwargs.setdefault("form", {k: getattr(p, k) for k in PARTNER_FIELDS})
        kwargs.setdefault("bform", {"kind": BenefitKind.DISCOUNT, "per_visit": 1})
        return super().get_context_data(partner=p, levels=levels, uses=uses,
                                        benefits=list(PartnerBenefit.objects.filter(partner=p).select_related("level")), **kwargs)

    def post(self, request, *args, **kwargs):
        p, act = self.partner, request.POST.get("act", "save")
        try:
            if act == "save":
                partner_save(actor=request.user, partner=p, data={k: request.POST.get(k, "") for k in PARTNER_FIELDS})
                messages.success(request, _("Saved."))
            elif act in ("on", "off"):
                partner_set_active(actor=request.user, partner=p, active=act == "on")
                messages.success(request, _("Switched on.") if act == "on" else _("Switched off."))
            elif act == "benefit":
                partner_benefit_save(actor=request.user, partner=p, data={k: request.POST.get(k, "") for k in BENEFIT_FIELDS})
                messages.success(request, _("Benefit saved."))
            elif act in ("benefit_on", "benefit_off"):
                partner_benefit_set_active(actor=request.user, partner=p, benefit_id=request.POST.get("benefit", ""),
                                           active=act == "benefit_on")
                messages.success(request, _("Saved."))
            elif act == "from_levels":
                n = partner_benefits_from_levels(actor=request.user, partner=p)
                messages.success(request, _("%(n)s benefit(s) added from the levels' partner discount.") % {"n": n})
            elif act == "key":
                key = partner_key_issue(actor=request.user, partner=p)
                del self.partner  # the cached row still names the previous key
                return self.render_to_response(self.get_context_data(new_key=key))
        except DomainError as exc:
            if act in ("save", "benefit"):
                ctx = {"error": exc.message}
                if act == "save":  # each form's refusals beside its own fields (both have a code and a name)
                    ctx["errors"] = exc.fields
                    ctx["form"] = {k: request.POST.get(k, "") for k in PARTNER_FIELDS}
                else:
                    ctx["berrors"] = exc.fields
                    ctx["bform"] = {k: request.POST.get(k, "") for k in BENEFIT_FIELDS}
                    ctx["benefit_open"] = True
                return self.render_to_response(self.get_context_data(**ctx), status=400)
            messages.error(request, exc.message)
        return redirect("console:partner", pk=p.pk)


class _Settlement(CapabilityMixin):
    capability = Action.PARTNERS

    @cached_property
    def period(self) -> str:
        return (self.request.GET.get("period") or "").strip()[:7] or clock.today().strftime("%Y-%m")


class SettlementView(_Settlement, TemplateView):
    template_name = "console/partners/settlement.html"

    def get_context_data(self, **kwargs):
        rows, error = [], None
        try:
            rows = settlement_statement(actor=self.request.user, period=self.period)
        except DomainError as exc:
            error = exc.message
        return super().get_context_data(rows=rows, period=self.period, error=error, **kwargs)


class SettlementExportView(_Settlement, View):
    def get(self, request, *args, **kwargs):
        try:
            rows = settlement_statement(actor=request.user, period=self.period)
        except DomainError as exc:
            return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
        if request.GET.get("format") == "xlsx":
            response = HttpResponse(statement_xlsx(rows),
                                    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            response["Content-Disposition"] = f'attachment; filename="partner-settlement-{self.period}.xlsx"'
            return response
        response = HttpResponse("\ufeff" + statement_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="partner-settlement-{self.period}.csv"'
        return response
