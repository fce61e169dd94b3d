"""Messaging in the console (issue 6 §3): message templates (HQ) and the outbox (HQ, store managers
for their stores): what was sent, what waits, what failed and why, with the attempts, the next
try and the gateway's delivery report; a failed message can be sent again, a waiting one cancelled.

Writes go through messaging's services (message_templates.template_save; outbox.message_retry, message_cancel);
reads through its selectors. Recipients are always masked, the member's name unless the viewer
may see personal data in full (PIPL; the same rule as the API).
"""
from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.translation import gettext as _, gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView

from vipdesk.accounts.roles import Action, can
from vipdesk.core.errors import DomainError, NotFound
from vipdesk.messaging import rendering
from vipdesk.messaging.choices import PENDING, EventKind, OutboxStatus, Reason
from vipdesk.messaging.models import DeliveryEvent, MessageTemplate
from vipdesk.messaging.rules import blocked_words
from vipdesk.messaging.selectors import mask_recipient, mask_text, outbox_for
from vipdesk.messaging.message_templates import template_save
from vipdesk.messaging.outbox import message_cancel, message_retry
from vipdesk.org.models import Store
from vipdesk.org.scoping import stores_in_scope

from ..mixins import CapabilityMixin, domain_error_message, redirect_back
from ..service_form import ServiceFormView
from .forms import MessageTemplateForm, OutboxFilterForm


class TemplateConfigMixin(CapabilityMixin):
    capability = Action.MESSAGE_CONFIG


class TemplateListView(TemplateConfigMixin, TemplateView):
    template_name = "console/messaging/template_list.html"

    def get_context_data(self, **kwargs):
        templates = sorted(MessageTemplate.objects.all(), key=lambda t: (not t.active, t.code))
        return super().get_context_data(templates=templates, **kwargs)


class TemplateEditView(TemplateConfigMixin, ServiceFormView):
    """A new template (no pk) or one template."""

    template_name = "console/messaging/template.html"
    form_class = MessageTemplateForm
    success_message = gettext_lazy("Message template %(code)s saved.")
    success_url = "console:message_templates"

    @cached_property
    def template(self) -> MessageTemplate | None:
        pk = self.kwargs.get("pk")
        return get_object_or_404(MessageTemplate, pk=pk) if pk else None

    def get_initial(self):
        if self.template is not None:
            return MessageTemplateForm.initial_for(self.template)
        return {"active": True, "kind": "notice", "purpose": "service", "channels": ["sms"]}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "new": self.template is None}

    def call_service(self, form):
        code = self.template.code if self.template is not None else form.cleaned_data["code"]
        return template_save(actor=self.request.user, code=code, new=self.template is None, **form.template_data())

    def success_message_data(self, form, saved):
        return {"code": saved.code}

    def get_context_data(self, **kwargs):
        return super().get_context_data(template=self.template, builtin=sorted(rendering.BUILTIN), blocked_words=blocked_words(),
                                        **kwargs)


# ---- the outbox -------------------------------------------------------------------------------

class OutboxView(CapabilityMixin, ListView):
    capability = Action.OUTBOX
    template_name = "console/messaging/outbox.html"
    context_object_name = "rows"
    paginate_by = 50

    def filters(self) -> OutboxFilterForm:
        if not hasattr(self, "_filters"):
            self._filters = OutboxFilterForm(self.request.GET or None, stores=stores_in_scope(self.request.user))
            self._filters.is_valid()
        return self._filters

    def get_queryset(self):
        qs = outbox_for(self.request.user)
        f = self.filters()
        c = f.cleaned_data if f.is_bound else {}
        if not f.errors:
            if c.get("status"):
                qs = qs.filter(status=c["status"])
            if c.get("channel"):
                qs = qs.filter(channel=c["channel"])
            if c.get("store"):
                qs = qs.filter(member__home_store__code=c["store"])
            if c.get("start"):
                qs = qs.filter(created_at__date__gte=c["start"])
            if c.get("end"):
                qs = qs.filter(created_at__date__lte=c["end"])
        events = DeliveryEvent.objects.order_by("at", "id")
        return (qs.select_related("member", "member__home_store", "template")
                .prefetch_related(Prefetch("events", queryset=events)).order_by("-id"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        full = can(self.request.user, Action.SEE_FULL)
        for row in context["rows"]:
            row.shown_recipient = mask_recipient(row.channel, row.recipient)
            row.shown_subject = mask_text(row.subject, row.member, full)
            row.shown_body = mask_text(row.body, row.member, full)
            reports = [e for e in row.events.all() if e.kind == EventKind.REPORT]
            row.report = reports[-1] if reports else None
            row.may_retry = row.status == OutboxStatus.FAILED
            row.may_cancel = row.status in PENDING
        query = self.request.GET.copy()
        query.pop("page", None)
        return {**context, "filters": self.filters(), "query": query.urlencode(), "full_path": self.request.get_full_path(),
                "reason_labels": dict(Reason.choices)}


class OutboxActView(CapabilityMixin, View):
    """POST: send a failed message again, or cancel a waiting one; back to the filtered list."""

    capability = Action.OUTBOX
    http_method_names = ["post"]
    ACTS = {"retry": message_retry, "cancel": message_cancel}

    def post(self, request, pk, act):
        if act not in self.ACTS:
            raise Http404
        try:
            message = self.ACTS[act](actor=request.user, message=pk)
        except NotFound:
            raise Http404 from None  # outside the user's stores: as if it did not exist
        except DomainError as exc:
            domain_error_message(request, exc)
        else:
            if act == "retry":
                messages.success(request, _("Message #%(id)s is queued again and goes out within a minute.") % {"id": message.pk})
            else:
                messages.success(request, _("Message #%(id)s was cancelled: it will not be sent.") % {"id": message.pk})
        return redirect_back(request, "console:outbox")
