"""Outgoing webhooks in the console (issue 17 §3, HQ, group "Settings"): the subscriptions with
their state, a form to add one; one subscription's page to change it, switch it on or off, rotate its
secret, read its delivery log (response codes, time taken, errors) and send deliveries again."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from vipdesk.accounts.roles import Action
from vipdesk.core.errors import DomainError
from vipdesk.org.models import ApiClient
from vipdesk.webhooks.choices import DeliveryStatus, EventType
from vipdesk.webhooks.models import Delivery, Subscription
from vipdesk.webhooks.services import (deliveries_replay, subscription_create, subscription_for, subscription_rotate_secret,
                                       subscription_set_active, subscription_update)

from ..mixins import CapabilityMixin


def _form_data(post) -> dict:
    return {"name": post.get("name", ""), "url": post.get("url", ""), "events": post.getlist("events"),
            "integrator": post.get("integrator", ""), "api_client": post.get("api_client", "")}


class _Base(CapabilityMixin, TemplateView):
    capability = Action.WEBHOOKS

    def get_context_data(self, **kwargs):
        return super().get_context_data(event_types=EventType.choices, api_clients=ApiClient.objects.filter(active=True),
                                        **kwargs)


class WebhookListView(_Base):
    template_name = "console/webhooks/list.html"

    def get_context_data(self, **kwargs):
        subs = list(Subscription.objects.select_related("api_client").order_by("-active", "name"))
        since = timezone.now() - dt.timedelta(days=1)
        for sub in subs:
            recent = Delivery.objects.filter(subscription=sub, created_at__gte=since)
            sub.delivered = recent.filter(status=DeliveryStatus.DELIVERED).count()
            sub.waiting = Delivery.objects.filter(subscription=sub, status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]).count()
            sub.given_up = recent.filter(status=DeliveryStatus.FAILED).count()
        kwargs.setdefault("form", {"events": []})
        return super().get_context_data(subscriptions=subs, **kwargs)

    def post(self, request, *args, **kwargs):
        data = _form_data(request.POST)
        try:
            sub = subscription_create(actor=request.user, data=data)
        except DomainError as exc:
            return self.render_to_response(self.get_context_data(form=data, errors=exc.fields, error=exc.message), status=400)
        messages.success(request, _("Subscription %(name)s added. Give its secret to the integrator.") % {"name": sub.name})
        return redirect("console:webhook", pk=sub.pk)


class WebhookDetailView(_Base):
    template_name = "console/webhooks/detail.html"

    def get_context_data(self, **kwargs):
        sub = subscription_for(self.request.user, self.kwargs["pk"])
        status = self.request.GET.get("status", "")
        deliveries = Delivery.objects.filter(subscription=sub).select_related("event").prefetch_related("log").order_by("-id")
        if status in DeliveryStatus.values:
            deliveries = deliveries.filter(status=status)
        kwargs.setdefault("form", {"name": sub.name, "url": sub.url, "events": sub.events, "integrator": sub.integrator,
                                   "api_client": sub.api_client_id or ""})
        return super().get_context_data(sub=sub, deliveries=list(deliveries[:50]), status=status,
                                        statuses=DeliveryStatus.choices, now=timezone.now(), **kwargs)

    def post(self, request, *args, **kwargs):
        pk, act = self.kwargs["pk"], request.POST.get("act", "save")
        try:
            if act == "save":
                subscription_update(actor=request.user, subscription=pk, data=_form_data(request.POST))
                messages.success(request, _("Saved."))
            elif act in ("on", "off"):
                subscription_set_active(actor=request.user, subscription=pk, active=act == "on")
                messages.success(request, _("Switched on.") if act == "on" else _("Switched off."))
            elif act == "rotate":
                subscription_rotate_secret(actor=request.user, subscription=pk)
                messages.success(request, _("New secret made; the old one also signs for the next 24 hours."))
            elif act == "replay":
                n = deliveries_replay(actor=request.user, subscription=pk, delivery_ids=request.POST.getlist("delivery"))
                messages.success(request, _("%(n)s delivery(ies) will be sent again.") % {"n": n})
            elif act == "replay_range":
                hours = request.POST.get("hours", "")
                if not hours.isdigit() or not 1 <= int(hours) <= 24 * 30:
                    raise DomainError(_("Give the number of hours, 1 to 720."), fields={"hours": _("1 to 720.")})
                n = deliveries_replay(actor=request.user, subscription=pk, since=timezone.now() - dt.timedelta(hours=int(hours)))
                messages.success(request, _("%(n)s delivery(ies) will be sent again.") % {"n": n})
        except DomainError as exc:
            if act == "save":
                data = _form_data(request.POST)
                return self.render_to_response(self.get_context_data(form=data, errors=exc.fields, error=exc.message), status=400)
            messages.error(request, exc.message)
        return redirect(reverse("console:webhook", kwargs={"pk": pk}))
