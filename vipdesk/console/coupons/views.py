"""Coupons in the console (R7.1, issue 4 §5): campaigns and their issuance rules (HQ), bulk issue to
a list of members or a saved segment with a preview count first, and voiding a coupon.

Every write goes through vipdesk.coupons (campaigns.campaign_save / rule_save / rule_set_active,
services.coupons_issue_bulk / coupon_void); their per-field Chinese messages are shown next to the
fields and a refused form changes nothing.
"""
from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _, gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from vipdesk.accounts.roles import Action
from vipdesk.core.errors import DomainError, NotFound
from vipdesk.coupons.campaigns import campaign_save, rule_save, rule_set_active
from vipdesk.coupons.models import Campaign, IssuanceRule
from vipdesk.coupons.services import coupon_by_code, coupon_void, coupons_issue_bulk
from vipdesk.members.models import Member
from vipdesk.members.services import member_for_actor

from ..mixins import CapabilityMixin, LoyaltyConfigMixin, SwitchActiveView, domain_error_message
from ..service_form import ServiceFormView
from .forms import BulkIssueForm, CampaignForm, IssuanceRuleForm, VoidForm


class CouponConfigMixin(LoyaltyConfigMixin):
    capability = Action.COUPON_CONFIG
    tab = "coupons"


# ---- campaigns -----------------------------------------------------------------------------------

class CampaignListView(CouponConfigMixin, TemplateView):
    template_name = "console/coupons/campaigns.html"

    def get_context_data(self, **kwargs):
        campaigns = Campaign.objects.annotate(
            rules_active=Count("rules", filter=Q(rules__active=True))).order_by("-active", "code")
        return super().get_context_data(campaigns=campaigns, **kwargs)


def _iso(initial: dict) -> dict:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in initial.items()}


class CampaignPage(CouponConfigMixin, ServiceFormView):
    """New campaign (no pk) or one campaign: its settings (CampaignEditView), its issuance rules and
    a form for a new rule (IssuanceRuleCreateView, POST step=rule, only once the campaign exists)."""

    template_name = "console/coupons/campaign.html"

    @cached_property
    def campaign(self) -> Campaign | None:
        pk = self.kwargs.get("pk")
        return get_object_or_404(Campaign, pk=pk) if pk else None

    def get_context_data(self, **kwargs):
        campaign = self.campaign
        if "form" not in kwargs:
            initial = _iso(CampaignForm.initial_for(campaign)) if campaign else {"active": True, "kind": "voucher"}
            kwargs["form"] = CampaignForm(initial=initial)
        rules = []
        if campaign is not None:
            kwargs.setdefault("rule_form", IssuanceRuleForm(initial={"trigger": "sale", "accumulate_daily": True}))
            rules = list(campaign.rules.order_by("-active", "id"))
        return super().get_context_data(campaign=campaign, rules=rules, **kwargs)


class IssuanceRuleCreateView(CampaignPage):
    form_class = IssuanceRuleForm
    form_context_name = "rule_form"
    refused_context = {"rule_open": True}
    service = rule_save
    success_message = gettext_lazy("Issuance rule “%(rule)s” created.")

    def service_data(self, form):
        return {**form.cleaned_data, "campaign": self.campaign.pk}

    def success_message_data(self, form, rule):
        return {"rule": rule}

    def get_success_url(self):
        return reverse("console:coupon_campaign", args=[self.campaign.pk])


class CampaignEditView(CampaignPage):
    form_class = CampaignForm
    service = campaign_save
    success_message = gettext_lazy("Campaign %(code)s saved.")
    steps = {"rule": IssuanceRuleCreateView}

    def get_step(self):
        return super().get_step() if self.campaign is not None else None  # a rule needs its campaign saved first

    def service_kwargs(self, form):
        return {"campaign": self.campaign}

    def success_message_data(self, form, saved):
        return {"code": saved.code}

    def get_success_url(self):
        return reverse("console:coupon_campaign", args=[self.result.pk])


class RuleActiveView(SwitchActiveView):
    capability = Action.COUPON_CONFIG
    model = IssuanceRule
    on_message = gettext_lazy("Issuance rule “%(rule)s” is in force again.")
    off_message = gettext_lazy("Issuance rule “%(rule)s” was switched off.")

    def switch(self, row, active):
        rule_set_active(actor=self.request.user, rule=row, active=active)

    def back(self, row):
        return redirect("console:coupon_campaign", pk=row.campaign_id)


# ---- bulk issue ------------------------------------------------------------------------------------

def segment_hook():
    """HOOK (saved segments): the analytics app's `segment_members(segment, user=…)` and `Segment`,
    when that app provides them; None otherwise, and the page issues to a pasted list only."""
    try:
        from vipdesk.analytics.models import Segment
        from vipdesk.analytics.selectors import segment_members
    except ImportError:
        return None
    return Segment, segment_members


class BulkIssueView(CapabilityMixin, ServiceFormView):
    """Issue a campaign's coupons to members: first the count (how many found, how many at their
    limit), then the issue itself (POST step=issue), which names its batch. Both answers are shown
    on the page, not redirected to."""

    capability = Action.COUPON_ISSUE
    template_name = "console/coupons/issue.html"
    form_class = BulkIssueForm
    success_message = gettext_lazy("%(n)s coupons of %(campaign)s issued to %(members)s members (batch %(batch)s).")

    def get_initial(self):
        return {"campaign": self.request.GET.get("campaign", ""), "count": 1}

    def get_form_kwargs(self):
        hook = segment_hook()
        segments = [(str(s.pk), s.name) for s in hook[0].objects.order_by("name")] if hook else None
        return {**super().get_form_kwargs(), "campaigns": Campaign.objects.filter(active=True).order_by("code"),
                "segments": segments}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("void_form", VoidForm())
        return super().get_context_data(segments_available=segment_hook() is not None, **kwargs)

    def members(self, form):
        """(members queryset in the user's scope, words not found) from the segment or the pasted list."""
        user = self.request.user
        segment = form.cleaned_data.get("segment")
        hook = segment_hook()
        if segment and hook:
            found = hook[0].objects.filter(pk=segment).first()
            if found is None:
                form.add_error("segment", _("No such segment."))
                return None, []
            return hook[1](found, user=user).filter(status="active"), []
        words = form.words()
        if not words:
            form.add_error("members", _("Paste member numbers or mobile numbers."))
            return None, []
        scoped = Member.objects.restrict(user, Action.VIEW).filter(status="active")
        members = scoped.filter(Q(member_no__in=words) | Q(mobile__in=words))
        known = set()
        for member_no, mobile in members.values_list("member_no", "mobile"):
            known.update({member_no, mobile})
        return members, [w for w in words if w not in known]

    @property
    def previewing(self) -> bool:
        return self.request.POST.get("step") != "issue"

    def form_valid(self, form):
        self.campaign = Campaign.objects.filter(code=form.cleaned_data["campaign"]).first()
        self.found, self.missing = self.members(form)
        if self.found is None or self.campaign is None:
            return self.form_invalid(form)
        return super().form_valid(form)

    def call_service(self, form):
        return coupons_issue_bulk(actor=self.request.user, campaign=self.campaign, members=self.found.order_by("pk"),
                                  count=form.cleaned_data["count"], preview=self.previewing, note=form.cleaned_data.get("note", ""))

    def success_message_data(self, form, answer):
        return {"n": answer["issued"], "campaign": self.campaign.name, "members": answer["members"], "batch": answer["batch"]}

    def done(self, form, answer):
        if not self.previewing:
            messages.success(self.request, self.get_success_message(form, answer))
        return self.render_to_response(self.get_context_data(form=form, answer=answer, campaign=self.campaign,
                                                             missing=self.missing, preview=self.previewing))


class CouponVoidView(CapabilityMixin, View):
    """Void an unused coupon with a reason (from the bulk page or a member's 360° page)."""

    capability = Action.COUPON_ISSUE
    http_method_names = ["post"]

    def post(self, request):
        form = VoidForm(request.POST)
        form.is_valid()
        back = form.cleaned_data.get("next") or ""
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = ""
        back = back or reverse("console:coupon_issue")
        try:
            coupon = coupon_by_code(form.cleaned_data.get("code", ""))
            if coupon.member_id is not None:
                member_for_actor(request.user, coupon.member_id)  # outside the user's scope: as if it did not exist
            coupon = coupon_void(actor=request.user, coupon=coupon, reason=form.cleaned_data.get("reason", ""))
        except NotFound:
            messages.error(request, _("No coupon with code %(code)s.") % {"code": form.cleaned_data.get("code", "")})
        except DomainError as exc:
            domain_error_message(request, exc)
        else:
            messages.success(request, _("Coupon %(code)s was voided.") % {"code": request.POST.get("code", "").strip()})
        return HttpResponseRedirect(back)
