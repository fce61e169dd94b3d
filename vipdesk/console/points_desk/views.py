"""The points desk (issue 15 §3): manual adjustments with a second person's approval (R5.1),
reversing a redemption, recording the use of a level's benefit, and a partner's reported spend.
Thin views over vipdesk.points and vipdesk.tiers services; the member page links here
(templatetags/points_desk.py)."""
from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from vipdesk.accounts.roles import Action, Role
from vipdesk.core.errors import DomainError
from vipdesk.org.models import Store
from vipdesk.points.bonuses import points_partner_spend
from vipdesk.points.choices import AdjustmentStatus, RedemptionStatus
from vipdesk.points.models import PointsAdjustment, Redemption
from vipdesk.points.redemption import points_redemption_cancel
from vipdesk.points.services import points_adjust, points_adjust_decide, points_summary
from vipdesk.tiers.benefits import benefit_summary, benefit_use

from ..mixins import CapabilityMixin, ScopedMemberMixin, domain_error_message
from ..service_form import ServiceFormView
from .forms import AdjustmentForm, BenefitUseForm, DecideForm, PartnerSpendForm, RedemptionCancelForm


def desk_store(user, member) -> Store:
    """Where a desk act is recorded: the member's home store when it is one of the user's (or the
    user is chain-wide), else the user's own first store."""
    ids = list(getattr(user, "store_ids", []) or [])
    if not ids or member.home_store_id in ids or getattr(user, "role", None) == Role.HQ_ADMIN:
        return member.home_store
    return Store.objects.get(pk=ids[0])


def adjustments_for(user):
    """Adjustments the user may decide: HQ all, a store manager those of his stores."""
    qs = PointsAdjustment.objects.select_related("account__member__home_store", "store", "requested_by", "decided_by")
    if getattr(user, "is_superuser", False) or getattr(user, "role", None) == Role.HQ_ADMIN:
        return qs
    ids = list(getattr(user, "store_ids", []) or [])
    return qs.filter(Q(store_id__in=ids) | Q(store__isnull=True, account__member__home_store_id__in=ids))


class _MemberBack:
    anchor = "#pane-points"

    def get_success_url(self):
        return reverse("console:member_detail", args=[self.member.pk]) + self.anchor

    def get_context_data(self, **kwargs):
        return super().get_context_data(member=self.member, **kwargs)


# ---- adjustments ---------------------------------------------------------------------------------

class AdjustmentRequestView(_MemberBack, ScopedMemberMixin, ServiceFormView):
    capability = Action.POINTS_DESK
    template_name = "console/points_desk/adjust.html"
    form_class = AdjustmentForm

    def call_service(self, form):
        return points_adjust(actor=self.request.user, member=self.member, points=form.cleaned_data["points"],
                             reason=form.cleaned_data["reason"], store=desk_store(self.request.user, self.member))

    def get_success_message(self, form, result):
        return _("Adjustment of %(points)s points sent for approval: it takes effect when another person approves it.") % {
            "points": f"{result.points:+,}"}


class AdjustmentQueueView(CapabilityMixin, TemplateView):
    capability = Action.POINTS_DESK
    template_name = "console/points_desk/queue.html"

    def get_context_data(self, **kwargs):
        mine = adjustments_for(self.request.user)
        waiting = list(mine.filter(status=AdjustmentStatus.REQUESTED).order_by("created_at", "id")[:200])
        for adj in waiting:
            adj.own_request = adj.requested_by_id == self.request.user.pk
            adj.balance = points_summary(adj.account.member)["balance"]
        decided = list(mine.exclude(status=AdjustmentStatus.REQUESTED).order_by("-decided_at", "-id")[:20])
        return super().get_context_data(waiting=waiting, decided=decided, **kwargs)


class AdjustmentDecideView(CapabilityMixin, View):
    capability = Action.POINTS_DESK
    http_method_names = ["post"]

    def post(self, request, pk):
        adj = adjustments_for(request.user).filter(pk=pk).first()
        if adj is None:
            raise Http404
        form = DecideForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose approve or reject."))
        else:
            approve = form.cleaned_data["decision"] == "approve"
            try:
                points_adjust_decide(actor=request.user, adjustment=adj, approve=approve)
            except DomainError as exc:
                domain_error_message(request, exc)
            else:
                text = _("Approved: %(points)s points for %(no)s.") if approve else _("Rejected: %(points)s points for %(no)s.")
                messages.success(request, text % {"points": f"{adj.points:+,}", "no": adj.account.member.member_no})
        return HttpResponseRedirect(reverse("console:points-adjustments"))


# ---- reversing a redemption ----------------------------------------------------------------------

class RedemptionCancelView(_MemberBack, ScopedMemberMixin, ServiceFormView):
    capability = Action.POINTS_DESK
    template_name = "console/points_desk/redemption_cancel.html"
    form_class = RedemptionCancelForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.redemption = get_object_or_404(Redemption.objects.select_related("item", "store", "account"),
                                                pk=kwargs["rid"], account__member_id=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        done = self.redemption.status == RedemptionStatus.DONE
        return super().get_context_data(redemption=self.redemption, reversible=done, **kwargs)

    def call_service(self, form):
        return points_redemption_cancel(actor=self.request.user, redemption=self.redemption, reason=form.cleaned_data["reason"])

    def get_success_message(self, form, result):
        return _("Redemption reversed: %(points)s points are back with the member.") % {"points": f"{result.points:,}"}


# ---- benefits of the level -----------------------------------------------------------------------

class BenefitUseView(_MemberBack, ScopedMemberMixin, ServiceFormView):
    capability = Action.SELL
    template_name = "console/points_desk/benefit_use.html"
    form_class = BenefitUseForm
    anchor = "#pane-tier"

    def get_form_kwargs(self):
        benefits = [b for b in benefit_summary(self.member)]
        return {**super().get_form_kwargs(), "benefits": benefits}

    def get_context_data(self, **kwargs):
        return super().get_context_data(benefits=benefit_summary(self.member), **kwargs)

    def call_service(self, form):
        data = form.cleaned_data
        return benefit_use(actor=self.request.user, member=self.member, code=data["code"], quantity=data["quantity"],
                           note=data.get("note", ""), store=desk_store(self.request.user, self.member))

    def get_success_message(self, form, result):
        return _("Recorded: %(name)s × %(n)s.") % {"name": result.benefit.name, "n": result.quantity}


# ---- partner spend -------------------------------------------------------------------------------

class PartnerSpendView(_MemberBack, ScopedMemberMixin, ServiceFormView):
    capability = Action.POINTS_DESK
    template_name = "console/points_desk/partner_spend.html"
    form_class = PartnerSpendForm

    def call_service(self, form):
        data = form.cleaned_data
        return points_partner_spend(actor=self.request.user, member=self.member, partner=data["partner"],
                                    reference=data["reference"], amount=data["amount"], spent_on=data["spent_on"],
                                    store=desk_store(self.request.user, self.member))

    def get_success_message(self, form, result):
        if getattr(result, "replayed", False):
            return _("This partner reference was recorded before (%(points)s points); nothing was added.") % {
                "points": f"{result.points:,}"}
        return _("Partner spend recorded: %(points)s bonus points.") % {"points": f"{result.points:,}"}


