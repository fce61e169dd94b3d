"""Member import (upload → map columns → dry run → import) and export (R1.5)."""
from __future__ import annotations

import base64

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from vipdesk.accounts.roles import Action, can
from vipdesk.core.errors import DomainError
from vipdesk.members.choices import ImportStatus
from vipdesk.members.importing import guess_mapping, member_export, member_import, read_headers
from vipdesk.members.models import Member
from vipdesk.members.selectors import member_search

from ...mixins import CapabilityMixin
from ..forms import ExportForm, ImportUploadForm, mapping_choices

SESSION_KEY = "console_import"


class MemberImportView(CapabilityMixin, TemplateView):
    """The uploaded file is kept in the session (base64, at most 5 MB) between the steps."""

    capability = Action.IMPORT
    template_name = "console/members/import.html"

    def pending(self) -> dict | None:
        return self.request.session.get(SESSION_KEY)

    def get_context_data(self, **kwargs):
        pending = self.pending()
        columns = []
        if pending:
            chosen = kwargs.pop("mapping", None) or guess_mapping(pending["headers"])
            columns = [{"index": i, "header": h, "selected": chosen.get(h, "")} for i, h in enumerate(pending["headers"]) if h]
        kwargs.setdefault("upload_form", ImportUploadForm())
        return super().get_context_data(pending=pending, columns=columns, choices=mapping_choices(), **kwargs)

    def post(self, request, *args, **kwargs):
        step = request.POST.get("step")
        if step == "upload":
            return self.upload()
        if step == "discard":
            request.session.pop(SESSION_KEY, None)
            return redirect("console:member_import")
        if step in ("dry_run", "import") and self.pending():
            return self.run(dry_run=step == "dry_run")
        return redirect("console:member_import")

    def upload(self):
        form = ImportUploadForm(self.request.POST, self.request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            try:
                headers = read_headers(data=data, filename=upload.name)
            except DomainError as exc:
                form.add_error("file", exc.message)
            else:
                self.request.session[SESSION_KEY] = {
                    "filename": upload.name, "headers": headers, "data": base64.b64encode(data).decode("ascii"),
                }
                return redirect("console:member_import")
        self.request.session.pop(SESSION_KEY, None)
        return self.render_to_response(self.get_context_data(upload_form=form))

    def run(self, *, dry_run: bool):
        pending = self.pending()
        mapping = {h: self.request.POST.get(f"col_{i}", "") for i, h in enumerate(pending["headers"]) if h}
        job, error = None, None
        try:
            job = member_import(actor=self.request.user, data=base64.b64decode(pending["data"]), filename=pending["filename"],
                                mapping=mapping, dry_run=dry_run)
        except DomainError as exc:
            error = exc.message
        if job is not None and job.status == ImportStatus.COMPLETED:
            self.request.session.pop(SESSION_KEY, None)
            messages.success(self.request, _("%(n)s members imported.") % {"n": job.imported_rows})
        return self.render_to_response(self.get_context_data(job=job, error=error, mapping=mapping))


class MemberExportView(CapabilityMixin, FormView):
    """Masked by default; the full export is offered only to roles with EXPORT_FULL and is recorded."""

    capability = Action.EXPORT
    template_name = "console/members/export.html"
    form_class = ExportForm

    def get_initial(self):
        return {"q": self.request.GET.get("q", "")}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if not can(self.request.user, Action.EXPORT_FULL):
            del form.fields["full"]
        return form

    def form_valid(self, form):
        user = self.request.user
        action = Action.EXPORT_FULL if form.cleaned_data.get("full") else Action.EXPORT
        qs = Member.objects.restrict(user, action)
        if form.cleaned_data.get("q"):
            qs = member_search(qs, form.cleaned_data["q"])
        try:
            content, content_type, filename = member_export(actor=user, queryset=qs, fmt=form.cleaned_data["fmt"],
                                                            full=bool(form.cleaned_data.get("full")))
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response
