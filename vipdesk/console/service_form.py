"""The console's one way to post a form to a service.

GET shows the page with its form. POST: the form checks the shape of the input; the service,
called with the actor and the form's data, decides; a refusal (a DomainError) is put on the form
(`ServiceErrorsMixin.add_service_errors`: the service's key → the input, see the form's
ERROR_FIELD / field_for) and the page is shown again with what was typed; success says so
(`success_message`) and redirects (`success_url`). A page declares what differs:

    class PointsPolicyView(LoyaltyConfigMixin, ServiceFormView):
        template_name = "console/loyalty/points_policy.html"
        form_class = PointsPolicyForm
        service = points_policy_save
        success_message = gettext_lazy("The points policy was saved. …")
        success_url = "console:loyalty_earn_rules"

and overrides a hook only where it needs to: `service_data` (what the service gets as `data`),
`service_kwargs` (the row it changes…), `call_service` (a service with another signature),
`success_message_data` / `get_success_url` (they see `self.result`, the service's answer), `done`
(a page that shows the answer rather than redirecting).

A page with several forms (a policy and a new rule, say) is one declaration per form: the page's
view handles its main form, and `steps` maps the POST's `step` to a subclass of the page that
declares the other form; that subclass renders the same page, its form under `form_context_name`
and, when refused, with `refused_context` (which part of the page to open).
"""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import resolve_url
from django.views.generic import FormView
from django.views.generic.base import ContextMixin

from vipdesk.core.errors import DomainError


class ServiceFormView(FormView):
    service = None  # the service function: service(actor=…, data=…, **service_kwargs(form))
    refusals: tuple[type[Exception], ...] = (DomainError,)  # what the service raises that goes on the form
    success_message = ""  # %-formatted with success_message_data(form, result) when that is not empty
    success_url = None  # a URL name ("console:…") or a path; get_success_url() when it depends on the result
    form_context_name = "form"  # the template's name for this form
    refused_context: dict = {}  # extra context when the form is shown again (e.g. {"form_open": True})
    steps: dict = {}  # POST step → the view (of this same page) that handles that form

    result = None  # the service's answer, once it has run

    # ---- the form -----------------------------------------------------------------------------

    def get_context_data(self, **kwargs):
        if self.form_context_name not in kwargs:
            kwargs[self.form_context_name] = self.get_form()
        # FormMixin would add a second "form"; a page with several forms names each itself
        return ContextMixin.get_context_data(self, **kwargs)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(**{self.form_context_name: form}, **self.refused_context))

    # ---- the service --------------------------------------------------------------------------

    def service_data(self, form) -> dict:
        return form.cleaned_data

    def service_kwargs(self, form) -> dict:
        return {}

    def call_service(self, form):
        # type(self).service: the function itself, not a method bound to this view
        return type(self).service(actor=self.request.user, data=self.service_data(form), **self.service_kwargs(form))

    def form_valid(self, form):
        try:
            self.result = self.call_service(form)
        except self.refusals as exc:
            form.add_service_errors(exc)
            return self.form_invalid(form)
        return self.done(form, self.result)

    def done(self, form, result):
        """The service said yes: say so and redirect (a page that shows the answer instead overrides this)."""
        text = self.get_success_message(form, result)
        if text:
            messages.success(self.request, text)
        return super().form_valid(form)

    def success_message_data(self, form, result) -> dict:
        return {}

    def get_success_message(self, form, result) -> str:
        text = str(self.success_message)
        data = self.success_message_data(form, result)
        return text % data if data else text

    def get_success_url(self) -> str:
        return resolve_url(self.success_url)

    # ---- several forms on one page ------------------------------------------------------------

    def get_step(self):
        """The view class for this POST's form: `steps[step]`, or None for this view's own form."""
        step = self.steps.get(self.request.POST.get("step"))
        return None if step is None or isinstance(self, step) else step

    def post(self, request, *args, **kwargs):
        step = self.get_step()
        if step is not None:
            return step.as_view()(request, *args, **kwargs)
        return super().post(request, *args, **kwargs)
