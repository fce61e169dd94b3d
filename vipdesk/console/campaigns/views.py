"""Campaigns to a segment in the console (营销活动, issue 18 §1; HQ: Action.MESSAGE_CONFIG): the list,
a new campaign with its reach previewed before saving (预览人数), and one campaign's page — its reach,
schedule / back to draft / pause / resume / stop, and the report (delivery, opt-outs, response
against the control group) with its XLSX. Every write goes through vipdesk.campaigns.services."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from vipdesk.accounts.roles import Action
from vipdesk.analytics.models import Segment
from vipdesk.campaigns import services
from vipdesk.campaigns.choices import Audience, CampaignStatus
from vipdesk.campaigns.models import Campaign
from vipdesk.campaigns.report import campaign_report, report_xlsx
from vipdesk.core.errors import DomainError, NotFound
from vipdesk.members.choices import ConsentPurpose
from vipdesk.messaging.choices import Channel, Reason
from vipdesk.messaging.models import MessageTemplate
from vipdesk.tiers.models import Level

from ..mixins import CapabilityMixin

FORM_FIELDS = ("name", "template", "channel", "audience", "segment", "level", "member_list", "scheduled_at", "throttle",
               "control_percent", "response_days")
ACTS = {"schedule": services.campaign_schedule, "unschedule": services.campaign_unschedule, "pause": services.campaign_pause,
        "resume": services.campaign_resume, "stop": services.campaign_stop}


class _Base(CapabilityMixin, TemplateView):
    capability = Action.MESSAGE_CONFIG

    def get_context_data(self, **kwargs):
        return super().get_context_data(statuses=CampaignStatus, reasons=dict(Reason.choices), **kwargs)


def _reasons(counts: dict) -> list[tuple[str, int]]:
    labels = dict(Reason.choices)
    return [(str(labels.get(code, code)), n) for code, n in sorted(counts.items(), key=lambda kv: -kv[1])]


def _pct(value, *, sign: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value * 100:+.2f}%" if sign else f"{value * 100:.2f}%"


class CampaignListView(_Base):
    template_name = "console/campaigns/list.html"

    def get_context_data(self, **kwargs):
        campaigns = list(Campaign.objects.select_related("template", "segment", "level").order_by("-id")[:200])
        return super().get_context_data(campaigns=campaigns, **kwargs)


class CampaignNewView(_Base):
    """The form. 预览人数 (act=preview) counts the reach of what is typed; 保存草稿 (act=save) saves it."""

    template_name = "console/campaigns/new.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", {"channel": Channel.SMS, "audience": Audience.SEGMENT, "throttle": 500, "control_percent": 10,
                                   "response_days": 14})
        return super().get_context_data(
            templates=MessageTemplate.objects.filter(active=True, purpose=ConsentPurpose.MARKETING).order_by("code"),
            segments=Segment.objects.order_by("name"), levels=Level.objects.filter(programme__active=True).order_by("rank"),
            channels=Channel.choices, audiences=Audience.choices, **kwargs)

    def post(self, request, *args, **kwargs):
        data = {k: request.POST.get(k, "") for k in FORM_FIELDS}
        try:
            if request.POST.get("act") == "preview":
                draft = services.campaign_draft(actor=request.user, data=data)
                preview = services.campaign_preview(draft)
                return self.render_to_response(self.get_context_data(form=data, preview=preview,
                                                                     excluded=_reasons(preview["excluded"])))
            campaign = services.campaign_save(actor=request.user, data=data)
        except DomainError as exc:
            return self.render_to_response(self.get_context_data(form=data, errors=exc.fields, error=exc.message), status=400)
        messages.success(request, _("Campaign saved as a draft. Check its reach, then schedule it."))
        return redirect("console:campaign", pk=campaign.pk)


class _One:
    @cached_property
    def campaign(self) -> Campaign:
        try:
            return services.campaign_get(self.request.user, self.kwargs["pk"])
        except NotFound:
            raise Http404 from None


class CampaignDetailView(_One, _Base):
    template_name = "console/campaigns/detail.html"

    def get_context_data(self, **kwargs):
        c = self.campaign
        ctx = {"campaign": c}
        if c.status in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED):
            try:
                ctx["preview"] = services.campaign_preview(c)
                ctx["excluded"] = _reasons(ctx["preview"]["excluded"])
            except DomainError as exc:
                ctx["preview_error"] = exc.message
        else:
            report = campaign_report(c)
            ctx.update(report=report, excluded=_reasons(report["excluded"]), not_sent=_reasons(report["not_sent_reasons"]),
                       target_pct=_pct(report["target"]["rate"]), control_pct=_pct(report["control"]["rate"]),
                       uplift_pct=_pct(report["uplift"], sign=True), low_pct=_pct(report["low"], sign=True),
                       high_pct=_pct(report["high"], sign=True))
        return super().get_context_data(**ctx, **kwargs)

    def post(self, request, *args, **kwargs):
        act = ACTS.get(request.POST.get("act", ""))
        if act is None:
            messages.error(request, _("Unknown action."))
            return redirect("console:campaign", pk=self.campaign.pk)
        try:
            act(actor=request.user, campaign=self.campaign)
            messages.success(request, _("Done."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("console:campaign", pk=self.campaign.pk)


class CampaignExportView(_One, CapabilityMixin, View):
    capability = Action.MESSAGE_CONFIG

    def get(self, request, *args, **kwargs):
        c = self.campaign
        response = HttpResponse(report_xlsx(c, campaign_report(c)),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="campaign-{c.pk}.xlsx"'
        return response
