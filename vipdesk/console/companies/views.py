"""Organisation accounts in the console (issue 20 §1, group "Members"): the list with a form to open
an account, the XLSX import with its row-by-row report, and one account's page — sales by month and
by product (all the contacts' purchases), contacts, contact log, complaints, agreements and their status.
HQ and auditors read; HQ writes. Contacts' names are masked unless the role sees them in full."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from vipdesk.accounts.roles import Action, can
from vipdesk.core.errors import DomainError
from vipdesk.core.masking import mask_mobile, mask_name
from vipdesk.companies import selectors
from vipdesk.companies.importing import company_import
from vipdesk.companies.models import Company, ContactRole
from vipdesk.companies.services import agreement_add, company_create, company_for, contact_add, contact_remove

from ..mixins import CapabilityMixin

COMPANY_FIELDS = ("name", "uscc", "industry", "region", "manager", "deputies", "note")


class _Base(CapabilityMixin, TemplateView):
    capability = Action.COMPANY_VIEW

    def get_context_data(self, **kwargs):
        return super().get_context_data(may_manage=can(self.request.user, Action.COMPANY_MANAGE), **kwargs)

    def _manage(self):
        if not can(self.request.user, Action.COMPANY_MANAGE):
            raise PermissionDenied


class CompanyListView(_Base):
    template_name = "console/companies/list.html"

    def get_context_data(self, **kwargs):
        q = self.request.GET.get("q", "").strip()
        qs = Company.objects.select_related("manager").order_by("name")
        if q:
            qs = qs.filter(name__icontains=q) | qs.filter(uscc__iexact=q)
        companies = list(qs[:200])
        kwargs.setdefault("form", {})
        return super().get_context_data(companies=companies, q=q, **kwargs)

    def post(self, request, *args, **kwargs):
        self._manage()
        data = {key: request.POST.get(key, "") for key in COMPANY_FIELDS}
        try:
            company = company_create(actor=request.user, data=data)
        except DomainError as exc:
            return self.render_to_response(self.get_context_data(form=data, errors=exc.fields, error=exc.message), status=400)
        messages.success(request, _("Account %(name)s opened.") % {"name": company.name})
        return redirect("console:company", pk=company.pk)


class CompanyImportView(_Base):
    template_name = "console/companies/import.html"

    def get(self, request, *args, **kwargs):
        self._manage()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self._manage()
        upload = request.FILES.get("file")
        if upload is None:
            return self.render_to_response(self.get_context_data(errors={"file": [_("Choose a file.")]}), status=400)
        try:
            job = company_import(actor=request.user, data=upload.read(), filename=upload.name,
                                 dry_run=request.POST.get("mode") != "import")
        except DomainError as exc:
            return self.render_to_response(self.get_context_data(errors={"file": [exc.message]}), status=400)
        return self.render_to_response(self.get_context_data(job=job))


def _contact_rows(company, actor) -> list[dict]:
    full = can(actor, Action.SEE_FULL)
    return [{"id": c.pk, "member": c.member, "role": c.get_role_display(), "primary": c.primary,
             "name": c.member.name if full else mask_name(c.member.name),
             "mobile": c.member.mobile if full else mask_mobile(c.member.mobile)}
            for c in company.contacts.select_related("member")]


class CompanyDetailView(_Base):
    template_name = "console/companies/detail.html"

    def get_context_data(self, **kwargs):
        company = company_for(self.request.user, self.kwargs["pk"])
        months = selectors.sales_by_month(company)
        peak = max((m["amount"] for m in months), default=0) or 1
        for m in months:
            m["width"] = int(m["amount"] * 100 / peak)  # the bar's width class, 0–100 in steps (no inline style)
            m["bar"] = min(10, (m["width"] + 9) // 10)
        full = can(self.request.user, Action.SEE_FULL)
        log = selectors.contact_log(company)
        for entry in log:
            entry.who = entry.member.name if full else mask_name(entry.member.name)
        complaints = selectors.complaints(company)
        for c in complaints:
            c.who = (c.member.name if full else mask_name(c.member.name)) if c.member_id else ""
        agreements = list(company.agreements.all())
        for a in agreements:
            a.status = selectors.agreement_status(a)
        kwargs.setdefault("contact_form", {})
        kwargs.setdefault("agreement_form", {})
        return super().get_context_data(
            company=company, deputies=list(company.deputies.all()), months=months, total=sum(m["amount"] for m in months),
            products=selectors.sales_by_product(company), contacts=_contact_rows(company, self.request.user),
            log=log, complaints=complaints, agreements=agreements, roles=ContactRole.choices,
            results=list(company.evaluation_results.select_related("year__scheme").order_by("-year__year")[:5]), **kwargs)

    def post(self, request, *args, **kwargs):
        self._manage()
        company = company_for(request.user, self.kwargs["pk"])
        act = request.POST.get("act", "")
        try:
            if act == "contact":
                contact_add(actor=request.user, company=company, member=request.POST.get("member", ""),
                            role=request.POST.get("role", ""), primary=request.POST.get("primary") == "1")
                messages.success(request, _("Contact added: the member's purchases now count for this account."))
            elif act == "contact_remove":
                contact_remove(actor=request.user, company=company, contact_id=request.POST.get("contact", ""))
                messages.success(request, _("Contact removed."))
            elif act == "agreement":
                agreement_add(actor=request.user, company=company, data={k: request.POST.get(k, "") for k in
                                                                          ("number", "title", "valid_from", "valid_until", "terms")})
                messages.success(request, _("Agreement added."))
        except DomainError as exc:
            form = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
            key = "agreement" if act == "agreement" else "contact"
            return self.render_to_response(self.get_context_data(**{f"{key}_form": form, f"{key}_errors": exc.fields,
                                                                    "error": exc.message}), status=400)
        return redirect("console:company", pk=company.pk)
